"""Pages: 通知."""

from django.urls import path

from . import notifications_views as views

urlpatterns: list = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.read_all, name="notifications_read"),
    path("notifications/badge/", views.badge, name="notifications_badge"),
    path("notifications/<int:pk>/", views.open_notification, name="notification_open"),
]
