"""Points and tier prices at checkout, and what paying, cancelling and refunding do to the ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from tests.orders.conftest import ADDRESS, checkout, pay, sku_of
from tribe.aftersales.services import refund_order
from tribe.core.errors import Conflict, ValidationFailed
from tribe.core.models import Event
from tribe.loyalty import services, tiers
from tribe.loyalty.models import PointsEntry, Tier, TierPrice
from tribe.orders.checkout import CampaignPrice, place_direct_order, quote_direct
from tribe.orders.models import LineAdjustment, Order
from tribe.orders.services import cancel_order

pytestmark = pytest.mark.django_db


def _shares(order, code):
    return {a.line.sku_id: a.amount for a in LineAdjustment.objects.filter(line__order=order, code=code)
            .select_related("line")}


def test_points_pay_part_of_the_order_and_the_spend_is_written_with_it(shop, buyer):
    services.credit(buyer, 5000, reason="x", ref="seed:1")
    order = checkout(buyer, [(sku_of(shop["a"]), 1), (sku_of(shop["b"]), 2)], options={"points": 500})
    assert order.discount_total == Decimal("5.00")
    shares = _shares(order, "points")
    assert sum(shares.values()) == Decimal("5.00") and len(shares) == 2
    spend = PointsEntry.objects.get(kind="spend")
    assert (spend.points, spend.ref) == (-500, f"order_spend:{order.pk}")
    assert services.balance(buyer) == 4500
    assert Event.objects.filter(name="points_spent", actor=buyer).count() == 1


def test_points_are_capped_at_the_percent_of_the_payable(shop, buyer, settings):
    settings.TRIBE_POINTS_MAX_PERCENT = 20
    services.credit(buyer, 5000, reason="x", ref="seed:1")
    q = quote_direct(buyer, sku_of(shop["a"]).pk, 1, options={"points": 5000})
    assert q.discount_total == Decimal("12.00")  # 20% of ¥60
    order = checkout(buyer, [(sku_of(shop["a"]), 1)], options={"points": 5000})
    assert order.discount_total == Decimal("12.00") and order.total == Decimal("48.00") + order.shipping_total
    assert services.balance(buyer) == 3800


def test_points_beyond_the_balance_refuse_the_order_and_write_nothing(shop, buyer):
    services.credit(buyer, 100, reason="x", ref="seed:1")
    with pytest.raises(Conflict) as err:
        checkout(buyer, [(sku_of(shop["a"]), 1)], options={"points": 500})
    assert err.value.code == "insufficient_points" and err.value.status == 409
    assert not Order.objects.exists()
    assert PointsEntry.objects.count() == 1 and services.balance(buyer) == 100


@pytest.mark.parametrize("bad", [-1, "500", 1.5, True])
def test_bad_points_option_is_a_422(shop, buyer, bad):
    with pytest.raises(ValidationFailed) as err:
        checkout(buyer, [(sku_of(shop["a"]), 1)], options={"points": bad})
    assert err.value.code == "invalid_points" and not Order.objects.exists()


def test_a_cancelled_order_gives_the_points_back(shop, buyer):
    services.credit(buyer, 1000, reason="x", ref="seed:1")
    order = checkout(buyer, [(sku_of(shop["a"]), 1)], options={"points": 600})
    assert services.balance(buyer) == 400
    cancel_order(buyer, order.pk)
    assert services.balance(buyer) == 1000
    assert PointsEntry.objects.filter(kind="refund", ref=f"order_spend:{order.pk}").get().points == 600


def test_paying_earns_points_per_store_and_a_refund_reverses_them_and_returns_spent_points(shop, buyer):
    services.credit(buyer, 1000, reason="x", ref="seed:1")
    order = checkout(buyer, [(sku_of(shop["a"]), 2), (sku_of(shop["b"]), 1)], options={"points": 1000})
    pay(buyer, order)
    earned = {e.ref: (e.points, e.brand_id) for e in PointsEntry.objects.filter(kind="earn", reason="order")}
    lines = {ln.sku_id: ln for ln in Order.objects.get(pk=order.pk).lines.all()}
    line_a, line_b = lines[sku_of(shop["a"]).pk], lines[sku_of(shop["b"]).pk]
    assert line_a.paid_amount + line_b.paid_amount == Decimal("135.50")  # 145.50 − ¥10 of points
    assert earned == {f"store_order:{line_a.store_order_id}": (int(line_a.paid_amount), shop["store_a"].brand_id),
                      f"store_order:{line_b.store_order_id}": (int(line_b.paid_amount), shop["store_b"].brand_id)}
    refund_order(order.pk, reason="test")
    assert PointsEntry.objects.filter(kind="reverse").aggregate(s=Sum("points"))["s"] == -sum(
        p for p, _b in earned.values())
    assert PointsEntry.objects.filter(kind="refund").aggregate(s=Sum("points"))["s"] == 1000  # one per line
    assert services.balance(buyer) == 1000 == PointsEntry.objects.aggregate(s=Sum("points"))["s"]


def test_paid_order_moving_the_buyer_up_records_tier_changed(shop, buyer):
    Tier.objects.filter(rank=1).update(min_spend=Decimal("100.00"))
    order = checkout(buyer, [(sku_of(shop["a"]), 2)])
    pay(buyer, order)
    event = Event.objects.get(name="tier_changed")
    assert event.props["to"] == "银卡会员" and event.props["from"] == "普通会员"
    assert tiers.member_status(buyer).tier.rank == 1


def test_tier_price_is_applied_on_its_line_and_kept_for_refunds(shop, buyer):
    silver = Tier.objects.get(rank=1)
    services.credit(buyer, silver.min_points, reason="x", ref="seed:1")
    TierPrice.objects.create(sku=sku_of(shop["a"]), tier=silver, price=Decimal("50.00"))
    TierPrice.objects.create(sku=sku_of(shop["a"]), tier=Tier.objects.get(rank=2), price=Decimal("40.00"))
    order = checkout(buyer, [(sku_of(shop["a"]), 2), (sku_of(shop["b"]), 1)], options={"points": 300})
    tier_share = _shares(order, "tier_price")
    assert tier_share == {sku_of(shop["a"]).pk: Decimal("20.00")}  # (60 − 50) × 2; gold's 40 is not his
    points_share = _shares(order, "points")
    assert sum(points_share.values()) == Decimal("3.00") and len(points_share) == 2
    assert order.discount_total == Decimal("23.00")


def test_no_tier_price_below_the_tier_or_on_a_play_price(shop, buyer):
    gold = Tier.objects.get(rank=2)
    TierPrice.objects.create(sku=sku_of(shop["a"]), tier=gold, price=Decimal("40.00"))
    assert checkout(buyer, [(sku_of(shop["a"]), 1)], key="plain-0001").discount_total == 0
    services.credit(buyer, gold.min_points, reason="x", ref="seed:1")
    order = place_direct_order(buyer, sku_of(shop["a"]).pk, 1, address=ADDRESS, idempotency_key="direct-0001",
                               campaign=CampaignPrice("groupbuy:1", "拼团价", Decimal("55.00")))
    assert _shares(order, "tier_price") == {} and order.discount_total == Decimal("5.00")
    member = checkout(buyer, [(sku_of(shop["a"]), 1)], key="member-0001")
    assert _shares(member, "tier_price") == {sku_of(shop["a"]).pk: Decimal("20.00")}


def test_a_partial_refund_reverses_earned_and_returns_spent_points_in_proportion(shop, buyer):
    from tribe.aftersales.services import approve_refund, request_refund

    services.credit(buyer, 1000, reason="x", ref="seed:1")
    order = checkout(buyer, [(sku_of(shop["a"]), 2)], options={"points": 1000})  # ¥120 − ¥10
    pay(buyer, order)
    line = Order.objects.get(pk=order.pk).lines.get()
    assert line.paid_amount == Decimal("110.00") and services.balance(buyer) == 110
    req = request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="不想要了", amount="55.00")
    approve_refund(shop["staff_a"], req.pk)
    assert PointsEntry.objects.get(kind="reverse").points == -55  # keeps floor(110 − 55) = 55 earned
    assert PointsEntry.objects.get(kind="refund").points == 500  # half the line's money: half its points
    assert services.balance(buyer) == 110 - 55 + 500
    req = request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="也不要了", amount="55.00")
    approve_refund(shop["staff_a"], req.pk)
    assert services.balance(buyer) == 1000  # everything back, nothing earned
    assert PointsEntry.objects.aggregate(s=Sum("points"))["s"] == 1000
