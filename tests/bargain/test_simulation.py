import random
from collections import Counter
from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from tests.factories import UserFactory
from tests.orders.conftest import pay
from tribe.bargain import simulation
from tribe.bargain.models import Bargain, BargainHelp
from tribe.campaigns.simulation import Sim
from tribe.simulate import _request_for


def test_simulated_days_keep_every_bargain_exact(shop):
    consumers = [UserFactory() for _ in range(8)]
    sessions = {}
    sim = Sim(rng=random.Random(7), consumers=consumers, brands=[shop["brand"]],
              staff_of={shop["brand"].pk: shop["staff"]}, products_of={shop["brand"].pk: [shop["product"]]},
              pay=lambda user, order: pay(user, order),
              request_for=lambda user: _request_for(user, sessions.setdefault(user.pk, SessionStore())),
              totals=Counter())
    simulation.setup(sim)
    for day in range(6):
        sim.day = day
        simulation.play_day(sim)
    sim.now_end = timezone.now() + timedelta(days=30)
    simulation.finish(sim)

    assert sim.totals["bargain_campaigns"] == 1
    assert sim.totals["bargain_started"] == Bargain.objects.count() > 0
    assert sim.totals["bargain_helps"] == BargainHelp.objects.count() > 0
    assert sim.totals["bargain_bought"] >= 1
    assert simulation.check(sim) == {"bargain_sum_exact": True}
    assert not Bargain.objects.filter(state__in=["open", "reached"]).exists()  # all expired at the end
