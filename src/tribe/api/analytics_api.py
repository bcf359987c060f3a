"""Brand data (tribe.analytics): reports for brand staff (their brand only) and the platform operator."""

from __future__ import annotations

from ninja import Router, Schema

from tribe.analytics import reports
from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff

from .auth import REQUIRED
from .common import by_slug

router = Router(tags=["analytics"])


class SourceRowOut(Schema):
    key: str
    visits: int
    visitors: int
    orders: int
    buyers: int
    gmv: str
    conversion: float


class SourcesOut(Schema):
    start: str
    end: str
    previous_start: str
    previous_end: str
    by: str
    rows: list[SourceRowOut]
    previous: list[SourceRowOut]


@router.get("/console/brands/{slug}/reports/sources", response=SourcesOut, auth=REQUIRED, tags=["console"],
            summary="Traffic sources: visits, visitors, orders, buyers, GMV, conversion per source/channel/"
                    "campaign/day, with the previous period")
def sources(request, slug: str, start: str = "", end: str = "", by: str = "source"):
    """`start`/`end`: ISO dates (Asia/Shanghai, inclusive; default the last 30 days); `by`: source, channel,
    campaign or day. 422 `reversed_range` / `unknown_dimension` / `range_too_long`."""
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    first, last = reports.parse_range(start, end)
    data = reports.with_previous(brand.pk, first, last, by=by)
    return {"start": data["start"].isoformat(), "end": data["end"].isoformat(),
            "previous_start": data["previous_start"].isoformat(), "previous_end": data["previous_end"].isoformat(),
            "by": data["by"], "rows": [r.as_dict() for r in data["rows"]],
            "previous": [r.as_dict() for r in data["previous"].values()]}


class FunnelStepOut(Schema):
    name: str
    visitors: int
    conversion_from_previous: float
    conversion_from_start: float
    median_seconds_from_start: float | None


class FunnelOut(Schema):
    steps: list[str]
    start: str
    end: str
    window_days: int
    breakdown: str | None
    attribution: str
    groups: dict[str, list[FunnelStepOut]]


@router.get("/console/brands/{slug}/reports/funnel", response=FunnelOut, auth=REQUIRED, tags=["console"],
            summary="A funnel of chosen steps: visitors per step, conversion, median time from the first step")
def funnel(request, slug: str, steps: str = "pv,cart,buy", start: str = "", end: str = "", window_days: int = 7,
           breakdown: str = "", attribution: str = "first"):
    """`steps`: event names or aliases (pv, cart, checkout, order, buy), comma-separated; `breakdown`: channel,
    campaign or source (by the first or last touch). 422 `unknown_step` / `reversed_range` / `unknown_dimension`."""
    from tribe.analytics import funnels

    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    first, last = reports.parse_range(start, end)
    data = funnels.funnel(brand.pk, steps, first, last, window_days=window_days, breakdown=breakdown or None,
                          attribution=attribution)
    return {**data, "start": data["start"].isoformat(), "end": data["end"].isoformat()}


class RfmCustomerOut(Schema):
    user_id: int
    recency_days: int
    frequency: int
    monetary: str
    r: int
    f: int
    m: int
    segment: str


class RfmSegmentOut(Schema):
    segment: str
    label: str
    customers: int
    monetary: str


class RfmOut(Schema):
    segments: list[RfmSegmentOut]
    customers: list[RfmCustomerOut]


@router.get("/console/brands/{slug}/reports/rfm", response=RfmOut, auth=REQUIRED, tags=["console"],
            summary="RFM: each buyer's quintile scores and segment, and the segment sizes")
def rfm(request, slug: str):
    from tribe.analytics import rfm as rfm_report

    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    rows = rfm_report.customers(brand.pk)
    return {"segments": rfm_report.segment_summary(rows), "customers": [c.as_dict() for c in rows]}


class PathOut(Schema):
    path: list[str]
    count: int
    share: float


class PathsOut(Schema):
    mode: str
    event: str
    end: str
    length: int
    grouping: str
    visits: int
    paths: list[PathOut]


@router.get("/console/brands/{slug}/reports/paths", response=PathsOut, auth=REQUIRED, tags=["console"],
            summary="Most common paths: ending in a purchase, after an event, or between two steps")
def purchase_paths(request, slug: str, mode: str = "purchase", event: str = "", end_step: str = "",
                   length: int = 5, group: str = "category", start: str = "", end: str = ""):
    """`mode`: purchase | after | between; `event`/`end_step`: event names or pv, cart, checkout, order, buy;
    `group`: how product views are grouped (category, product, event)."""
    from tribe.analytics import paths

    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    first, last = reports.parse_range(start, end)
    return paths.paths(brand.pk, first, last, mode=mode, event=event, end_event=end_step, length=length,
                       grouping=group)
