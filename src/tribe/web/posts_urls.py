"""Pages: 晒图 posts, comments and likes."""

from django.urls import path

from . import posts_views as views

urlpatterns = [
    path("posts/new/", views.post_new, name="post_new"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/remove/", views.post_remove, name="post_remove"),
    path("comments/<slug:kind>/<int:target_id>/", views.comment_add, name="comment_add"),
    path("comments/<int:comment_id>/remove/", views.comment_remove, name="comment_remove"),
    path("likes/<slug:kind>/<int:target_id>/", views.like_toggle, name="like"),
]
