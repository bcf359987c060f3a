from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.bargain import services
from tribe.campaigns.services import move

ADDRESS = {"name": "王小明", "phone": "13800138000", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文三路 100 号"}


@pytest.fixture
def shop(db):
    store = StoreFactory()
    staff = MembershipFactory(brand=store.brand).user
    product = ProductFactory(store=store, skus=[{"price": Decimal("100.00"), "stock": 20}])
    return {"brand": store.brand, "staff": staff, "product": product, "sku": product.skus.first()}


def campaign_data(shop, **overrides) -> dict:
    now = timezone.now()
    data = {"title": "好友砍价", "sku_id": shop["sku"].pk, "floor_price": "10.00", "helps_needed": 5,
            "hours": 24, "buy_rule": "floor", "new_user_days": 0, "new_user_no_order": False,
            "new_user_weight": "1.00", "per_user_limit": 1, "helper_daily_limit": 5, "stock": None,
            "starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=7)}
    data.update(overrides)
    return data


def make_campaign(shop, **overrides):
    campaign = services.save_campaign(shop["staff"], shop["brand"], campaign_data(shop, **overrides))
    return move(shop["staff"], campaign, "start")


@pytest.fixture
def campaign(shop):
    return make_campaign(shop)


@pytest.fixture
def initiator(db):
    return UserFactory()


def helpers(n):
    return [UserFactory() for _ in range(n)]
