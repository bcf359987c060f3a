"""Console pages of 优惠券, mounted at /console/<brand_slug>/coupons/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
