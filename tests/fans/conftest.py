"""Fan community fixtures: a brand with a store, products and staff, its community, and helpers that create
the rows participation points are computed from (posts, reviews, purchases)."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.factories import BrandFactory, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.social.purchases import bought
from tribe.accounts.services import issue_token
from tribe.content.models import Review
from tribe.fans.models import FanCommunity, FanMember
from tribe.posts.models import Post, PostProduct


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def brand(db):
    return BrandFactory(slug="maple", name="枫叶")


@pytest.fixture
def store(brand):
    return StoreFactory(brand=brand, slug="maple-store")


@pytest.fixture
def product(store):
    return ProductFactory(store=store, name="枫叶围巾", skus=[{"price": "99.00", "stock": 50}])


@pytest.fixture
def staff(brand):
    user = UserFactory(username="maple-staff")
    MembershipFactory(brand=brand, user=user)
    return user


@pytest.fixture
def other_staff(db):
    user = UserFactory(username="other-staff")
    MembershipFactory(brand=BrandFactory(slug="other"), user=user)
    return user


@pytest.fixture
def community(brand):
    # small thresholds make tiers easy to reach: active 10, core 30
    return FanCommunity.objects.create(brand=brand, name="枫叶粉丝团", intro="一起玩", active_threshold=10,
                                       core_threshold=30, points_post=5, points_review=10, points_answer=5,
                                       points_purchase=20)


@pytest.fixture
def fan(community):
    user = UserFactory(username="fan")
    FanMember.objects.create(community=community, user=user)
    return user


def make_post(user, *products, removed=False) -> Post:
    post = Post.objects.create(author=user, text="晒一下", removed=removed)
    for i, p in enumerate(products):
        PostProduct.objects.create(post=post, product=p, position=i)
    return post


def make_review(user, product) -> Review:
    order = bought(user, product)
    return Review.objects.create(product=product, author=user, order_line=order.lines.get(), rating=5,
                                 text="很好用，推荐")


def make_core(user, product):
    """20 (purchase) + 10 (its review) = 30 points: core with the fixture's thresholds."""
    make_review(user, product)
    return user


@pytest.fixture
def api_as(client):
    def make(user):
        return Api(client, issue_token(user) if user is not None else None)

    return make


@pytest.fixture
def anon(client):
    return Api(client)
