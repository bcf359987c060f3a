"""Issue 5 item 5: non-cash rewards are given in kind once the commission is available — points on the points
ledger, rebate coupons per face value, or a gift the promoter claims — and a refund afterwards leaves a debt in
that kind, exactly as a refund after a cash withdrawal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tests.orders.conftest import ADDRESS
from tribe.commissions import services
from tribe.commissions.models import LedgerEntry
from tribe.commissions.selectors import balance
from tribe.core.errors import ValidationFailed
from tribe.coupons.models import CouponTemplate, UserCoupon
from tribe.distribution import services as distribution
from tribe.loyalty import services as loyalty
from tribe.orders.models import Order

from .conftest import make_order, make_shop, receive

pytestmark = pytest.mark.django_db


def _release(shop, base):
    order, line, _ = make_order(shop, base)
    services.accrue_for_order(order)
    services.freeze_for_order(receive(order))
    services.release_for_order(order)
    return order, line


def _coupon(brand, amount="5.00", **kw):
    now = timezone.now()
    return CouponTemplate.objects.create(brand=brand, title="达人返券", status="running", starts_at=now,
                                         ends_at=now + timedelta(days=60), benefit="amount_off", amount=D(amount),
                                         valid_days=30, claimable=False, per_user_limit=100, **kw)


def test_points_are_credited_when_available_and_a_later_refund_is_a_debt():
    shop = make_shop(reward_kind="points")
    order, line = _release(shop, D("123.40"))  # commission 12.34
    bal = balance(shop.promoter, reward_kind="points")
    assert bal["available"] == D("0.00") and bal["withdrawn"] == D("12.34")
    assert loyalty.balance(shop.user) == 1234  # 100 points per ¥1
    convert = LedgerEntry.objects.get(kind="convert")
    assert convert.reward_kind == "points" and convert.d_available == D("-12.34")
    services.reverse_for_line(line, D("123.40"))
    assert balance(shop.promoter, reward_kind="points")["available"] == D("-12.34")  # a debt, never lost
    _release(shop, D("200.00"))  # 20.00 repays the debt first; 7.66 is given as points
    assert loyalty.balance(shop.user) == 1234 + 766
    assert balance(shop.promoter, reward_kind="points")["available"] == D("0.00")


def test_rebate_coupons_per_face_value_rest_waits():
    shop = make_shop(reward_kind="coupon")
    template = _coupon(shop.brand)
    distribution.save_program(shop.staff, shop.brand, rebate_coupon_id=template.pk)
    _release(shop, D("123.00"))  # 12.30 → two ¥5 coupons, 2.30 waits
    assert UserCoupon.objects.filter(user=shop.user, template=template).count() == 2
    bal = balance(shop.promoter, reward_kind="coupon")
    assert bal["available"] == D("2.30") and bal["withdrawn"] == D("10.00")
    _release(shop, D("30.00"))  # +3.00 → 5.30 → one more coupon
    assert UserCoupon.objects.filter(user=shop.user, template=template).count() == 3
    assert balance(shop.promoter, reward_kind="coupon")["available"] == D("0.30")


def test_coupons_out_of_stock_leave_the_value_available():
    shop = make_shop(reward_kind="coupon")
    template = _coupon(shop.brand, total_quantity=1)
    distribution.save_program(shop.staff, shop.brand, rebate_coupon_id=template.pk)
    _release(shop, D("200.00"))  # 20.00 would be four coupons; only one exists
    assert not UserCoupon.objects.filter(user=shop.user).exists()
    assert balance(shop.promoter, reward_kind="coupon")["available"] == D("20.00")


def test_gift_is_claimed_once_enough_is_available():
    shop = make_shop(reward_kind="gift")
    sku = shop.product.skus.first()
    distribution.save_program(shop.staff, shop.brand, gift_sku_id=sku.pk, gift_value="15.00")
    _release(shop, D("100.00"))  # 10.00 available: not enough
    with pytest.raises(ValidationFailed):
        services.claim_gift(shop.user, shop.brand.pk, idempotency_key="gift-0001", address=ADDRESS)
    _release(shop, D("60.00"))  # 16.00
    order = services.claim_gift(shop.user, shop.brand.pk, idempotency_key="gift-0002", address=ADDRESS)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.total == D("0.00") and order.shipping_total == D("0.00")
    assert balance(shop.promoter, reward_kind="gift")["available"] == D("1.00")
    again = services.claim_gift(shop.user, shop.brand.pk, idempotency_key="gift-0002", address=ADDRESS)
    assert again.pk == order.pk
    assert balance(shop.promoter, reward_kind="gift")["available"] == D("1.00")


def test_program_in_kind_settings_are_validated():
    shop = make_shop()
    other = make_shop()
    foreign = _coupon(other.brand)
    with pytest.raises(ValidationFailed):
        distribution.save_program(shop.staff, shop.brand, rebate_coupon_id=foreign.pk)
    with pytest.raises(ValidationFailed):
        distribution.save_program(shop.staff, shop.brand, gift_sku_id=other.product.skus.first().pk)
    with pytest.raises(ValidationFailed):
        distribution.save_program(shop.staff, shop.brand, gift_value="-1")
    with pytest.raises(ValidationFailed):
        distribution.save_program(shop.staff, shop.brand, rebate_coupon_id="x")


def test_program_api_sets_and_clears_in_kind_settings(client):
    shop = make_shop()
    template = _coupon(shop.brand)
    client.force_login(shop.staff)
    url = f"/api/v1/console/brands/{shop.brand.slug}/promoter-program"
    r = client.put(url, {"reward_kind": "coupon", "rebate_coupon_id": template.pk}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["rebate_coupon_id"] == template.pk and r.json()["reward_kind"] == "coupon"
    r = client.put(url, {"join_policy": "anyone"}, content_type="application/json")
    assert r.json()["rebate_coupon_id"] == template.pk  # untouched when not sent
    r = client.put(url, {"rebate_coupon_id": None}, content_type="application/json")
    assert r.status_code == 200 and r.json()["rebate_coupon_id"] is None
    r = client.put(url, {"gift_value": "-3"}, content_type="application/json")
    assert r.status_code == 422
