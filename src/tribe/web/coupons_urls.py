"""Pages of 优惠券 (coupons). Included by tribe.web.urls (namespace web)."""

from django.urls import path

from . import coupons_views as views

urlpatterns = [
    path("coupons/", views.claimable, name="coupons"),
    path("coupons/<int:template_id>/", views.detail, name="coupon"),
    path("coupons/<int:template_id>/claim/", views.claim, name="coupon_claim"),
    path("me/coupons/", views.mine, name="my_coupons"),
]
