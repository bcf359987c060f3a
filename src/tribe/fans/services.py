"""Fan community writes: set up a community, join/leave, polls and votes, early access.

Every verb validates first, then writes in one transaction, and raises a DomainError (403/404/409/422) for
anything a user can fix. Double votes are refused by the ballot's unique constraint, not by a read-then-write
check, so two concurrent votes by one fan store exactly one ballot.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tribe.brands.models import Brand
from tribe.brands.selectors import can_manage_brand, require_brand_staff
from tribe.catalog.models import Product
from tribe.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from tribe.core.events import record_event
from tribe.core.text import clean_text

from . import selectors
from .models import (
    MAX_OPTIONS,
    MAX_POINTS_PER_ACTION,
    MAX_THRESHOLD,
    MIN_OPTIONS,
    EarlyAccess,
    FanCommunity,
    FanMember,
    Poll,
    PollBallot,
    PollOption,
    PollVote,
    Tier,
)

WEIGHTS = ("points_post", "points_review", "points_answer", "points_purchase")


def _int(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"{field}: a whole number from {low} to {high}", fields={field: "out of range"})
    return value


def _signed_in(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated("sign in first")


# ---- the community -----------------------------------------------------------------------------------------

def check_settings(*, name, intro="", active_threshold=50, core_threshold=200, points_post=5, points_review=10,
                   points_answer=5, points_purchase=20) -> dict:
    """Validate community settings without writing: 0 < active threshold < core threshold."""
    data = {
        "name": clean_text(name, "name", max_length=60, required=True),
        "intro": clean_text(intro, "intro", max_length=2000),
        "active_threshold": _int(active_threshold, "active_threshold", 1, MAX_THRESHOLD),
        "core_threshold": _int(core_threshold, "core_threshold", 1, MAX_THRESHOLD),
    }
    for key, value in zip(WEIGHTS, (points_post, points_review, points_answer, points_purchase), strict=True):
        data[key] = _int(value, key, 0, MAX_POINTS_PER_ACTION)
    if data["core_threshold"] <= data["active_threshold"]:
        raise ValidationFailed("core_threshold: must be greater than active_threshold", code="thresholds_order",
                               fields={"core_threshold": "must be greater than active_threshold"})
    return data


@transaction.atomic
def save_community(actor, brand: Brand, **fields) -> FanCommunity:
    """Create the brand's community, or update its settings (brand staff). Tiers follow at once, since
    they are computed from the settings each time."""
    require_brand_staff(actor, brand.pk)
    data = check_settings(**fields)
    community = FanCommunity.objects.select_for_update().filter(brand=brand).first()
    if community is None:
        try:
            with transaction.atomic():
                return FanCommunity.objects.create(brand=brand, **data)
        except IntegrityError:  # created by a concurrent request: update that one
            community = FanCommunity.objects.select_for_update().get(brand=brand)
    for key, value in data.items():
        setattr(community, key, value)
    community.save(update_fields=list(data))
    return community


@transaction.atomic
def join_fans(user, community: FanCommunity, *, request=None) -> FanMember:
    _signed_in(user)
    try:
        with transaction.atomic():
            member = FanMember.objects.create(community=community, user=user)
    except IntegrityError:
        raise Conflict("you are already a member of this fan community", code="already_member") from None
    record_event("join_fans", request, actor=user, obj=community, brand_id=community.brand_id)
    return member


@transaction.atomic
def leave_fans(user, community: FanCommunity) -> None:
    _signed_in(user)
    deleted, _unused = FanMember.objects.filter(community=community, user=user).delete()
    if not deleted:
        raise Conflict("you are not a member of this fan community", code="not_member")


# ---- polls -------------------------------------------------------------------------------------------------

def _closes_at(value) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, datetime):
        raise ValidationFailed("closes_at: a date and time", fields={"closes_at": "invalid"})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value <= timezone.now():
        raise ValidationFailed("closes_at: must be in the future", fields={"closes_at": "must be in the future"})
    return value


@transaction.atomic
def create_poll(actor, community: FanCommunity, *, question, options, multiple: bool = False,
                core_only: bool = True, closes_at=None) -> Poll:
    require_brand_staff(actor, community.brand_id)
    question = clean_text(question, "question", max_length=200, required=True)
    if not isinstance(options, list | tuple):
        raise ValidationFailed("options: a list of texts", fields={"options": "invalid"})
    texts = [clean_text(o, "options", max_length=100) for o in options]
    texts = [t for t in texts if t]
    if not MIN_OPTIONS <= len(texts) <= MAX_OPTIONS:
        raise ValidationFailed(f"options: {MIN_OPTIONS}–{MAX_OPTIONS} options", code="option_count",
                               fields={"options": f"{MIN_OPTIONS}–{MAX_OPTIONS} options"})
    if len(set(texts)) != len(texts):
        raise ValidationFailed("options: duplicates", fields={"options": "duplicates"})
    poll = Poll.objects.create(community=community, question=question, multiple=bool(multiple),
                               core_only=bool(core_only), closes_at=_closes_at(closes_at), created_by=actor)
    PollOption.objects.bulk_create(PollOption(poll=poll, text=t, position=i) for i, t in enumerate(texts))
    return poll


@transaction.atomic
def close_poll(actor, poll: Poll) -> Poll:
    require_brand_staff(actor, poll.community.brand_id)
    Poll.objects.filter(pk=poll.pk).update(closed=True)
    poll.closed = True
    return poll


def may_vote(user, poll: Poll, standing: selectors.Standing | None = None) -> tuple[bool, str]:
    """Whether the user may vote on (and discuss) the poll, and if not, why — in words for the page."""
    if user is None or not user.is_authenticated:
        return False, _("请先登录")
    standing = standing or selectors.points_of(user, poll.community)
    if not standing.is_member:
        return False, _("加入粉丝社区后才能参与投票")
    if poll.core_only and standing.tier != Tier.CORE:
        return False, _("这个投票仅限核心粉丝参与，再获得 %(n)s 积分即可成为核心粉丝") % {
            "n": max(0, poll.community.core_threshold - standing.points)}
    return True, ""


def can_discuss(user, poll: Poll) -> bool:
    """Comments on a poll: the brand's staff, and the fans who may vote on it."""
    if user is None or not user.is_authenticated:
        return False
    return can_manage_brand(user, poll.community.brand_id) or may_vote(user, poll)[0]


def vote(user, poll: Poll, option_ids, *, request=None) -> PollBallot:
    _signed_in(user)
    if not poll.is_open:
        raise PermissionDenied(_("投票已截止"), code="poll_closed")
    standing = selectors.points_of(user, poll.community)
    allowed, why = may_vote(user, poll, standing)
    if not allowed:
        raise PermissionDenied(why, code="not_eligible")
    if not isinstance(option_ids, list | tuple) or not option_ids or any(
            isinstance(i, bool) or not isinstance(i, int) for i in option_ids):
        raise ValidationFailed("options: choose at least one option", fields={"options": "required"})
    ids = list(dict.fromkeys(option_ids))
    if not poll.multiple and len(ids) != 1:
        raise ValidationFailed("options: choose exactly one option", code="single_choice",
                               fields={"options": "exactly one"})
    valid = set(PollOption.objects.filter(poll=poll, pk__in=[i for i in ids if 1 <= i < 2**63])
                .values_list("pk", flat=True))
    if len(valid) != len(ids):
        raise ValidationFailed("options: unknown option", code="unknown_option", fields={"options": "unknown"})
    try:
        with transaction.atomic():
            ballot = PollBallot.objects.create(poll=poll, user=user, tier=standing.tier)
            PollVote.objects.bulk_create(PollVote(ballot=ballot, option_id=i) for i in ids)
    except IntegrityError:  # the ballot's unique constraint: this user has voted (perhaps a moment ago)
        raise Conflict(_("你已经投过票了"), code="already_voted") from None
    record_event("poll_vote", request, actor=user, obj=poll, brand_id=poll.community.brand_id,
                 props={"options": ids, "tier": standing.tier})
    return ballot


# ---- early access ------------------------------------------------------------------------------------------

@transaction.atomic
def set_early_access(actor, brand: Brand, product: Product, public_at) -> EarlyAccess:
    """Core fans of the brand may buy the product before `public_at`; everyone else from then on."""
    require_brand_staff(actor, brand.pk)
    if product.brand_id != brand.pk and product.brand.parent_id != brand.pk:
        raise ValidationFailed("product: not a product of this brand", fields={"product": "unknown product"})
    if not isinstance(public_at, datetime):
        raise ValidationFailed("public_at: a date and time", fields={"public_at": "invalid"})
    if timezone.is_naive(public_at):
        public_at = timezone.make_aware(public_at)
    if public_at <= timezone.now():
        raise ValidationFailed("public_at: must be in the future", fields={"public_at": "must be in the future"})
    if not FanCommunity.objects.filter(brand_id__in=[product.brand_id, product.brand.parent_id or 0]).exists():
        raise ValidationFailed("open the brand's fan community first", code="no_community")
    ea, _created = EarlyAccess.objects.update_or_create(
        product=product, defaults={"public_at": public_at, "created_by": actor})
    return ea


@transaction.atomic
def clear_early_access(actor, brand: Brand, product: Product) -> None:
    require_brand_staff(actor, brand.pk)
    EarlyAccess.objects.filter(product=product).delete()


def early_access_guard(user, products) -> None:
    """The purchase guard fans registers with tribe.orders.guards: one query when no product is in early
    access; otherwise one more per brand concerned to compute the buyer's tier."""
    pending = selectors.pending_early_access(p.pk for p in products)
    checked: dict[int, bool] = {}
    for ea in pending:
        brand = ea.product.brand
        if brand.pk not in checked:
            checked[brand.pk] = selectors.is_core(user, brand)
        if not checked[brand.pk]:
            when = timezone.localtime(ea.public_at).strftime("%Y-%m-%d %H:%M")
            raise PermissionDenied(
                _("新品抢先购：仅核心粉丝可购买，%(time)s 起公开发售") % {"time": when},
                code="early_access_core_only")
