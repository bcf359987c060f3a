import random
from collections import Counter
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import UserFactory
from tests.orders.conftest import checkout, pay
from tribe.campaigns.simulation import Sim
from tribe.lottery import selectors, simulation
from tribe.lottery.models import Chance, Draw, Lottery

pytestmark = pytest.mark.django_db


def _request_for(user):
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/")
    request.user, request.session = user, SessionStore()
    return request


def test_simulated_days_draw_by_paid_orders_and_keep_the_invariant(shop):
    consumers = [UserFactory() for _ in range(12)]
    sim = Sim(rng=random.Random(11), consumers=consumers, brands=[shop["brand"]],
              staff_of={shop["brand"].pk: shop["staff"]}, products_of={shop["brand"].pk: [shop["product"]]},
              pay=lambda user, order: pay(user, order), request_for=_request_for, totals=Counter())
    simulation.setup(sim)
    sku = shop["product"].skus.first()
    for day in range(2):
        sim.day = day
        for i, buyer in enumerate(consumers[day * 4:(day + 1) * 4]):  # the simulator's purchases (¥120 each)
            pay(buyer, checkout(buyer, [(sku, 1)], key=f"sim-lottery-{day}-{i}"))
        simulation.play_day(sim)
    sim.now_end = timezone.now() + timedelta(days=45)
    simulation.finish(sim)

    lottery = Lottery.objects.get()
    assert sim.totals["lottery_lotteries"] == 1
    assert Chance.objects.filter(source="order").count() == 8
    assert sim.totals["lottery_draws_by_order"] == 8
    assert sim.totals["lottery_draws"] == Draw.objects.count() == 8 + sim.totals["lottery_draws_by_share"]
    assert selectors.audit(lottery).draws == Draw.objects.count()
    assert simulation.check(sim) == {"lottery_prize_stock_never_oversold": True}
