"""Each ledger transition, the append-only rule and the reversal arithmetic."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tribe.commissions import services
from tribe.commissions.models import AppendOnly, LedgerEntry
from tribe.commissions.selectors import balance
from tribe.orders import signals
from tribe.orders.models import Order, OrderLine

from .conftest import make_order, make_shop, receive

D = Decimal
pytestmark = pytest.mark.django_db


def bal(shop):
    return {k: str(v) for k, v in balance(shop.promoter).items()}


def test_paid_accrues_commission_as_pending_once(shop):
    order, _, att = make_order(shop, D("89.00"))
    signals.order_paid.send(sender=Order, order=order)
    signals.order_paid.send(sender=Order, order=order)  # a repeated signal adds nothing
    assert bal(shop) == {"pending": "8.90", "frozen": "0.00", "available": "0.00", "withdrawing": "0.00",
                         "withdrawn": "0.00"}
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.attribution_id, entry.reward_kind) == ("accrue", att.pk, "cash")


def test_received_freezes_until_after_sales_window(shop, settings):
    settings.TRIBE_AFTER_SALES_DAYS = 7
    order, _, _ = make_order(shop, D("50.00"))
    services.accrue_for_order(order)
    when = timezone.now()
    signals.order_received.send(sender=Order, order=receive(order, when))
    assert bal(shop)["pending"] == "0.00" and bal(shop)["frozen"] == "5.00"
    assert LedgerEntry.objects.get(kind="freeze").frozen_until == when + timedelta(days=7)


def test_release_job_moves_frozen_to_available_only_when_due(shop):
    order, _, _ = make_order(shop, D("50.00"))
    services.accrue_for_order(order)
    when = timezone.now()
    services.freeze_for_order(receive(order, when))
    assert services.release_due(when + timedelta(days=6)) == 0
    assert bal(shop)["frozen"] == "5.00"
    assert services.release_due(when + timedelta(days=7, seconds=1)) == 1
    assert services.release_due(when + timedelta(days=8)) == 0  # idempotent
    assert bal(shop)["frozen"] == "0.00" and bal(shop)["available"] == "5.00"


def test_order_completed_releases_idempotently(shop):
    order, _, _ = make_order(shop, D("50.00"))
    services.accrue_for_order(order)
    services.freeze_for_order(receive(order))
    signals.order_completed.send(sender=Order, order=order)
    signals.order_completed.send(sender=Order, order=order)
    assert services.release_due(timezone.now() + timedelta(days=30)) == 0
    assert LedgerEntry.objects.filter(kind="release").count() == 1
    assert bal(shop)["available"] == "5.00"


def test_partial_refund_reverses_in_proportion_from_pending(shop):
    order, line, _ = make_order(shop, D("100.00"))
    services.accrue_for_order(order)
    signals.line_refunded.send(sender=OrderLine, line=line, amount=D("30.00"))
    assert bal(shop)["pending"] == "7.00"


def test_reversal_rounds_up_so_promoter_never_keeps_more_than_earned(shop):
    order, line, att = make_order(shop, D("10.00"), D("1.00"))
    services.accrue_for_order(order)
    services.reverse_for_line(line, D("3.33"))  # 1.00 × 0.333 = 0.333 → 0.34 reversed, keeps 0.66 ≤ 0.667
    assert bal(shop)["pending"] == "0.66"
    services.reverse_for_line(line, D("3.33"))  # cumulative 6.66 → 0.67 reversed in total
    assert bal(shop)["pending"] == "0.33"
    services.reverse_for_line(line, D("3.34"))  # the rest: exactly everything
    assert bal(shop)["pending"] == "0.00"
    assert sum(-e.d_pending for e in LedgerEntry.objects.filter(kind="reverse")) == att.commission


def test_full_refund_voids_commission_in_frozen(shop):
    order, line, _ = make_order(shop, D("33.33"))
    services.accrue_for_order(order)
    services.freeze_for_order(receive(order))
    services.reverse_for_line(line, D("33.33"))
    services.reverse_for_line(line, D("5.00"))  # more refund than the base changes nothing
    assert bal(shop) == {b: "0.00" for b in ("pending", "frozen", "available", "withdrawing", "withdrawn")}


def test_refund_after_withdrawal_creates_debt_repaid_by_later_commission(shop):
    order, line, _ = make_order(shop, D("200.00"))
    services.accrue_for_order(order)
    services.freeze_for_order(receive(order))
    services.release_for_order(order)
    payout = services.request_payout(shop.user, shop.brand.pk, "20.00")
    services.approve_payout(shop.staff, payout.pk)
    services.reverse_for_line(line, D("200.00"))
    assert bal(shop)["available"] == "-20.00"  # never capped at the balance, never lost
    assert bal(shop)["withdrawn"] == "20.00"
    order2, _, _ = make_order(shop, D("300.00"))
    services.accrue_for_order(order2)
    services.freeze_for_order(receive(order2))
    services.release_for_order(order2)
    assert bal(shop)["available"] == "10.00"  # 30.00 released repays the 20.00 debt first


def test_non_cash_rewards_are_ledgered_but_not_withdrawable(db):
    shop = make_shop(reward_kind="points")
    order, _, _ = make_order(shop, D("100.00"))
    services.accrue_for_order(order)
    assert LedgerEntry.objects.get().reward_kind == "points"
    assert balance(shop.promoter)["pending"] == D("0.00")
    assert balance(shop.promoter, reward_kind=None)["pending"] == D("10.00")


def test_zero_commission_records_nothing(shop):
    order, line, _ = make_order(shop, D("0.00"), D("0.00"))
    services.accrue_for_order(order)
    services.reverse_for_line(line, D("1.00"))
    assert LedgerEntry.objects.count() == 0


def test_entries_refuse_update_and_delete(shop):
    order, _, _ = make_order(shop, D("10.00"))
    entry = services.accrue_for_order(order)[0]
    entry = LedgerEntry.objects.get(pk=entry.pk)
    entry.d_pending = D("999.00")
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        LedgerEntry.objects.filter(pk=entry.pk).update(d_pending=D("1.00"))
    with pytest.raises(AppendOnly):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get().d_pending == D("1.00")


@pytest.mark.parametrize(("commission", "base", "refunded", "expected"), [
    ("10.00", "100.00", "0.00", "0.00"),
    ("10.00", "100.00", "50.00", "5.00"),
    ("10.00", "100.00", "100.00", "10.00"),
    ("10.00", "100.00", "120.00", "10.00"),
    ("1.00", "3.00", "1.00", "0.34"),
    ("0.01", "100.00", "0.01", "0.01"),
    ("5.00", "0.00", "0.00", "5.00"),
])
def test_reversal_target(commission, base, refunded, expected):
    assert services.reversal_target(D(commission), D(base), D(refunded)) == D(expected)
