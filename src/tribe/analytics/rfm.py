"""RFM for a brand's buyers: recency (days since the last paid order), frequency (paid orders) and monetary, each
scored 1–5 by quintile among the brand's buyers (5 = best:
most recent, most frequent, most spent), grouped into named segments. Monetary is what was paid for the
brand's parts of paid orders (goods after discounts plus shipping); fully refunded orders (closed) do not count.

Quintiles: buyers are ranked on each measure and the rank is cut into five equal parts; ties share the score of
their first rank, so equal values always score the same.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

PAID = ("paid", "partially_shipped", "shipped", "received", "completed")

# (name, label, rule) checked in order; the first that matches names the customer
SEGMENTS = [
    ("champions", gettext_noop("核心客户"), lambda r, f, m: r >= 4 and f >= 4),
    ("loyal", gettext_noop("忠诚客户"), lambda r, f, m: r >= 3 and f >= 4),
    ("new", gettext_noop("新客户"), lambda r, f, m: r >= 4 and f == 1),
    ("promising", gettext_noop("潜力客户"), lambda r, f, m: r >= 4),
    ("at_risk", gettext_noop("流失风险"), lambda r, f, m: r <= 2 and f >= 3),
    ("hibernating", gettext_noop("沉睡客户"), lambda r, f, m: r <= 2),
    ("need_attention", gettext_noop("需要关注"), lambda r, f, m: True),
]


@dataclass
class Customer:
    user_id: int
    recency_days: int
    frequency: int
    monetary: Decimal
    r: int = 0
    f: int = 0
    m: int = 0
    segment: str = ""

    def as_dict(self) -> dict:
        return {"user_id": self.user_id, "recency_days": self.recency_days, "frequency": self.frequency,
                "monetary": f"{self.monetary:.2f}", "r": self.r, "f": self.f, "m": self.m, "segment": self.segment}


def quintile_scores(values: list, *, higher_is_better: bool = True) -> list[int]:
    """Score each value 1–5 by its rank among `values` (ties share the score of their first rank)."""
    n = len(values)
    if n == 0:
        return []
    order = sorted(range(n), key=lambda i: values[i], reverse=not higher_is_better)
    scores = [0] * n
    first_rank: dict = {}
    for rank, i in enumerate(order):
        first = first_rank.setdefault(values[i], rank)
        scores[i] = 1 + (first * 5) // n
    return scores


def customers(brand_id: int | None, *, now: datetime | None = None) -> list[Customer]:
    from tribe.orders.models import StoreOrder

    now = now or timezone.now()
    parts = StoreOrder.objects.filter(order__status__in=PAID)
    if brand_id is not None:
        parts = parts.filter(store__brand_id=brand_id)
    last: dict[int, datetime] = {}
    orders: dict[int, set] = defaultdict(set)
    money: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for user_id, order_id, paid_at, total in parts.values_list("order__user_id", "order_id", "order__paid_at",
                                                               "total").iterator(chunk_size=5000):
        orders[user_id].add(order_id)
        money[user_id] += total
        if paid_at and (user_id not in last or paid_at > last[user_id]):
            last[user_id] = paid_at
    rows = [Customer(uid, (now - last[uid]).days if uid in last else 10**6, len(orders[uid]), money[uid])
            for uid in sorted(orders)]
    rs = quintile_scores([c.recency_days for c in rows], higher_is_better=False)
    fs = quintile_scores([c.frequency for c in rows])
    ms = quintile_scores([c.monetary for c in rows])
    for c, r, f, m in zip(rows, rs, fs, ms, strict=True):
        c.r, c.f, c.m = r, f, m
        c.segment = next(name for name, _label, rule in SEGMENTS if rule(r, f, m))
    return rows


def segment_summary(rows: list[Customer]) -> list[dict]:
    labels = {name: gettext(label) for name, label, _ in SEGMENTS}
    out = []
    for name, _label, _ in SEGMENTS:
        members = [c for c in rows if c.segment == name]
        out.append({"segment": name, "label": labels[name], "customers": len(members),
                    "monetary": f"{sum((c.monetary for c in members), Decimal('0.00')):.2f}"})
    return out
