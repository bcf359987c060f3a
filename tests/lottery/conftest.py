from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.lottery import services


@pytest.fixture
def shop(db):
    store = StoreFactory()
    return {"store": store, "brand": store.brand, "staff": MembershipFactory(brand=store.brand).user,
            "product": ProductFactory(store=store, skus=[{"price": Decimal("120.00"), "stock": 10}])}


@pytest.fixture
def player(db):
    return UserFactory()


def make_lottery(shop, prizes, *, start=True, **fields):
    """A lottery of the shop's brand with `prizes` (dicts for services.add_prize), started unless told."""
    now = timezone.now()
    data = {"title": "双十一幸运大转盘", "starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=7),
            "share_enabled": True}
    data.update(fields)
    lottery = services.create_lottery(shop["staff"], shop["brand"], **data)
    for p in prizes:
        services.add_prize(shop["staff"], lottery, **p)
    if start:
        services.move(shop["staff"], lottery, "start")
        lottery.refresh_from_db()
    return lottery
