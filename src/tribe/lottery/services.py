"""Configuring a lottery (brand staff): create/edit, prizes, restock, start/pause/resume/end.

Drawing, sharing, claiming and the order hooks are in tribe.lottery.draws. Prizes — kinds, weights — can only
be changed while the lottery is a draft: once it is published its odds are a promise to the players. Stock may be
added at any time (the restock is counted in `initial_stock`, so the audit keeps reconciling).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max

from tribe.brands.selectors import require_brand_staff
from tribe.campaigns import services as plays
from tribe.campaigns.models import PlayStatus
from tribe.core.errors import Conflict, NotFound, ValidationFailed
from tribe.core.money import to_money

from .models import PERMILLE, Lottery, Prize

MAX_SMALL = 32767
MAX_INT = 2**31 - 1


def _int(value, field: str, *, low: int = 0, high: int = MAX_SMALL) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(f"{field}: a whole number", fields={field: "not a number"})
    if isinstance(value, str):
        value = value.strip() or "0"
        if not value.isdigit():
            raise ValidationFailed(f"{field}: a whole number", fields={field: "not a number"})
        value = int(value) if len(value) < 12 else high + 1
    if not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"{field}: between {low} and {high}", fields={field: "out of range"})
    return value


def _text(value, field: str, max_length: int, *, required: bool = False) -> str:
    text = " ".join(str(value or "").split())
    if "\x00" in text:
        raise ValidationFailed(f"{field}: invalid character", fields={field: "invalid character"})
    if required and not text:
        raise ValidationFailed(f"{field}: required", fields={field: "required"})
    if len(text) > max_length:
        raise ValidationFailed(f"{field}: at most {max_length} characters", fields={field: f"max {max_length}"})
    return text


LOTTERY_FIELDS = ("title", "description", "starts_at", "ends_at", "odds_mode", "points_cost", "order_min_amount",
                  "chances_per_order", "share_enabled", "daily_limit", "total_limit", "claim_days")


def _clean_lottery(data: dict, current: Lottery | None) -> dict:
    unknown = set(data) - set(LOTTERY_FIELDS)
    if unknown:
        raise ValidationFailed(f"unknown fields: {', '.join(sorted(unknown))}", fields={k: "unknown" for k in unknown})
    merged = {f: getattr(current, f) for f in LOTTERY_FIELDS} if current else {}
    merged.update(data)
    clean = {
        "title": _text(merged.get("title"), "title", 80, required=True),
        "description": _text(merged.get("description"), "description", 500),
        "points_cost": _int(merged.get("points_cost", 0), "points_cost", high=MAX_INT),
        "chances_per_order": _int(merged.get("chances_per_order", 1), "chances_per_order", low=1, high=100),
        "share_enabled": bool(merged.get("share_enabled", False)),
        "daily_limit": _int(merged.get("daily_limit", 0), "daily_limit"),
        "total_limit": _int(merged.get("total_limit", 0), "total_limit"),
        "claim_days": _int(merged.get("claim_days", 7), "claim_days", low=1, high=365),
    }
    mode = merged.get("odds_mode") or Lottery.Odds.PERMILLE
    if mode not in Lottery.Odds.values:
        raise ValidationFailed("odds_mode: weight or permille", fields={"odds_mode": "unknown"})
    clean["odds_mode"] = mode
    minimum = merged.get("order_min_amount")
    if minimum in (None, ""):
        clean["order_min_amount"] = None
    else:
        clean["order_min_amount"] = to_money(minimum, field="order_min_amount", allow_zero=False)
    clean["starts_at"], clean["ends_at"] = plays.check_window(merged.get("starts_at"), merged.get("ends_at"))
    if clean["daily_limit"] and clean["total_limit"] and clean["daily_limit"] > clean["total_limit"]:
        raise ValidationFailed("daily_limit must not exceed total_limit", fields={"daily_limit": "above total"})
    return clean


def create_lottery(actor, brand, **data) -> Lottery:
    require_brand_staff(actor, brand.pk)
    clean = _clean_lottery(data, None)
    with transaction.atomic():
        lottery = Lottery.objects.create(brand=brand, created_by=actor, **clean)
        plays.play_event("campaign_create", None, lottery, actor=actor)
    return lottery


def update_lottery(actor, lottery: Lottery, **data) -> Lottery:
    """Edit a lottery that has not ended. The odds mode is fixed once published (it changes every prize's
    probability); entry settings and limits may change (they apply to draws from now on)."""
    require_brand_staff(actor, lottery.brand_id)
    with transaction.atomic():
        locked = Lottery.objects.select_for_update().get(pk=lottery.pk)
        if locked.status == PlayStatus.ENDED:
            raise Conflict("the lottery has ended", code="campaign_ended")
        clean = _clean_lottery(data, locked)
        if locked.status != PlayStatus.DRAFT and clean["odds_mode"] != locked.odds_mode:
            raise Conflict("the odds mode cannot change after publishing", code="odds_locked",
                           fields={"odds_mode": "locked"})
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.save()
    return locked


def _prize_fields(lottery: Lottery, data: dict) -> dict:
    kind = data.get("kind")
    if kind not in Prize.Kind.values:
        raise ValidationFailed("kind: coupon, points, goods or none", fields={"kind": "unknown"})
    clean = {"kind": kind, "name": _text(data.get("name"), "name", 60, required=True),
             "weight": _int(data.get("weight"), "weight", low=1, high=10**9),
             "coupon_template_id": None, "points": 0, "sku": None}
    stock = 0 if kind == Prize.Kind.NONE else _int(data.get("stock"), "stock", low=1, high=10**7)
    if kind == Prize.Kind.POINTS:
        clean["points"] = _int(data.get("points"), "points", low=1, high=10**7)
    elif kind == Prize.Kind.COUPON:
        clean["coupon_template_id"] = _coupon_template(lottery, data.get("coupon_template_id"))
    elif kind == Prize.Kind.GOODS:
        clean["sku"] = _goods_sku(lottery, data.get("sku_id"))
    clean["stock"] = clean["initial_stock"] = stock
    return clean


def _coupon_template(lottery: Lottery, value) -> int:
    pk = _int(value, "coupon_template_id", low=1, high=2**63 - 1)
    try:
        from tribe.coupons.models import CouponTemplate
    except ImportError:
        raise ValidationFailed("coupons are not available", code="coupons_unavailable",
                               fields={"coupon_template_id": "unavailable"}) from None
    template = CouponTemplate.objects.filter(pk=pk).first()
    if template is None or getattr(template, "brand_id", lottery.brand_id) != lottery.brand_id:
        raise ValidationFailed("coupon_template_id: not a coupon of this brand",
                               fields={"coupon_template_id": "unknown"})
    return pk


def _goods_sku(lottery: Lottery, value):
    from tribe.catalog.models import Sku

    pk = _int(value, "sku_id", low=1, high=2**63 - 1)
    sku = Sku.objects.select_related("product").filter(pk=pk, is_active=True).first()
    if sku is None or sku.product.brand_id != lottery.brand_id:
        raise ValidationFailed("sku_id: not a SKU of this brand", fields={"sku_id": "unknown"})
    return sku


def _draft(actor, lottery: Lottery) -> Lottery:
    require_brand_staff(actor, lottery.brand_id)
    locked = Lottery.objects.select_for_update().get(pk=lottery.pk)
    if locked.status != PlayStatus.DRAFT:
        raise Conflict("prizes can only change while the lottery is a draft (its odds are published)",
                       code="prizes_locked", fields={"status": locked.status})
    return locked


def add_prize(actor, lottery: Lottery, **data) -> Prize:
    with transaction.atomic():
        locked = _draft(actor, lottery)
        clean = _prize_fields(locked, data)
        position = (locked.prizes.aggregate(m=Max("position"))["m"] or 0) + 1
        prize = Prize.objects.create(lottery=locked, position=position, **clean)
        _check_weights(locked)
    return prize


def update_prize(actor, prize: Prize, **data) -> Prize:
    with transaction.atomic():
        locked = _draft(actor, prize.lottery)
        merged = {"kind": prize.kind, "name": prize.name, "weight": prize.weight, "stock": prize.stock,
                  "points": prize.points, "coupon_template_id": prize.coupon_template_id, "sku_id": prize.sku_id}
        merged.update(data)
        clean = _prize_fields(locked, merged)
        for key, value in clean.items():
            setattr(prize, key, value)
        prize.save()
        _check_weights(locked)
    return prize


def delete_prize(actor, prize: Prize) -> None:
    with transaction.atomic():
        _draft(actor, prize.lottery)
        prize.delete()


def restock(actor, prize: Prize, quantity) -> Prize:
    """Add units to a prize at any time (not for "none"). Both counters move, so given = initial − left."""
    require_brand_staff(actor, prize.lottery.brand_id)
    n = _int(quantity, "quantity", low=1, high=10**7)
    if prize.kind == Prize.Kind.NONE:
        raise ValidationFailed("a 谢谢参与 prize has no stock", fields={"quantity": "no stock"})
    with transaction.atomic():
        Prize.objects.filter(pk=prize.pk).update(stock=F("stock") + n, initial_stock=F("initial_stock") + n)
    prize.refresh_from_db(fields=["stock", "initial_stock"])
    return prize


def _check_weights(lottery: Lottery) -> None:
    total = sum(lottery.prizes.values_list("weight", flat=True))
    if lottery.odds_mode == Lottery.Odds.PERMILLE and total > PERMILLE:
        raise ValidationFailed(f"the prizes' permille add up to {total}‰, more than 1000‰",
                               code="odds_over_100", fields={"weight": "over 1000 in total"})


def move(actor, lottery: Lottery, action: str, *, request=None) -> Lottery:
    """start | pause | resume | end. Starting needs at least one prize (and permille at most 1000 in total)."""
    if action == "start":
        require_brand_staff(actor, lottery.brand_id)
        if not lottery.prizes.exists():
            raise Conflict("add at least one prize before starting", code="no_prizes")
        _check_weights(lottery)
    return plays.move(actor, lottery, action, request=request)


def brand_lottery(brand_id: int, pk: int) -> Lottery:
    lottery = Lottery.objects.filter(pk=pk, brand_id=brand_id).first() if 1 <= pk <= 2**63 - 1 else None
    if lottery is None:
        raise NotFound(f"lottery {pk} not found")
    return lottery

