from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import ADDRESS, pay  # noqa: F401
from tribe.presale import services

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 6, 1, 10, 0, tzinfo=SH)  # deposit window opens
DEPOSIT_END = T0 + timedelta(days=7)
BALANCE_START = T0 + timedelta(days=10)
BALANCE_END = T0 + timedelta(days=12)


def terms(sku, **over) -> dict:
    data = {"title": "新品预售", "description": "先付定金", "sku_id": sku.pk, "price": "299.00", "deposit": "50.00",
            "deposit_value": "100.00", "starts_at": T0, "ends_at": DEPOSIT_END, "balance_starts_at": BALANCE_START,
            "balance_ends_at": BALANCE_END, "ship_date": date(2026, 6, 15), "refund_rule": "forfeit",
            "quantity_cap": 6, "per_user_limit": 3}
    data.update(over)
    return data


@pytest.fixture
def travel():
    """travel(when): move the clock (and keep it ticking) for the rest of the test."""
    travellers = []

    def go(when):
        if travellers:
            travellers.pop().stop()
        t = time_machine.travel(when, tick=True)
        t.start()
        travellers.append(t)

    yield go
    for t in travellers:
        t.stop()


@pytest.fixture
def shop(db, travel):
    """A brand with staff and a product (list price 399.00, stock 10); a running presale of its SKU, now = T0+1h."""
    store = StoreFactory()
    staff = MembershipFactory(brand=store.brand).user
    product = ProductFactory(store=store, skus=[{"price": Decimal("399.00"), "stock": 10}])
    sku = product.skus.first()
    travel(T0 - timedelta(days=1))
    presale = services.create_presale(staff, store.brand, terms(sku))
    services.move_presale(staff, presale, "start")
    travel(T0 + timedelta(hours=1))
    presale.refresh_from_db()
    return {"store": store, "brand": store.brand, "staff": staff, "product": product, "sku": sku,
            "presale": presale}


@pytest.fixture
def buyer(db):
    return UserFactory()
