"""Real threads against PostgreSQL: a buy-with-friends deal with one use is taken by exactly one of several
racing checkouts, and an invitee paying two orders at once earns the inviter exactly one reward."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from tests.concurrency import race as _race
from tests.factories import UserFactory
from tests.orders.conftest import checkout, pay, sku_of
from tribe.orders.models import LineAdjustment, Order
from tribe.referrals import services
from tribe.referrals.models import FriendDeal, FriendDealUse, Referral, Reward

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_one_use_deal_is_taken_once_by_racing_checkouts(shop):
    services.save_friend_deal_policy(shop["staff_a"], shop["a"].brand, enabled=True, percent="0.10", hours="48",
                                     max_uses="1", reward_points="30")
    owner = UserFactory()
    pay(owner, checkout(owner, [(sku_of(shop["a"]), 1)], key="order-owner"))
    deal = FriendDeal.objects.get()
    friends = [UserFactory() for _ in range(6)]

    def work(i):
        checkout(friends[i], [(sku_of(shop["a"]), 1)], key=f"order-race-{i}", options={"friend_deal": deal.code})
        return "placed"

    outcomes = _race(6, work)
    discounted = LineAdjustment.objects.filter(code__startswith="friend_deal:").count()
    assert FriendDealUse.objects.count() == 1 == discounted  # the discount was given exactly once
    assert set(outcomes) <= {"placed", "friend_deal_unavailable"}
    assert connection.vendor == "postgresql"


def test_two_racing_payments_of_an_invitee_earn_one_invite_reward(shop, buyer):
    inviter = UserFactory()
    Referral.objects.create(inviter=inviter, invitee=buyer, ip="10.0.0.9", fingerprint="fp")
    orders = [checkout(buyer, [(sku_of(shop["a"]), 1)], key=f"order-pay-{i}") for i in range(2)]

    def work(i):
        pay(buyer, orders[i])
        return "paid"

    outcomes = _race(2, work)
    assert outcomes == ["paid", "paid"]
    assert Order.objects.filter(status="paid").count() == 2
    assert Reward.objects.filter(kind="invite").count() == 1
    assert Reward.objects.get(kind="invite").amount == Decimal("100.00")
