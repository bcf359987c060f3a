from decimal import Decimal

import pytest

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.orders.cart import add_to_cart, get_cart
from tribe.orders.checkout import place_order
from tribe.payments.gateways.dummy import signed_body
from tribe.payments.services import handle_notification, start_payment

ADDRESS = {"name": "王小明", "phone": "13800138000", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}


@pytest.fixture
def shop(db):
    """Two stores, each with staff and one product (stock 10)."""
    store_a, store_b = StoreFactory(), StoreFactory()
    return {
        "store_a": store_a, "store_b": store_b,
        "staff_a": MembershipFactory(brand=store_a.brand).user, "staff_b": MembershipFactory(brand=store_b.brand).user,
        "a": ProductFactory(store=store_a, skus=[{"price": Decimal("60.00"), "stock": 10}]),
        "b": ProductFactory(store=store_b, skus=[{"price": Decimal("25.50"), "stock": 10}]),
    }


@pytest.fixture
def buyer(db):
    return UserFactory()


def sku_of(product):
    return product.skus.first()


def checkout(buyer, items, key="checkout-0001", **kwargs):
    cart = get_cart(buyer, create=True)
    for sku, qty in items:
        add_to_cart(cart, sku.pk, qty)
    return place_order(buyer, cart, address=ADDRESS, idempotency_key=key, **kwargs)


def pay(buyer, order, behaviour="succeed"):
    payment, _ = start_payment(buyer, order.pk, "dummy", behaviour=behaviour)
    succeeded = behaviour == "succeed"
    if behaviour == "late":
        return payment, None
    return payment, handle_notification("dummy", {}, signed_body(payment.out_trade_no, payment.amount, succeeded,
                                                                 "TXN" + payment.out_trade_no))
