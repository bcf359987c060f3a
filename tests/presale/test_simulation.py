"""The presale part of `tribe simulate` on a small world: it runs and its invariants hold."""

import random
from collections import Counter
from decimal import Decimal

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.presale.conftest import pay
from tribe.campaigns.simulation import Sim
from tribe.presale import simulation
from tribe.presale.models import PresaleOrder


def test_simulation_runs_and_counts_stock_once(db):
    brands, staff_of, products_of = [], {}, {}
    for _ in range(2):
        store = StoreFactory()
        staff_of[store.brand.pk] = MembershipFactory(brand=store.brand).user
        products_of[store.brand.pk] = [ProductFactory(store=store, option_names=["颜色"], skus=[
            {"price": Decimal("199.00"), "stock": 10, "options": {"颜色": "红"}}])]
        brands.append(store.brand)
    sim = Sim(rng=random.Random(7), consumers=[UserFactory() for _ in range(12)], brands=brands,
              staff_of=staff_of, products_of=products_of, pay=lambda user, order: pay(user, order),
              request_for=lambda user: None, totals=Counter())

    simulation.setup(sim)
    for day in range(3):
        sim.day = day
        simulation.play_day(sim)
    simulation.finish(sim)

    assert sim.totals["presale_created"] == 2
    assert sim.totals["presale_deposits_paid"] > 0 and sim.totals["presale_balances_paid"] > 0
    states = set(PresaleOrder.objects.values_list("state", flat=True))
    assert "balance_paid" in states and states & {"forfeited", "refunded"}
    assert simulation.check(sim) == {"presale_stock_counted_once": True, "presale_balance_exact": True}
