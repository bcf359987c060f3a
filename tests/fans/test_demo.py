"""The demo seeder for fans: communities, members and real votes, with tiers computed from rows."""

from __future__ import annotations

import random

import pytest

from tests.factories import UserFactory
from tests.fans.conftest import make_core
from tribe.fans.demo import seed_demo
from tribe.fans.models import FanCommunity, FanMember, Poll, PollBallot

pytestmark = pytest.mark.django_db


def test_seed_demo_votes_only_as_eligible_members(staff, product):
    consumers = [UserFactory() for _ in range(4)]
    make_core(consumers[0], product)
    made = seed_demo(random.Random(1))
    assert made["communities"] == FanCommunity.objects.count() == 1
    assert made["members"] == FanMember.objects.count() == 4
    poll = Poll.objects.get()
    # the buyer has 30 points (active; core needs 60): nobody is core, so the poll is open to all members and
    # half of them vote, each ballot recording the voter's real tier
    assert not poll.core_only
    assert made["votes"] == PollBallot.objects.count() == 2
    assert set(PollBallot.objects.values_list("tier", flat=True)) <= {"active", "regular"}
    assert staff.pk not in set(FanMember.objects.values_list("user_id", flat=True))
