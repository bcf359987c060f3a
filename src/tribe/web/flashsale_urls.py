"""Pages of 秒杀 (flashsale). Included by tribe.web.urls (namespace web)."""

from django.urls import path

from . import flashsale_views as views

urlpatterns: list = [
    path("flash/", views.today, name="flashsale"),
    path("flash/<int:sale_id>/", views.sale_page, name="flashsale_sale"),
    path("flash/<int:sale_id>/items/<int:item_id>/buy/", views.buy_page, name="flashsale_buy"),
]
