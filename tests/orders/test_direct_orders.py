"""The orders core pieces the marketing plays stand on: cart-less direct orders at a play's price, shipping
holds, the order_cancelled signal and the system full refund."""

from decimal import Decimal

import pytest

from tests.orders.conftest import ADDRESS, pay, sku_of
from tribe.aftersales.models import RefundRequest
from tribe.aftersales.services import refund_order
from tribe.core.errors import Conflict, ValidationFailed
from tribe.inventory.services import InsufficientStock
from tribe.orders import holds, signals
from tribe.orders.cart import add_to_cart, get_cart
from tribe.orders.checkout import CampaignPrice, place_direct_order, quote_direct
from tribe.orders.models import LineAdjustment, Order
from tribe.orders.services import cancel_order
from tribe.orders.shipping import ship
from tribe.payments.models import Payment, Refund

pytestmark = pytest.mark.django_db

PLAY = CampaignPrice("groupbuy:1", "拼团价", Decimal("45.00"))


def test_direct_order_charges_the_play_price_and_leaves_the_cart_alone(shop, buyer):
    cart = get_cart(buyer, create=True)
    add_to_cart(cart, sku_of(shop["b"]).pk, 1)
    sku = sku_of(shop["a"])
    preview = quote_direct(buyer, sku.pk, 2, campaign=PLAY)
    order = place_direct_order(buyer, sku.pk, 2, address=ADDRESS, idempotency_key="direct-0001", campaign=PLAY)
    assert order.subtotal == Decimal("120.00")
    assert order.discount_total == Decimal("30.00") == preview.discount_total
    assert order.total == preview.total
    adj = LineAdjustment.objects.get(line__order=order)
    assert (adj.code, adj.amount) == ("groupbuy:1", Decimal("30.00"))
    assert cart.lines.count() == 1  # the cart was not touched
    sku.refresh_from_db()
    assert sku.stock == 8
    again = place_direct_order(buyer, sku.pk, 2, address=ADDRESS, idempotency_key="direct-0001", campaign=PLAY)
    assert again.pk == order.pk and again.replayed


def test_before_commit_failure_writes_nothing(shop, buyer):
    sku = sku_of(shop["a"])

    def refuse(order):
        raise Conflict("the group is full", code="group_full")

    with pytest.raises(Conflict):
        place_direct_order(buyer, sku.pk, 1, address=ADDRESS, idempotency_key="direct-0002", campaign=PLAY,
                           before_commit=refuse)
    assert not Order.objects.exists()
    sku.refresh_from_db()
    assert sku.stock == 10


def test_direct_order_refuses_bad_input(shop, buyer):
    sku = sku_of(shop["a"])
    with pytest.raises(InsufficientStock):
        place_direct_order(buyer, sku.pk, 11, address=ADDRESS, idempotency_key="direct-0003")
    with pytest.raises(ValidationFailed):
        place_direct_order(buyer, sku.pk, 0, address=ADDRESS, idempotency_key="direct-0003")
    with pytest.raises(ValidationFailed):
        place_direct_order(buyer, sku.pk, 1, address={}, idempotency_key="direct-0003")
    # a play never charges more than the list price
    dear = CampaignPrice("flashsale:9", "秒杀价", Decimal("99.00"))
    order = place_direct_order(buyer, sku.pk, 1, address=ADDRESS, idempotency_key="direct-0004", campaign=dear)
    assert order.total == Decimal("60.00") + order.shipping_total
    assert not Order.objects.exclude(pk=order.pk).exists()


def test_cancel_sends_order_cancelled(shop, buyer):
    seen = []

    def receiver(sender, order, reason, **kwargs):
        seen.append((order.pk, reason))

    signals.order_cancelled.connect(receiver)
    try:
        order = place_direct_order(buyer, sku_of(shop["a"]).pk, 1, address=ADDRESS, idempotency_key="direct-0005")
        cancel_order(buyer, order.pk)
    finally:
        signals.order_cancelled.disconnect(receiver)
    assert seen == [(order.pk, "cancelled")]


def test_a_ship_hold_blocks_shipping_until_lifted(shop, buyer):
    order = place_direct_order(buyer, sku_of(shop["a"]).pk, 1, address=ADDRESS, idempotency_key="direct-0006")
    pay(buyer, order)
    held = {order.pk}

    def hold(order_ids):
        return {oid: "等待成团" for oid in order_ids if oid in held}

    holds.register_ship_hold(hold)
    try:
        so = order.store_orders.get()
        with pytest.raises(Conflict) as exc:
            ship(shop["staff_a"], so.pk, carrier="顺丰", tracking_number="SF1")
        assert exc.value.code == "shipping_on_hold"
        held.clear()
        ship(shop["staff_a"], so.pk, carrier="顺丰", tracking_number="SF1")
    finally:
        holds.unregister_ship_hold(hold)
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED


def test_refund_order_returns_everything_once(shop, buyer):
    order = place_direct_order(buyer, sku_of(shop["a"]).pk, 2, address=ADDRESS, idempotency_key="direct-0007",
                               campaign=PLAY)
    pay(buyer, order)
    order.refresh_from_db()
    made = refund_order(order.pk, reason="拼团失败，自动退款")
    assert len(made) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.CLOSED
    assert order.refunded_total == order.paid_total
    assert Refund.objects.filter(payment__order=order, status=Refund.Status.SUCCEEDED).count() == 2  # line + shipping
    assert Payment.objects.get(order=order).refunded_amount == order.paid_total
    assert refund_order(order.pk, reason="again") == []
    assert RefundRequest.objects.filter(order=order).count() == 1
