"""Real threads against PostgreSQL: 20 users join a 5-person group at once → exactly 5 members; the others are
refused with group_full and leave no order, reservation or usage behind."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.concurrency import race as _race
from tests.factories import UserFactory
from tests.groupbuy.conftest import join, make_deal, open_, pay
from tribe.groupbuy.models import Group, GroupBuyUsage, GroupMember
from tribe.inventory.models import Reservation
from tribe.orders.models import Order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_joiners_race_for_a_five_person_group(shop):
    assert connection.vendor == "postgresql"
    deal = make_deal(shop, size=5)
    leader = UserFactory()
    group = GroupMember.objects.get(order=open_(leader, deal)).group
    joiners = [UserFactory() for _ in range(20)]

    outcomes = _race(20, lambda i: join(joiners[i], group, key=f"join-race-{i:02d}") and "joined")

    assert sorted(outcomes) == ["group_full"] * 16 + ["joined"] * 4
    group.refresh_from_db()
    assert group.seats_taken == 5
    assert GroupMember.objects.filter(group=group).count() == 5
    refused = [u for u in joiners if not GroupMember.objects.filter(user=u).exists()]
    assert len(refused) == 16
    assert not Order.objects.filter(user__in=refused).exists()
    assert Reservation.objects.count() == Order.objects.count() == 5  # one per placed order, none orphaned
    assert not GroupBuyUsage.objects.filter(user__in=refused, used__gt=0).exists()


def test_the_last_two_members_paying_at_once_complete_the_group(shop):
    deal = make_deal(shop, size=3)
    a, b, c = UserFactory(), UserFactory(), UserFactory()
    order_a = open_(a, deal)
    group = GroupMember.objects.get(order=order_a).group
    order_b, order_c = join(b, group), join(c, group, key="join-0002")
    pay(a, order_a)
    orders = [(b, order_b), (c, order_c)]

    outcomes = _race(2, lambda i: pay(*orders[i]) and "paid")

    assert outcomes == ["paid", "paid"]
    assert Group.objects.get(pk=group.pk).state == "complete"
