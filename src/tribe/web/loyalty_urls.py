"""Pages of 会员积分与等级 (loyalty). Included by tribe.web.urls (namespace web)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
