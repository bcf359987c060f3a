from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import CategoryFactory, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.campaigns.services import move
from tribe.coupons import services


@pytest.fixture
def mall(db):
    """One brand (staff, one store) with three products: a (60.00, category shoes), b (25.50, sub-category
    of shoes), c (10.00, other category); plus another brand's product x (50.00)."""
    store = StoreFactory()
    brand = store.brand
    shoes = CategoryFactory()
    runners = CategoryFactory(parent=shoes)
    other = CategoryFactory()
    return {
        "brand": brand, "store": store, "staff": MembershipFactory(brand=brand).user,
        "shoes": shoes, "runners": runners,
        "a": ProductFactory(store=store, category=shoes, skus=[{"price": Decimal("60.00"), "stock": 50}]),
        "b": ProductFactory(store=store, category=runners, skus=[{"price": Decimal("25.50"), "stock": 50}]),
        "c": ProductFactory(store=store, category=other, skus=[{"price": Decimal("10.00"), "stock": 50}]),
        "x": ProductFactory(skus=[{"price": Decimal("50.00"), "stock": 50}]),
    }


@pytest.fixture
def buyer(db):
    return UserFactory()


def template(mall, *, start=True, **fields):
    now = timezone.now()
    data = {"title": "满100减20", "benefit": "amount_off", "threshold": "100.00", "amount": "20.00",
            "starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=7), "valid_days": 10}
    data.update(fields)
    tpl = services.create_template(mall["staff"], mall["brand"], data)
    if start:
        move(mall["staff"], tpl, "start")
    return tpl


def give(mall, user, **fields):
    """A coupon of a new template, granted to `user`."""
    return services.grant(template(mall, **fields), user, source="campaign")


@pytest.fixture
def api_as(client):
    from tests.api.conftest import Api
    from tribe.accounts.services import issue_token

    def make(user):
        return Api(client, issue_token(user) if user is not None else None)

    return make
