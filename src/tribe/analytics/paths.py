"""Purchase paths: the most common sequences of steps within visits (30-minute sessions).

Steps are event names, with product views grouped by category (`product_view:<category>`) or by product
(`product_view:<product id>`), and repeats in a row collapsed (three product views of one category are one step).
Three questions:
- `purchase`: the last `length` steps of visits up to and including their first purchase (order_paid, or
  order_placed with `end=order_placed`);
- `after`: the `length` steps that follow the first `event` of a visit;
- `between`: the steps from the first `event` to the next `end` in a visit (paths of at most `length` steps in
  between).
Order events count for a brand when the order has a part sold by that brand.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Q

from tribe.core.errors import ValidationFailed

from .funnels import ALIASES, ORDER_EVENTS
from .reports import _bounds
from .sessions import sessionize

MODES = ("purchase", "after", "between")
GROUPINGS = ("category", "product", "event")


def _label(name: str, product_id, grouping: str, categories: dict) -> str:
    if name != "product_view" or grouping == "event" or product_id is None:
        return name
    if grouping == "product":
        return f"product_view:{product_id}"
    return f"product_view:{categories.get(product_id, '?')}"


def paths(brand_id: int | None, start, end, *, mode: str = "purchase", event: str = "", end_event: str = "",
          length: int = 5, grouping: str = "category", limit: int = 20) -> dict:
    from tribe.catalog.models import Product
    from tribe.core.models import Event
    from tribe.orders.models import StoreOrder

    if mode not in MODES:
        raise ValidationFailed(f"mode: one of {', '.join(MODES)}", code="unknown_mode", fields={"mode": "unknown"})
    if grouping not in GROUPINGS:
        raise ValidationFailed(f"group: one of {', '.join(GROUPINGS)}", code="unknown_dimension",
                               fields={"group": "unknown"})
    if not isinstance(length, int) or not 2 <= length <= 10:
        raise ValidationFailed("length: 2 to 10 steps", fields={"length": "2–10"})
    event = ALIASES.get(event, event)
    end_event = ALIASES.get(end_event, end_event) or ("order_paid" if mode == "purchase" else "")
    if mode in ("after", "between") and not event:
        raise ValidationFailed("event: required for this mode", code="unknown_step", fields={"event": "required"})
    if mode == "between" and not end_event:
        raise ValidationFailed("end: required for paths between two steps", code="unknown_step",
                               fields={"end": "required"})
    lo, hi = _bounds(start, end)
    qs = Event.objects.filter(created_at__gte=lo, created_at__lt=hi)
    if brand_id is not None:
        orders = StoreOrder.objects.filter(store__brand_id=brand_id).values("order_id")
        qs = qs.filter(Q(brand_id=brand_id) | Q(name__in=ORDER_EVENTS, object_type="order", object_id__in=orders))
    rows = list(qs.values_list("pk", "actor_id", "session_key", "created_at", "name", "source", "channel",
                               "campaign", "object_type", "object_id"))
    product_ids = {r[9] for r in rows if r[4] == "product_view" and r[8] == "product" and r[9]}
    categories = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "category__name"))
    labels = {r[0]: _label(r[4], r[9] if r[8] == "product" else None, grouping, categories) for r in rows}
    visits = sessionize([(r[0], r[1], r[2], r[3], labels[r[0]], r[5], r[6], r[7]) for r in rows])
    counter: Counter = Counter()
    total = 0
    for visit in visits:
        steps = [s for i, s in enumerate(visit.events) if i == 0 or s != visit.events[i - 1]]
        found = None
        if mode == "purchase":
            if end_event in steps:
                idx = steps.index(end_event)
                found = steps[max(0, idx - length + 1): idx + 1]
        elif event in steps:
            idx = steps.index(event)
            if mode == "after":
                found = steps[idx: idx + length + 1]
            else:
                rest = steps[idx + 1:]
                if end_event in rest:
                    between = rest[: rest.index(end_event)]
                    if len(between) <= length:
                        found = [event, *between, end_event]
        if found:
            counter[tuple(found)] += 1
            total += 1
    top = [{"path": list(p), "count": n, "share": round(n / total, 4)} for p, n in counter.most_common(limit)]
    return {"mode": mode, "event": event, "end": end_event, "length": length, "grouping": grouping,
            "visits": total, "paths": top}
