"""Console pages of 预售, mounted at /console/<brand_slug>/presale/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
