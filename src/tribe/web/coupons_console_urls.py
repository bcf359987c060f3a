"""Console pages of 优惠券, mounted at /console/<brand_slug>/coupons/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path

from . import coupons_console_views as views

urlpatterns = [
    path("", views.index, name="coupons"),
    path("new/", views.create, name="coupons_new"),
    path("<int:template_id>/", views.edit, name="coupons_edit"),
    path("<int:template_id>/grant/", views.grant, name="coupons_grant"),
    path("<int:template_id>/<str:action>/", views.move, name="coupons_move"),
]
