"""The loyalty part of `tribe simulate` runs through the services and keeps its invariants."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import pay
from tribe.campaigns.simulation import Sim
from tribe.loyalty import services, simulation
from tribe.loyalty.models import PointsAllocation, PointsEntry, SignIn, TierPrice


def _request_for(user):
    request = RequestFactory().get("/")
    request.user, request.session = user, SessionStore()
    return request


@pytest.mark.django_db
def test_simulation_signs_in_spends_and_keeps_the_invariants():
    store = StoreFactory()
    staff = MembershipFactory(brand=store.brand).user
    products = [ProductFactory(store=store, skus=[{"price": Decimal(p), "stock": 500}]) for p in ("80", "150")]
    consumers = [UserFactory() for _ in range(8)]
    for i, user in enumerate(consumers):
        services.credit(user, 300 + 100 * i, reason="order", ref=f"seed:{i}")
    now = timezone.now()
    sim = Sim(rng=random.Random(7), consumers=consumers, brands=[store.brand], staff_of={store.brand.pk: staff},
              products_of={store.brand.pk: products}, pay=lambda user, order: pay(user, order),
              request_for=_request_for)
    simulation.setup(sim)
    for day in range(6):
        sim.day, sim.day_time = day, now - timedelta(days=6 - day)
        simulation.play_day(sim)
    sim.now_end = now + timedelta(days=45)
    simulation.finish(sim)
    assert TierPrice.objects.count() == 2 == sim.totals["loyalty_tier_prices"]
    assert sim.totals["loyalty_sign_ins"] == SignIn.objects.count() > 0
    assert sim.totals["loyalty_points_orders"] > 0
    assert PointsEntry.objects.filter(kind="spend").exists()
    assert simulation.check(sim) == {"points_ledger_balanced": True, "points_spends_match_orders": True}
    # the invariant notices a debit not covered by lots
    PointsAllocation.objects.filter(pk=PointsAllocation.objects.first().pk)._raw_delete("default")
    assert simulation.check(sim)["points_ledger_balanced"] is False
