"""Reads of trials: open trials, a trial's applicants with their fan tier, and the trial reports of a product."""

from __future__ import annotations

from django.db.models import Count, F, Min, Q, QuerySet
from django.utils import timezone

from tribe.campaigns.models import PlayStatus

from .models import Trial, TrialApplication

A = TrialApplication.State


def open_trials() -> QuerySet[Trial]:
    """Published trials whose application window has not ended (running now or upcoming), soonest end first."""
    return (Trial.objects.filter(status=PlayStatus.RUNNING, ends_at__gt=timezone.now())
            .select_related("brand", "sku", "sku__product").annotate(applicants=Count("applications"))
            .order_by("ends_at", "pk"))


def public_trial(pk: int) -> Trial | None:
    """A trial a visitor may see (anything but a draft)."""
    if not 1 <= pk <= 2**63 - 1:
        return None
    return (Trial.objects.exclude(status=PlayStatus.DRAFT).select_related("brand", "sku", "sku__product")
            .annotate(applicants=Count("applications")).filter(pk=pk).first())


def brand_trials(brand) -> QuerySet[Trial]:
    return (Trial.objects.filter(brand=brand).select_related("sku", "sku__product")
            .annotate(applicants=Count("applications"),
                      reports=Count("applications", filter=Q(applications__state=A.REPORTED)))
            .order_by("-id"))


def applicants(trial: Trial, state: str | None = None) -> QuerySet[TrialApplication]:
    qs = (TrialApplication.objects.filter(trial=trial).select_related("user", "order")
          .annotate(store_order_id=Min("order__store_orders__id")).order_by("pk"))
    if state:
        qs = qs.filter(state=state)
    return qs


def tiers_of(trial: Trial, user_ids) -> dict[int, str]:
    """user id → fan tier in the trial brand's community (absent: not a member). One query per page."""
    from tribe.fans.selectors import members_with_points

    from .services import _community_ids

    ids = _community_ids(trial)
    if not ids or not user_ids:
        return {}
    from tribe.fans.models import FanCommunity

    community = FanCommunity.objects.get(pk=ids[0])
    return dict(members_with_points(community).filter(user_id__in=list(user_ids)).values_list("user_id", "tier"))


def trial_review_ids(product) -> set[int]:
    """Ids of the product's reviews that are trial reports (for the 试用报告 badge). One query."""
    product_id = getattr(product, "pk", product)
    return set(TrialApplication.objects.filter(trial__sku__product_id=product_id, review__isnull=False)
               .values_list("review_id", flat=True))


def reports(trial: Trial) -> QuerySet[TrialApplication]:
    return (TrialApplication.objects.filter(trial=trial, state__in=[A.REPORTED, A.NO_SHOW])
            .select_related("user", "review").prefetch_related("review__images").order_by("-reported_at", "pk"))


def open_trial_for(product) -> Trial | None:
    """A live trial of this product, for a "免费试用" link on the product page (one query)."""
    now = timezone.now()
    product_id = getattr(product, "pk", product)
    return (Trial.objects.filter(sku__product_id=product_id, status=PlayStatus.RUNNING, starts_at__lte=now,
                                 ends_at__gt=now, selected_count__lt=F("units")).order_by("ends_at", "pk").first())
