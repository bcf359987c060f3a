"""Real threads against PostgreSQL: eight simultaneous withdrawals of the whole available balance — exactly one
is accepted, the promoter's balance never goes below what was available."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.orders.conftest import pay
from tribe.commissions import services as commissions
from tribe.commissions.models import Payout
from tribe.commissions.selectors import balance
from tribe.core.errors import DomainError
from tribe.orders.models import StoreOrder
from tribe.orders.services import confirm_receipt
from tribe.orders.shipping import ship

from .conftest import buy, share_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_withdrawals_cannot_overdraw(client, shop):
    client.force_login(shop.buyer)
    client.get(share_url(shop.product, shop.promoter.user))
    order = buy(shop.buyer, shop.product, qty=3)
    pay(shop.buyer, order)
    ship(shop.staff, StoreOrder.objects.get(order=order).pk, carrier="SF", tracking_number="SF000000042")
    confirm_receipt(shop.buyer, order.pk)
    commissions.release_due(now=timezone.now() + timedelta(days=30))
    available = balance(shop.promoter)["available"]
    assert available > 0
    barrier = threading.Barrier(8)
    outcomes, lock = [], threading.Lock()

    def run():
        try:
            barrier.wait()
            commissions.request_payout(shop.promoter.user, shop.brand.pk, available)
            outcome = "ok"
        except DomainError as exc:
            outcome = exc.status
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == sorted(["ok"] + [422] * 7, key=str)
    after = balance(shop.promoter)
    assert after["available"] == 0 and after["withdrawing"] == available
    assert Payout.objects.count() == 1
    assert connection.vendor == "postgresql"
