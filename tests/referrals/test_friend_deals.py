"""Buy with friends: a paid order makes a deal when the brand opted in; a friend's checkout gets the discount on
one unit; the owner is rewarded when the friend pays; limits (owner, expiry, uses, once per friend)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.api.conftest import Api
from tests.factories import UserFactory
from tests.orders.conftest import checkout, pay, sku_of
from tribe.accounts.services import issue_token
from tribe.core.errors import PermissionDenied, ValidationFailed
from tribe.referrals import services
from tribe.referrals.models import FriendDeal, FriendDealUse, Reward

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(shop):
    return services.save_friend_deal_policy(shop["staff_a"], shop["a"].brand, enabled=True, percent="0.10",
                                            hours="48", max_uses="2", reward_points="30")


def paid(user, product, key, **kw):
    order = checkout(user, [(sku_of(product), 1)], key=key, **kw)
    Order = type(order)
    Order.objects.filter(pk=order.pk).update(ship_phone="139" + str(user.pk).zfill(8), ship_detail=f"门牌 {user.pk}")
    pay(user, order)
    order.refresh_from_db()
    return order


def test_no_deal_unless_the_brand_opted_in(shop, buyer):
    paid(buyer, shop["a"], "order-nodeal")
    assert FriendDeal.objects.count() == 0


def test_deal_discount_and_reward(shop, buyer, policy):
    paid(buyer, shop["a"], "order-owner")
    deal = FriendDeal.objects.get()
    assert deal.owner == buyer and deal.percent == Decimal("0.10") and deal.max_uses == 2
    friend = UserFactory()
    order = paid(friend, shop["a"], "order-friend", options={"friend_deal": deal.code})
    line = order.lines.get()
    assert line.discount == Decimal("6.00")  # 10% of one unit at 60.00
    assert FriendDealUse.objects.get().buyer == friend
    reward = Reward.objects.get(kind="friend_deal")
    assert reward.beneficiary == buyer and reward.amount == Decimal("30.00") and reward.state == "granted"
    # the same friend cannot use it twice; the owner cannot use their own
    again = checkout(friend, [(sku_of(shop["a"]), 1)], key="order-again", options={"friend_deal": deal.code})
    assert again.lines.get().discount == 0
    own = checkout(buyer, [(sku_of(shop["a"]), 1)], key="order-own", options={"friend_deal": deal.code})
    assert own.lines.get().discount == 0


def test_expired_and_used_up_deals_give_nothing(shop, buyer, policy):
    paid(buyer, shop["a"], "order-owner")
    deal = FriendDeal.objects.get()
    for i in range(2):
        paid(UserFactory(), shop["a"], f"order-fr{i}", options={"friend_deal": deal.code})
    late = checkout(UserFactory(), [(sku_of(shop["a"]), 1)], key="order-late", options={"friend_deal": deal.code})
    assert late.lines.get().discount == 0  # max_uses reached
    FriendDeal.objects.filter(pk=deal.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    other = checkout(UserFactory(), [(sku_of(shop["a"]), 1)], key="order-exp", options={"friend_deal": deal.code})
    assert other.lines.get().discount == 0


def test_other_products_are_not_discounted(shop, buyer, policy):
    paid(buyer, shop["a"], "order-owner")
    deal = FriendDeal.objects.get()
    order = checkout(UserFactory(), [(sku_of(shop["b"]), 1)], key="order-bbbb", options={"friend_deal": deal.code})
    assert order.lines.get().discount == 0


@pytest.mark.parametrize("field, value", [("percent", "0.9"), ("percent", "abc"), ("hours", "0"),
                                          ("max_uses", "1000"), ("reward_points", "-1")])
def test_policy_bad_input(shop, field, value):
    kwargs = {"enabled": True, "percent": "0.10", "hours": "48", "max_uses": "5", "reward_points": "30"}
    kwargs[field] = value
    with pytest.raises(ValidationFailed):
        services.save_friend_deal_policy(shop["staff_a"], shop["a"].brand, **kwargs)


def test_policy_staff_only(shop):
    with pytest.raises(PermissionDenied):
        services.save_friend_deal_policy(shop["staff_b"], shop["a"].brand, enabled=True, percent="0.1",
                                         hours="1", max_uses="1", reward_points="1")


def test_pages_and_api(client, shop, buyer, policy):
    paid(buyer, shop["a"], "order-owner")
    deal = FriendDeal.objects.get()
    friend = UserFactory()
    client.force_login(friend)
    r = client.get(f"/deal/{deal.code}/")
    assert r.status_code == 302 and r["Location"] == f"/p/{shop['a'].pk}/"
    assert client.get("/deal/nope/").status_code == 404
    client.force_login(buyer)
    assert deal.code in client.get("/me/friend-deals/").content.decode()
    api = Api(client, issue_token(buyer))
    assert api.get("/me/friend-deals").json()[0]["code"] == deal.code
    staff = Api(client, issue_token(shop["staff_a"]))
    slug = shop["a"].brand.slug
    assert staff.raw("PUT", f"/console/brands/{slug}/friend-deal-policy",
                     '{"enabled": false, "percent": "0.20", "hours": 24, "max_uses": 3, "reward_points": "10"}',
                     "application/json").json()["percent"] == "0.20"
    assert staff.raw("PUT", f"/console/brands/{slug}/friend-deal-policy",
                     '{"enabled": true, "percent": "2", "hours": 24, "max_uses": 3, "reward_points": "10"}',
                     "application/json").status_code == 422
