"""Buy with friends (好友同款): deals made when an order is paid, the checkout adjuster that applies a friend's
deal, and the use + reward recorded when the friend's order is paid."""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tribe.core.errors import Conflict, NotFound
from tribe.orders.models import LineAdjustment, Order
from tribe.orders.pricing import Adjustment, PricingContext

from .models import FriendDeal, FriendDealPolicy, FriendDealUse, Reward

PREFIX = "friend_deal:"
DEAD = (Order.Status.CANCELLED, Order.Status.EXPIRED)  # orders whose reserved use is given back
SESSION_KEY = "tribe_friend_deal"
FEN = Decimal("0.01")


def make_deals(order: Order) -> list[FriendDeal]:
    """After payment: one deal per product of the order whose brand enabled buy-with-friends."""
    lines = list(order.lines.select_related("product"))
    policies = {p.brand_id: p for p in FriendDealPolicy.objects.filter(
        brand_id__in={ln.product.brand_id for ln in lines}, enabled=True)}
    made = []
    for product in {ln.product_id: ln.product for ln in lines}.values():
        policy = policies.get(product.brand_id)
        if policy is None:
            continue
        try:
            with transaction.atomic():
                made.append(FriendDeal.objects.create(
                    owner_id=order.user_id, order=order, product=product, code=secrets.token_urlsafe(9)[:12],
                    percent=policy.percent, max_uses=policy.max_uses, reward_points=policy.reward_points,
                    expires_at=timezone.now() + timedelta(hours=policy.hours)))
        except IntegrityError:
            continue
    return made


def find_open(code: str | None, *, now=None) -> FriendDeal | None:
    if not code or len(code) > 20:
        return None
    deal = FriendDeal.objects.select_related("product").filter(code=code).first()
    if deal is None or deal.expires_at <= (now or timezone.now()):
        return None
    return deal


def open_deal(request, code: str) -> FriendDeal:
    deal = find_open(code)
    if deal is None:
        raise NotFound("this friend deal does not exist or has expired", code="deal_expired")
    request.session[SESSION_KEY] = deal.code
    return deal


def adjuster(ctx: PricingContext) -> list[Adjustment]:
    """Applies the friend deal named in checkout options to one unit of its product."""
    deal = find_open((ctx.options or {}).get("friend_deal"))
    user = ctx.user
    if deal is None or user is None or not user.is_authenticated or deal.owner_id == user.pk:
        return []
    live = deal.uses.exclude(order__status__in=DEAD)
    if live.count() >= deal.max_uses or live.filter(buyer=user).exists():
        return []
    lines = [ln for ln in ctx.lines if ln.product.pk == deal.product_id]
    if not lines:
        return []
    amount = (lines[0].unit_price * deal.percent).quantize(FEN, rounding=ROUND_DOWN)
    if amount <= 0:
        return []
    label = _("好友同款立减 %(p)s%%") % {"p": int(deal.percent * 100)}
    return [Adjustment(PREFIX + deal.code, label, amount, [lines[0].key])]


def reserve_on_placement(order: Order) -> FriendDealUse | None:
    """Inside place_order's transaction: an order priced with a friend deal takes one of the deal's uses, under
    the deal's row lock. If the uses ran out (or this friend already has one) since the price was quoted, the
    order is refused and nothing is written: the discount is never given more often than the deal allows."""
    code = (LineAdjustment.objects.filter(line__order=order, code__startswith=PREFIX)
            .values_list("code", flat=True).first())
    if code is None:
        return None
    deal = FriendDeal.objects.select_for_update().filter(code=code[len(PREFIX):]).first()
    refused = Conflict(_("好友同款优惠的名额已用完或已失效，请返回购物车重新结算"), code="friend_deal_unavailable")
    if deal is None or deal.owner_id == order.user_id or deal.expires_at <= timezone.now():
        raise refused
    FriendDealUse.objects.filter(deal=deal, buyer_id=order.user_id, order__status__in=DEAD).delete()
    live = deal.uses.exclude(order__status__in=DEAD)
    if live.count() >= deal.max_uses or live.filter(buyer_id=order.user_id).exists():
        raise refused
    return FriendDealUse.objects.create(deal=deal, order=order, buyer_id=order.user_id)


def record_use(order: Order) -> Reward | None:
    """Inside the friend's payment: the use reserved at placement earns the owner a reward (once)."""
    from .services import _create_reward

    use = FriendDealUse.objects.select_related("deal__owner").filter(order=order).first()
    if use is None:
        return None
    return _create_reward(Reward.Kind.FRIEND_DEAL, use.deal.owner, order, amount=use.deal.reward_points)
