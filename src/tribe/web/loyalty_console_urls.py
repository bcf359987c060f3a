"""Console pages of 会员积分与等级, mounted at /console/<brand_slug>/loyalty/ (namespace console; views take
brand_slug and use tribe.web.console.base.brand_view)."""

from django.urls import path

from . import loyalty_console_views as views

urlpatterns = [
    path("", views.tier_prices, name="loyalty_tier_prices"),
    path("<int:tier_price_id>/edit/", views.tier_price_edit, name="loyalty_tier_price_edit"),
    path("<int:tier_price_id>/remove/", views.tier_price_remove, name="loyalty_tier_price_remove"),
]
