"""Promoter programs and promoters: the brand's terms, joining (always free), and staff decisions.

Anti-pyramid rules live here, in code: a program refuses `max_promoters_per_line` above 2, there is no field
for rewards on a recruit's sales, and joining or staying a promoter never requires a fee, a purchase or stock
(there is no such setting to turn on).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from .models import Promoter, PromoterProgram

User = get_user_model()
MAX_WINDOW_DAYS = 365
MAX_RATE = Decimal("0.5000")  # a promoter never earns more than half of what the buyer paid
MAX_PROMOTERS_PER_LINE = 2
PROGRAM_FIELDS = ("join_policy", "binding", "window_days", "default_rate", "reward_kind",
                  "max_promoters_per_line", "min_withdrawal", "rebate_coupon_id", "gift_sku_id", "gift_value")

# staff action -> (states it applies to, resulting state)
TRANSITIONS = {
    "approve": ({Promoter.State.PENDING, Promoter.State.REJECTED}, Promoter.State.ACTIVE),
    "reject": ({Promoter.State.PENDING}, Promoter.State.REJECTED),
    "freeze": ({Promoter.State.ACTIVE}, Promoter.State.FROZEN),
    "unfreeze": ({Promoter.State.FROZEN}, Promoter.State.ACTIVE),
    "ban": ({Promoter.State.PENDING, Promoter.State.ACTIVE, Promoter.State.FROZEN, Promoter.State.REJECTED},
            Promoter.State.BANNED),
}


def program_of(brand: Brand) -> PromoterProgram:
    """The brand's program; an unsaved one with the defaults (apply + 30-day window, 10%) if never set."""
    program = PromoterProgram.objects.filter(brand=brand).first()
    return program if program is not None else PromoterProgram(brand=brand)


def _decimal(value, field: str, *, places: int) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationFailed(f"{field}: a decimal string", fields={field: "not a valid amount"})
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{field}: a decimal string", fields={field: "not a valid amount"}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(f"{field}: must be positive", fields={field: "must be positive"})
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise ValidationFailed(f"{field}: at most {places} decimals", fields={field: f"at most {places} decimals"})
    return amount


def check_program(data: dict) -> dict:
    """Validate program settings without saving. Unknown keys are refused (there is no fee/recruit field)."""
    unknown = set(data) - set(PROGRAM_FIELDS)
    if unknown:
        raise ValidationFailed("unknown settings: " + ", ".join(sorted(unknown)),
                               fields={k: "unknown field" for k in unknown})
    errors: dict[str, str] = {}
    clean: dict = {}
    for field, choices in (("join_policy", PromoterProgram.JoinPolicy), ("binding", PromoterProgram.Binding),
                           ("reward_kind", PromoterProgram.RewardKind)):
        if field in data:
            if data[field] not in choices.values:
                errors[field] = "invalid choice"
            else:
                clean[field] = data[field]
    for field, low, high in (("window_days", 1, MAX_WINDOW_DAYS), ("max_promoters_per_line", 1, 10**6)):
        if field in data:
            value = data[field]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                errors[field] = f"an integer from {low} to {high}"
            else:
                clean[field] = value
    if "max_promoters_per_line" in clean and clean["max_promoters_per_line"] > MAX_PROMOTERS_PER_LINE:
        # Anti-pyramid: at most the attributed promoter and one assist ever earn on a line.
        errors["max_promoters_per_line"] = "at most 2"
        del clean["max_promoters_per_line"]
    for field in ("rebate_coupon_id", "gift_sku_id"):
        if field in data:
            value = data[field]
            if value is None:
                clean[field] = None
            elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value < 2**63:
                errors[field] = "an id, or null"
            else:
                clean[field] = value
    if data.get("gift_value") is None and "gift_value" in data:
        clean["gift_value"] = None
    for field, places, high in (("default_rate", 4, MAX_RATE), ("min_withdrawal", 2, Decimal("100000")),
                                ("gift_value", 2, Decimal("100000"))):
        if field in data and data[field] is not None:
            try:
                value = _decimal(data[field], field, places=places)
            except ValidationFailed as error:
                errors[field] = error.fields[field]
                continue
            if value > high:
                errors[field] = "too large"
            else:
                clean[field] = value
    if errors:
        raise ValidationFailed("invalid program settings", fields=errors)
    return clean


def _check_in_kind(brand: Brand, clean: dict) -> None:
    """The rebate coupon must be an amount-off coupon of this brand; the gift a SKU this brand sells."""
    if clean.get("rebate_coupon_id"):
        from tribe.coupons.models import CouponTemplate

        ok = CouponTemplate.objects.filter(pk=clean["rebate_coupon_id"], brand=brand, benefit="amount_off",
                                           amount__gt=0).exclude(status="ended").exists()
        if not ok:
            raise ValidationFailed("rebate_coupon_id: a running amount-off coupon of this brand",
                                   fields={"rebate_coupon_id": "unknown"})
    if clean.get("gift_sku_id"):
        from tribe.catalog.models import Sku

        if not Sku.objects.filter(pk=clean["gift_sku_id"], product__store__brand=brand).exists():
            raise ValidationFailed("gift_sku_id: a SKU sold by this brand", fields={"gift_sku_id": "unknown"})
    if clean.get("gift_value") is not None and clean["gift_value"] <= 0:
        raise ValidationFailed("gift_value: more than 0", fields={"gift_value": "must be positive"})


def save_program(user, brand: Brand, **data) -> PromoterProgram:
    """Brand staff set the program's terms. Changing them never rewrites past attributions."""
    require_brand_staff(user, brand.pk)
    clean = check_program(data)
    _check_in_kind(brand, clean)
    with transaction.atomic():
        program, _ = PromoterProgram.objects.select_for_update().get_or_create(brand=brand)
        for field, value in clean.items():
            setattr(program, field, value)
        program.save()
    return program


def _sync_user_flag(user_id: int) -> None:
    """`User.is_promoter` (the 达人 tag) follows whether the user actively promotes any brand."""
    active = Promoter.objects.filter(user_id=user_id, state=Promoter.State.ACTIVE).exists()
    User.objects.filter(pk=user_id).exclude(is_promoter=active).update(is_promoter=active)


def join(user, brand: Brand, *, request=None) -> Promoter:
    """Become a promoter of `brand` (free, always). Policy anyone → active; apply → pending until staff
    approve; invite → only a user staff invited. Idempotent for pending/active; a rejected user may apply
    again; banned is final (403), frozen must be unfrozen by staff (409)."""
    if not brand.is_active:
        raise NotFound("brand not found")
    program = program_of(brand)
    with transaction.atomic():
        promoter = Promoter.objects.select_for_update().filter(brand=brand, user=user).first()
        if promoter is not None:
            if promoter.state == Promoter.State.BANNED:
                raise PermissionDenied("you may not promote this brand", code="promoter_banned")
            if promoter.state == Promoter.State.FROZEN:
                raise Conflict("your promoter account is frozen", code="promoter_frozen")
            if promoter.state == Promoter.State.ACTIVE:
                return promoter
            if promoter.invited_at is not None:
                state = Promoter.State.ACTIVE
            elif program.join_policy == PromoterProgram.JoinPolicy.INVITE:
                raise PermissionDenied("this brand's program is by invitation only", code="invite_only")
            elif program.join_policy == PromoterProgram.JoinPolicy.ANYONE:
                state = Promoter.State.ACTIVE
            else:
                state = Promoter.State.PENDING
            promoter.state = state
            promoter.decided_at = timezone.now() if state == Promoter.State.ACTIVE else None
            promoter.save(update_fields=["state", "decided_at"])
        else:
            if program.join_policy == PromoterProgram.JoinPolicy.INVITE:
                raise PermissionDenied("this brand's program is by invitation only", code="invite_only")
            active = program.join_policy == PromoterProgram.JoinPolicy.ANYONE
            try:
                with transaction.atomic():
                    promoter = Promoter.objects.create(
                        brand=brand, user=user,
                        state=Promoter.State.ACTIVE if active else Promoter.State.PENDING,
                        decided_at=timezone.now() if active else None)
            except IntegrityError:  # a twin request joined first
                return Promoter.objects.get(brand=brand, user=user)
        _sync_user_flag(user.pk)
    return promoter


def invite(staff, brand: Brand, username: str) -> Promoter:
    """Staff invite a user: they become active when they accept (join)."""
    require_brand_staff(staff, brand.pk)
    target = User.objects.filter(username=str(username or "")[:150], is_active=True).first()
    if target is None:
        raise ValidationFailed("username: no such user", fields={"username": "unknown user"})
    with transaction.atomic():
        promoter, created = Promoter.objects.select_for_update().get_or_create(
            brand=brand, user=target, defaults={"invited_at": timezone.now()})
        if not created:
            if promoter.state == Promoter.State.BANNED:
                raise Conflict("this user is banned from the program", code="promoter_banned")
            if promoter.invited_at is None:
                promoter.invited_at = timezone.now()
                promoter.save(update_fields=["invited_at"])
    return promoter


def decide(staff, brand: Brand, promoter_id: int, action: str) -> Promoter:
    """approve | reject | freeze | unfreeze | ban, by brand staff. A move from the wrong state is a 409."""
    require_brand_staff(staff, brand.pk)
    if action not in TRANSITIONS:
        raise NotFound(f"unknown action '{action}'")
    sources, target = TRANSITIONS[action]
    with transaction.atomic():
        promoter = Promoter.objects.select_for_update().filter(brand=brand, pk=promoter_id).first()
        if promoter is None:
            raise NotFound(f"promoter {promoter_id} not found")
        if promoter.state not in sources:
            raise Conflict(f"cannot {action} a promoter who is {promoter.state}", code="bad_state")
        promoter.state = target
        promoter.decided_at = timezone.now()
        promoter.save(update_fields=["state", "decided_at"])
        _sync_user_flag(promoter.user_id)
        if target == Promoter.State.BANNED:
            from tribe.referrals.services import void_pending_for_banned

            void_pending_for_banned(promoter.user, brand.pk)  # held invite/share rewards for this brand
    return promoter


def set_product_rate(staff, product, rate) -> None:
    """A product's own rate (overrides the program's default); None removes it."""
    from .models import ProductRate

    require_brand_staff(staff, product.brand_id)
    if rate is None:
        ProductRate.objects.filter(product=product).delete()
        return
    value = _decimal(rate, "rate", places=4)
    if value > MAX_RATE:
        raise ValidationFailed("rate: too large", fields={"rate": "too large"})
    ProductRate.objects.update_or_create(product=product, defaults={"rate": value})


def set_campaign_rate(staff, brand: Brand, campaign: str, rate, *, starts_at, ends_at):
    """Brand staff set (or replace) a campaign's commission rate; rate None removes it."""
    from django.db import transaction as tx

    from tribe.core.errors import ValidationFailed
    from tribe.core.text import clean_text

    from .models import CampaignRate

    require_brand_staff(staff, brand.pk)
    campaign = clean_text(campaign, "campaign", max_length=100, required=True)
    if rate is None:
        CampaignRate.objects.filter(brand=brand, campaign=campaign).delete()
        return None
    value = _decimal(rate, "rate", places=4)
    if not Decimal("0") < value <= MAX_RATE:
        raise ValidationFailed(f"rate: above 0 and at most {MAX_RATE}", fields={"rate": "out of range"})
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationFailed("ends_at: after starts_at", fields={"ends_at": "before start"})
    with tx.atomic():
        row, _ = CampaignRate.objects.update_or_create(
            brand=brand, campaign=campaign, defaults={"rate": value, "starts_at": starts_at, "ends_at": ends_at})
    return row
