"""A promoter's dashboard, per brand they promote: clicks, distinct visitors, attributed orders, conversion,
commission by state, top products and channels. Every figure is computed from ShareClick, LineAttribution and
ledger rows (a fixed number of queries per brand)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from tribe.commissions import selectors as ledger

from .models import LineAttribution, Promoter, ShareClick


def for_user(user) -> list[dict]:
    rows = []
    for promoter in Promoter.objects.filter(user=user).select_related("brand").order_by("brand__name", "id"):
        clicks = ShareClick.objects.filter(sharer=user).filter(
            Q(brand=promoter.brand) | Q(brand__isnull=True))
        counts = clicks.aggregate(
            clicks=Count("id"),
            users=Count("visitor", distinct=True),
            sessions=Count("session_key", distinct=True, filter=Q(visitor__isnull=True)))
        visitors = counts["users"] + counts["sessions"]
        atts = LineAttribution.objects.filter(promoter=promoter)
        orders = atts.values("line__order_id").distinct().count()
        paid = atts.filter(line__order__paid_total__gt=0)
        top = list(paid.values("line__product_id", "line__product_name")
                   .annotate(base=Sum("base_amount"), n=Count("id")).order_by("-base", "line__product_id")[:5])
        channels = list(clicks.values("channel").annotate(n=Count("id")).order_by("-n", "channel")[:8])
        rows.append({
            "promoter": promoter, "brand": promoter.brand, "clicks": counts["clicks"], "visitors": visitors,
            "orders": orders, "paid_orders": paid.values("line__order_id").distinct().count(),
            "conversion": round(orders / visitors * 100, 1) if visitors else None,
            "sales": sum((a for a in paid.values_list("base_amount", flat=True)), Decimal("0.00")),
            "balance": ledger.balance(promoter),
            "top_products": top, "channels": channels,
        })
    return rows
