"""Points ledger writes: credit, reverse, spend, refund_spend, expire_points, sign_in (the cross-app contract).

Locking: every write takes the user's PointsAccount row FOR UPDATE first, inside the caller's transaction
when there is one, so two writes for one user run one after the other and a spend can never use a point a
concurrent spend is using (read-then-write is safe under that lock). Different users never wait on each
other. Lots are consumed soonest-expiring first (for points earned the normal way that is also the oldest),
so points about to expire are used before fresher ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from tribe.core.errors import Conflict, ValidationFailed
from tribe.core.events import record_event

from . import conf
from .models import PointsAccount, PointsAllocation, PointsEntry, SignIn

K = PointsEntry.Kind
LOT_KINDS = [K.EARN, K.REFUND]
MAX_POINTS = 10_000_000


def _uid(user) -> int:
    return user if isinstance(user, int) else user.pk


def _check_points(points) -> int:
    if isinstance(points, bool) or not isinstance(points, int) or not 0 < points <= MAX_POINTS:
        raise ValidationFailed("points: a whole number from 1 to 10000000", code="invalid_points",
                               fields={"points": "invalid"})
    return points


def _check_ref(ref) -> str:
    if not isinstance(ref, str) or not ref or len(ref) > 80:
        raise ValidationFailed("ref: 1–80 characters", fields={"ref": "invalid"})
    return ref


def _lock(user_id: int) -> None:
    """Take the user's account row lock (creating the row the first time, race-free: ON CONFLICT DO NOTHING)."""
    if PointsAccount.objects.select_for_update().filter(user_id=user_id).values_list("pk", flat=True).first():
        return
    PointsAccount.objects.bulk_create([PointsAccount(user_id=user_id)], ignore_conflicts=True)
    PointsAccount.objects.select_for_update().filter(user_id=user_id).values_list("pk", flat=True).first()


def live_lots(user_id: int, now: datetime):
    """The user's lots that still hold points and have not expired at `now`, in consumption order."""
    return (PointsEntry.objects.filter(user_id=user_id, kind__in=LOT_KINDS)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .annotate(used=Coalesce(Sum("consumed_by__points"), 0))
            .filter(points__gt=F("used"))
            .order_by(F("expires_at").asc(nulls_last=True), "id"))


def balance(user, at: datetime | None = None) -> int:
    """Points usable now: every entry summed, minus what is left in lots already expired (written off or not)."""
    uid, now = _uid(user), at or timezone.now()
    sums = PointsEntry.objects.filter(user_id=uid).aggregate(
        total=Coalesce(Sum("points"), 0),
        expired=Coalesce(Sum("points", filter=Q(kind__in=LOT_KINDS, expires_at__lte=now)), 0))
    if not sums["expired"]:
        return sums["total"]
    consumed = PointsAllocation.objects.filter(lot__user_id=uid, lot__kind__in=LOT_KINDS,
                                               lot__expires_at__lte=now).aggregate(s=Coalesce(Sum("points"), 0))["s"]
    return sums["total"] - (sums["expired"] - consumed)


def _consume(debit: PointsEntry, lots: list[PointsEntry], points: int) -> None:
    allocations, left = [], points
    for lot in lots:
        if left == 0:
            break
        take = min(lot.points - lot.used, left)
        allocations.append(PointsAllocation(debit=debit, lot=lot, points=take))
        left -= take
    assert left == 0, "a debit must be fully covered by lots"
    PointsAllocation.objects.bulk_create(allocations)


def credit(user, points: int, *, reason: str, ref: str, brand_id: int | None = None,
           expires_at: datetime | None = None, note: str = "", request=None,
           now: datetime | None = None) -> PointsEntry | None:
    """Give `points` (a new lot). Idempotent on `ref`: a second credit with the same ref writes nothing and
    returns None. Callable inside the caller's transaction (its writes commit with the caller's). `now` (the
    entry's time) is for the simulator's calendar; callers leave it out."""
    points, ref, uid = _check_points(points), _check_ref(ref), _uid(user)
    now = now or timezone.now()
    # savepoint=False: inside a caller's transaction (order paid, a review saved) a failure rolls back with it
    with transaction.atomic(savepoint=False):
        _lock(uid)  # serialises credits of one user: the ref check below cannot race with its own repeat
        if PointsEntry.objects.filter(kind=K.EARN, ref=ref).exists():
            return None
        entry = PointsEntry.objects.create(
            user_id=uid, kind=K.EARN, points=points, reason=reason[:40], ref=ref, brand_id=brand_id,
            expires_at=expires_at or conf.default_expiry(now), created_at=now, note=note[:200])
        record_event("points_earned", request, actor=_actor(user), obj=entry, brand_id=brand_id,
                     props={"points": points, "reason": entry.reason, "ref": ref})
    return entry


def _actor(user):
    """The event's actor without loading the user row when only the id is at hand."""
    if isinstance(user, int):
        from django.contrib.auth import get_user_model

        return get_user_model()(pk=user)
    return user


def credit_capped(user, points: int, *, reason: str, ref: str, daily_cap: int, brand_id: int | None = None,
                  request=None) -> PointsEntry | None:
    """A credit that stops after `daily_cap` credits of this reason per Asia/Shanghai day (anti-farming for
    reviews and answers). The count is taken under the account lock, so racing credits cannot pass the cap."""
    uid = _uid(user)
    day_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        _lock(uid)
        today = PointsEntry.objects.filter(user_id=uid, kind=K.EARN, reason=reason, created_at__gte=day_start).count()
        if today >= daily_cap:
            return None
        return credit(user, points, reason=reason, ref=ref, brand_id=brand_id, request=request)


def reverse(ref: str, *, reason: str, points: int | None = None) -> int:
    """Take back (part of) what `ref` credited: at most what it credited minus what was already reversed. The
    credit's own lot is consumed first, then other lots; the balance never goes below zero — what cannot be
    taken now (already spent) is noted on the entry and left. Returns the points reversed."""
    earned = PointsEntry.objects.filter(kind=K.EARN, ref=_check_ref(ref)).first()
    if earned is None:
        return 0
    if points is not None:
        _check_points(points)
    now = timezone.now()
    with transaction.atomic():
        _lock(earned.user_id)
        done = -(PointsEntry.objects.filter(kind=K.REVERSE, ref=ref).aggregate(s=Coalesce(Sum("points"), 0))["s"])
        want = earned.points - done if points is None else min(points, earned.points - done)
        if want <= 0:
            return 0
        lots = list(live_lots(earned.user_id, now))
        lots.sort(key=lambda lot: lot.pk != earned.pk)  # stable: the credit's own lot first, then FIFO
        take = min(want, sum(lot.points - lot.used for lot in lots))
        if take <= 0:
            return 0
        entry = PointsEntry.objects.create(
            user_id=earned.user_id, kind=K.REVERSE, points=-take, reason=reason[:40], ref=ref,
            brand_id=earned.brand_id, created_at=now,
            note=f"{want - take} points already used, not taken back" if take < want else "")
        _consume(entry, lots, take)
    return take


def spend(user, points: int, *, reason: str, ref: str, brand_id: int | None = None, request=None) -> PointsEntry:
    """Use `points` (oldest-expiring lots first). Raises Conflict(insufficient_points) when the unexpired
    balance is short — then nothing is written. Idempotent on `ref`: a repeat returns the first entry."""
    points, ref, uid = _check_points(points), _check_ref(ref), _uid(user)
    now = timezone.now()
    with transaction.atomic():
        _lock(uid)
        existing = PointsEntry.objects.filter(kind=K.SPEND, ref=ref, user_id=uid).first()
        if existing is not None:
            return existing
        lots = list(live_lots(uid, now))
        available = sum(lot.points - lot.used for lot in lots)
        if available < points:
            raise Conflict(f"not enough points: {available} available, {points} needed", code="insufficient_points",
                           fields={"points": f"only {available} available"})
        entry = PointsEntry.objects.create(user_id=uid, kind=K.SPEND, points=-points, reason=reason[:40], ref=ref,
                                           brand_id=brand_id, created_at=now)
        _consume(entry, lots, points)
        record_event("points_spent", request, actor=_actor(user), obj=entry, brand_id=brand_id,
                     props={"points": points, "reason": entry.reason, "ref": ref})
    return entry


def refund_spend(ref: str, *, reason: str, points: int | None = None) -> int:
    """Give back (part of) what the spend `ref` used, at most what it used minus what was already given back.
    The points come back as a new lot expiring with the latest of the lots they came from (at least
    TRIBE_POINTS_REFUND_GRACE_DAYS from now). Returns the points given back."""
    spent = PointsEntry.objects.filter(kind=K.SPEND, ref=_check_ref(ref)).first()
    if spent is None:
        return 0
    if points is not None:
        _check_points(points)
    now = timezone.now()
    with transaction.atomic():
        _lock(spent.user_id)
        done = PointsEntry.objects.filter(kind=K.REFUND, ref=ref).aggregate(s=Coalesce(Sum("points"), 0))["s"]
        left = -spent.points - done
        give = left if points is None else min(points, left)
        if give <= 0:
            return 0
        expiries = list(PointsAllocation.objects.filter(debit=spent).values_list("lot__expires_at", flat=True))
        if any(e is None for e in expiries):
            expires_at = None
        else:
            floor = now + timedelta(days=conf.refund_grace_days())
            expires_at = max([*expiries, floor])
        PointsEntry.objects.create(user_id=spent.user_id, kind=K.REFUND, points=give, reason=reason[:40], ref=ref,
                                   brand_id=spent.brand_id, expires_at=expires_at, created_at=now)
    return give


def expire_points(now: datetime | None = None) -> int:
    """The periodic job: write off what is left of every lot expired at `now` with an `expire` entry (one per
    lot, ref "lot:<id>"). Reads never count expired points even before this runs; this makes the ledger say
    so. Idempotent. Returns the points written off."""
    now = now or timezone.now()
    users = sorted(set(
        PointsEntry.objects.filter(kind__in=LOT_KINDS, expires_at__lte=now)
        .annotate(used=Coalesce(Sum("consumed_by__points"), 0)).filter(points__gt=F("used"))
        .values_list("user_id", flat=True)))
    total = 0
    for uid in users:
        with transaction.atomic():
            _lock(uid)
            lots = (PointsEntry.objects.filter(user_id=uid, kind__in=LOT_KINDS, expires_at__lte=now)
                    .annotate(used=Coalesce(Sum("consumed_by__points"), 0)).filter(points__gt=F("used"))
                    .order_by("expires_at", "id"))
            for lot in lots:
                left = lot.points - lot.used
                entry = PointsEntry.objects.create(user_id=uid, kind=K.EXPIRE, points=-left, reason="expire",
                                                   ref=f"lot:{lot.pk}", brand_id=lot.brand_id, created_at=now)
                PointsAllocation.objects.create(debit=entry, lot=lot, points=left)
                total += left
    return total


def sign_in(user, *, request=None, now: datetime | None = None) -> SignIn:
    """签到: once per Asia/Shanghai day (a second one → Conflict already_signed_in, 409). Consecutive days build
    a streak; every n-th day in a row adds a bonus. Race-safe: the (user, day) unique constraint decides.
    `now` is for the simulator's calendar; callers leave it out."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    base = conf.sign_in_points()
    every, bonus = conf.streak_bonus()
    previous = SignIn.objects.filter(user=user, day=today - timedelta(days=1)).first()
    streak = previous.streak + 1 if previous else 1
    points = base + (bonus if every > 0 and streak % every == 0 else 0)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = SignIn.objects.create(user=user, day=today, streak=streak, points=points, created_at=now)
        except IntegrityError:
            raise Conflict("already signed in today", code="already_signed_in") from None
        if points > 0:
            credit(user, points, reason="sign_in", ref=f"sign_in:{user.pk}:{today.isoformat()}", request=request,
                   now=now)
        record_event("sign_in", request, actor=user, obj=row, props={"streak": streak, "points": points})
    return row


def signed_in_today(user) -> SignIn | None:
    return SignIn.objects.filter(user=user, day=timezone.localdate()).first()
