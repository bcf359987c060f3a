"""Real threads against PostgreSQL: the guarded stock decrement never oversells."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from tests.factories import ProductFactory, UserFactory
from tests.orders.conftest import ADDRESS
from tribe.catalog.models import Product, Sku
from tribe.inventory.services import InsufficientStock
from tribe.orders.cart import add_to_cart, get_cart
from tribe.orders.checkout import place_order
from tribe.orders.models import Order
from tribe.payments.gateways.dummy import signed_body
from tribe.payments.services import handle_notification, start_payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_50_buyers_race_for_10_units():
    # given one SKU with 10 units and 50 buyers who each have one in their cart
    product = ProductFactory(skus=[{"price": Decimal("9.90"), "stock": 10}])
    sku = product.skus.get()
    buyers = [UserFactory() for _ in range(50)]
    carts = []
    for b in buyers:
        cart = get_cart(b, create=True)
        add_to_cart(cart, sku.pk, 1)
        carts.append(cart)
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(50)

    def buy(i):
        try:
            barrier.wait()
            order = place_order(buyers[i], carts[i], address=ADDRESS, idempotency_key=f"race-{i:04d}")
            payment, _ = start_payment(buyers[i], order.pk, "dummy")
            _, _, _, outcome = handle_notification(
                "dummy", {}, signed_body(payment.out_trade_no, payment.amount, True, f"TX{i}"))
            with lock:
                results.append(outcome)
        except InsufficientStock:
            with lock:
                results.append("sold_out")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then exactly 10 paid orders, stock 0, never negative, and the rest were told "sold out"
    assert sorted(set(results)) == ["paid", "sold_out"]
    assert results.count("paid") == 10 and results.count("sold_out") == 40
    assert Order.objects.filter(status=Order.Status.PAID).count() == 10
    assert Sku.objects.get(pk=sku.pk).stock == 0
    assert Product.objects.get(pk=product.pk).total_stock == 0
    assert Product.objects.get(pk=product.pk).sales_count == 10
    assert connection.vendor == "postgresql"


def test_same_notification_twice_concurrently_pays_once():
    product = ProductFactory(skus=[{"price": Decimal("20.00"), "stock": 5}])
    buyer = UserFactory()
    cart = get_cart(buyer, create=True)
    add_to_cart(cart, product.skus.get().pk, 1)
    order = place_order(buyer, cart, address=ADDRESS, idempotency_key="twice-0001")
    payment, _ = start_payment(buyer, order.pk, "dummy")
    body = signed_body(payment.out_trade_no, payment.amount, True, "TX-TWICE")
    outcomes = []
    barrier = threading.Barrier(8)

    def notify():
        barrier.wait()
        outcomes.append(handle_notification("dummy", {}, body)[3])
        connections.close_all()

    threads = [threading.Thread(target=notify) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["duplicate"] * 7 + ["paid"]
    assert Product.objects.get(pk=product.pk).sales_count == 1
