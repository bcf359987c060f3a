"""Real threads against PostgreSQL: a follow racing its twin or a block never leaves a forbidden state."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import UserFactory
from tribe.core.errors import PermissionDenied
from tribe.social import services
from tribe.social.models import Block, Follow

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    results: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait()
            call()
            outcome = "ok"
        except PermissionDenied:
            outcome = "refused"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_ten_identical_follows_at_once_make_one_follow():
    alice, bob = UserFactory(), UserFactory()
    results = _race(*[lambda: services.follow_user(alice, bob)] * 10)
    assert results == ["ok"] * 10
    assert Follow.objects.filter(follower=alice, followed_user=bob).count() == 1
    assert connection.vendor == "postgresql"


@pytest.mark.parametrize("round_", range(5))
def test_a_follow_racing_a_block_never_survives_it(round_):
    # given
    alice, bob = UserFactory(), UserFactory()

    # when bob blocks alice while alice follows bob
    _race(lambda: services.follow_user(alice, bob), lambda: services.block_user(bob, alice))

    # then the block stands and no follow exists between them, whichever won
    assert Block.objects.filter(blocker=bob, blocked=alice).count() == 1
    assert Follow.objects.count() == 0
