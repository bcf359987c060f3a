"""Console pages of 秒杀, mounted at /console/<brand_slug>/flashsale/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path

from . import flashsale_console_views as views

urlpatterns: list = [
    path("", views.sale_list, name="flashsale"),
    path("<int:sale_id>/", views.sale_detail, name="flashsale_sale"),
    path("<int:sale_id>/edit/", views.sale_edit, name="flashsale_edit"),
    path("<int:sale_id>/<str:action>/", views.sale_move, name="flashsale_move"),
    path("<int:sale_id>/items/add/", views.item_add, name="flashsale_item_add"),
    path("<int:sale_id>/items/<int:item_id>/edit/", views.item_edit, name="flashsale_item_edit"),
    path("<int:sale_id>/items/<int:item_id>/remove/", views.item_remove, name="flashsale_item_remove"),
]
