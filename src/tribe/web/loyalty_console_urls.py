"""Console pages of 会员积分与等级, mounted at /console/<brand_slug>/loyalty/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
