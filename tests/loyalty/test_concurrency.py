"""Real threads against PostgreSQL: racing spends of one balance, racing checkouts paying with points, and
racing sign-ins of one user on one day."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from tests.concurrency import race as _race
from tests.factories import UserFactory
from tests.orders.conftest import ADDRESS, sku_of
from tribe.loyalty import services
from tribe.loyalty.models import PointsEntry, SignIn
from tribe.orders.checkout import place_direct_order
from tribe.orders.models import Order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_spends_of_a_balance_that_covers_three_leave_exactly_three():
    user = UserFactory()
    services.credit(user, 300, reason="test", ref="seed:1")

    def work(i):
        services.spend(user, 100, reason="lottery_entry", ref=f"entry:{i}")
        return "spent"

    outcomes = _race(10, work)
    assert sorted(outcomes) == ["insufficient_points"] * 7 + ["spent"] * 3
    assert services.balance(user) == 0
    assert PointsEntry.objects.filter(kind="spend").count() == 3
    assert PointsEntry.objects.aggregate(s=Sum("points"))["s"] == 0


def test_racing_checkouts_paying_with_points_never_overspend(shop):
    buyer = UserFactory()
    services.credit(buyer, 1000, reason="test", ref="seed:1")

    def work(i):
        place_direct_order(buyer, sku_of(shop["a"]).pk, 1, address=ADDRESS, idempotency_key=f"points-race-{i}",
                           options={"points": 400})
        return "placed"

    outcomes = _race(5, work)
    placed = Order.objects.filter(user=buyer).count()
    assert placed == outcomes.count("placed") == 2  # 1000 points cover two orders of 400
    assert sorted(outcomes) == ["insufficient_points"] * 3 + ["placed"] * 2
    assert services.balance(buyer) == 1000 - 400 * placed >= 0
    assert PointsEntry.objects.filter(kind="spend").count() == placed


def test_racing_sign_ins_of_one_user_credit_once():
    user = UserFactory()

    def work(i):
        services.sign_in(user)
        return "signed"

    outcomes = _race(6, work)
    assert outcomes.count("signed") == 1 and outcomes.count("already_signed_in") == 5
    assert SignIn.objects.count() == 1 and services.balance(user) == 5
