"""Funnels: the brand chooses the steps (event names, or the aliases pv, cart, checkout, order, buy), a conversion
window, and optionally a breakdown (channel, campaign or source) by first touch or last touch.

Per visitor (the signed-in user, else the browser session), the funnel starts at their first step-1 event in the
range; each next step counts at its first occurrence after the previous step and within `window` of the start.
Per step: visitors reaching it, conversion from the previous step and from the start, and the median time from
the start. Order events (placed, paid) carry no brand: for a brand they count when the order has a part sold by
that brand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median

from django.db.models import Q

from tribe.core.errors import ValidationFailed

from .reports import _bounds
from .sessions import visitor_key

ALIASES = {"pv": "product_view", "view": "product_view", "cart": "add_to_cart", "checkout": "checkout_started",
           "order": "order_placed", "buy": "order_paid", "paid": "order_paid"}
ORDER_EVENTS = ("order_placed", "order_paid", "order_cancelled", "received")
BREAKDOWNS = ("channel", "campaign", "source")
MAX_STEPS = 8


@dataclass
class Step:
    name: str
    visitors: int = 0
    conversion_from_previous: float = 0.0
    conversion_from_start: float = 0.0
    median_seconds_from_start: float | None = None
    _durations: list = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        return {"name": self.name, "visitors": self.visitors,
                "conversion_from_previous": self.conversion_from_previous,
                "conversion_from_start": self.conversion_from_start,
                "median_seconds_from_start": self.median_seconds_from_start}


def parse_steps(raw) -> list[str]:
    items = raw.split(",") if isinstance(raw, str) else list(raw or [])
    steps = [ALIASES.get(s.strip(), s.strip()) for s in items if str(s).strip()]
    from tribe.core.events import EVENT_NAMES

    known = set(EVENT_NAMES) | set(ALIASES.values()) | set(ORDER_EVENTS)
    unknown = [s for s in steps if s not in known]
    if unknown:
        raise ValidationFailed(f"unknown steps: {', '.join(unknown)}", code="unknown_step",
                               fields={"steps": ", ".join(unknown)})
    if not 2 <= len(steps) <= MAX_STEPS:
        raise ValidationFailed(f"steps: 2 to {MAX_STEPS} event names", code="bad_steps", fields={"steps": "2–8"})
    return steps


def _events(brand_id: int | None, steps: list[str], start: date, end: date, window: timedelta):
    from tribe.core.models import Event
    from tribe.orders.models import StoreOrder

    lo, hi = _bounds(start, end)
    qs = Event.objects.filter(name__in=steps, created_at__gte=lo, created_at__lt=hi + window)
    if brand_id is not None:
        orders = StoreOrder.objects.filter(store__brand_id=brand_id).values("order_id")
        qs = qs.filter(Q(brand_id=brand_id) | Q(name__in=ORDER_EVENTS, object_type="order", object_id__in=orders))
    return qs.order_by("created_at", "pk").values_list("pk", "actor_id", "session_key", "created_at", "name",
                                                       "source", "channel", "campaign")


def funnel(brand_id: int | None, steps, start: date, end: date, *, window_days: int = 7,
           breakdown: str | None = None, attribution: str = "first") -> dict:
    steps = parse_steps(steps)
    if not isinstance(window_days, int) or not 1 <= window_days <= 90:
        raise ValidationFailed("window_days: 1 to 90", fields={"window_days": "1–90"})
    if breakdown not in (None, "", *BREAKDOWNS):
        raise ValidationFailed(f"breakdown: one of {', '.join(BREAKDOWNS)}", code="unknown_dimension",
                               fields={"breakdown": "unknown"})
    if attribution not in ("first", "last"):
        raise ValidationFailed("attribution: first or last", fields={"attribution": "first|last"})
    window = timedelta(days=window_days)
    lo, hi = _bounds(start, end)
    per_visitor: dict[str, list] = defaultdict(list)
    for row in _events(brand_id, steps, start, end, window).iterator(chunk_size=5000):
        per_visitor[visitor_key(row[1], row[2], row[0])].append(row)
    groups: dict[str, list[Step]] = {}
    for events in per_visitor.values():
        first = next((e for e in events if e[4] == steps[0] and lo <= e[3] < hi), None)
        if first is None:
            continue
        reached = [first]
        for e in events:
            if len(reached) == len(steps):
                break
            if e[3] - first[3] > window:
                break
            if e[3] >= reached[-1][3] and e[0] != reached[-1][0] and e[4] == steps[len(reached)]:
                reached.append(e)
        touch = reached[0] if attribution == "first" else reached[-1]
        key = "all" if not breakdown else ({"source": touch[5], "channel": touch[6], "campaign": touch[7]}[breakdown]
                                           or "(none)")
        rows = groups.setdefault(key, [Step(name) for name in steps])
        for i, e in enumerate(reached):
            rows[i].visitors += 1
            rows[i]._durations.append((e[3] - first[3]).total_seconds())
    for rows in groups.values():
        for i, step in enumerate(rows):
            base = rows[i - 1].visitors if i else step.visitors
            step.conversion_from_previous = round(step.visitors / base, 4) if base else 0.0
            step.conversion_from_start = round(step.visitors / rows[0].visitors, 4) if rows[0].visitors else 0.0
            step.median_seconds_from_start = median(step._durations) if step._durations else None
    ordered = sorted(groups.items(), key=lambda kv: (-kv[1][0].visitors, kv[0]))
    return {"steps": steps, "start": start, "end": end, "window_days": window_days, "breakdown": breakdown or None,
            "attribution": attribution, "groups": {k: [s.as_dict() for s in v] for k, v in ordered}}
