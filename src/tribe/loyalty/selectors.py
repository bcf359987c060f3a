"""Reads for pages and the API: history, points expiring soon."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import PointsEntry
from .services import LOT_KINDS


def history(user):
    return PointsEntry.objects.filter(user=user).select_related("brand").order_by("-created_at", "-id")


def expiring_soon(user, days: int = 30) -> list[dict]:
    """Points left in lots that expire within `days` (soonest first): [{"expires_at", "points"}]."""
    now = timezone.now()
    lots = (PointsEntry.objects.filter(user=user, kind__in=LOT_KINDS, expires_at__gt=now,
                                       expires_at__lte=now + timedelta(days=days))
            .annotate(used=Coalesce(Sum("consumed_by__points"), 0)).filter(points__gt=F("used"))
            .order_by("expires_at", "id").values("expires_at", "points", "used"))
    by_time: dict = {}
    for lot in lots:
        by_time[lot["expires_at"]] = by_time.get(lot["expires_at"], 0) + lot["points"] - lot["used"]
    return [{"expires_at": at, "points": pts} for at, pts in by_time.items()]


def earned_total(user) -> int:
    return PointsEntry.objects.filter(user=user).filter(
        Q(kind=PointsEntry.Kind.EARN) | Q(kind=PointsEntry.Kind.REVERSE)).aggregate(s=Coalesce(Sum("points"), 0))["s"]
