"""Pages of 拼团 (groupbuy). Included by tribe.web.urls (namespace web)."""

from django.urls import path

from . import groupbuy_views as views

urlpatterns: list = [
    path("groupbuy/<int:deal_id>/", views.deal_page, name="groupbuy"),
    path("groupbuy/<int:deal_id>/open/", views.open_page, name="groupbuy_open"),
    path("groups/<int:group_id>/", views.group_page, name="group"),
    path("groups/<int:group_id>/join/", views.join_page, name="group_join"),
]
