"""Points at checkout and on orders: the points adjuster, and what order lifecycle signals do to the ledger.

Spending: checkout options `{"points": N}`. The adjuster (priority 80, after tier prices, plays and coupons)
turns N points into money off — 100 points = ¥1 (TRIBE_POINTS_REDEEM_RATE), at most TRIBE_POINTS_MAX_PERCENT
of the goods payable — and refuses N beyond the balance (409 insufficient_points) in the quote and at
placement alike. The spend entry is written on order_placed inside the order's transaction (ref
"order_spend:<order id>"), under the account lock, so a balance raced away since the quote refuses the order
and nothing is written. Given back on order_cancelled, and in proportion on line_refunded.

Earning: on order_paid, each store order earns points for its goods paid (TRIBE_POINTS_PER_YUAN, ref
"store_order:<id>", brand = the store's brand); line_refunded reverses them so the points kept always match
what is still paid.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from tribe.core.errors import Conflict, NotAuthenticated, ValidationFailed
from tribe.core.events import record_event
from tribe.orders.pricing import Adjustment, PricingContext

from . import conf, services, tiers
from .models import PointsEntry

ZERO = Decimal("0.00")
POINTS_CODE = "points"


def max_points_for(payable: Decimal) -> int:
    """The most points an order with this goods payable can use (the percent cap)."""
    cap_money = payable * conf.max_percent() / 100
    return max(0, math.floor(cap_money * conf.redeem_rate()))


def points_offer(user, payable: Decimal) -> dict:
    """For the checkout page: the balance, how many points this order could use, and what they are worth."""
    bal = services.balance(user) if user is not None and user.is_authenticated else 0
    usable = min(bal, max_points_for(payable))
    return {"balance": bal, "usable": usable, "value": conf.points_to_money(usable), "rate": conf.redeem_rate(),
            "max_percent": conf.max_percent()}


def points_adjuster(ctx: PricingContext) -> list[Adjustment]:
    requested = (ctx.options or {}).get("points")
    if requested is None or requested == 0:
        return []
    if isinstance(requested, bool) or not isinstance(requested, int) or not 0 <= requested <= services.MAX_POINTS:
        raise ValidationFailed("points: a whole number of points", code="invalid_points",
                               fields={"points": "invalid"})
    user = ctx.user
    if user is None or not user.is_authenticated:
        raise NotAuthenticated("sign in to use points")
    available = services.balance(user)
    if requested > available:
        raise Conflict(f"not enough points: {available} available, {requested} requested",
                       code="insufficient_points", fields={"points": f"only {available} available"})
    payable = sum((ln.payable for ln in ctx.lines), ZERO)
    used = min(requested, max_points_for(payable))
    amount = conf.points_to_money(used)
    if amount <= 0:
        return []
    return [Adjustment(POINTS_CODE, _("积分抵扣"), amount)]


def on_order_placed(order) -> None:
    """Inside place_order's transaction: write the spend the points discount stands for (refuses the whole
    order with insufficient_points if the balance went since the quote)."""
    if order.discount_total <= 0:
        return
    from tribe.orders.models import LineAdjustment

    amount = LineAdjustment.objects.filter(line__order=order, code=POINTS_CODE).aggregate(
        s=Coalesce(Sum("amount"), ZERO))["s"]
    if amount <= 0:
        return
    services.spend(order.user, conf.money_to_points(amount), reason="checkout", ref=f"order_spend:{order.pk}")


def on_order_cancelled(order) -> None:
    services.refund_spend(f"order_spend:{order.pk}", reason="order_cancelled")


def on_order_paid(order) -> None:
    """Earn points per store order for its goods paid; record tier_changed when this order moves the buyer up.
    The tier before the order is derived from the one after (minus this order's goods and points), so the
    check costs the three queries of one member_status."""
    from tribe.orders.models import StoreOrder

    parts = list(StoreOrder.objects.filter(order=order).select_related("store")
                 .annotate(goods=Coalesce(Sum("lines__paid_amount"), ZERO)))
    earned = 0
    for so in parts:
        points = conf.earned_for(so.goods)
        if points > 0 and services.credit(order.user_id, points, reason="order", ref=f"store_order:{so.pk}",
                                          brand_id=so.store.brand_id) is not None:
            earned += points
    goods = sum((so.goods for so in parts), ZERO)
    if goods <= 0:
        return
    all_tiers = tiers.active_tiers()
    after = tiers.member_status(order.user_id, tiers=all_tiers)
    if after.tier is None:
        return
    before = None
    for t in all_tiers:
        if tiers.reaches(t, after.spend - goods, after.points - earned):
            before = t
    if before is None or before.rank < after.tier.rank:
        record_event("tier_changed", None, actor=services._actor(order.user_id), obj=order,
                     props={"from": before.name if before else "", "to": after.tier.name, "rank": after.tier.rank})


def on_line_refunded(line, amount) -> None:
    _reverse_earned(line.store_order_id)
    _give_back_spent(line.order_id)


def _reverse_earned(store_order_id: int) -> None:
    """Keep the points earned by a store order equal to what its goods paid minus refunded still earn."""
    from tribe.orders.models import OrderLine

    ref = f"store_order:{store_order_id}"
    earned = PointsEntry.objects.filter(kind=PointsEntry.Kind.EARN, ref=ref).first()
    if earned is None:
        return
    still = OrderLine.objects.filter(store_order_id=store_order_id).aggregate(
        paid=Coalesce(Sum("paid_amount"), ZERO), refunded=Coalesce(Sum("refunded_amount"), ZERO))
    should_keep = conf.earned_for(still["paid"] - still["refunded"])
    reversed_ = -PointsEntry.objects.filter(kind=PointsEntry.Kind.REVERSE, ref=ref).aggregate(
        s=Coalesce(Sum("points"), 0))["s"]
    excess = earned.points - reversed_ - should_keep
    if excess > 0:
        services.reverse(ref, reason="line_refunded", points=excess)


def _give_back_spent(order_id: int) -> None:
    """Give back the points a refunded line paid with, in proportion to the money refunded on it (all of them
    once the line is fully refunded)."""
    from tribe.orders.models import LineAdjustment

    ref = f"order_spend:{order_id}"
    spent = PointsEntry.objects.filter(kind=PointsEntry.Kind.SPEND, ref=ref).first()
    if spent is None:
        return
    shares = list(LineAdjustment.objects.filter(line__order_id=order_id, code=POINTS_CODE)
                  .values_list("amount", "line__paid_amount", "line__refunded_amount"))
    total_points = -spent.points
    total_amount = sum((a for a, _p, _r in shares), ZERO)
    if total_amount <= 0:
        return
    target = 0
    for share, paid, refunded in shares:
        line_points = math.floor(total_points * share / total_amount)
        if paid > 0 and refunded >= paid:
            target += line_points
        elif paid > 0:
            target += math.floor(line_points * refunded / paid)
    if all(paid > 0 and refunded >= paid for _s, paid, refunded in shares):
        target = total_points  # everything paid with points refunded: all of them back, rounding included
    given = PointsEntry.objects.filter(kind=PointsEntry.Kind.REFUND, ref=ref).aggregate(
        s=Coalesce(Sum("points"), 0))["s"]
    if target - given > 0:
        services.refund_spend(ref, reason="line_refunded", points=target - given)
