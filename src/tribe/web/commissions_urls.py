"""Pages: commissions (我的佣金)."""

from django.urls import path

from . import commissions_views as views

urlpatterns: list = [
    path("me/commissions/", views.my_commissions, name="commissions"),
    path("me/commissions/gift/", views.claim_gift, name="commission_gift"),
]
