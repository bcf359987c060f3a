import random
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import UserFactory
from tests.groupbuy.conftest import pay
from tribe.campaigns.simulation import Sim
from tribe.groupbuy import simulation
from tribe.groupbuy.models import Group

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user, request.session = user, SessionStore()
    return request


def test_simulated_days_keep_the_invariants(shop):
    consumers = [UserFactory() for _ in range(8)]
    sim = Sim(rng=random.Random(7), consumers=consumers, brands=[shop["brand"]],
              staff_of={shop["brand"].pk: shop["staff"]}, products_of={shop["brand"].pk: [shop["product"]]},
              pay=lambda user, order: pay(user, order), request_for=_request, totals=Counter())
    simulation.setup(sim)
    for day in range(3):
        sim.day = day
        simulation.play_day(sim)
    sim.now_end = timezone.now() + timedelta(days=45)
    simulation.finish(sim)
    assert sim.totals["groupbuy_deals"] == 1 and sim.totals["groupbuy_opened"] > 0
    assert simulation.check(sim) == {"groupbuy_no_overfill": True, "groupbuy_failed_refunded": True}
    assert not Group.objects.filter(state="open").exists()
    assert sim.totals["groupbuy_completed"] == Group.objects.filter(state="complete").count()
