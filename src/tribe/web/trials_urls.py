"""Pages of 试用 (trials). Included by tribe.web.urls (namespace web)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
