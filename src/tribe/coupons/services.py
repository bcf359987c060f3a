"""Coupon writes: templates (create/edit), granting (claim, share reward, segment, campaign), voiding, returning
and expiring. Redemption lives in tribe.coupons.redemption (the price adjuster and the order receivers).

Granting is the contended path (20 people tapping 领券 on the last 5 coupons): the template's `granted_count`
moves with one guarded UPDATE that also holds the template's row lock until commit, so the per-user count read
right after it sees every grant committed before — no read-then-write window on either limit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from tribe.brands.models import Store
from tribe.brands.selectors import require_brand_staff
from tribe.campaigns.services import check_window, play_event, require_live
from tribe.catalog.models import Category, Product
from tribe.core.errors import Conflict, NotFound, ValidationFailed
from tribe.core.money import to_money
from tribe.core.text import clean_text

from .models import Benefit, CouponTemplate, Scope, UserCoupon

U = UserCoupon.State
MAX_ID = 2**63 - 1
MAX_PRODUCTS = 200
MAX_SEGMENT = 5000
SOURCES = {c for c, _ in UserCoupon.Source.choices}
# Fields that change what an already granted coupon is worth: frozen once any coupon exists.
VALUE_FIELDS = ("benefit", "threshold", "amount", "percent_off", "max_discount", "nth", "scope", "scope_store",
                "scope_category", "valid_days", "use_from", "use_until")


# ---- templates --------------------------------------------------------------------------------------------


def _int(data: dict, name: str, *, lo: int, hi: int, default=None, required=False):
    value = data.get(name, default)
    if value in (None, ""):
        if required:
            raise ValidationFailed(f"{name}: required", fields={name: "required"})
        return None
    if isinstance(value, bool):
        raise ValidationFailed(f"{name}: a whole number", fields={name: "not a number"})
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{name}: a whole number", fields={name: "not a number"}) from None
    if not lo <= value <= hi:
        raise ValidationFailed(f"{name}: between {lo} and {hi}", fields={name: "out of range"})
    return value


def _aware(data: dict, name: str) -> datetime | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, datetime):
        raise ValidationFailed(f"{name}: a date and time", fields={name: "invalid"})
    if timezone.is_naive(value):
        raise ValidationFailed(f"{name}: give a time zone (e.g. +08:00)", fields={name: "naive"})
    return value


def check_template(brand, data: dict, *, instance: CouponTemplate | None = None) -> tuple[dict, list | None]:
    """Validate a template's fields (no writes). Returns (field values, scope product ids or None)."""
    cur = instance

    def get(key: str, default=None):
        return data.get(key, getattr(cur, key) if cur is not None else default)

    clean: dict = {
        "title": clean_text(get("title"), "title", max_length=80, required=True),
        "description": clean_text(get("description", ""), "description", max_length=500),
    }
    clean["starts_at"], clean["ends_at"] = check_window(_aware({"v": get("starts_at")}, "v"),
                                                        _aware({"v": get("ends_at")}, "v"))
    benefit = get("benefit", Benefit.AMOUNT_OFF)
    if benefit not in Benefit.values:
        raise ValidationFailed("benefit: unknown kind", fields={"benefit": "unknown"})
    clean["benefit"] = benefit
    clean["threshold"] = to_money(get("threshold", "0") or "0", field="threshold")
    clean["amount"] = to_money(get("amount", "0") or "0", field="amount")
    clean["percent_off"] = _int({"percent_off": get("percent_off", 0)}, "percent_off", lo=0, hi=100, default=0) or 0
    cap = get("max_discount")
    clean["max_discount"] = None if cap in (None, "") else to_money(cap, field="max_discount", allow_zero=False)
    clean["nth"] = _int({"nth": get("nth", 2)}, "nth", lo=2, hi=10, default=2)
    if benefit == Benefit.AMOUNT_OFF and clean["amount"] <= 0:
        raise ValidationFailed("amount: the money off must be positive", fields={"amount": "must be positive"})
    if benefit == Benefit.AMOUNT_OFF and clean["threshold"] and clean["amount"] > clean["threshold"]:
        raise ValidationFailed("amount: more than the threshold", code="bad_benefit", fields={"amount": "too large"})
    if benefit in (Benefit.PERCENT_OFF, Benefit.NTH_DISCOUNT) and not 1 <= clean["percent_off"] <= 100:
        raise ValidationFailed("percent_off: 1–100", fields={"percent_off": "out of range"})
    if benefit == Benefit.PERCENT_OFF and clean["percent_off"] == 100 and clean["max_discount"] is None:
        raise ValidationFailed("a 100% coupon needs max_discount", fields={"max_discount": "required"})

    scope = get("scope", Scope.BRAND)
    if scope not in Scope.values:
        raise ValidationFailed("scope: brand, store, category or products", fields={"scope": "unknown"})
    clean["scope"] = scope
    clean["scope_store"] = clean["scope_category"] = None
    product_ids = None
    if scope == Scope.STORE:
        sid = _int({"v": _pk(get("scope_store"))}, "v", lo=1, hi=MAX_ID, required=True)
        store = Store.objects.filter(pk=sid, brand=brand).first()
        if store is None:
            raise ValidationFailed("scope_store: not a store of this brand", fields={"scope_store": "unknown"})
        clean["scope_store"] = store
    elif scope == Scope.CATEGORY:
        cid = _int({"v": _pk(get("scope_category"))}, "v", lo=1, hi=MAX_ID, required=True)
        category = Category.objects.filter(pk=cid).first()
        if category is None:
            raise ValidationFailed("scope_category: unknown category", fields={"scope_category": "unknown"})
        clean["scope_category"] = category
    elif scope == Scope.PRODUCTS:
        raw = data.get("scope_products")
        if raw is None and cur is not None:
            raw = list(cur.scope_products.values_list("pk", flat=True))
        if not isinstance(raw, list | tuple) or not raw or len(raw) > MAX_PRODUCTS:
            raise ValidationFailed(f"scope_products: 1–{MAX_PRODUCTS} product ids",
                                   fields={"scope_products": "required"})
        ids = sorted({_int({"v": _pk(v)}, "v", lo=1, hi=MAX_ID, required=True) for v in raw})
        found = set(Product.objects.filter(Q(brand=brand) | Q(store__brand=brand), pk__in=ids)
                    .values_list("pk", flat=True))
        if found != set(ids):
            raise ValidationFailed("scope_products: not products of this brand",
                                   fields={"scope_products": f"unknown {sorted(set(ids) - found)}"})
        product_ids = ids

    total = get("total_quantity")
    clean["total_quantity"] = _int({"v": total}, "v", lo=1, hi=10_000_000) if total not in (None, "") else None
    clean["per_user_limit"] = _int({"per_user_limit": get("per_user_limit", 1)}, "per_user_limit", lo=1, hi=100,
                                   default=1)
    for flag, default in (("claimable", True), ("stackable", False), ("with_play_price", False),
                          ("exclusive", False), ("return_on_refund", True)):
        value = get(flag, default)
        if not isinstance(value, bool):
            raise ValidationFailed(f"{flag}: true or false", fields={flag: "invalid"})
        clean[flag] = value
    if clean["exclusive"] and (clean["stackable"] or clean["with_play_price"]):
        raise ValidationFailed("an exclusive coupon stacks with nothing", code="bad_stacking",
                               fields={"exclusive": "conflicts with stackable/with_play_price"})
    clean["priority"] = _int({"priority": get("priority", 0)}, "priority", lo=-100, hi=100, default=0)

    days = get("valid_days")
    clean["valid_days"] = _int({"v": days}, "v", lo=1, hi=3650) if days not in (None, "") else None
    clean["use_from"] = _aware({"use_from": get("use_from")}, "use_from")
    clean["use_until"] = _aware({"use_until": get("use_until")}, "use_until")
    if clean["valid_days"] is None and clean["use_until"] is None:
        raise ValidationFailed("give valid_days or use_until", code="bad_validity",
                               fields={"valid_days": "required"})
    if clean["valid_days"] is not None:
        clean["use_from"] = clean["use_until"] = None
    elif clean["use_from"] is not None and clean["use_until"] <= clean["use_from"]:
        raise ValidationFailed("use_until must be after use_from", code="bad_validity",
                               fields={"use_until": "before start"})
    if cur is not None and cur.total_quantity != clean["total_quantity"] and clean["total_quantity"] is not None \
            and clean["total_quantity"] < cur.granted_count:
        raise ValidationFailed(f"total_quantity: {cur.granted_count} already granted",
                               fields={"total_quantity": "below granted"})
    return clean, product_ids


def _same(a, b) -> bool:
    """Equal, comparing times to the second (a console form round-trips them without microseconds)."""
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a.replace(microsecond=0) == b.replace(microsecond=0)
    return a == b


def _pk(value):
    return getattr(value, "pk", value)


def create_template(actor, brand, data: dict) -> CouponTemplate:
    require_brand_staff(actor, brand.pk)
    clean, product_ids = check_template(brand, data)
    with transaction.atomic():
        template = CouponTemplate.objects.create(brand=brand, created_by=actor, **clean)
        if product_ids:
            template.scope_products.set(product_ids)
    return template


def update_template(actor, template: CouponTemplate, data: dict) -> CouponTemplate:
    """Edit a template. Once coupons exist, what they are worth (benefit, scope, validity) is frozen: a coupon
    in someone's wallet must not silently change value; stock, limits, texts and window stay editable."""
    require_brand_staff(actor, template.brand_id)
    clean, product_ids = check_template(template.brand, data, instance=template)
    with transaction.atomic():
        locked = CouponTemplate.objects.select_for_update().get(pk=template.pk)
        if locked.granted_count:
            old_products = sorted(locked.scope_products.values_list("pk", flat=True))
            changed = [f for f in VALUE_FIELDS if not _same(getattr(locked, f), clean[f])]
            if product_ids is not None and product_ids != old_products:
                changed.append("scope_products")
            if changed:
                raise Conflict("coupons were granted: their value can no longer change", code="coupon_template_in_use",
                               fields={f: "frozen" for f in changed})
        if clean["total_quantity"] is not None and clean["total_quantity"] < locked.granted_count:
            raise ValidationFailed(f"total_quantity: {locked.granted_count} already granted",
                                   fields={"total_quantity": "below granted"})
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.save()
        if product_ids is not None:
            locked.scope_products.set(product_ids)
        elif locked.scope != Scope.PRODUCTS:
            locked.scope_products.clear()
    return locked


# ---- granting ---------------------------------------------------------------------------------------------


def _template(template) -> CouponTemplate:
    if isinstance(template, CouponTemplate):
        return template
    if isinstance(template, bool) or not isinstance(template, int) or not 1 <= template <= MAX_ID:
        raise NotFound("no such coupon", code="coupon_not_found")
    found = CouponTemplate.objects.filter(pk=template).first()
    if found is None:
        raise NotFound("no such coupon", code="coupon_not_found")
    return found


def _validity(template: CouponTemplate, now) -> tuple[datetime, datetime]:
    if template.valid_days:
        return now, now + timedelta(days=template.valid_days)
    start = template.use_from or now
    return start, template.use_until


def grant(template, user, *, source: str, ref: str = "", request=None) -> UserCoupon:
    """Give one coupon of `template` to `user` (contract: tribe.coupons.services.grant).

    Idempotent on a non-empty `ref`: the coupon already granted for it is returned. The stock is taken with a
    guarded UPDATE (Conflict coupon_out_of_stock when none is left); the per-user limit is counted after it,
    under the template's row lock (Conflict coupon_limit). Callable inside a caller's transaction.
    """
    template = _template(template)
    if source not in SOURCES:
        raise ValidationFailed(f"source: one of {sorted(SOURCES)}", fields={"source": "unknown"})
    ref = (ref or "")[:80]
    if template.status == "ended":
        raise Conflict("the coupon campaign has ended", code="campaign_ended", fields={"campaign": template.code})
    if ref:
        existing = UserCoupon.objects.filter(template=template, ref=ref).first()
        if existing is not None:
            existing.replayed = True
            return existing
    now = timezone.now()
    valid_from, valid_to = _validity(template, now)
    if valid_to <= max(now, valid_from):
        raise Conflict("this coupon can no longer be used", code="coupon_expired")
    try:
        with transaction.atomic():
            took = CouponTemplate.objects.filter(pk=template.pk)
            if template.total_quantity is not None:
                took = took.filter(granted_count__lt=F("total_quantity"))
            if took.update(granted_count=F("granted_count") + 1) != 1:
                raise Conflict("all coupons have been claimed", code="coupon_out_of_stock")
            held = UserCoupon.objects.filter(template=template, user=user).exclude(state=U.VOID).count()
            if held >= template.per_user_limit:
                raise Conflict(f"at most {template.per_user_limit} per person", code="coupon_limit",
                               fields={"per_user_limit": template.per_user_limit})
            coupon = UserCoupon.objects.create(user=user, template=template, source=source, ref=ref,
                                               valid_from=valid_from, valid_to=valid_to)
    except IntegrityError:
        existing = UserCoupon.objects.filter(template=template, ref=ref).first() if ref else None
        if existing is None:
            raise
        existing.replayed = True
        return existing
    coupon.replayed = False
    template.granted_count += 1
    name = "coupon_claimed" if source == UserCoupon.Source.CLAIM else "coupon_granted"
    play_event(name, request, template, actor=user, obj=coupon, props={"source": source})
    return coupon


def claim(user, template_id: int, *, request=None) -> UserCoupon:
    """The public 领券 button: only a live, publicly claimable template."""
    template = _template(template_id)
    if not template.claimable:
        raise NotFound("no such coupon", code="coupon_not_found")
    require_live(template)
    return grant(template, user, source=UserCoupon.Source.CLAIM, request=request)


def void(user_coupon_id: int, *, reason: str) -> UserCoupon:
    """Take back an unused coupon (contract). Already void: returned as is. Used: Conflict coupon_used."""
    if isinstance(user_coupon_id, bool) or not isinstance(user_coupon_id, int) or not 1 <= user_coupon_id <= MAX_ID:
        raise NotFound("no such coupon", code="coupon_not_found")
    with transaction.atomic():
        moved = UserCoupon.objects.filter(pk=user_coupon_id, state__in=[U.AVAILABLE, U.LOCKED, U.EXPIRED]).update(
            state=U.VOID, void_reason=(reason or "")[:200])
        coupon = UserCoupon.objects.select_related("template").filter(pk=user_coupon_id).first()
        if coupon is None:
            raise NotFound("no such coupon", code="coupon_not_found")
        if not moved and coupon.state != U.VOID:
            raise Conflict("the coupon was already used", code="coupon_used", fields={"coupon": user_coupon_id})
    return coupon


# ---- segments ---------------------------------------------------------------------------------------------

SEGMENTS = ("followers", "fans", "buyers", "usernames")


def segment_users(brand, kind: str, *, days: int | None = None, usernames: str = ""):
    """The users of a target set who opted in to promotions (pushed grants reach only those)."""
    from tribe.accounts.models import User

    qs = User.objects.filter(is_active=True, allow_promotions=True)
    if kind == "followers":
        from tribe.social.models import Follow

        qs = qs.filter(pk__in=Follow.objects.filter(brand=brand).values("follower_id"))
    elif kind == "fans":
        from tribe.fans.models import FanMember

        qs = qs.filter(pk__in=FanMember.objects.filter(community__brand=brand).values("user_id"))
    elif kind == "buyers":
        from tribe.orders.models import OrderLine

        if days is None or not 1 <= days <= 3650:
            raise ValidationFailed("days: 1–3650", fields={"days": "out of range"})
        since = timezone.now() - timedelta(days=days)
        qs = qs.filter(pk__in=OrderLine.objects.filter(
            Q(product__brand=brand) | Q(store_order__store__brand=brand),
            order__paid_at__gte=since).values("order__user_id"))
    elif kind == "usernames":
        names = sorted({n for n in usernames.replace(",", "\n").replace("，", "\n").split() if n})
        if not names:
            raise ValidationFailed("usernames: paste at least one", fields={"usernames": "required"})
        if len(names) > MAX_SEGMENT:
            raise ValidationFailed(f"usernames: at most {MAX_SEGMENT}", fields={"usernames": "too many"})
        qs = qs.filter(username__in=names)
    else:
        raise ValidationFailed(f"segment: one of {', '.join(SEGMENTS)}", fields={"segment": "unknown"})
    return qs.order_by("pk")


def grant_segment(actor, template: CouponTemplate, kind: str, *, days: int | None = None, usernames: str = "",
                  batch: str = "", request=None) -> dict:
    """Push one coupon to each opted-in user of a target set. `batch` (a token of the form) makes a repeated
    submit grant nothing twice. Each grant is its own transaction: stock running out stops the rest."""
    require_brand_staff(actor, template.brand_id)
    if template.status == "ended":
        raise Conflict("the coupon campaign has ended", code="campaign_ended")
    batch = clean_text(batch, "batch", max_length=40) or timezone.now().strftime("%Y%m%d%H%M%S%f")
    user_ids = list(segment_users(template.brand, kind, days=days, usernames=usernames)
                    .values_list("pk", flat=True)[:MAX_SEGMENT + 1])
    if len(user_ids) > MAX_SEGMENT:
        raise ValidationFailed(f"the target set has more than {MAX_SEGMENT} users", code="segment_too_large")
    from tribe.accounts.models import User

    result = {"targets": len(user_ids), "granted": 0, "already": 0, "limit": 0, "out_of_stock": 0}
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        try:
            coupon = grant(template, user, source=UserCoupon.Source.SEGMENT, ref=f"seg:{batch}:{user.pk}",
                           request=request)
        except Conflict as exc:
            if exc.code == "coupon_out_of_stock":
                result["out_of_stock"] = len(user_ids) - sum(result[k] for k in ("granted", "already", "limit"))
                break
            if exc.code != "coupon_limit":
                raise
            result["limit"] += 1
            continue
        result["already" if coupon.replayed else "granted"] += 1
    return result


def move_template(actor, template: CouponTemplate, action: str, *, request=None) -> CouponTemplate:
    from tribe.campaigns.services import move

    return move(actor, template, action, request=request)


# ---- return and expiry ------------------------------------------------------------------------------------


def give_back(order, *, why: str) -> int:
    """Return the order's used coupons to their wallets: available again if still inside their window,
    expired otherwise. Called inside the order's transaction (cancel/expire/full refund)."""
    now = timezone.now()
    returned = 0
    rows = list(UserCoupon.objects.select_related("template").filter(order=order, state=U.USED).order_by("pk"))
    for coupon in rows:
        if why == "refunded" and not coupon.template.return_on_refund:
            continue
        target = U.AVAILABLE if coupon.valid_to > now else U.EXPIRED
        moved = UserCoupon.objects.filter(pk=coupon.pk, state=U.USED, order=order).update(
            state=target, order=None, used_at=None, discount=Decimal("0.00"))
        if moved:
            returned += 1
            play_event("coupon_returned", None, coupon.template, actor=order.user, obj=coupon,
                       props={"order": order.number, "why": why, "state": target})
    return returned


def expire_due(now=None) -> int:
    """The periodic sweep: available coupons past their window become expired."""
    now = now or timezone.now()
    return UserCoupon.objects.filter(state=U.AVAILABLE, valid_to__lte=now).update(state=U.EXPIRED)
