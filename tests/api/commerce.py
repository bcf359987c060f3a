"""Helpers for the commerce API tests: products, carts and orders set up through the services, and the row
counts that prove a refused request wrote nothing."""

from __future__ import annotations

from decimal import Decimal

from tests.factories import ProductFactory
from tribe.aftersales.models import RefundRequest
from tribe.catalog.models import Sku
from tribe.core.models import Event
from tribe.inventory.models import Reservation
from tribe.orders.cart import add_to_cart, get_cart
from tribe.orders.checkout import place_order
from tribe.orders.models import Address, Cart, CartLine, Order, OrderLine, OrderLog, Shipment, StoreOrder
from tribe.payments.gateways.dummy import signed_body
from tribe.payments.models import Payment, Refund
from tribe.payments.services import handle_notification, start_payment

ADDRESS = {
    "name": "王小明",
    "phone": "13800138000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "detail": "文三路 100 号",
}


def product(store, price: str = "60.00", stock: int = 10, **kwargs):
    return ProductFactory(store=store, skus=[{"price": Decimal(price), "stock": stock}], **kwargs)


def sku_of(prod) -> Sku:
    return prod.skus.order_by("id").first()


def fill_cart(user, items) -> Cart:
    """items: [(sku, quantity)] added through the cart service."""
    cart = get_cart(user, create=True)
    for sku, qty in items:
        add_to_cart(cart, sku.pk, qty)
    return cart


def place(user, items, key: str = "order-key-0001") -> Order:
    return place_order(user, fill_cart(user, items), address=ADDRESS, idempotency_key=key)


def pay(user, order: Order) -> Order:
    """Pay through the dummy gateway: start the payment, deliver its signed success notification."""
    payment, _ = start_payment(user, order.pk, "dummy")
    body = signed_body(payment.out_trade_no, payment.amount, True, "TXN" + payment.out_trade_no)
    status, _, _, outcome = handle_notification("dummy", {}, body)
    assert (status, outcome) == (200, "paid")
    order.refresh_from_db()
    return order


def paid_order(user, items, key: str = "order-key-0001") -> Order:
    return pay(user, place(user, items, key))


def rows() -> dict[str, int]:
    """Row counts of every table a commerce request could write."""
    models = [
        Cart,
        CartLine,
        Address,
        Order,
        StoreOrder,
        OrderLine,
        OrderLog,
        Shipment,
        Reservation,
        Payment,
        Refund,
        RefundRequest,
        Event,
    ]
    return {m.__name__: m.objects.count() for m in models}


def stock_of(sku) -> int:
    return Sku.objects.get(pk=sku.pk).stock
