"""Real threads against PostgreSQL: racing helps on one bargain each count once and the cuts stay exact; racing
buys make one order; racing starts respect the per-user limit and the stock of bargains."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from tests.concurrency import race as _race
from tests.factories import UserFactory
from tribe.bargain import services
from tribe.bargain.models import Bargain, BargainHelp
from tribe.orders.models import Order

from .conftest import ADDRESS, make_campaign

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifteen_racing_helpers_on_a_bargain_needing_ten(shop):
    campaign = make_campaign(shop, helps_needed=10, floor_price="1.00")
    bargain = services.start_bargain(UserFactory(), campaign.pk)
    friends = [UserFactory() for _ in range(15)]

    outcomes = _race(15, lambda i: services.help_bargain(friends[i], bargain.pk) and "helped")

    assert Counter(outcomes) == {"helped": 10, "bargain_reached": 5}
    bargain.refresh_from_db()
    cuts = list(BargainHelp.objects.filter(bargain=bargain).order_by("seq").values_list("amount", "seq"))
    assert [seq for _, seq in cuts] == list(range(1, 11))
    assert sum(a for a, _ in cuts) == Decimal("99.00")
    assert all(a >= Decimal("0.01") for a, _ in cuts)
    assert (bargain.helps_done, bargain.current_price, bargain.state) == (10, Decimal("1.00"), Bargain.State.REACHED)


def test_one_helper_racing_himself_counts_once(shop):
    campaign = make_campaign(shop, helps_needed=5)
    bargain = services.start_bargain(UserFactory(), campaign.pk)
    friend = UserFactory()

    outcomes = _race(6, lambda i: services.help_bargain(friend, bargain.pk) and "helped")

    assert Counter(outcomes) == {"helped": 1, "already_helped": 5}
    bargain.refresh_from_db()
    assert bargain.helps_done == 1 == BargainHelp.objects.filter(bargain=bargain).count()


def test_racing_buys_make_one_order(shop):
    campaign = make_campaign(shop, helps_needed=2)
    owner = UserFactory()
    bargain = services.start_bargain(owner, campaign.pk)
    for _ in range(2):
        services.help_bargain(UserFactory(), bargain.pk)

    outcomes = _race(5, lambda i: services.buy_bargain(owner, bargain.pk, address=ADDRESS,
                                                        idempotency_key=f"bargain-race-{i}") and "bought")

    assert outcomes.count("bought") == 1
    assert set(outcomes) <= {"bought", "bargain_closed"}
    assert Order.objects.filter(user=owner).count() == 1
    bargain.refresh_from_db()
    assert bargain.state == Bargain.State.BOUGHT


def test_racing_starts_respect_the_stock_of_bargains(shop):
    campaign = make_campaign(shop, stock=3)
    people = [UserFactory() for _ in range(8)]

    outcomes = _race(8, lambda i: services.start_bargain(people[i], campaign.pk) and "started")

    assert Counter(outcomes) == {"started": 3, "bargain_sold_out": 5}
    campaign.refresh_from_db()
    assert campaign.started == 3 == Bargain.objects.filter(campaign=campaign).count()
