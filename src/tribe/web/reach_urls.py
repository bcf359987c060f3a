"""Pages of reach: digest unsubscribe, brand station PWA (manifest, icons, service worker)."""

from django.urls import path

from . import reach_views as views

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("b/<slug:slug>/manifest.webmanifest", views.manifest, name="station_manifest"),
    path("b/<slug:slug>/icon-<int:size>.png", views.station_icon, name="station_icon"),
    path("sw.js", views.service_worker, name="service_worker"),
]
