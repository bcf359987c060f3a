"""Reads: promoter roles, the console's promoter list with computed counts, and the 达人 store page."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from .models import LineAttribution, Promoter, ShareClick

User = get_user_model()


def _count(qs: QuerySet) -> Coalesce:
    counted = qs.order_by().values("brand_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def promoters_with_counts(brand, state: str | None = None) -> QuerySet:
    """The brand's promoters with clicks on their links and attributed orders, computed in the one query."""
    qs = Promoter.objects.filter(brand=brand).select_related("user")
    if state:
        qs = qs.filter(state=state)
    clicks = ShareClick.objects.filter(brand_id=OuterRef("brand_id"), sharer_id=OuterRef("user_id"))
    orders = (LineAttribution.objects.filter(promoter_id=OuterRef("pk")).order_by()
              .values("promoter_id").annotate(n=Count("line__order_id", distinct=True)).values("n"))
    return qs.annotate(click_count=_count(clicks),
                       order_count=Coalesce(Subquery(orders, output_field=IntegerField()), Value(0))
                       ).order_by("-created_at", "-id")


def roles_of(user) -> QuerySet:
    return Promoter.objects.filter(user=user).select_related("brand").order_by("brand__name", "id")


def active_roles(user) -> list[Promoter]:
    return [p for p in roles_of(user) if p.state == Promoter.State.ACTIVE]


def daren(username: str) -> User | None:
    """An active user who actively promotes at least one active brand, or None."""
    if not username or len(username) > 150:
        return None
    return User.objects.filter(username=username, is_active=True, promoter_roles__state=Promoter.State.ACTIVE,
                               promoter_roles__brand__is_active=True).distinct().first()
