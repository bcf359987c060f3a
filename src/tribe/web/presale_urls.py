"""Pages of 预售 (presale). Included by tribe.web.urls (namespace web)."""

from django.urls import path

from . import presale_views as v

urlpatterns: list = [
    path("presale/<int:pk>/", v.presale_page, name="presale"),
    path("me/presales/", v.my_presales, name="my_presales"),
    path("me/presales/<int:purchase_id>/balance/", v.pay_balance, name="presale_pay_balance"),
]
