"""Real threads against PostgreSQL: racing deposits never pass the cap, racing balance clicks make one balance
order, and balance orders of a sold-out SKU take nothing from other buyers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.concurrency import race as _race
from tests.factories import UserFactory
from tests.presale.conftest import ADDRESS, BALANCE_START, pay
from tribe.catalog.models import Sku
from tribe.orders.models import Order
from tribe.presale import services
from tribe.presale.models import Presale, PresaleOrder

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_deposits_never_pass_the_cap(shop):
    buyers = [UserFactory() for _ in range(12)]

    outcomes = _race(12, lambda i: services.place_deposit(buyers[i], shop["presale"].pk, 1, address=ADDRESS,
                                                          idempotency_key=f"dep-race-{i:04d}").number)

    assert sum(1 for o in outcomes if o == "presale_sold_out") == 6
    assert PresaleOrder.objects.count() == 6 == Presale.objects.get().sold
    assert Sku.objects.get(pk=shop["sku"].pk).stock == 4


def test_racing_balance_clicks_make_one_balance_order(shop, travel):
    buyer = UserFactory()
    order = services.place_deposit(buyer, shop["presale"].pk, 2, address=ADDRESS, idempotency_key="dep-000001")
    pay(buyer, order)
    purchase = PresaleOrder.objects.get()
    travel(BALANCE_START + timedelta(hours=1))

    outcomes = _race(5, lambda i: services.place_balance(buyer, purchase.pk,
                                                         idempotency_key=f"bal-race-{i:04d}").number)

    assert len(set(outcomes)) == 1
    assert Order.objects.filter(user=buyer).count() == 2
    assert Sku.objects.get(pk=shop["sku"].pk).stock == 8


def test_balances_of_a_sold_out_sku_take_nothing_more(shop, travel):
    buyers = [UserFactory() for _ in range(3)]
    purchases = []
    for i, b in enumerate(buyers):
        order = services.place_deposit(b, shop["presale"].pk, 2, address=ADDRESS, idempotency_key=f"dep-{i:06d}")
        pay(b, order)
        purchases.append(PresaleOrder.objects.get(deposit_order=order))
    Sku.objects.filter(pk=shop["sku"].pk).update(stock=0)  # the rest sold elsewhere
    travel(BALANCE_START + timedelta(hours=1))

    outcomes = _race(3, lambda i: services.place_balance(buyers[i], purchases[i].pk,
                                                         idempotency_key=f"bal-race-{i:04d}").number)

    assert len(set(outcomes)) == 3 and all(len(o) > 10 for o in outcomes)
    assert Sku.objects.get(pk=shop["sku"].pk).stock == 0
