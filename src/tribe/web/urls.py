from django.urls import path

from . import account_views, cart_views, checkout_views, order_views, station_views, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("b/<slug:slug>/", station_views.station, name="brand"),
    path("s/<slug:slug>/", views.store, name="store"),
    path("c/<slug:slug>/", views.category, name="category"),
    path("p/<int:pk>/", views.product, name="product"),
    path("bundles/", views.bundles, name="bundles"),
    path("bundle/<slug:slug>/", views.bundle, name="bundle"),
    path("accounts/login/", account_views.login_view, name="login"),
    path("accounts/register/", account_views.register_view, name="register"),
    path("accounts/logout/", account_views.logout_view, name="logout"),
    path("me/", account_views.profile_view, name="profile"),
    path("cart/", cart_views.cart, name="cart"),
    path("cart/add/", cart_views.cart_add, name="cart_add"),
    path("cart/bundle/<slug:slug>/", cart_views.cart_add_bundle, name="cart_add_bundle"),
    path("cart/lines/<int:line_id>/quantity/", cart_views.cart_quantity, name="cart_quantity"),
    path("cart/lines/<int:line_id>/remove/", cart_views.cart_remove, name="cart_remove"),
    path("checkout/", checkout_views.checkout, name="checkout"),
    path("orders/", order_views.orders, name="orders"),
    path("orders/<str:number>/", order_views.order_detail, name="order"),
    path("orders/<str:number>/pay/", checkout_views.pay, name="order_pay"),
    path("orders/<str:number>/cancel/", order_views.order_cancel, name="order_cancel"),
    path("orders/<str:number>/receive/", order_views.order_receive, name="order_receive"),
    path("orders/<str:number>/lines/<int:line_id>/refund/", order_views.refund_new, name="refund_new"),
    path("orders/<str:number>/refunds/<int:request_id>/cancel/", order_views.refund_cancel,
         name="refund_cancel"),
    path("pay/dummy/<str:out_trade_no>/", checkout_views.dummy_cashier, name="dummy_pay"),
]
