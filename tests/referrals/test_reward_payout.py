"""Issue 5 item 5 (non-cash rewards) for invites, shares and buy-with-friends: a granted reward is credited at
once as points on the points ledger, or as a coupon when the brand chose one; voiding takes it back; a held reward
gives nothing until approved."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.referrals.test_referrals import buy, invite
from tribe.aftersales.services import approve_refund, request_refund
from tribe.core.errors import ValidationFailed
from tribe.coupons.models import CouponTemplate, UserCoupon
from tribe.loyalty import services as loyalty
from tribe.referrals import services
from tribe.referrals.models import Reward, Sighting

pytestmark = pytest.mark.django_db


def _template(brand, **kw):
    now = timezone.now()
    return CouponTemplate.objects.create(brand=brand, title="邀请好友券", status="running", starts_at=now,
                                         ends_at=now + timedelta(days=30), benefit="amount_off",
                                         threshold=Decimal("100.00"), amount=Decimal("20.00"), valid_days=30,
                                         claimable=False, **kw)


def _refund_all(order, staff):
    for line in order.lines.all():
        req = request_refund(order.user, line.pk, kind="refund_only", quantity=line.quantity, reason="不要了")
        approve_refund(staff, req.pk)


def test_points_reward_is_credited_and_taken_back_on_full_refund(shop, buyer):
    inviter = UserFactory()
    invite(inviter, buyer)
    order = buy(buyer, shop["a"])
    reward = Reward.objects.get()
    assert reward.benefit == "points" and reward.state == "granted"
    assert loyalty.balance(inviter) == int(reward.amount) > 0
    _refund_all(order, shop["staff_a"])
    reward.refresh_from_db()
    assert reward.state == "void"
    assert loyalty.balance(inviter) == 0


def test_coupon_reward_when_the_brand_chose_one(shop, buyer):
    template = _template(shop["a"].brand)
    services.save_reward_policy(shop["staff_a"], shop["a"].brand, benefit="coupon", coupon_template_id=template.pk)
    inviter = UserFactory()
    invite(inviter, buyer)
    order = buy(buyer, shop["a"])
    reward = Reward.objects.get()
    assert reward.benefit == "coupon" and reward.coupon is not None
    coupon = UserCoupon.objects.get(user=inviter)
    assert coupon.template == template and coupon.state == "available" and coupon.source == "referral"
    assert loyalty.balance(inviter) == 0  # the coupon instead of points, not both
    _refund_all(order, shop["staff_a"])
    coupon.refresh_from_db()
    assert coupon.state == "void"


def test_coupon_out_of_stock_falls_back_to_points(shop, buyer):
    template = _template(shop["a"].brand, total_quantity=0)
    services.save_reward_policy(shop["staff_a"], shop["a"].brand, benefit="coupon", coupon_template_id=template.pk)
    inviter = UserFactory()
    invite(inviter, buyer)
    buy(buyer, shop["a"])
    reward = Reward.objects.get()
    assert reward.benefit == "points" and "coupon_fallback:coupon_out_of_stock" in reward.reasons
    assert loyalty.balance(inviter) == int(reward.amount)


def test_held_reward_gives_nothing_until_approved(shop, buyer):
    inviter = UserFactory()
    Sighting.objects.create(user=inviter, ip="10.9.9.9", fingerprint="same-phone")
    invite(inviter, buyer, ip="10.1.1.1", fp="same-phone")
    buy(buyer, shop["a"])
    reward = Reward.objects.get()
    assert reward.state == "held" and loyalty.balance(inviter) == 0
    services.decide(shop["staff_a"], reward.pk, approve=True)
    assert loyalty.balance(inviter) == int(reward.amount)


def test_reward_policy_is_validated(shop, client):
    brand = shop["a"].brand
    other = _template(shop["b"].brand)
    with pytest.raises(ValidationFailed):
        services.save_reward_policy(shop["staff_a"], brand, benefit="coupon", coupon_template_id=other.pk)
    with pytest.raises(ValidationFailed):
        services.save_reward_policy(shop["staff_a"], brand, benefit="cash")
    client.force_login(shop["staff_a"])
    mine = _template(brand)
    r = client.put(f"/api/v1/console/brands/{brand.slug}/reward-policy",
                   {"benefit": "coupon", "coupon_template_id": mine.pk}, content_type="application/json")
    assert r.status_code == 200 and r.json() == {"benefit": "coupon", "coupon_template_id": mine.pk}
    page = client.get(f"/console/{brand.slug}/rewards/")
    assert page.status_code == 200 and 'data-testid="reward-policy"' in page.content.decode()
    r = client.post(f"/console/{brand.slug}/reward-policy/", {"benefit": "points"})
    assert r.status_code == 302
    assert client.get(f"/api/v1/console/brands/{brand.slug}/reward-policy").json()["benefit"] == "points"
