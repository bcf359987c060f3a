"""Real threads against PostgreSQL: forty simultaneous messages by one user, with thirty left in the minute's
allowance, store exactly thirty; the rest are told to wait (429)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import UserFactory
from tribe.core.errors import DomainError
from tribe.messaging import services
from tribe.messaging.models import Message
from tribe.social import services as social

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_rate_limit_holds_under_a_burst():
    alice, bob = UserFactory(), UserFactory()
    social.follow_user(alice, bob)
    social.follow_user(bob, alice)
    thread = services.start_direct(alice, bob, text="你好")  # one message already in this minute
    n = 40
    barrier = threading.Barrier(n)
    outcomes, lock = [], threading.Lock()

    def run():
        try:
            barrier.wait()
            services.send(alice, thread, "在吗？")
            outcome = "ok"
        except DomainError as exc:
            outcome = exc.status
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == services.RATE_LIMIT - 1
    assert outcomes.count(429) == n - (services.RATE_LIMIT - 1)
    assert Message.objects.filter(sender=alice).count() == services.RATE_LIMIT
    assert connection.vendor == "postgresql"
