"""Reading plays across kinds: the console's 营销活动 index and the public 活动 page."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from .models import PlayStatus
from .registry import plays


def brand_overview(brand) -> list[dict]:
    """Per registered play kind: how many of the brand's plays are in each status (one query per kind)."""
    rows = []
    for kind in plays():
        counts = {row["status"]: row["n"] for row in
                  kind.model.objects.filter(brand=brand).values("status").annotate(n=Count("pk"))}
        rows.append({"kind": kind, "counts": counts, "total": sum(counts.values()),
                     "running": counts.get(PlayStatus.RUNNING, 0)})
    return rows


def live_plays(*, brand=None, limit_per_kind: int = 20, exclude: tuple[str, ...] = ()) -> list[dict]:
    """Plays running now (or published and starting later), soonest-ending first, across kinds."""
    now = timezone.now()
    found = []
    for kind in plays():
        if kind.kind in exclude:
            continue
        qs = kind.model.objects.filter(status=PlayStatus.RUNNING, ends_at__gt=now).select_related("brand")
        if brand is not None:
            qs = qs.filter(brand=brand)
        for play in qs.order_by("ends_at", "pk")[:limit_per_kind]:
            found.append({"kind": kind, "play": play, "url": kind.public_url(play),
                          "live": play.starts_at <= now})
    found.sort(key=lambda row: (not row["live"], row["play"].ends_at))
    return found


# How each play names the product it sells (the plays without one, lottery and coupons, are not listed here;
# coupons have their own snippet).
PRODUCT_FILTERS = {
    "groupbuy": lambda product: {"product": product},
    "bargain": lambda product: {"sku__product": product},
    "flashsale": lambda product: {"items__sku__product": product},
    "presale": lambda product: {"sku__product": product},
    "trials": lambda product: {"sku__product": product},
}


def plays_for_product(product) -> list[dict]:
    """The live or upcoming plays that sell this product (one query per play kind), soonest-ending first."""
    now = timezone.now()
    found = []
    for kind in plays():
        make = PRODUCT_FILTERS.get(kind.kind)
        if make is None:
            continue
        qs = (kind.model.objects.filter(status=PlayStatus.RUNNING, ends_at__gt=now, **make(product))
              .distinct().order_by("ends_at", "pk")[:5])
        for play in qs:
            found.append({"kind": kind, "play": play, "url": kind.public_url(play), "live": play.starts_at <= now})
    found.sort(key=lambda row: (not row["live"], row["play"].ends_at))
    return found
