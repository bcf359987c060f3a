"""Console pages of 砍价, mounted at /console/<brand_slug>/bargain/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
