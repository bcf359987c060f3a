"""Real threads against PostgreSQL: 20 people claiming the last 5 coupons get exactly 5; one person tapping
claim 8 times at once with a limit of 2 gets 2; two tabs redeeming one single-use coupon place one order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.concurrency import race as _race
from tests.coupons.conftest import give, template
from tests.factories import UserFactory
from tests.orders.conftest import ADDRESS, sku_of
from tribe.coupons import services
from tribe.coupons.models import UserCoupon
from tribe.orders.checkout import place_direct_order
from tribe.orders.models import LineAdjustment, Order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_claims_for_five_coupons(mall):
    tpl = template(mall, total_quantity=5)
    users = [UserFactory() for _ in range(20)]
    outcomes = _race(20, lambda i: services.claim(users[i], tpl.pk) and "claimed")
    assert sorted(outcomes) == ["claimed"] * 5 + ["coupon_out_of_stock"] * 15
    tpl.refresh_from_db()
    assert tpl.granted_count == 5 == UserCoupon.objects.filter(template=tpl).count()


def test_one_user_racing_claims_respects_the_limit(mall):
    tpl = template(mall, total_quantity=50, per_user_limit=2)
    user = UserFactory()
    outcomes = _race(8, lambda i: services.claim(user, tpl.pk) and "claimed")
    assert sorted(outcomes) == ["claimed"] * 2 + ["coupon_limit"] * 6
    tpl.refresh_from_db()
    assert tpl.granted_count == 2 == UserCoupon.objects.filter(template=tpl, user=user).count()


def test_two_tabs_one_coupon_one_order(mall):
    user = UserFactory()
    coupon = give(mall, user, threshold="0", amount="5.00")
    sku = sku_of(mall["a"])

    def work(i):
        place_direct_order(user, sku.pk, 1, address=ADDRESS, idempotency_key=f"tab-{i}-000",
                           options={"coupons": [coupon.pk]})
        return "placed"

    outcomes = _race(2, work)
    assert sorted(outcomes) == ["coupon_used", "placed"]
    order = Order.objects.get()
    assert order.discount_total == Decimal("5.00")
    assert LineAdjustment.objects.filter(code=coupon.code).count() == 1
    coupon.refresh_from_db()
    assert (coupon.state, coupon.order_id) == ("used", order.pk)
    sku.refresh_from_db()
    assert sku.stock == 49  # the losing tab reserved nothing
