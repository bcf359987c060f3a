import random
from collections import Counter
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import UserFactory
from tests.orders.conftest import pay
from tribe.campaigns.simulation import Sim
from tribe.flashsale import simulation
from tribe.flashsale.models import FlashSale

pytestmark = pytest.mark.django_db


def _request_for(user):
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/")
    request.user, request.session = user, SessionStore()
    return request


def test_a_simulated_day_rushes_a_sale_and_keeps_the_invariant(shop):
    sim = Sim(rng=random.Random(7), consumers=[UserFactory() for _ in range(20)], brands=[shop["brand"]],
              staff_of={shop["brand"].pk: shop["staff"]}, products_of={shop["brand"].pk: [shop["product"]]},
              pay=lambda user, order: pay(user, order), request_for=_request_for, totals=Counter())
    simulation.setup(sim)
    for day in range(2):
        sim.day = day
        simulation.play_day(sim)
    sim.now_end = timezone.now() + timedelta(days=2)
    simulation.finish(sim)

    assert sim.totals["flashsale_sales"] == 2 and sim.totals["flashsale_orders"] == 10
    assert sim.totals["flashsale_refused:limit_reached"] == 4
    assert sim.totals["flashsale_refused:sold_out"] > 0
    assert FlashSale.objects.filter(status="ended").count() == 2
    assert simulation.check(sim) == {"flashsale_no_oversell": True}
    shop["sku"].refresh_from_db()
    assert shop["sku"].stock == 50 - sim.totals["flashsale_paid"]
