"""Real threads against PostgreSQL: ten simultaneous votes by one fan store exactly one ballot."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import BrandFactory, ProductFactory, StoreFactory, UserFactory
from tests.fans.conftest import make_core
from tribe.core.errors import Conflict
from tribe.fans import services
from tribe.fans.models import FanCommunity, FanMember, PollBallot, PollVote

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_racing_votes_by_one_fan_make_one_ballot():
    brand = BrandFactory()
    product = ProductFactory(store=StoreFactory(brand=brand))
    staff = UserFactory(is_staff=True)
    community = FanCommunity.objects.create(brand=brand, name="粉丝", active_threshold=10, core_threshold=30)
    fan = UserFactory()
    FanMember.objects.create(community=community, user=fan)
    make_core(fan, product)
    poll = services.create_poll(staff, community, question="颜色？", options=["红", "灰"], multiple=True)
    a, b = poll.options.all()
    barrier = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(option_ids):
        try:
            barrier.wait()
            services.vote(fan, poll, option_ids)
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=([a.pk] if i % 2 else [a.pk, b.pk],)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 9 + ["ok"]
    assert PollBallot.objects.count() == 1
    assert PollVote.objects.count() in (1, 2)
    assert connection.vendor == "postgresql"
