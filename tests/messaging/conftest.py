"""Messaging test world: friends (mutual follows), a stranger, a blocked pair, a members-only circle with an
active member, a banned member and a leaver, two brands each with a store and staff, and a buyer's order."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.api.commerce import place, sku_of
from tests.api.conftest import Api
from tests.factories import BrandFactory, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.accounts.services import issue_token
from tribe.circles import services as circles
from tribe.messaging.models import Message, Participant, Thread
from tribe.notifications.models import Notification
from tribe.social.models import Block, Follow


@dataclass
class World:
    users: dict
    circle: object
    store_a: object
    store_b: object
    product_a: object
    product_b: object
    order_a: object

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def befriend(a, b):
    Follow.objects.get_or_create(follower=a, followed_user=b)
    Follow.objects.get_or_create(follower=b, followed_user=a)


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    names = ["alice", "bob", "carol", "dave", "stranger", "blocker", "member", "banned", "buyer", "staff_a",
             "staff_b"]
    users = {n: UserFactory(username=n, nickname=f"昵称-{n}") for n in names}
    for friend in ("bob", "carol", "dave", "blocker"):
        befriend(users["alice"], users[friend])
    Block.objects.create(blocker=users["blocker"], blocked=users["alice"])
    circle = circles.create_circle(users["alice"], name="私密圈", slug="secret", visibility="members_only")
    for n in ("member", "banned"):
        circles.join_circle(users[n], circle)
    circles.ban(users["alice"], circle, users["banned"].pk)
    brand_a, brand_b = BrandFactory(name="暖阳"), BrandFactory(name="星河")
    store_a = StoreFactory(brand=brand_a, name="暖阳旗舰店", slug="nuanyang")
    store_b = StoreFactory(brand=brand_b, name="星河旗舰店", slug="xinghe")
    MembershipFactory(brand=brand_a, user=users["staff_a"])
    MembershipFactory(brand=brand_b, user=users["staff_b"])
    product_a, product_b = ProductFactory(store=store_a, name="连体衣"), ProductFactory(store=store_b, name="星空灯")
    order_a = place(users["buyer"], [(sku_of(product_a), 1)])
    return World(users=users, circle=circle, store_a=store_a, store_b=store_b, product_a=product_a,
                  product_b=product_b, order_a=order_a)


@pytest.fixture
def api_as(client, world):
    def make(name: str | None) -> Api:
        return Api(client, issue_token(world.users[name]) if name else None)
    return make


@pytest.fixture
def page_as(client, world):
    def make(name: str | None):
        client.logout()
        if name:
            client.force_login(world.users[name])
        return client
    return make


def counts() -> dict:
    return {"threads": Thread.objects.count(), "participants": Participant.objects.count(),
            "messages": Message.objects.count(), "notifications": Notification.objects.count()}
