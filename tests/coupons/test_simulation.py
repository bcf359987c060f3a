"""The coupons part of `tribe simulate` runs through the services and keeps its invariant."""

from __future__ import annotations

import random

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from tests.factories import UserFactory
from tests.orders.conftest import pay
from tribe.campaigns.simulation import Sim
from tribe.coupons import simulation
from tribe.coupons.models import UserCoupon


def _request_for(user):
    request = RequestFactory().get("/")
    request.user, request.session = user, SessionStore()
    return request


@pytest.mark.django_db
def test_simulation_claims_redeems_and_keeps_the_invariant(mall):
    consumers = [UserFactory() for _ in range(8)]
    sim = Sim(rng=random.Random(7), consumers=consumers, brands=[mall["brand"]],
              staff_of={mall["brand"].pk: mall["staff"]},
              products_of={mall["brand"].pk: [mall["a"], mall["b"], mall["c"]]},
              pay=lambda user, order: pay(user, order), request_for=_request_for)
    simulation.setup(sim)
    for day in range(6):
        sim.day = day
        simulation.play_day(sim)
    sim.now_end = None
    simulation.finish(sim)
    assert sim.totals["coupons_claimed"] > 0 and sim.totals["coupons_redeemed"] > 0
    assert UserCoupon.objects.filter(state="used").count() > 0
    assert simulation.check(sim) == {"coupons_never_overused": True}
    # the invariant notices an overused coupon
    used = UserCoupon.objects.filter(state="used").first()
    UserCoupon.objects.filter(pk=used.pk).update(order=None)
    assert simulation.check(sim) == {"coupons_never_overused": False}
