"""Trial fixtures: a brand with a store (charging the platform's standard shipping), a product with stock,
staff, a fan community with small thresholds, and helpers to apply, select, ship and receive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import Api
from tests.factories import BrandFactory, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.fans.conftest import make_review
from tribe.accounts.services import issue_token
from tribe.campaigns.services import move
from tribe.fans.models import FanCommunity, FanMember
from tribe.orders.services import confirm_receipt
from tribe.orders.shipping import ship
from tribe.trials import services

ADDRESS = {"name": "王小明", "phone": "13800138000", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}
REASON = "我是干皮，想认真试用并写一篇详细的报告"


@pytest.fixture
def brand(db):
    return BrandFactory(slug="maple", name="枫叶")


@pytest.fixture
def store(brand):
    return StoreFactory(brand=brand, slug="maple-store")


@pytest.fixture
def product(store):
    return ProductFactory(store=store, name="枫叶面霜", skus=[{"price": "199.00", "stock": 50}])


@pytest.fixture
def sku(product):
    return product.skus.first()


@pytest.fixture
def staff(brand):
    user = UserFactory(username="maple-staff")
    MembershipFactory(brand=brand, user=user)
    return user


@pytest.fixture
def community(brand):
    return FanCommunity.objects.create(brand=brand, name="枫叶粉丝团", active_threshold=10, core_threshold=30,
                                       points_post=5, points_review=10, points_answer=5, points_purchase=20)


def make_core(user, community, product):
    """A member with a purchase (20) and its review (10): 30 points, a core fan."""
    FanMember.objects.create(community=community, user=user)
    make_review(user, product)
    return user


def new_trial(staff, brand, sku, *, units=3, start=True, **kw):
    now = timezone.now()
    data = {"title": "枫叶面霜免费试用", "description": "写报告送小样", "sku_id": sku.pk, "units": units,
            "starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=3), "report_days": 7}
    data.update(kw)
    trial = services.save_trial(staff, brand, **data)
    if start:
        move(staff, trial, "start")
    return trial


@pytest.fixture
def trial(staff, brand, sku):
    return new_trial(staff, brand, sku)


def apply(user, trial, reason=REASON):
    return services.apply(user, trial, reason=reason, address=ADDRESS)


def ship_and_receive(staff, application):
    order = application.order
    so = order.store_orders.get()
    ship(staff, so.pk, carrier="顺丰", tracking_number="SF1000")
    confirm_receipt(application.user, order.pk)


@pytest.fixture
def api_as(client):
    def make(user):
        return Api(client, issue_token(user) if user is not None else None)

    return make
