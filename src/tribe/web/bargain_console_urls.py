"""Console pages of 砍价, mounted at /console/<brand_slug>/bargain/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path

from . import bargain_console_views as views

urlpatterns: list = [
    path("", views.campaigns, name="bargain"),
    path("<int:campaign_id>/", views.campaign, name="bargain_edit"),
    path("<int:campaign_id>/<slug:action>/", views.move, name="bargain_move"),
]
