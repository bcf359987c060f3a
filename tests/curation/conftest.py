"""Curation world: two brands with staff, a curator, a stranger, published products of brand A and one
unpublished product."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.api.conftest import Api
from tests.factories import BrandFactory, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.accounts.services import issue_token


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    brand_a: object
    brand_b: object
    staff_a: object
    staff_b: object
    curator: object
    stranger: object
    products: list
    hidden: object


@pytest.fixture
def world(db) -> World:
    brand_a = BrandFactory(name="暖阳", slug="nuanyang")
    brand_b = BrandFactory(name="星河", slug="xinghe")
    store_a = StoreFactory(brand=brand_a)
    products = [ProductFactory(store=store_a, name=f"好物{i}") for i in range(4)]
    hidden = ProductFactory(store=store_a, name="未上架的东西", published=False)
    return World(
        brand_a=brand_a, brand_b=brand_b,
        staff_a=MembershipFactory(brand=brand_a).user, staff_b=MembershipFactory(brand=brand_b).user,
        curator=UserFactory(username="curator", nickname="小红", is_promoter=True),
        stranger=UserFactory(username="stranger"),
        products=products, hidden=hidden,
    )


@pytest.fixture
def api_as(client):
    def make(user) -> Api:
        return Api(client, issue_token(user) if user is not None else None)
    return make
