"""Order completion (the verified payment notification that marks an order paid) runs a fixed number of
queries, however many lines the order has."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import checkout
from tribe.orders.models import Order
from tribe.payments.gateways.dummy import signed_body
from tribe.payments.services import handle_notification, start_payment


def _paid_queries(n_lines: int, key: str) -> int:
    store = StoreFactory()
    buyer = UserFactory()
    skus = [ProductFactory(store=store, skus=[{"price": Decimal("10.00"), "stock": 5}]).skus.get()
            for _ in range(n_lines)]
    order = checkout(buyer, [(s, 1) for s in skus], key=key)
    payment, _ = start_payment(buyer, order.pk, "dummy")
    body = signed_body(payment.out_trade_no, payment.amount, True, "TX" + key)
    with CaptureQueriesContext(connection) as ctx:
        outcome = handle_notification("dummy", {}, body)[3]
    assert outcome == "paid"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_order_completion_query_count_does_not_grow_with_lines():
    two = _paid_queries(2, "qc-two-lines")
    eight = _paid_queries(8, "qc-eight-lines")
    # 19 for the order itself; +3 the commission ledger (attributions, promoter locks, entries) and +6 invite,
    # share and buy-with-friends rewards (buyer lock, first-order check, referral, deal use, deal policies, lines)
    # 28 before the marketing plays; +15 their order_paid receivers: loyalty earns points per store order
    # (account lock, idempotency check, insert, event) and checks the tier, groupbuy/presale/lottery one lookup each
    assert two == eight == 43
