"""Referral and share rewards: attach an invitee at registration, reward real first purchases, run the fraud
checks, hold suspicious rewards for the brand's review, void rewards of fully refunded orders and banned users.

A reward is only ever created from a PAID order (orders.signals.order_paid), never at sign-up, and at most one
reward of each kind per order (a unique constraint). The cap per inviter per period is enforced under a lock
on the inviter's row, so two racing first purchases cannot both slip under it.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from tribe.brands.selectors import can_manage_brand
from tribe.core.errors import Conflict, NotFound, PermissionDenied
from tribe.core.events import record_event
from tribe.core.sharing import decode_sharer, encode_sharer
from tribe.orders.models import Address, Order

from .models import Referral, Reward, Sighting

User = get_user_model()
S = Order.Status
# "has bought before": paid or later, including orders refunded in full afterwards (closed)
PAID_STATUSES = (S.PAID, S.PARTIALLY_SHIPPED, S.SHIPPED, S.RECEIVED, S.COMPLETED, S.CLOSED)
SESSION_KEY = "tribe_invite"
DEVICE_COOKIE = "tribe_did"
NEW_ACCOUNT_MINUTES = 10


def conf(name: str, default):
    return getattr(settings, name, default)


# --- who and where -------------------------------------------------------------------------------------------

def client_ip(request) -> str | None:
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def fingerprint(request) -> str:
    """A browser fingerprint: the device cookie (set on the invite page) with user agent and languages."""
    if request is None:
        return ""
    raw = "|".join([request.COOKIES.get(DEVICE_COOKIE, ""), request.META.get("HTTP_USER_AGENT", ""),
                    request.META.get("HTTP_ACCEPT_LANGUAGE", "")])
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def note_sighting(user, request) -> None:
    if user is None or not user.is_authenticated or request is None:
        return
    Sighting.objects.get_or_create(user=user, ip=client_ip(request), fingerprint=fingerprint(request))


def invite_code(user) -> str:
    return encode_sharer(user.pk)


def inviter_for_code(code: str):
    inviter_id = decode_sharer(code or "")
    inviter = User.objects.filter(pk=inviter_id, is_active=True).first() if inviter_id else None
    if inviter is None:
        raise NotFound("invite link not valid", code="invalid_invite")
    return inviter


def remember_invite(request, code: str):
    inviter = inviter_for_code(code)
    request.session[SESSION_KEY] = inviter.pk
    return inviter


def attach_at_registration(request, user) -> Referral | None:
    """Called when a user signs in: if they just registered through an invite link, record who invited them."""
    inviter_id = request.session.pop(SESSION_KEY, None) if request is not None else None
    if not inviter_id or inviter_id == user.pk:
        return None
    joined = User.objects.filter(pk=user.pk).values_list("date_joined", flat=True).first()
    if joined is None or joined < timezone.now() - timedelta(minutes=NEW_ACCOUNT_MINUTES):
        return None  # an existing account cannot be "invited"
    inviter = User.objects.filter(pk=inviter_id, is_active=True).first()
    if inviter is None:
        return None
    try:
        with transaction.atomic():
            referral = Referral.objects.create(inviter=inviter, invitee=user, ip=client_ip(request),
                                               fingerprint=fingerprint(request))
    except IntegrityError:
        return None
    record_event("invite", request, actor=user, props={"inviter_id": inviter.pk})
    return referral


# --- rewards -------------------------------------------------------------------------------------------------

def _is_first_paid_order(order: Order) -> bool:
    return not Order.objects.filter(user_id=order.user_id, status__in=PAID_STATUSES).exclude(pk=order.pk).exists()


def _order_brand_id(order: Order) -> int | None:
    line = order.lines.select_related("product").order_by("id").first()
    return line.product.brand_id if line else None


def fraud_reasons(beneficiary, order: Order, *, ip: str | None, fp: str, kind: str) -> list[str]:
    """The checks that fired, for the reviewer. Empty: nothing suspicious."""
    reasons = []
    sightings = Sighting.objects.filter(user=beneficiary)
    if (fp and sightings.filter(fingerprint=fp).exists()) or (ip and sightings.filter(ip=ip).exists()):
        reasons.append("same_device")
    phones = set(Address.objects.filter(user=beneficiary).values_list("phone", flat=True))
    phones |= set(Order.objects.filter(user=beneficiary).values_list("ship_phone", flat=True))
    places = set(Order.objects.filter(user=beneficiary).values_list("ship_city", "ship_district", "ship_detail"))
    if order.ship_phone in phones or (order.ship_city, order.ship_district, order.ship_detail) in places:
        reasons.append("same_address_or_phone")
    if kind == Reward.Kind.INVITE:
        hour_ago = timezone.now() - timedelta(hours=1)
        if Referral.objects.filter(inviter=beneficiary, created_at__gte=hour_ago).count() > conf(
                "REFERRAL_BURST_PER_HOUR", 5):
            reasons.append("referral_burst")
    if ip and Reward.objects.filter(ip=ip, state__in=[Reward.State.GRANTED, Reward.State.HELD]).count() >= conf(
            "REWARDS_PER_IP", 3):
        reasons.append("ip_limit")
    return reasons


def _create_reward(kind: str, beneficiary, order: Order, *, referral=None, ip=None, fp="",
                   amount: Decimal | None = None) -> Reward | None:
    # lock the beneficiary: the cap and the burst count are checked and written under this lock
    User.objects.select_for_update().filter(pk=beneficiary.pk).first()
    reasons = fraud_reasons(beneficiary, order, ip=ip, fp=fp, kind=kind)
    period = timezone.now() - timedelta(days=conf("REWARD_CAP_DAYS", 30))
    counted = Reward.objects.filter(beneficiary=beneficiary, kind=kind, created_at__gte=period,
                                    state__in=[Reward.State.GRANTED, Reward.State.HELD]).count()
    if amount is None:
        amount = Decimal(str(conf("REFERRAL_REWARD_POINTS" if kind == Reward.Kind.INVITE else "SHARE_REWARD_POINTS",
                                  100 if kind == Reward.Kind.INVITE else 50)))
    cap_name = {Reward.Kind.INVITE: "REFERRAL_REWARD_CAP", Reward.Kind.SHARE: "SHARE_REWARD_CAP"}.get(
        kind, "FRIEND_DEAL_REWARD_CAP")
    cap = conf(cap_name, 20)
    if reasons:
        state = Reward.State.HELD
    elif counted >= cap:
        state, amount = Reward.State.CAPPED, Decimal("0.00")
    else:
        state = Reward.State.GRANTED
    brand_id = _order_brand_id(order)
    try:
        with transaction.atomic():
            reward = Reward.objects.create(kind=kind, beneficiary=beneficiary, order=order, referral=referral,
                                           brand_id=brand_id, amount=amount, state=state,
                                           benefit=_benefit(brand_id), reasons=reasons, ip=ip)
            _pay_out(reward)
    except IntegrityError:
        return None  # already rewarded for this order
    record_event("reward", None, actor=beneficiary, obj=reward,
                 props={"kind": kind, "state": state, "amount": str(amount), "reasons": reasons,
                        "order": order.number})
    return reward


def _benefit(brand_id: int | None) -> str:
    from .models import RewardPolicy

    policy = RewardPolicy.objects.filter(brand_id=brand_id).first() if brand_id else None
    if policy is not None and policy.benefit == Reward.Benefit.COUPON and policy.coupon_template_id:
        return Reward.Benefit.COUPON
    return Reward.Benefit.POINTS


def _pay_out(reward: Reward) -> None:
    """A granted reward is given now, in the same transaction: points credited (ref "reward:<id>", idempotent) or
    one coupon of the brand's template. A coupon that cannot be given (out of stock, over the per-user limit,
    campaign ended) falls back to the points amount, noted on the reward, so a real reward is never lost."""
    from tribe.loyalty import services as loyalty

    if reward.state != Reward.State.GRANTED or (reward.amount <= 0 and reward.benefit == Reward.Benefit.POINTS):
        return
    if reward.benefit == Reward.Benefit.COUPON:
        from tribe.coupons import services as coupons

        from .models import RewardPolicy

        policy = RewardPolicy.objects.select_related("coupon_template").filter(brand_id=reward.brand_id).first()
        try:
            with transaction.atomic():
                source = "share_reward" if reward.kind == Reward.Kind.SHARE else "referral"
                coupon = coupons.grant(policy.coupon_template, reward.beneficiary, source=source,
                                       ref=f"reward:{reward.pk}")
            Reward.objects.filter(pk=reward.pk).update(coupon=coupon)
            reward.coupon = coupon
            return
        except (Conflict, AttributeError) as exc:
            why = getattr(exc, "code", "coupon_unavailable")
            reward.benefit = Reward.Benefit.POINTS
            reward.reasons = [*reward.reasons, f"coupon_fallback:{why}"]
            Reward.objects.filter(pk=reward.pk).update(benefit=reward.benefit, reasons=reward.reasons)
    points = int(reward.amount)
    if points > 0:
        loyalty.credit(reward.beneficiary, points, reason=f"reward_{reward.kind}", ref=f"reward:{reward.pk}",
                       brand_id=reward.brand_id)


def _take_back(reward: Reward, why: str) -> None:
    """Voiding a granted reward takes back what it gave: the points (what is left of them) or the unused coupon."""
    from tribe.loyalty import services as loyalty

    if reward.coupon_id:
        from tribe.coupons import services as coupons

        try:
            coupons.void(reward.coupon_id, reason=why)
        except Conflict:
            pass  # already used: the purchase it paid for stays paid; the void is recorded on the reward
    else:
        loyalty.reverse(f"reward:{reward.pk}", reason=f"reward_void_{why}"[:40])


def on_order_paid(order: Order) -> list[Reward]:
    """Inside the payment's transaction. Buy-with-friends deals are made for every paid order (and a friend's
    use is rewarded); only a buyer's first paid order earns invite/share rewards."""
    from . import deals

    # two payments of the same buyer racing: the first-order check and the referral conversion below must see
    # each other, so they run under the buyer's row lock
    User.objects.select_for_update().filter(pk=order.user_id).first()
    deals.make_deals(order)
    used = deals.record_use(order)
    made = [used] if used else []
    if not _is_first_paid_order(order):
        return made
    referral = Referral.objects.select_related("inviter").filter(invitee_id=order.user_id).first()
    converted = referral is not None and referral.inviter.is_active and Referral.objects.filter(
        pk=referral.pk, state=Referral.State.REGISTERED).update(state=Referral.State.CONVERTED) == 1
    if converted:
        reward = _create_reward(Reward.Kind.INVITE, referral.inviter, order, referral=referral,
                                ip=referral.ip, fp=referral.fingerprint)
        made += [reward] if reward else []
    if order.sharer_id and order.sharer_id != order.user_id:
        sharer = User.objects.filter(pk=order.sharer_id, is_active=True).first()
        if sharer is not None:
            seen = Sighting.objects.filter(user_id=order.user_id).order_by("-created_at").first()
            reward = _create_reward(Reward.Kind.SHARE, sharer, order, ip=seen.ip if seen else None,
                                    fp=seen.fingerprint if seen else "")
            made += [reward] if reward else []
    return made


def on_line_refunded(line, amount) -> int:
    """A refund that returns everything paid for every line of the order voids its rewards (the purchase did
    not happen). A partial refund keeps them: part of the purchase was real."""
    from django.db.models import F

    from tribe.orders.models import OrderLine

    if OrderLine.objects.filter(order_id=line.order_id, refunded_amount__lt=F("paid_amount")).exists():
        return 0
    return _void(Reward.objects.filter(order_id=line.order_id), "order_refunded")


def _void(qs, why: str) -> int:
    n = 0
    for reward in qs.filter(state__in=[Reward.State.GRANTED, Reward.State.HELD]):
        Reward.objects.filter(pk=reward.pk).update(state=Reward.State.VOID, decided_at=timezone.now(),
                                                   reasons=reward.reasons + [why])
        if reward.state == Reward.State.GRANTED:
            _take_back(reward, why)
        record_event("reward", None, actor=reward.beneficiary, obj=reward,
                     props={"kind": reward.kind, "state": "void", "why": why})
        n += 1
    return n


def void_pending_for_banned(user, brand_id: int | None = None) -> int:
    """A ban voids the user's rewards that were not paid out: held ones (and, for a brand ban, that brand's)."""
    qs = Reward.objects.filter(beneficiary=user, state=Reward.State.HELD)
    if brand_id is not None:
        qs = qs.filter(brand_id=brand_id)
    return _void(qs, "banned")


@transaction.atomic
def decide(actor, reward_id: int, *, approve: bool) -> Reward:
    reward = Reward.objects.select_for_update().filter(pk=reward_id).first() if 1 <= reward_id < 2**63 else None
    if reward is None:
        raise NotFound(f"reward {reward_id} not found")
    if reward.brand_id is None or not can_manage_brand(actor, reward.brand_id):
        raise PermissionDenied("only the brand's staff may review this reward", code="not_brand_staff")
    if reward.state != Reward.State.HELD:
        raise Conflict("this reward is not waiting for review", code="not_held")
    reward.state = Reward.State.GRANTED if approve else Reward.State.REJECTED
    if approve:  # approving does not bypass the cap: count what was granted in the period
        User.objects.select_for_update().filter(pk=reward.beneficiary_id).first()
        cap_name = {Reward.Kind.INVITE: "REFERRAL_REWARD_CAP", Reward.Kind.SHARE: "SHARE_REWARD_CAP"}.get(
            reward.kind, "FRIEND_DEAL_REWARD_CAP")
        period = timezone.now() - timedelta(days=conf("REWARD_CAP_DAYS", 30))
        granted = Reward.objects.filter(beneficiary_id=reward.beneficiary_id, kind=reward.kind,
                                        created_at__gte=period, state=Reward.State.GRANTED).count()
        if granted >= conf(cap_name, 20):
            reward.state, reward.amount = Reward.State.CAPPED, Decimal("0.00")
    reward.decided_at, reward.decided_by = timezone.now(), actor
    reward.save(update_fields=["state", "amount", "decided_at", "decided_by"])
    _pay_out(reward)
    record_event("reward", None, actor=reward.beneficiary, obj=reward,
                 props={"kind": reward.kind, "state": reward.state, "decided_by": actor.pk})
    return reward


def _decimal(value, field: str, low: Decimal, high: Decimal) -> Decimal:
    from decimal import InvalidOperation

    from tribe.core.errors import ValidationFailed

    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{field}: a number", fields={field: "invalid"}) from None
    if not low <= number <= high or number != number.quantize(Decimal("0.01")):
        raise ValidationFailed(f"{field}: {low}–{high}", fields={field: "out of range"})
    return number


@transaction.atomic
def save_friend_deal_policy(actor, brand, *, enabled: bool, percent, hours, max_uses, reward_points):
    from tribe.brands.selectors import require_brand_staff

    from .models import FriendDealPolicy

    require_brand_staff(actor, brand.pk)
    pct = _decimal(percent, "percent", Decimal("0.01"), Decimal("0.50"))
    hrs = int(_decimal(hours, "hours", Decimal("1"), Decimal("720")))
    uses = int(_decimal(max_uses, "max_uses", Decimal("1"), Decimal("100")))
    points = _decimal(reward_points, "reward_points", Decimal("0"), Decimal("10000"))
    policy, _ = FriendDealPolicy.objects.select_for_update().get_or_create(brand=brand)
    policy.enabled, policy.percent, policy.hours, policy.max_uses, policy.reward_points = (
        bool(enabled), pct, hrs, uses, points)
    policy.save()
    return policy


def save_reward_policy(actor, brand, *, benefit: str, coupon_template_id: int | None = None):
    """Choose what the brand's invite/share/buy-with-friends rewards are paid in: points, or one coupon of one of
    the brand's own coupon templates (which must not have ended)."""
    from tribe.brands.selectors import require_brand_staff
    from tribe.core.errors import ValidationFailed

    from .models import RewardPolicy

    require_brand_staff(actor, brand.pk)
    if benefit not in Reward.Benefit.values:
        raise ValidationFailed("benefit: points or coupon", fields={"benefit": "unknown"})
    template = None
    if benefit == Reward.Benefit.COUPON:
        from tribe.coupons.models import CouponTemplate

        if isinstance(coupon_template_id, bool) or not isinstance(coupon_template_id, int):
            raise ValidationFailed("coupon_template_id: choose one of the brand's coupons",
                                   fields={"coupon_template_id": "required"})
        template = CouponTemplate.objects.filter(pk=min(max(coupon_template_id, 0), 2**63 - 1), brand=brand).exclude(
            status="ended").first()
        if template is None:
            raise ValidationFailed("coupon_template_id: not a running coupon of this brand",
                                   fields={"coupon_template_id": "unknown"})
    policy, _ = RewardPolicy.objects.update_or_create(brand=brand, defaults={"benefit": benefit,
                                                                            "coupon_template": template})
    return policy
