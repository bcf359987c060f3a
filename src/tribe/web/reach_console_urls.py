"""Console page of reach, mounted at /console/<brand_slug>/reach/."""

from django.urls import path

from . import reach_views as views

urlpatterns = [
    path("", views.console, name="reach"),
]
