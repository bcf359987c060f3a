"""Pages: 粉丝社区 (a brand's fan community and its polls)."""

from django.urls import path

from . import fans_views as views

urlpatterns: list = [
    path("fans/<slug:brand_slug>/", views.community, name="fans"),
    path("fans/<slug:brand_slug>/join/", views.join, name="fans_join"),
    path("fans/<slug:brand_slug>/leave/", views.leave, name="fans_leave"),
    path("fans/<slug:brand_slug>/polls/<int:poll_id>/", views.poll, name="fans_poll"),
    path("fans/<slug:brand_slug>/polls/<int:poll_id>/vote/", views.vote, name="fans_vote"),
]
