"""Pages: 专辑 albums (品牌街) and 场景化导购 guides."""

from django.urls import path

from . import curation_views as views

urlpatterns: list = [
    path("albums/", views.album_list, name="albums"),
    path("albums/new/", views.album_new, name="album_new"),
    path("albums/mine/", views.my_albums, name="my_albums"),
    path("albums/by/<str:username>/", views.user_albums, name="user_albums"),
    path("albums/brand/<slug:slug>/", views.brand_albums, name="brand_albums"),
    path("albums/<int:pk>/", views.album, name="album"),
    path("albums/<int:pk>/edit/", views.album_edit, name="album_edit"),
    path("albums/<int:pk>/delete/", views.album_delete, name="album_delete"),
    path("albums/<int:pk>/items/", views.album_add_item, name="album_add_item"),
    path("albums/<int:pk>/items/<int:product_id>/note/", views.album_item_note, name="album_item_note"),
    path("albums/<int:pk>/items/<int:product_id>/remove/", views.album_remove_item, name="album_remove_item"),
    path("albums/<int:pk>/items/<int:product_id>/move/", views.album_move_item, name="album_move_item"),
    path("guides/", views.guide_list, name="guides"),
    path("guides/new/", views.guide_new, name="guide_new"),
    path("guides/<int:pk>/", views.guide, name="guide"),
    path("guides/<int:pk>/edit/", views.guide_edit, name="guide_edit"),
    path("guides/<int:pk>/delete/", views.guide_delete, name="guide_delete"),
    path("guides/<int:pk>/steps/", views.guide_add_step, name="guide_add_step"),
    path("guides/<int:pk>/steps/<int:step_id>/remove/", views.guide_remove_step, name="guide_remove_step"),
]
