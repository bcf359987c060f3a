"""Brand reports on the main database. Traffic sources: visits, visitors, orders, buyers, GMV and conversion per
source, channel, campaign or day, for one brand (or the whole platform) over a date range (Asia/Shanghai days),
with the previous period of the same length for comparison.

Visits come from the brand's events (page views, shares, campaign actions…), sessionized at 30 minutes of
inactivity. Orders are the brand's paid store orders created in the range, credited to the first touch of the
visit that placed them (Order.source/channel/campaign). GMV is what was paid for the brand's part (goods after
discounts plus shipping) when the order was paid; later refunds do not change it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from tribe.core.errors import ValidationFailed

from .sessions import sessionize

BY = ("source", "channel", "campaign", "day")
PAID = ("paid", "partially_shipped", "shipped", "received", "completed", "closed")
MAX_DAYS = 366
ZERO = Decimal("0.00")


@dataclass
class SourceRow:
    key: str
    visits: int = 0
    visitors: int = 0
    orders: int = 0
    buyers: int = 0
    gmv: Decimal = ZERO

    @property
    def conversion(self) -> float:
        return round(self.buyers / self.visitors, 4) if self.visitors else 0.0

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(gmv=f"{self.gmv:.2f}", conversion=self.conversion)
        return data


def parse_range(start, end, *, today: date | None = None) -> tuple[date, date]:
    """Inclusive local dates from ISO strings (or dates). Default: the last 30 days. Reversed or too long → 422."""
    today = today or timezone.localdate()

    def one(value, name, default):
        if value in (None, ""):
            return default
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise ValidationFailed(f"{name}: a date like 2026-11-01", fields={name: "invalid date"}) from None

    end_d = one(end, "end", today)
    start_d = one(start, "start", end_d - timedelta(days=29))
    if start_d > end_d:
        raise ValidationFailed("start is after end", code="reversed_range", fields={"start": "after end"})
    if (end_d - start_d).days + 1 > MAX_DAYS:
        raise ValidationFailed(f"at most {MAX_DAYS} days", code="range_too_long", fields={"end": "too far"})
    return start_d, end_d


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(start, time.min), tz),
            timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz))


def _key(by: str, source: str, channel: str, campaign: str, at: datetime) -> str:
    if by == "day":
        return timezone.localtime(at).date().isoformat()
    return {"source": source or "direct", "channel": channel or "(none)", "campaign": campaign or "(none)"}[by]


def traffic_sources(brand_id: int | None, start: date, end: date, *, by: str = "source") -> list[SourceRow]:
    """Rows per key, sorted by visits then GMV (descending); `brand_id=None`: the whole platform."""
    from tribe.core.models import Event
    from tribe.orders.models import StoreOrder

    if by not in BY:
        raise ValidationFailed(f"by: one of {', '.join(BY)}", code="unknown_dimension", fields={"by": "unknown"})
    lo, hi = _bounds(start, end)
    events = Event.objects.filter(created_at__gte=lo, created_at__lt=hi)
    if brand_id is not None:
        events = events.filter(brand_id=brand_id)
    visits = sessionize(events.values_list("pk", "actor_id", "session_key", "created_at", "name", "source",
                                           "channel", "campaign").iterator(chunk_size=5000))
    rows: dict[str, SourceRow] = {}
    visitors: dict[str, set] = defaultdict(set)
    for v in visits:
        key = _key(by, v.source, v.channel, v.campaign, v.started)
        row = rows.setdefault(key, SourceRow(key))
        row.visits += 1
        visitors[key].add(v.visitor)
    parts = StoreOrder.objects.filter(order__created_at__gte=lo, order__created_at__lt=hi, order__status__in=PAID)
    if brand_id is not None:
        parts = parts.filter(store__brand_id=brand_id)
    buyers: dict[str, set] = defaultdict(set)
    seen_orders: dict[str, set] = defaultdict(set)
    for order_id, user_id, source, channel, campaign, created, total in parts.values_list(
            "order_id", "order__user_id", "order__source", "order__channel", "order__campaign", "order__created_at",
            "total").iterator(chunk_size=5000):
        key = _key(by, source, channel, campaign, created)
        row = rows.setdefault(key, SourceRow(key))
        if order_id not in seen_orders[key]:
            seen_orders[key].add(order_id)
            row.orders += 1
        buyers[key].add(user_id)
        row.gmv += total
    for key, row in rows.items():
        row.visitors = len(visitors[key])
        row.buyers = len(buyers[key])
    return sorted(rows.values(), key=lambda r: (-r.visits, -r.gmv, r.key))


def with_previous(brand_id: int | None, start: date, end: date, *, by: str = "source") -> dict:
    """The report and the same-length period just before it, with totals for both."""
    days = (end - start).days + 1
    prev_end = start - timedelta(days=1)
    prev_start = prev_end - timedelta(days=days - 1)
    current = traffic_sources(brand_id, start, end, by=by)
    previous = traffic_sources(brand_id, prev_start, prev_end, by=by)

    def total(rows):
        t = SourceRow("total")
        for r in rows:
            t.visits += r.visits
            t.orders += r.orders
            t.gmv += r.gmv
        return t

    return {"start": start, "end": end, "previous_start": prev_start, "previous_end": prev_end, "by": by,
            "rows": current, "previous": {r.key: r for r in previous},
            "total": total(current), "previous_total": total(previous)}


CSV_HEADER = ["key", "visits", "visitors", "orders", "buyers", "gmv", "conversion"]


def as_csv_rows(rows: list[SourceRow]) -> list[list]:
    return [[r.key, r.visits, r.visitors, r.orders, r.buyers, f"{r.gmv:.2f}", r.conversion] for r in rows]
