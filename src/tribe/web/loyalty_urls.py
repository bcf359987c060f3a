"""Pages of 会员积分与等级 (loyalty). Included by tribe.web.urls (namespace web)."""

from django.urls import path

from . import loyalty_views

urlpatterns = [
    path("me/points/", loyalty_views.my_points, name="loyalty_points"),
    path("me/points/sign-in/", loyalty_views.sign_in, name="loyalty_sign_in"),
]
