"""Pages of 邮件与推送 (reach). Included by tribe.web.urls (namespace web)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
