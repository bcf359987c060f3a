"""API test helpers: a client per role (Bearer token), and a small world of two brands with staff."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.factories import (
    BrandFactory,
    CategoryFactory,
    MembershipFactory,
    ProductFactory,
    StoreFactory,
    UserFactory,
)
from tribe.accounts.services import issue_token

API = "/api/v1"


class Api:
    """Django's test client speaking JSON to /api/v1, optionally with a Bearer token."""

    def __init__(self, client, token: str | None = None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, params=None):
        return self.client.get(API + path, params or {}, headers=self.headers)

    def post(self, path, body=None):
        data = json.dumps(body) if body is not None else ""
        return self.client.post(API + path, data, content_type="application/json", headers=self.headers)

    def patch(self, path, body):
        return self.client.patch(
            API + path, json.dumps(body), content_type="application/json", headers=self.headers
        )

    def delete(self, path):
        return self.client.delete(API + path, headers=self.headers)

    def upload(self, path, **fields):
        """multipart/form-data: pass files (SimpleUploadedFile) and plain fields as keyword arguments."""
        return self.client.post(API + path, fields, headers=self.headers)

    def raw(self, method, path, data, content_type):
        return self.client.generic(method, API + path, data, content_type=content_type, headers=self.headers)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """PBKDF2 at production strength costs ~0.3 s per user; these tests create several users each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def anon(client):
    return Api(client)


@pytest.fixture
def api_as(client):
    def make(user):
        return Api(client, issue_token(user) if user is not None else None)

    return make


@dataclass
class World:
    brand_a: object
    store_a: object
    staff_a: object
    brand_b: object
    store_b: object
    staff_b: object
    consumer: object
    operator: object
    category: object
    product_a: object

    @property
    def sku_a(self):
        return self.product_a.skus.order_by("id").first()


@pytest.fixture
def world(db) -> World:
    brand_a = BrandFactory(name="暖阳", slug="nuanyang")
    brand_b = BrandFactory(name="星河", slug="xinghe")
    store_a = StoreFactory(brand=brand_a, name="暖阳旗舰店", slug="nuanyang-store")
    store_b = StoreFactory(brand=brand_b, name="星河旗舰店", slug="xinghe-store")
    category = CategoryFactory(name="婴儿服", slug="baby-wear")
    product_a = ProductFactory(
        store=store_a,
        category=category,
        name="纯棉婴儿连体衣",
        skus=[{"price": Decimal("89.00"), "stock": 7}],
    )
    return World(
        brand_a=brand_a,
        store_a=store_a,
        staff_a=MembershipFactory(brand=brand_a).user,
        brand_b=brand_b,
        store_b=store_b,
        staff_b=MembershipFactory(brand=brand_b).user,
        consumer=UserFactory(),
        operator=UserFactory(is_staff=True),
        category=category,
        product_a=product_a,
    )


def error_of(response) -> dict:
    """The error body, after checking it has exactly the one API error shape."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]
