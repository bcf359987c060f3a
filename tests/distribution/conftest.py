"""Distribution fixtures: a brand with a program, an active promoter, a buyer; and helpers to click and buy."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import checkout
from tribe.core.sharing import encode_sharer
from tribe.distribution.models import Promoter, PromoterProgram


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Shop:
    brand: object
    store: object
    product: object
    staff: object
    program: PromoterProgram
    promoter: Promoter
    other: Promoter
    buyer: object


@pytest.fixture
def shop(db) -> Shop:
    store = StoreFactory()
    product = ProductFactory(store=store, skus=[{"price": Decimal("100.00"), "stock": 100}])
    program = PromoterProgram.objects.create(brand=store.brand, binding="window", window_days=30,
                                             default_rate=Decimal("0.1000"))
    promoter = Promoter.objects.create(brand=store.brand, user=UserFactory(), state=Promoter.State.ACTIVE)
    other = Promoter.objects.create(brand=store.brand, user=UserFactory(), state=Promoter.State.ACTIVE)
    return Shop(store.brand, store, product, MembershipFactory(brand=store.brand).user, program, promoter, other,
                UserFactory())


def share_url(product, sharer, channel="wechat") -> str:
    return f"/p/{product.pk}/?share={encode_sharer(sharer.pk)}&ch={channel}"


def buy(buyer, product, qty=1, key="checkout-0001", **kwargs):
    return checkout(buyer, [(product.skus.first(), qty)], key=key, **kwargs)
