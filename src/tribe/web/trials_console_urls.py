"""Console pages of 试用, mounted at /console/<brand_slug>/trials/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
