"""Hypothesis: whatever sequence of partial refunds a buyer asks for, refunds never exceed what was paid for a
line, sums are exact to the fen, and a line fully refunded returns exactly its paid amount."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import checkout, pay
from tribe.aftersales.services import approve_refund, refundable, request_refund
from tribe.core.errors import ValidationFailed
from tribe.orders.models import Order, OrderLine
from tribe.orders.pricing import Adjustment, register_adjuster, unregister_adjuster
from tribe.payments.models import Payment


class RefundArithmetic(TestCase):
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        price=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2),
        qty=st.integers(min_value=1, max_value=7),
        discount=st.decimals(min_value=0, max_value=Decimal("50.00"), places=2),
        asks=st.lists(st.tuples(st.integers(min_value=1, max_value=7), st.booleans()), min_size=1, max_size=6),
    )
    def test_refunds_never_exceed_paid_and_sum_exactly(self, price, qty, discount, asks):
        store = StoreFactory()
        staff = MembershipFactory(brand=store.brand).user
        product = ProductFactory(store=store, skus=[{"price": price, "stock": 10}])
        other = ProductFactory(store=store, skus=[{"price": Decimal("3.33"), "stock": 10}])
        buyer = UserFactory()
        register_adjuster("test-discount", lambda ctx: [Adjustment("test", "测试立减", discount)])
        try:
            order = checkout(buyer, [(product.skus.get(), qty), (other.skus.get(), 1)], key="prop-key-0001")
        finally:
            unregister_adjuster("test-discount")
        pay(buyer, order)
        line = OrderLine.objects.get(order=order, product=product)
        # the discount was split exactly over the two lines
        lines = list(OrderLine.objects.filter(order=order))
        assert sum(ln.discount for ln in lines) == min(discount, sum(ln.subtotal for ln in lines))
        used_custom = False
        for ask_qty, custom_amount in asks:
            line.refresh_from_db()
            left_qty, left_amount = refundable(line)
            amount = None
            if custom_amount and left_amount > Decimal("0.01"):
                amount = (left_amount / 2).quantize(Decimal("0.01"))
            try:
                req = request_refund(buyer, line.pk, kind="refund_only", quantity=ask_qty, reason="测试", amount=amount)
            except ValidationFailed:
                assert ask_qty > left_qty or left_amount <= 0 or (amount is not None and amount <= 0)
                continue
            used_custom = used_custom or amount is not None
            approve_refund(staff, req.pk)
            line.refresh_from_db()
            assert line.refunded_amount <= line.paid_amount
            assert line.refunded_quantity <= line.quantity
        order.refresh_from_db()
        payment = Payment.objects.get(order=order)
        assert order.refunded_total == sum(ln.refunded_amount for ln in OrderLine.objects.filter(order=order))
        assert payment.refunded_amount == order.refunded_total <= order.paid_total
        if line.refunded_quantity == line.quantity and not used_custom:
            assert line.refunded_amount == line.paid_amount  # the last request takes exactly what is left


@pytest.mark.parametrize("bad", [0, -1, 10**6, "2", 1.5, True])
def test_refund_quantity_must_be_sane(shop, buyer, bad):
    order = checkout(buyer, [(shop["a"].skus.first(), 2)])
    pay(buyer, order)
    line = order.lines.get()
    with pytest.raises(ValidationFailed):
        request_refund(buyer, line.pk, kind="refund_only", quantity=bad, reason="x")
    assert line.refund_requests.count() == 0
    assert Order.objects.get(pk=order.pk).refunded_total == 0
