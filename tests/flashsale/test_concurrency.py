"""Real threads against PostgreSQL: the rush never oversells, the end returns stock once even when raced."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from tests.concurrency import race as _race
from tests.factories import UserFactory
from tribe.catalog.models import Sku
from tribe.flashsale import services
from tribe.flashsale.models import FlashItem, FlashPurchase, FlashSale
from tribe.orders.models import Order
from tribe.orders.services import cancel_order

from .conftest import buy, make_sale

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _watch_stock(sku_id, stop, seen):
    """Sample the SKU's stock while the race runs: it must never go below zero."""
    try:
        while not stop.is_set():
            seen.append(Sku.objects.values_list("stock", flat=True).get(pk=sku_id))
    finally:
        connections.close_all()


def test_30_buyers_for_10_units_get_exactly_10_orders(shop, settings):
    settings.TRIBE_FLASH_CONCURRENCY = 100  # every buyer reaches the database: the guard alone decides
    sale, item = make_sale(shop, quantity=10, limit=1)
    assert Sku.objects.get(pk=shop["sku"].pk).stock == 40
    buyers = [UserFactory() for _ in range(30)]
    stop, seen = threading.Event(), []
    watcher = threading.Thread(target=_watch_stock, args=(shop["sku"].pk, stop, seen))
    watcher.start()

    outcomes = _race(30, lambda i: buy(buyers[i], {"sale": sale, "item": item}, f"flash-race-{i:04d}").number)
    stop.set()
    watcher.join()

    orders = [o for o in outcomes if o not in ("sold_out",)]
    assert len(orders) == 10 and outcomes.count("sold_out") == 20
    assert Order.objects.count() == 10 == FlashPurchase.objects.count()
    item.refresh_from_db()
    assert (item.left, item.sold) == (0, 10)
    assert Sku.objects.get(pk=shop["sku"].pk).stock == 40
    assert seen and min(seen) >= 0


def test_two_tabs_of_one_user_pass_the_limit_once(shop, settings):
    settings.TRIBE_FLASH_CONCURRENCY = 100
    sale, item = make_sale(shop, quantity=10, limit=1)
    user = UserFactory()

    outcomes = _race(6, lambda i: buy(user, {"sale": sale, "item": item}, f"flash-tab-{i:04d}").number)

    assert outcomes.count("limit_reached") == 5
    assert Order.objects.filter(user=user).count() == 1
    item.refresh_from_db()
    assert (item.left, item.sold) == (9, 1)


def test_racing_ends_return_the_stock_once(shop):
    sale, item = make_sale(shop, quantity=10)
    later = timezone.now() + timedelta(hours=3)

    def work(i):
        if i % 2:
            services.end_sale(shop["staff"], FlashSale.objects.get(pk=sale.pk))
        else:
            services.end_due_sales(later)
        return "done"

    _race(6, work)

    assert Sku.objects.get(pk=shop["sku"].pk).stock == 50
    assert FlashItem.objects.get(pk=item.pk).left == 0
    assert FlashSale.objects.get(pk=sale.pk).status == "ended"


def test_cancels_racing_the_end_lose_no_unit_and_make_none(shop):
    sale, item = make_sale(shop, quantity=10, limit=1)
    buyers = [UserFactory() for _ in range(5)]
    orders = [buy(u, {"sale": sale, "item": item}, f"flash-cancel-{i:04d}") for i, u in enumerate(buyers)]

    def work(i):
        if i == 5:
            services.end_sale(shop["staff"], FlashSale.objects.get(pk=sale.pk))
        else:
            cancel_order(buyers[i], orders[i].pk)
        return "done"

    _race(6, work)

    assert Sku.objects.get(pk=shop["sku"].pk).stock == 50  # every unit is back in the public stock
    item.refresh_from_db()
    assert (item.left, item.sold) == (0, 0)
