from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import ADDRESS, pay  # noqa: F401
from tribe.groupbuy import groups, services


@pytest.fixture
def shop(db):
    store = StoreFactory()
    staff = MembershipFactory(brand=store.brand).user
    product = ProductFactory(store=store, skus=[{"price": Decimal("100.00"), "stock": 100}])
    return {"store": store, "brand": store.brand, "staff": staff, "product": product, "sku": product.skus.first()}


def make_deal(shop, *, size=3, hours=24, limit=1, price="60.00", leader=None, start=True, days=7):
    now = timezone.now()
    deal = services.create_deal(shop["staff"], shop["brand"], {
        "title": "三人团", "product_id": shop["product"].pk, "starts_at": now - timedelta(minutes=1),
        "ends_at": now + timedelta(days=days), "group_size": size, "hours": hours, "per_user_limit": limit,
        "price": price, "leader_price": leader})
    if start:
        services.move_deal(shop["staff"], deal, "start")
    return deal


@pytest.fixture
def deal(shop):
    return make_deal(shop)


def open_(user, deal, key="open-0001"):
    return groups.open_group(user, deal.pk, address=ADDRESS, idempotency_key=key)


def join(user, group, key="join-0001"):
    return groups.join_group(user, group.pk, address=ADDRESS, idempotency_key=key)


@pytest.fixture
def users(db):
    return [UserFactory() for _ in range(6)]
