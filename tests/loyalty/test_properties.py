"""Hypothesis: random sequences of credits (with short and long expiries), spends, reversals, give-backs,
time moving and the expiry job. After every step:

- the balance equals the remaining points of the unexpired lots, and equals the sum of the entries once the
  expiry job has run at that time; it is never negative;
- a spend succeeds exactly when it fits the unexpired balance, and a refused one writes nothing;
- no debit ever consumed a lot that had expired when it was written; no lot is consumed beyond its points;
- a reversal never takes back more than its credit gave, a give-back never more than its spend used;
- no entry ever changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import UserFactory
from tribe.core.errors import Conflict
from tribe.loyalty import services
from tribe.loyalty.models import PointsAllocation, PointsEntry

START = datetime(2026, 3, 1, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

ops = st.one_of(
    st.tuples(st.just("credit"), st.integers(1, 500), st.integers(1, 60)),  # points, expiry in days
    st.tuples(st.just("spend"), st.integers(1, 600)),
    st.tuples(st.just("reverse"), st.integers(0, 9), st.integers(1, 300)),
    st.tuples(st.just("refund"), st.integers(0, 9), st.integers(1, 300)),
    st.tuples(st.just("time"), st.integers(1, 40)),  # days
    st.tuples(st.just("expire"),),
)


def rows() -> dict[int, tuple]:
    return {r[0]: r[1:] for r in PointsEntry.objects.values_list("pk", "kind", "points", "ref", "expires_at",
                                                                  "created_at")}


class PointsLedgerProperties(TestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=st.lists(ops, min_size=5, max_size=30))
    def test_invariants_hold_after_every_step(self, steps):
        user = UserFactory()
        credits, spends = [], []
        seen: dict[int, tuple] = {}
        with time_machine.travel(START, tick=False) as clock:
            for n, step in enumerate(steps):
                now = timezone.now()
                before = services.balance(user)
                if step[0] == "credit":
                    ref = f"c:{n}"
                    services.credit(user, step[1], reason="test", ref=ref, expires_at=now + timedelta(days=step[2]))
                    credits.append(ref)
                elif step[0] == "spend":
                    count = PointsEntry.objects.count()
                    try:
                        services.spend(user, step[1], reason="test", ref=f"s:{n}")
                        spends.append(f"s:{n}")
                        assert step[1] <= before
                        assert services.balance(user) == before - step[1]
                    except Conflict as exc:
                        assert exc.code == "insufficient_points" and step[1] > before
                        assert PointsEntry.objects.count() == count
                elif step[0] == "reverse" and credits:
                    services.reverse(credits[step[1] % len(credits)], reason="test", points=step[2])
                elif step[0] == "refund" and spends:
                    services.refund_spend(spends[step[1] % len(spends)], reason="test", points=step[2])
                elif step[0] == "time":
                    clock.shift(timedelta(days=step[1]))
                elif step[0] == "expire":
                    services.expire_points()
                    total = PointsEntry.objects.filter(user=user).aggregate(s=Sum("points"))["s"] or 0
                    assert services.balance(user) == total
                self._check(user, seen)

    def _check(self, user, seen):
        now = timezone.now()
        bal = services.balance(user)
        assert bal >= 0
        lots = PointsEntry.objects.filter(user=user, points__gt=0)
        live = 0
        for lot in lots:
            used = lot.consumed_by.aggregate(s=Sum("points"))["s"] or 0
            assert 0 <= used <= lot.points
            if lot.expires_at is None or lot.expires_at > now:
                live += lot.points - used
        assert bal == live
        for entry in PointsEntry.objects.filter(user=user, points__lt=0):
            allocated = entry.allocations.aggregate(s=Sum("points"))["s"]
            assert allocated == -entry.points  # every debit fully covered by lots
        for alloc in PointsAllocation.objects.select_related("debit", "lot").exclude(debit__kind="expire"):
            assert alloc.lot.expires_at > alloc.debit.created_at  # never spent an expired point
        for ref in set(PointsEntry.objects.filter(kind="earn").values_list("ref", flat=True)):
            earned = PointsEntry.objects.get(kind="earn", ref=ref).points
            taken = -(PointsEntry.objects.filter(kind="reverse", ref=ref).aggregate(s=Sum("points"))["s"] or 0)
            assert taken <= earned
        for ref in set(PointsEntry.objects.filter(kind="spend").values_list("ref", flat=True)):
            spent = -PointsEntry.objects.get(kind="spend", ref=ref).points
            back = PointsEntry.objects.filter(kind="refund", ref=ref).aggregate(s=Sum("points"))["s"] or 0
            assert back <= spent
        current = rows()
        for pk, row in seen.items():
            assert current[pk] == row  # append-only: nothing earlier changed
        seen.update(current)
