"""Pages: 私信."""

from django.urls import path

from . import messaging_views as views

urlpatterns: list = [
    path("messages/", views.inbox, name="messages"),
    path("messages/new/", views.new_direct, name="message_new"),
    path("messages/group/new/", views.group_new, name="message_group_new"),
    path("messages/badge/", views.badge, name="messages_badge"),
    path("messages/<int:pk>/", views.thread, name="message_thread"),
    path("messages/<int:pk>/send/", views.thread_send, name="message_send"),
    path("messages/<int:pk>/poll/", views.thread_poll, name="message_poll"),
    path("messages/<int:pk>/stream", views.thread_stream, name="message_stream"),
    path("p/<int:pk>/ask/", views.ask, name="ask_friends"),
    path("s/<slug:slug>/contact/", views.contact, name="store_contact"),
]
