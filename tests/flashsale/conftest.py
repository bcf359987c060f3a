from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.flashsale import rush, services

ADDRESS = {"name": "王小明", "phone": "13800138000", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}


@pytest.fixture(autouse=True)
def _fresh_rush_state(settings):
    """Each test starts with no cached sold-out flags and fresh throttles (locmem cache is per process)."""
    from django.core.cache import cache

    settings.REDIS_URL = ""
    cache.clear()
    rush._SEMAPHORES.clear()
    yield
    rush._SEMAPHORES.clear()


@pytest.fixture
def shop(db):
    store = StoreFactory()
    staff = MembershipFactory(brand=store.brand).user
    product = ProductFactory(store=store, skus=[{"price": Decimal("99.00"), "stock": 50}])
    return {"store": store, "brand": store.brand, "staff": staff, "product": product, "sku": product.skus.get()}


def make_sale(shop, *, quantity=10, limit=1, price="19.90", start=True, minutes_from_now=-1, hours=2):
    now = timezone.now()
    sale = services.create_sale(shop["staff"], shop["brand"], title="十点秒杀",
                                starts_at=now + timedelta(minutes=minutes_from_now),
                                ends_at=now + timedelta(minutes=minutes_from_now) + timedelta(hours=hours))
    item = services.add_item(shop["staff"], sale, sku_id=shop["sku"].pk, flash_price=price, quantity=quantity,
                             per_user_limit=limit)
    if start:
        services.start_sale(shop["staff"], sale)
    return sale, item


@pytest.fixture
def live(shop):
    sale, item = make_sale(shop)
    return {**shop, "sale": sale, "item": item}


def buy(user, live, key, qty=1, **kw):
    return services.buy(user, live["sale"].pk, live["item"].pk, quantity=qty, address=ADDRESS,
                        idempotency_key=key, **kw)


@pytest.fixture
def buyer(db):
    return UserFactory()
