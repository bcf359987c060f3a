"""Hypothesis: random sequences of paid orders, partial and full refunds, receipts, time passing, payout
requests, approvals and rejections. After every step the ledger's invariants hold:

- each balance bucket equals the sum of the entries; pending, frozen and withdrawing never go negative;
- per attribution, what is still credited never exceeds the commission on the money not refunded, and a
  fully refunded line keeps nothing;
- a debt (available < 0) appears only after a refund that followed a withdrawal;
- no entry ever changes (every earlier entry is still there, byte for byte).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tribe.commissions import services
from tribe.commissions.models import BUCKETS, LedgerEntry, Payout
from tribe.commissions.selectors import balance
from tribe.core.errors import DomainError, ValidationFailed
from tribe.distribution.models import LineAttribution

from .conftest import make_order, make_shop, receive

D = Decimal
ZERO = D("0.00")

# time, receipt and payouts are listed twice so random sequences often reach released money and withdrawals
ops = st.one_of(
    st.tuples(st.just("receive_all")),
    st.tuples(st.just("time"), st.integers(min_value=7, max_value=10)),
    st.tuples(st.just("request"), st.integers(min_value=50, max_value=100)),
    st.tuples(st.just("approve"), st.integers(min_value=0, max_value=3)),
    st.tuples(st.just("paid"), st.integers(min_value=1, max_value=99999)),  # base in fen
    st.tuples(st.just("paid"), st.integers(min_value=5000, max_value=99999)),
    st.tuples(st.just("refund"), st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=99)),
    st.tuples(st.just("full_refund"), st.integers(min_value=0, max_value=9)),
    st.tuples(st.just("receive"), st.integers(min_value=0, max_value=9)),
    st.tuples(st.just("complete"), st.integers(min_value=0, max_value=9)),
    st.tuples(st.just("time"), st.integers(min_value=1, max_value=10)),  # days
    st.tuples(st.just("request"), st.integers(min_value=1, max_value=120)),  # % of available
    st.tuples(st.just("approve"), st.integers(min_value=0, max_value=9)),
    st.tuples(st.just("reject"), st.integers(min_value=0, max_value=9)),
)


def entry_rows() -> dict[int, tuple]:
    return {row[0]: row[1:] for row in LedgerEntry.objects.values_list(
        "pk", "kind", "promoter_id", "attribution_id", "payout_id", "refund_amount", "frozen_until",
        *[f"d_{b}" for b in BUCKETS])}


class LedgerProperties(TestCase):
    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=st.lists(ops, min_size=12, max_size=40), rate=st.sampled_from(["0.1000", "0.0333", "0.2500"]))
    # the debt path, spelled out: earn, withdraw, get paid, then the buyer is refunded, then new commission
    @example(steps=[("paid", 50000), ("receive", 0), ("time", 8), ("request", 100), ("approve", 0),
                    ("refund", 0, 50), ("full_refund", 0), ("paid", 10000), ("receive", 1), ("time", 8)],
             rate="0.1000")
    @example(steps=[("paid", 999), ("paid", 1), ("receive", 0), ("refund", 0, 33), ("time", 7), ("request", 50),
                    ("reject", 0), ("request", 100), ("refund", 0, 99), ("approve", 0), ("approve", 1),
                    ("full_refund", 0), ("complete", 1), ("receive", 1), ("time", 10), ("complete", 1)],
             rate="0.0333")
    def test_invariants_hold_after_every_step(self, steps, rate):
        shop = make_shop(min_withdrawal=D("1.00"))
        now = timezone.now()
        orders: list = []
        withdrawn_ever = False  # a payout request happened
        debt_allowed = False  # a refund hit released money after a withdrawal
        seen: dict[int, tuple] = {}

        for step in steps:
            kind = step[0]
            if kind == "paid":
                order, line, att = make_order(shop, D(step[1]) / 100, rate=D(rate))
                services.accrue_for_order(order)
                orders.append((order, line, att))
            elif kind in ("refund", "full_refund") and orders:
                order, line, att = orders[step[1] % len(orders)]
                line.refresh_from_db()
                left = line.paid_amount - line.refunded_amount
                amount = left if kind == "full_refund" else (left * step[2] / 100).quantize(D("0.01"))
                if amount > 0:
                    released = LedgerEntry.objects.filter(attribution=att, kind="release").exists()
                    line.refunded_amount += amount
                    line.save(update_fields=["refunded_amount"])
                    services.reverse_for_line(line, amount)
                    if released and withdrawn_ever:
                        debt_allowed = True
            elif kind == "receive" and orders:
                order = orders[step[1] % len(orders)][0]
                if order.received_at is None:
                    services.freeze_for_order(receive(order, now))
            elif kind == "receive_all":
                for order, _line, _att in orders:
                    if order.received_at is None:
                        services.freeze_for_order(receive(order, now))
            elif kind == "complete" and orders:
                order = orders[step[1] % len(orders)][0]
                if order.received_at is not None and order.received_at + timedelta(days=7) <= now:
                    services.release_for_order(order)
            elif kind == "time":
                now += timedelta(days=step[1])
                services.release_due(now)
            elif kind == "request":
                available = balance(shop.promoter)["available"]
                amount = (max(available, ZERO) * step[1] / 100).quantize(D("0.01"))
                before = entry_rows()
                try:
                    services.request_payout(shop.user, shop.brand.pk, amount)
                    withdrawn_ever = True
                    assert D("1.00") <= amount <= available
                except ValidationFailed:
                    assert amount < D("1.00") or amount > available
                    assert entry_rows() == before
            elif kind in ("approve", "reject"):
                payouts = list(Payout.objects.order_by("pk"))
                if payouts:
                    payout = payouts[step[1] % len(payouts)]
                    call = services.approve_payout if kind == "approve" else services.reject_payout
                    before = entry_rows()
                    try:
                        call(shop.staff, payout.pk)
                        assert payout.state == "requested"
                    except DomainError as error:
                        assert error.status == 409 and payout.state != "requested"
                        assert entry_rows() == before

            # ---- invariants ----------------------------------------------------------------------------------
            rows = entry_rows()
            for pk, values in seen.items():
                assert rows[pk] == values, "a ledger entry changed"
            seen = rows
            bal = balance(shop.promoter)
            summed = {b: sum((r[6 + i] for r in rows.values()), ZERO) for i, b in enumerate(BUCKETS)}
            assert bal == summed
            assert bal["pending"] >= 0 and bal["frozen"] >= 0 and bal["withdrawing"] >= 0 and bal["withdrawn"] >= 0
            if bal["available"] < 0:
                assert debt_allowed, f"debt without a refund after a withdrawal: {bal}"
                event("debt")
            if bal["withdrawn"] > 0:
                event("paid out")
            for att in LineAttribution.objects.all():
                line = att.line
                kept = sum((sum(r[6:], ZERO) for r in rows.values() if r[2] == att.pk), ZERO)
                not_refunded = att.base_amount - line.refunded_amount
                assert ZERO <= kept <= att.commission
                if att.base_amount > 0:
                    assert kept <= att.commission * not_refunded / att.base_amount
                if not_refunded == 0:
                    assert kept == ZERO
            credited = sum((a.commission for a in LineAttribution.objects.all()), ZERO)
            assert sum(bal.values(), ZERO) <= credited
