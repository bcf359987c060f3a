"""Pages of 砍价 (bargain). Included by tribe.web.urls (namespace web)."""

from django.urls import path

from . import bargain_views as views

urlpatterns: list = [
    path("bargain/<int:campaign_id>/", views.campaign_page, name="bargain_campaign"),
    path("bargain/<int:campaign_id>/start/", views.start, name="bargain_start"),
    path("bargains/<int:bargain_id>/", views.bargain_page, name="bargain"),
    path("bargains/<int:bargain_id>/help/", views.help_, name="bargain_help"),
    path("bargains/<int:bargain_id>/buy/", views.buy, name="bargain_buy"),
]
