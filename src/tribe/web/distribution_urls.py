"""Pages: distribution (promoter programs and 达人 store pages)."""

from django.urls import path

from . import distribution_views as views

urlpatterns: list = [
    path("promote/<slug:brand_slug>/", views.promote, name="promote"),
    path("daren/<str:username>/", views.daren, name="daren"),
    path("me/promote/", views.dashboard, name="promoter_dashboard"),
]
