"""Q&A world: one product of brand A with buyers in every interesting state, an asker, staff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import Api
from tests.factories import BrandFactory, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.social.purchases import bought
from tribe.accounts.services import issue_token


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    product: object
    other_product: object
    hidden: object
    asker: object
    buyer: object
    old_buyer: object
    refunded: object
    pending: object
    stranger: object
    staff: object
    users: dict


@pytest.fixture
def world(db) -> World:
    brand = BrandFactory(name="暖阳", slug="nuanyang")
    store = StoreFactory(brand=brand)
    product = ProductFactory(store=store, name="婴儿推车")
    other = ProductFactory(store=store, name="奶瓶")
    hidden = ProductFactory(store=store, name="下架品", published=False)
    users = {name: UserFactory(username=name, nickname=f"昵称{name}") for name in
             ["asker", "buyer", "old_buyer", "refunded", "pending", "stranger", "other_buyer"]}
    now = timezone.now()
    bought(users["buyer"], product, status="received", paid_at=now - timedelta(days=3))
    bought(users["old_buyer"], product, status="completed", paid_at=now - timedelta(days=200))
    bought(users["refunded"], product, status="paid", refunded_quantity=1, paid_at=now - timedelta(days=1))
    bought(users["pending"], product, status="pending_payment")
    bought(users["other_buyer"], other, status="paid")
    bought(users["asker"], product, status="paid")  # the asker bought it too: never invited to their own question
    return World(product=product, other_product=other, hidden=hidden, asker=users["asker"], buyer=users["buyer"],
                 old_buyer=users["old_buyer"], refunded=users["refunded"], pending=users["pending"],
                 stranger=users["stranger"], staff=MembershipFactory(brand=brand).user, users=users)


@pytest.fixture
def api_as(client):
    def make(user) -> Api:
        return Api(client, issue_token(user) if user is not None else None)
    return make
