"""Loyalty settings, each with a default (override in Django settings)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.utils import timezone

FEN = Decimal("0.01")


def _get(name: str, default):
    return getattr(settings, name, default)


def points_per_yuan() -> Decimal:
    """Points earned per ¥1 paid for goods (TRIBE_POINTS_PER_YUAN, default 1)."""
    return Decimal(str(_get("TRIBE_POINTS_PER_YUAN", 1)))


def redeem_rate() -> int:
    """Points worth ¥1 at checkout (TRIBE_POINTS_REDEEM_RATE, default 100: 100 points = ¥1)."""
    return max(1, int(_get("TRIBE_POINTS_REDEEM_RATE", 100)))


def max_percent() -> Decimal:
    """The most of the goods payable points may pay, in percent (TRIBE_POINTS_MAX_PERCENT, default 20)."""
    return min(Decimal("100"), max(Decimal("0"), Decimal(str(_get("TRIBE_POINTS_MAX_PERCENT", 20)))))


def sign_in_points() -> int:
    return int(_get("TRIBE_POINTS_SIGN_IN", 5))


def streak_bonus() -> tuple[int, int]:
    """(every n consecutive days, bonus points): default a 20-point bonus on every 7th day in a row."""
    return int(_get("TRIBE_POINTS_STREAK_DAYS", 7)), int(_get("TRIBE_POINTS_STREAK_BONUS", 20))


def review_points() -> tuple[int, int]:
    """(points for a review with photos, most such credits per day)."""
    return int(_get("TRIBE_POINTS_REVIEW", 20)), int(_get("TRIBE_POINTS_REVIEW_DAILY_CAP", 3))


def answer_points() -> tuple[int, int]:
    """(points for an answer, most such credits per day)."""
    return int(_get("TRIBE_POINTS_ANSWER", 5)), int(_get("TRIBE_POINTS_ANSWER_DAILY_CAP", 5))


def tier_window_days() -> int:
    return int(_get("TRIBE_TIER_WINDOW_DAYS", 365))


def default_expiry(now: datetime) -> datetime:
    """When points credited at `now` expire: TRIBE_POINTS_EXPIRE_DAYS after, or by default at the end of the
    next calendar year (Asia/Shanghai) — points earned in 2026 expire when 2027 ends."""
    days = _get("TRIBE_POINTS_EXPIRE_DAYS", None)
    if days:
        return now + timedelta(days=int(days))
    local = timezone.localtime(now)
    return datetime(local.year + 2, 1, 1, tzinfo=local.tzinfo)


def refund_grace_days() -> int:
    """Points given back (a cancelled or refunded order) keep the latest expiry of the lots they came from, but
    never less than this many days from now, so a refund never hands back points that are already dead."""
    return int(_get("TRIBE_POINTS_REFUND_GRACE_DAYS", 30))


def points_to_money(points: int) -> Decimal:
    return (Decimal(points) / redeem_rate()).quantize(FEN, rounding=ROUND_DOWN)


def money_to_points(amount: Decimal) -> int:
    """The points an amount of points-discount cost (exact for the default rate; rounded up otherwise so the
    buyer never gets money off for points not spent)."""
    return math.ceil(amount * redeem_rate())


def earned_for(amount: Decimal) -> int:
    """Points earned for goods paid: whole points, rounded down."""
    return int((amount * points_per_yuan()).to_integral_value(rounding=ROUND_DOWN))
