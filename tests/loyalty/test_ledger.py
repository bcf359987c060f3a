"""The points ledger: credits, spends (FIFO by expiry), reversals, give-backs and expiry with moved time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Sum

from tests.factories import UserFactory
from tribe.core.errors import Conflict, ValidationFailed
from tribe.core.models import Event
from tribe.loyalty import services
from tribe.loyalty.models import AppendOnly, PointsAllocation, PointsEntry

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _sum(user):
    return PointsEntry.objects.filter(user=user).aggregate(s=Sum("points"))["s"] or 0


def test_credit_is_idempotent_on_ref_and_records_an_event(user):
    first = services.credit(user, 100, reason="lottery", ref="lottery_draw:55")
    again = services.credit(user, 100, reason="lottery", ref="lottery_draw:55")
    assert first is not None and again is None
    assert services.balance(user) == 100 == _sum(user)
    assert Event.objects.filter(name="points_earned", actor=user).count() == 1


def test_default_expiry_is_the_end_of_next_year_in_shanghai(user):
    with time_machine.travel(datetime(2026, 3, 5, 10, 0, tzinfo=SH), tick=False):
        entry = services.credit(user, 10, reason="x", ref="x:1")
    assert entry.expires_at == datetime(2028, 1, 1, tzinfo=SH)


def test_ledger_rows_are_append_only(user):
    entry = services.credit(user, 10, reason="x", ref="x:1")
    entry.points = 1000
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        PointsEntry.objects.filter(pk=entry.pk).update(points=1000)
    with pytest.raises(AppendOnly):
        PointsEntry.objects.all().delete()
    assert services.balance(user) == 10


@pytest.mark.parametrize("points", [0, -5, 1.5, "10", True, 10_000_001])
def test_bad_amounts_are_refused(user, points):
    with pytest.raises(ValidationFailed):
        services.credit(user, points, reason="x", ref="x:1")
    assert not PointsEntry.objects.exists()


def test_spend_eats_the_soonest_expiring_lot_first_and_refuses_beyond_balance(user):
    now = datetime(2026, 1, 10, 12, 0, tzinfo=SH)
    with time_machine.travel(now, tick=False):
        late = services.credit(user, 100, reason="x", ref="x:late", expires_at=now + timedelta(days=300))
        soon = services.credit(user, 50, reason="x", ref="x:soon", expires_at=now + timedelta(days=10))
        spent = services.spend(user, 70, reason="lottery_entry", ref="lottery_entry:1")
        with pytest.raises(Conflict) as err:
            services.spend(user, 81, reason="lottery_entry", ref="lottery_entry:2")
    assert err.value.code == "insufficient_points"
    taken = dict(PointsAllocation.objects.filter(debit=spent).values_list("lot_id", "points"))
    assert taken == {soon.pk: 50, late.pk: 20}
    assert services.balance(user, now) == 80 == _sum(user)
    assert not PointsEntry.objects.filter(ref="lottery_entry:2").exists()


def test_spend_is_idempotent_on_ref(user):
    services.credit(user, 100, reason="x", ref="x:1")
    a = services.spend(user, 30, reason="r", ref="s:1")
    b = services.spend(user, 30, reason="r", ref="s:1")
    assert a.pk == b.pk and services.balance(user) == 70


def test_expired_points_are_never_counted_or_spent_and_the_job_writes_them_off(user):
    t0 = datetime(2026, 1, 1, 9, 0, tzinfo=SH)
    with time_machine.travel(t0, tick=False):
        services.credit(user, 100, reason="x", ref="x:old", expires_at=t0 + timedelta(days=30))
        services.credit(user, 40, reason="x", ref="x:new", expires_at=t0 + timedelta(days=400))
        services.spend(user, 30, reason="r", ref="s:1")  # from the old lot: 70 left in it
    with time_machine.travel(t0 + timedelta(days=31), tick=False):
        assert services.balance(user) == 40  # on read, before the job ran
        assert _sum(user) == 110
        with pytest.raises(Conflict):
            services.spend(user, 41, reason="r", ref="s:2")
        assert services.expire_points() == 70
        assert services.expire_points() == 0  # idempotent
        assert services.balance(user) == 40 == _sum(user)
        expired = PointsEntry.objects.get(kind="expire")
        assert expired.points == -70 and expired.ref.startswith("lot:")


def test_reverse_takes_back_at_most_what_was_credited_and_never_goes_negative(user):
    services.credit(user, 100, reason="order", ref="store_order:1")
    services.credit(user, 20, reason="sign_in", ref="sign_in:x")
    assert services.reverse("store_order:1", reason="refund", points=30) == 30
    services.spend(user, 80, reason="r", ref="s:1")  # 10 left
    assert services.reverse("store_order:1", reason="refund") == 10  # wanted 70, only 10 left
    assert services.balance(user) == 0 == _sum(user)
    assert services.reverse("unknown:1", reason="refund") == 0
    note = PointsEntry.objects.filter(kind="reverse").order_by("-id").first().note
    assert note == "60 points already used, not taken back"


def test_refund_spend_gives_back_once_with_the_lot_expiry(user):
    now = datetime(2026, 6, 1, tzinfo=SH)
    with time_machine.travel(now, tick=False):
        lot = services.credit(user, 100, reason="x", ref="x:1", expires_at=now + timedelta(days=200))
        services.spend(user, 60, reason="checkout", ref="order_spend:9")
        assert services.refund_spend("order_spend:9", reason="cancel", points=20) == 20
        assert services.refund_spend("order_spend:9", reason="cancel") == 40
        assert services.refund_spend("order_spend:9", reason="cancel") == 0
    back = PointsEntry.objects.filter(kind="refund")
    assert {e.expires_at for e in back} == {lot.expires_at}
    assert services.balance(user, now) == 100 == _sum(user)


def test_different_users_have_separate_balances():
    a, b = UserFactory(), UserFactory()
    services.credit(a, 10, reason="x", ref="x:a")
    with pytest.raises(Conflict):
        services.spend(b, 1, reason="r", ref="s:b")
    assert services.balance(a) == 10 and services.balance(b) == 0


def test_expiring_soon_lists_what_is_left_of_lots_expiring_within_30_days(user):
    from tribe.loyalty import selectors

    now = datetime(2026, 6, 1, 12, 0, tzinfo=SH)
    with time_machine.travel(now, tick=False):
        services.credit(user, 100, reason="x", ref="x:1", expires_at=now + timedelta(days=10))
        services.credit(user, 50, reason="x", ref="x:2", expires_at=now + timedelta(days=90))
        services.spend(user, 30, reason="r", ref="s:1")
        assert selectors.expiring_soon(user) == [{"expires_at": now + timedelta(days=10), "points": 70}]
