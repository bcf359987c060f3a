"""Writes of 试用 trials: create/edit, apply, select (by hand or a recorded draw), report, no-shows.

Locking: a selection takes the trial's row lock first (FOR UPDATE), then the chosen applications in primary-key
order, then creates their orders; `selected_count` moves by a guarded UPDATE that also checks the units left, so
two brand staff clicking "select" at once can never give out more units than offered (and a CHECK constraint
backs it). Applying takes no trial lock: the unique (trial, user) constraint makes a double submit one row and
one 409.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from tribe.brands.selectors import require_brand_staff
from tribe.campaigns.models import PlayStatus
from tribe.campaigns.services import check_window, play_event, require_live
from tribe.catalog.models import Sku
from tribe.content.services import create_review
from tribe.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from tribe.core.text import clean_text
from tribe.orders.checkout import CampaignPrice, check_address, place_direct_order
from tribe.orders.services import mark_paid

from .models import MAX_REASON, MAX_REPORT_DAYS, MAX_UNITS, MIN_REASON, Trial, TrialApplication, TrialDraw

A = TrialApplication.State
ZERO = Decimal("0.00")
OPEN_FOR_REPORT = (A.SELECTED, A.SHIPPED)
# a fixed report date still leaves a receiver this long after receipt (the brand may ship late)
FIXED_DATE_GRACE = timedelta(days=3)
MAX_ID = 2**63 - 1


def ban_days() -> int:
    return int(getattr(settings, "TRIBE_TRIAL_BAN_DAYS", 90))


def _signed_in(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated("sign in to apply for a trial")


def _int(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"{field}: a whole number from {low} to {high}", fields={field: "out of range"})
    return value


# ---- the brand's trials ---------------------------------------------------------------------------------------

def _brand_sku(brand, sku_id) -> Sku:
    if isinstance(sku_id, bool) or not isinstance(sku_id, int) or not 1 <= sku_id <= MAX_ID:
        raise ValidationFailed("sku_id: required", fields={"sku_id": "required"})
    sku = Sku.objects.select_related("product", "product__store").filter(pk=sku_id, is_active=True).first()
    if sku is None or brand.pk not in (sku.product.brand_id, sku.product.store.brand_id):
        raise ValidationFailed(f"sku_id: no active SKU {sku_id} of this brand", fields={"sku_id": "unknown sku"})
    return sku


def check_trial(brand, *, title, description="", sku_id, units, starts_at, ends_at, report_days=None,
                report_deadline=None, core_fans_first=True, fans_only=False, trial: Trial | None = None) -> dict:
    """Validate a trial's settings without writing (a 422 naming the field otherwise)."""
    clean = {"title": clean_text(title, "title", max_length=80, required=True),
             "description": clean_text(description, "description", max_length=500),
             "units": _int(units, "units", 1, MAX_UNITS),
             "core_fans_first": bool(core_fans_first), "fans_only": bool(fans_only)}
    clean["starts_at"], clean["ends_at"] = check_window(starts_at, ends_at)
    clean["sku"] = _brand_sku(brand, sku_id)
    if (report_days is None) == (report_deadline is None):
        raise ValidationFailed("give either report_days (after receipt) or report_deadline (a fixed date)",
                               code="report_deadline_rule", fields={"report_days": "one of the two"})
    clean["report_days"] = None if report_days is None else _int(report_days, "report_days", 1, MAX_REPORT_DAYS)
    clean["report_deadline"] = None
    if report_deadline is not None:
        if not isinstance(report_deadline, datetime) or timezone.is_naive(report_deadline):
            raise ValidationFailed("report_deadline: a time with a time zone", fields={"report_deadline": "naive"})
        if report_deadline <= clean["ends_at"]:
            raise ValidationFailed("report_deadline must be after the application window ends",
                                   fields={"report_deadline": "before end"})
        clean["report_deadline"] = report_deadline
    if trial is not None:
        if clean["units"] < trial.selected_count:
            raise ValidationFailed(f"units: {trial.selected_count} already selected",
                                   fields={"units": f"min {trial.selected_count}"})
        if clean["sku"].pk != trial.sku_id and trial.selected_count:
            raise Conflict("the SKU cannot change once applicants were selected", code="trial_has_selections",
                           fields={"sku_id": "locked"})
    return clean


def save_trial(actor, brand, *, trial: Trial | None = None, **data) -> Trial:
    """Create a draft trial, or edit one that has not ended."""
    require_brand_staff(actor, brand.pk)
    if trial is not None and trial.brand_id != brand.pk:
        raise NotFound(f"trial {trial.pk} not found")
    with transaction.atomic():
        if trial is not None:
            trial = Trial.objects.select_for_update().get(pk=trial.pk)
            if trial.status == PlayStatus.ENDED:
                raise Conflict("the trial has ended", code="campaign_ended")
        clean = check_trial(brand, trial=trial, **data)
        if trial is None:
            trial = Trial.objects.create(brand=brand, created_by=actor, **clean)
        else:
            for name, value in clean.items():
                setattr(trial, name, value)
            trial.save()
    return trial


# ---- applying -------------------------------------------------------------------------------------------------

def banned_until(user, now: datetime | None = None) -> datetime | None:
    """When the user's trial ban (after a no-show) ends; None when they may apply."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    now = now or timezone.now()
    return (TrialApplication.objects.filter(user=user, banned_until__gt=now).order_by("-banned_until")
            .values_list("banned_until", flat=True).first())


def _community_ids(trial: Trial) -> list[int]:
    from tribe.fans.models import FanCommunity

    brand_ids = [i for i in (trial.brand_id, trial.brand.parent_id) if i is not None]
    by_brand = dict(FanCommunity.objects.filter(brand_id__in=brand_ids).values_list("brand_id", "pk"))
    own = by_brand.get(trial.brand_id) or by_brand.get(trial.brand.parent_id)
    return [own] if own else []


def core_user_ids(trial: Trial, user_ids) -> set[int]:
    """Which of these users are core fans of the trial's brand (its community, or its group's). One query."""
    from tribe.fans.models import Tier
    from tribe.fans.selectors import members_with_points

    ids = _community_ids(trial)
    if not ids or not user_ids:
        return set()
    from tribe.fans.models import FanCommunity

    community = FanCommunity.objects.get(pk=ids[0])
    return set(members_with_points(community).filter(user_id__in=list(user_ids), tier=Tier.CORE)
               .values_list("user_id", flat=True))


def check_eligible(user, trial: Trial, now: datetime | None = None) -> None:
    """Signed in, not banned after a no-show, and a fan-community member when the trial asks for it."""
    _signed_in(user)
    until = banned_until(user, now)
    if until is not None:
        local = timezone.localtime(until).strftime("%Y-%m-%d %H:%M")
        raise PermissionDenied(f"you missed a trial report: trials are closed to you until {local}",
                               code="trial_banned", fields={"banned_until": until.isoformat()})
    if trial.fans_only:
        from tribe.fans.models import FanMember

        ids = _community_ids(trial)
        if not ids or not FanMember.objects.filter(community_id=ids[0], user=user).exists():
            raise PermissionDenied("this trial is for members of the brand's fan community", code="fans_only")


def _address(user, address, address_id) -> dict:
    """The shipping address snapshot: given inline, or copied from one of the user's saved addresses."""
    if address_id is not None:
        from tribe.orders.models import Address

        saved = (Address.objects.filter(user=user, pk=address_id).first()
                 if isinstance(address_id, int) and 1 <= address_id <= MAX_ID else None)
        if saved is None:
            raise ValidationFailed("address_id: not one of your addresses", fields={"address_id": "unknown"})
        address = {k: getattr(saved, k) for k in ("name", "phone", "province", "city", "district", "detail")}
    return check_address(address)


def apply(user, trial: Trial, *, reason, address=None, address_id=None, request=None) -> TrialApplication:
    """Apply once per trial (a second try is a 409 `already_applied`; nothing else is written). The address is
    kept as a snapshot, so a selection can create the order without asking again."""
    _signed_in(user)
    require_live(trial)
    if trial.units_left <= 0:
        raise Conflict("every trial unit has been given out", code="trial_full")
    mark_no_shows(user=user)  # enforce a missed deadline now, not only when the sweep runs
    check_eligible(user, trial)
    reason = clean_text(reason, "reason", max_length=MAX_REASON, required=True)
    if len(reason) < MIN_REASON:
        raise ValidationFailed(f"reason: at least {MIN_REASON} characters", fields={"reason": f"min {MIN_REASON}"})
    address = _address(user, address, address_id)
    try:
        with transaction.atomic():
            application = TrialApplication.objects.create(trial=trial, user=user, reason=reason, address=address)
    except IntegrityError:
        raise Conflict("you already applied for this trial", code="already_applied") from None
    play_event("trial_apply", request, trial, actor=user, obj=application)
    return application


# ---- selection ------------------------------------------------------------------------------------------------

def draw_order(pool: list[int], core: list[int], seed: str, core_first: bool = True) -> list[int]:
    """The draw, reproducible from its record: core fans (shuffled) before everyone else (shuffled), both
    shuffles driven by the recorded seed. The seed itself comes from secrets.SystemRandom, so nobody can
    predict or choose it; recording it lets anyone re-run the draw and get the same order."""
    rng = random.Random(seed)
    core_set = set(core) if core_first else set()
    first = [a for a in sorted(pool) if a in core_set]
    rest = [a for a in sorted(pool) if a not in core_set]
    rng.shuffle(first)
    rng.shuffle(rest)
    return first + rest


def _campaign(trial: Trial) -> CampaignPrice:
    # free_shipping: a trial unit ships at the brand's cost, so the order totals ¥0.00 whatever the store charges
    return CampaignPrice(trial.code, "试用", ZERO, free_shipping=True)


def _lock_selectable(trial: Trial) -> Trial:
    locked = Trial.objects.select_for_update().select_related("brand").get(pk=trial.pk)
    if locked.status == PlayStatus.DRAFT:
        raise Conflict("publish the trial before selecting", code="campaign_draft")
    if timezone.now() < locked.starts_at:
        raise Conflict("the trial has not started yet", code="campaign_upcoming")
    return locked


def _give(trial: Trial, applications: list[TrialApplication], core: set[int], now: datetime) -> None:
    """Inside the selection's transaction, under the trial lock: take the units (guarded), then give each
    applicant a zero-price order and mark it paid. Any failure (stock, shipping fee, a purchase guard) rolls
    the whole selection back."""
    n = len(applications)
    taken = Trial.objects.filter(pk=trial.pk, selected_count__lte=F("units") - n).update(
        selected_count=F("selected_count") + n, updated_at=now)
    if taken != 1:
        raise Conflict(f"only {trial.units - trial.selected_count} trial units left", code="over_units",
                       fields={"units_left": str(trial.units - trial.selected_count)})
    for application in applications:
        order = place_direct_order(application.user, trial.sku_id, 1, address=application.address,
                                   idempotency_key=f"trial:{trial.pk}:{application.pk}", note="试用",
                                   campaign=_campaign(trial))
        if order.total != ZERO:
            raise Conflict(f"the trial order would charge ¥{order.total}", code="trial_not_free",
                           fields={"total": str(order.total)})
        if not mark_paid(order.pk, ZERO, message="试用订单（0 元）"):
            raise Conflict("the trial order could not be marked paid", code="trial_order_unpaid")
        moved = TrialApplication.objects.filter(pk=application.pk, state=A.APPLIED).update(
            state=A.SELECTED, order=order, selected_at=now, core_fan=application.user_id in core)
        if moved != 1:
            raise Conflict(f"application {application.pk} is no longer waiting", code="not_applied")
        application.state, application.order, application.selected_at = A.SELECTED, order, now
        application.core_fan = application.user_id in core


def _locked_applications(trial: Trial, ids: list[int]) -> list[TrialApplication]:
    return list(TrialApplication.objects.select_for_update(of=("self",)).select_related("user")
                .filter(trial=trial, pk__in=ids).order_by("pk"))


def _check_ids(ids) -> list[int]:
    if not isinstance(ids, list | tuple) or not ids:
        raise ValidationFailed("ids: a non-empty list of application ids", fields={"ids": "required"})
    if len(ids) > MAX_UNITS or any(isinstance(i, bool) or not isinstance(i, int) or not 1 <= i <= MAX_ID
                                   for i in ids):
        raise ValidationFailed("ids: application ids", fields={"ids": "invalid"})
    return sorted(set(ids))


def select(actor, trial: Trial, ids, *, request=None) -> list[TrialApplication]:
    """The brand ticks applicants: all of them are selected, or none (409 naming the problem)."""
    require_brand_staff(actor, trial.brand_id)
    ids = _check_ids(ids)
    now = timezone.now()
    with transaction.atomic():
        trial = _lock_selectable(trial)
        if len(ids) > trial.units_left:
            raise Conflict(f"only {trial.units_left} trial units left, {len(ids)} ticked", code="over_units",
                           fields={"units_left": str(trial.units_left)})
        applications = _locked_applications(trial, ids)
        if len(applications) != len(ids):
            raise NotFound("some applications are not of this trial", code="application_not_found")
        waiting = [a for a in applications if a.state == A.APPLIED]
        if len(waiting) != len(applications):
            raise Conflict("some applicants are not waiting for selection", code="not_applied",
                           fields={"ids": [a.pk for a in applications if a.state != A.APPLIED]})
        banned = [a.pk for a in applications if banned_until(a.user, now) is not None]
        if banned:
            raise Conflict("some applicants are banned from trials after a missed report", code="trial_banned",
                           fields={"ids": banned})
        _give(trial, applications, core_user_ids(trial, [a.user_id for a in applications]), now)
    for application in applications:
        play_event("trial_selected", request, trial, actor=actor, obj=application,
                   props={"how": "manual", "core_fan": application.core_fan})
    return applications


def select_random(actor, trial: Trial, n, *, request=None) -> TrialDraw:
    """Draw n among eligible applicants (core fans first when the trial says so), never more than the units
    left. The draw is recorded (seed, pool, core fans, picks) for audit."""
    require_brand_staff(actor, trial.brand_id)
    n = _int(n, "random", 1, MAX_UNITS)
    now = timezone.now()
    with transaction.atomic():
        trial = _lock_selectable(trial)
        if n > trial.units_left:
            raise Conflict(f"only {trial.units_left} trial units left, {n} asked", code="over_units",
                           fields={"units_left": str(trial.units_left)})
        active_ban = TrialApplication.objects.filter(user=OuterRef("user_id"), banned_until__gt=now)
        pool_rows = list(TrialApplication.objects.filter(trial=trial, state=A.APPLIED)
                         .exclude(Exists(active_ban)).values_list("pk", "user_id"))
        if not pool_rows:
            raise Conflict("no eligible applicants are waiting", code="no_applicants")
        core_users = core_user_ids(trial, [u for _, u in pool_rows])
        pool = sorted(pk for pk, _ in pool_rows)
        core = sorted(pk for pk, user_id in pool_rows if user_id in core_users)
        seed = f"{secrets.SystemRandom().getrandbits(128):032x}"
        picked = draw_order(pool, core, seed, trial.core_fans_first)[:n]
        applications = _locked_applications(trial, picked)
        _give(trial, applications, core_users, now)
        draw = TrialDraw.objects.create(trial=trial, actor=actor, seed=seed, requested=n, pool=pool, core=core,
                                        picked=picked)
    for application in applications:
        play_event("trial_selected", request, trial, actor=actor, obj=application,
                   props={"how": "random", "core_fan": application.core_fan, "draw": draw.pk})
    return draw


def reject(actor, trial: Trial, ids=None, *, request=None) -> int:
    """Mark applicants as not selected: the given ids, or (ids=None) everyone still waiting."""
    require_brand_staff(actor, trial.brand_id)
    qs = TrialApplication.objects.filter(trial=trial, state=A.APPLIED)
    if ids is not None:
        qs = qs.filter(pk__in=_check_ids(ids))
    with transaction.atomic():
        return qs.update(state=A.REJECTED)


# ---- receipt, reports and no-shows ----------------------------------------------------------------------------

def due_after_receipt(trial: Trial, received_at: datetime) -> datetime:
    if trial.report_days is not None:
        return received_at + timedelta(days=trial.report_days)
    return max(trial.report_deadline, received_at + FIXED_DATE_GRACE)


def note_received(order) -> None:
    """order_received receiver (inside the order's transaction): the report clock starts now."""
    application = (TrialApplication.objects.select_for_update(of=("self",)).select_related("trial")
                   .filter(order_id=order.pk, state=A.SELECTED).first())
    if application is None:
        return
    now = timezone.now()
    TrialApplication.objects.filter(pk=application.pk, state=A.SELECTED).update(
        state=A.SHIPPED, report_due_at=due_after_receipt(application.trial, now))


def my_application(user, trial: Trial) -> TrialApplication | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return TrialApplication.objects.select_related("order").filter(trial=trial, user=user).first()


def submit_report(user, trial: Trial, *, rating, text, images, request=None) -> TrialApplication:
    """The trial report: a review with at least one photo on the trial order's line, before the deadline."""
    _signed_in(user)
    if not images:
        raise ValidationFailed("a trial report needs at least one photo", code="report_needs_photos",
                               fields={"images": "required"})
    now = timezone.now()
    with transaction.atomic():
        application = (TrialApplication.objects.select_for_update(of=("self",)).select_related("order")
                       .filter(trial=trial, user=user).first())
        if application is None:
            raise NotFound("you did not apply for this trial", code="application_not_found")
        if application.state == A.REPORTED:
            raise Conflict("you already posted your trial report", code="already_reported")
        if application.state not in OPEN_FOR_REPORT:
            raise Conflict("only selected applicants post a trial report", code="not_selected",
                           fields={"state": application.state})
        if application.report_due_at is not None and now >= application.report_due_at:
            raise Conflict("the report deadline has passed", code="report_deadline_passed")
        line = application.order.lines.order_by("pk").first()
        review = create_review(user, application.order.number, line.pk, rating=rating, text=text, images=images,
                               request=request)
        TrialApplication.objects.filter(pk=application.pk).update(state=A.REPORTED, review=review, reported_at=now)
        application.state, application.review, application.reported_at = A.REPORTED, review, now
    play_event("trial_report", request, trial, actor=user, obj=application, props={"review": review.pk})
    return application


def mark_no_shows(now: datetime | None = None, *, user=None) -> dict[str, int]:
    """Periodic: applications past their report deadline. A review with photos posted on the trial line some
    other way (the order page) before the deadline counts as the report; otherwise the applicant is a no-show
    and loses trial eligibility for TRIBE_TRIAL_BAN_DAYS. `user`: only that user's (apply runs it first, so a
    deadline missed while the sweep was stopped still bars the next application)."""
    from tribe.content.models import Review, ReviewImage

    now = now or timezone.now()
    due = TrialApplication.objects.select_related("trial", "trial__brand", "user").filter(
        state__in=OPEN_FOR_REPORT, report_due_at__lte=now).order_by("pk")
    if user is not None:
        due = due.filter(user=user)
    counts = {"reported": 0, "no_show": 0}
    for application in due:
        review = (Review.objects.filter(order_line__order_id=application.order_id,
                                        created_at__lt=application.report_due_at)
                  .filter(Exists(ReviewImage.objects.filter(review=OuterRef("pk")))).order_by("pk").first())
        with transaction.atomic():
            qs = TrialApplication.objects.filter(pk=application.pk, state__in=OPEN_FOR_REPORT)
            if review is not None:
                if qs.update(state=A.REPORTED, review=review, reported_at=review.created_at):
                    counts["reported"] += 1
                continue
            if qs.update(state=A.NO_SHOW, banned_until=now + timedelta(days=ban_days())):
                counts["no_show"] += 1
                play_event("trial_no_show", None, application.trial, actor=application.user, obj=application,
                           props={"due": application.report_due_at.isoformat()})
    return counts
