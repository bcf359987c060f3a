from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.orders.conftest import checkout, pay, sku_of
from tribe.aftersales.services import approve_refund, mark_returned, request_refund
from tribe.catalog.models import Sku
from tribe.core.errors import ValidationFailed
from tribe.inventory.models import Reservation
from tribe.orders.models import Order, StoreOrder
from tribe.orders.services import confirm_receipt, run_due
from tribe.orders.shipping import ship
from tribe.payments.models import Payment, Refund
from tribe.payments.services import deliver_late

S = Order.Status


def test_multi_store_order_full_lifecycle(shop, buyer):
    # given a cart with items from two stores
    order = checkout(buyer, [(sku_of(shop["a"]), 2), (sku_of(shop["b"]), 1)])
    # then the order is split per store with each store's shipping (platform standard: 8.00, free over 99)
    assert order.status == S.PENDING_PAYMENT
    parts = {so.store_id: so for so in order.store_orders.all()}
    assert (parts[shop["store_a"].pk].subtotal, parts[shop["store_a"].pk].shipping_fee) == (Decimal("120.00"),
                                                                                             Decimal("0.00"))
    assert (parts[shop["store_b"].pk].subtotal, parts[shop["store_b"].pk].shipping_fee) == (Decimal("25.50"),
                                                                                             Decimal("8.00"))
    assert order.total == Decimal("153.50")
    assert Sku.objects.get(pk=sku_of(shop["a"]).pk).stock == 8  # reserved
    # when paid
    _, (status, _, _, outcome) = pay(buyer, order)
    order.refresh_from_db()
    assert (status, outcome, order.status, order.paid_total) == (200, "paid", S.PAID, Decimal("153.50"))
    assert set(Reservation.objects.filter(order_id=order.pk).values_list("state", flat=True)) == {"consumed"}
    # when store A ships, the order is partially shipped; when B ships, shipped
    ship(shop["staff_a"], parts[shop["store_a"].pk].pk, carrier="顺丰", tracking_number="SF1")
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_SHIPPED
    ship(shop["staff_b"], parts[shop["store_b"].pk].pk, carrier="圆通", tracking_number="YT1")
    order.refresh_from_db()
    assert order.status == S.SHIPPED
    confirm_receipt(buyer, order.pk)
    order.refresh_from_db()
    assert order.status == S.RECEIVED
    # after the after-sales window, the sweep completes it
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert run_due()["completed"] == 1
    order.refresh_from_db()
    assert order.status == S.COMPLETED


def test_expired_order_releases_stock_and_late_payment_is_refunded(shop, buyer):
    sku = sku_of(shop["a"])
    order = checkout(buyer, [(sku, 3)])
    payment, _ = pay(buyer, order, behaviour="late")
    assert Sku.objects.get(pk=sku.pk).stock == 7
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert run_due()["expired"] == 1
        assert Sku.objects.get(pk=sku.pk).stock == 10
        status, _, _, outcome = deliver_late(payment)
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (outcome, order.status, payment.status) == ("late_refunded", S.EXPIRED, Payment.Status.REFUNDED)
    assert Refund.objects.get(payment=payment).amount == payment.amount
    assert Sku.objects.get(pk=sku.pk).stock == 10  # the released units were not sold twice


def test_partial_refund_then_return_closes_when_everything_is_back(shop, buyer):
    sku = sku_of(shop["a"])
    order = checkout(buyer, [(sku, 3)])
    pay(buyer, order)
    line = order.lines.get()
    so = order.store_orders.get()
    ship(shop["staff_a"], so.pk, carrier="顺丰", tracking_number="SF9")
    first = request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="少发了")
    approve_refund(shop["staff_a"], first.pk)
    line.refresh_from_db()
    assert (line.refunded_quantity, line.refunded_amount) == (1, Decimal("60.00"))
    with pytest.raises(ValidationFailed):
        request_refund(buyer, line.pk, kind="return_refund", quantity=3, reason="都不要了")
    rest = request_refund(buyer, line.pk, kind="return_refund", quantity=2, reason="不喜欢")
    approve_refund(shop["staff_a"], rest.pk)
    mark_returned(shop["staff_a"], rest.pk, restock=True)
    order.refresh_from_db()
    line.refresh_from_db()
    assert (line.refunded_amount, order.refunded_total, order.status) == (Decimal("180.00"), Decimal("180.00"),
                                                                          S.CLOSED)
    assert StoreOrder.objects.get(pk=so.pk).status == StoreOrder.Status.CLOSED
    assert Sku.objects.get(pk=sku.pk).stock == 9  # 2 returned units back on sale; 1 kept by the buyer


def test_checkout_is_idempotent(shop, buyer):
    first = checkout(buyer, [(sku_of(shop["a"]), 1)], key="same-key-123")
    again = checkout(buyer, [(sku_of(shop["b"]), 1)], key="same-key-123")
    assert again.pk == first.pk
    assert Order.objects.count() == 1


def test_dummy_gateway_can_be_switched_off(shop, buyer, settings):
    from tribe.core.errors import NotFound
    from tribe.payments.gateways.dummy import signed_body
    from tribe.payments.services import handle_notification, start_payment

    order = checkout(buyer, [(sku_of(shop["a"]), 1)])
    payment, _ = start_payment(buyer, order.pk, "dummy")
    settings.TRIBE_PAYMENT_GATEWAYS = {}  # production: TRIBE_DUMMY_PAYMENTS=0
    with pytest.raises(ValidationFailed) as exc:
        start_payment(buyer, order.pk, "dummy")
    assert exc.value.code == "gateway_disabled"
    with pytest.raises(NotFound):
        handle_notification("dummy", {}, signed_body(payment.out_trade_no, payment.amount, True, "TX-OFF"))
    order.refresh_from_db()
    assert order.status == S.PENDING_PAYMENT
