"""Pages: the home feed and keyword rules."""

from django.urls import path

from . import feed_views as views

urlpatterns = [
    path("feed/", views.feed, name="feed"),
    path("feed/keywords/", views.keywords, name="feed_keywords"),
    path("feed/keywords/remove/", views.keyword_remove, name="feed_keyword_remove"),
]
