"""Member tiers (computed, never stored) and tier prices (会员价) with their checkout adjuster.

A user's tier follows from rows on every read: goods paid in the trailing window (order lines' paid minus
refunded amounts of paid orders) and lifetime points earned (earn entries minus reversals). So a refund that
takes a buyer back below a threshold takes the tier back too, and no number can be edited to fake a tier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tribe.brands.selectors import require_brand_staff
from tribe.core.errors import NotFound, ValidationFailed
from tribe.core.money import to_money
from tribe.orders.pricing import Adjustment, PricingContext

from . import conf
from .models import PointsEntry, Tier, TierPrice

ZERO = Decimal("0.00")
TIER_PRICE_CODE = "tier_price"


@dataclass
class MemberStatus:
    tier: Tier | None
    next_tier: Tier | None
    spend: Decimal  # goods paid in the trailing window
    points: int  # lifetime points earned (net of reversals)
    window_days: int

    @property
    def to_next_spend(self) -> Decimal | None:
        t = self.next_tier
        return max(ZERO, t.min_spend - self.spend) if t and t.min_spend is not None else None

    @property
    def to_next_points(self) -> int | None:
        t = self.next_tier
        return max(0, t.min_points - self.points) if t and t.min_points is not None else None

    @property
    def progress_percent(self) -> int:
        """How far towards the next tier, by whichever path (spend or points) is further along."""
        t = self.next_tier
        if t is None:
            return 100
        parts = []
        if t.min_spend:
            parts.append(float(self.spend / t.min_spend))
        if t.min_points:
            parts.append(self.points / t.min_points)
        return int(min(1.0, max(parts, default=0.0)) * 100)


def active_tiers() -> list[Tier]:
    return list(Tier.objects.filter(is_active=True).order_by("rank"))


def spend_in_window(user_id: int, now: datetime, *, exclude_order_id: int | None = None) -> Decimal:
    from tribe.orders.models import OrderLine

    qs = OrderLine.objects.filter(order__user_id=user_id, order__paid_at__isnull=False,
                                  order__paid_at__gt=now - timedelta(days=conf.tier_window_days()))
    if exclude_order_id is not None:
        qs = qs.exclude(order_id=exclude_order_id)
    return qs.aggregate(s=Coalesce(Sum(F("paid_amount") - F("refunded_amount")), ZERO))["s"]


def lifetime_points(user_id: int) -> int:
    return PointsEntry.objects.filter(
        user_id=user_id, kind__in=[PointsEntry.Kind.EARN, PointsEntry.Kind.REVERSE]
    ).aggregate(s=Coalesce(Sum("points"), 0))["s"]


def reaches(tier: Tier, spend: Decimal, points: int) -> bool:
    return ((tier.min_spend is not None and spend >= tier.min_spend)
            or (tier.min_points is not None and points >= tier.min_points))


def member_status(user, *, now: datetime | None = None, exclude_order_id: int | None = None,
                  tiers: list[Tier] | None = None) -> MemberStatus:
    uid = user if isinstance(user, int) else user.pk
    now = now or timezone.now()
    tiers = active_tiers() if tiers is None else tiers
    spend = spend_in_window(uid, now, exclude_order_id=exclude_order_id)
    points = lifetime_points(uid)
    current = None
    for t in tiers:
        if reaches(t, spend, points):
            current = t
    above = [t for t in tiers if current is None or t.rank > current.rank]
    return MemberStatus(tier=current, next_tier=above[0] if above else None, spend=spend, points=points,
                        window_days=conf.tier_window_days())


# --- tier prices (the brand's console) ---

def _brand_sku(brand, sku_id):
    from tribe.catalog.models import Sku

    sku = (Sku.objects.select_related("product").filter(pk=sku_id)
           .filter(Q(product__store__brand=brand) | Q(product__brand=brand)).first()
           if isinstance(sku_id, int) and 0 < sku_id < 2**63 else None)
    if sku is None:
        raise NotFound("no such SKU among the brand's products", code="unknown_sku", fields={"sku_id": "unknown"})
    return sku


def _member_tier(tier_id) -> Tier:
    tier = (Tier.objects.filter(pk=tier_id, is_active=True, rank__gt=0).first()
            if isinstance(tier_id, int) and 0 < tier_id < 2**31 else None)
    if tier is None:
        raise NotFound("no such member tier", code="unknown_tier", fields={"tier_id": "unknown"})
    return tier


def set_tier_price(actor, brand, *, sku_id: int, tier_id: int, price) -> TierPrice:
    """Set (or change) the member price of one of the brand's SKUs for one tier; it must be below the list price."""
    require_brand_staff(actor, brand.pk)
    sku = _brand_sku(brand, sku_id)
    tier = _member_tier(tier_id)
    amount = to_money(price, field="price")
    if amount >= sku.price:
        raise ValidationFailed(f"price: must be below the list price {sku.price}", code="tier_price_too_high",
                               fields={"price": "must be below the list price"})
    with transaction.atomic():
        row, _created = TierPrice.objects.update_or_create(sku=sku, tier=tier,
                                                           defaults={"price": amount, "updated_by": actor})
    return row


def remove_tier_price(actor, brand, tier_price_id: int) -> None:
    require_brand_staff(actor, brand.pk)
    deleted, _n = TierPrice.objects.filter(
        Q(sku__product__store__brand=brand) | Q(sku__product__brand=brand),
        pk=tier_price_id if isinstance(tier_price_id, int) and 0 < tier_price_id < 2**63 else 0).delete()
    if not deleted:
        raise NotFound("no such tier price", fields={"tier_price_id": "unknown"})


def brand_tier_prices(brand):
    return (TierPrice.objects.filter(Q(sku__product__store__brand=brand) | Q(sku__product__brand=brand))
            .select_related("sku__product", "tier").order_by("sku__product_id", "sku_id", "tier__rank"))


# --- checkout ---

def _has_play_price(line) -> bool:
    return any(":" in code for code, _label, _amount in line.shares)


def tier_price_adjuster(ctx: PricingContext) -> list[Adjustment]:
    """Priority 30: the member's best tier price on each line that carries no play price (a campaign's code
    "<kind>:<pk>" on the line, or a direct order of a play). One query when no tier price exists for the
    lines' SKUs; the tier is computed only when one does."""
    user = ctx.user
    if user is None or not getattr(user, "is_authenticated", False) or (ctx.options or {}).get("campaign"):
        return []
    lines = [ln for ln in ctx.lines if not _has_play_price(ln)]
    if not lines:
        return []
    prices = list(TierPrice.objects.filter(sku_id__in=sorted({ln.key for ln in lines}), tier__is_active=True)
                  .select_related("tier"))
    if not prices:
        return []
    status = member_status(user)
    if status.tier is None:
        return []
    best: dict[int, TierPrice] = {}
    for tp in prices:
        if tp.tier.rank <= status.tier.rank and (tp.sku_id not in best or tp.price < best[tp.sku_id].price):
            best[tp.sku_id] = tp
    adjustments = []
    for ln in lines:
        tp = best.get(ln.key)
        if tp is None:
            continue
        off = (ln.unit_price - tp.price) * ln.quantity
        if off > 0:
            adjustments.append(Adjustment(TIER_PRICE_CODE, _("%(tier)s会员价") % {"tier": tp.tier.name}, off,
                                          [ln.key]))
    return adjustments
