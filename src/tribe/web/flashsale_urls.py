"""Pages of 秒杀 (flashsale). Included by tribe.web.urls (namespace web)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
