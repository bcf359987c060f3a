"""Pages of 预售 (presale). Included by tribe.web.urls (namespace web)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
