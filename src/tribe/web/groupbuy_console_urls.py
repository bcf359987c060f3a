"""Console pages of 拼团, mounted at /console/<brand_slug>/groupbuy/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path

from . import groupbuy_console_views as views

urlpatterns: list = [
    path("", views.deal_list, name="groupbuy"),
    path("new/", views.deal_new, name="groupbuy_new"),
    path("<int:deal_id>/", views.deal_detail, name="groupbuy_detail"),
    path("<int:deal_id>/<slug:action>/", views.deal_move, name="groupbuy_move"),
]
