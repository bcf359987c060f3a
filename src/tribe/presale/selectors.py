"""Presale reads: the public page's presale, a buyer's purchases, the console's counts."""

from __future__ import annotations

from django.db.models import Count, Prefetch

from tribe.campaigns.models import PlayStatus
from tribe.catalog.models import ProductImage

from .models import Presale, PresaleOrder

MAX_ID = 2**63 - 1


def public_presale(pk) -> Presale | None:
    """A presale anyone may see (not a draft), with what its page and share card show."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 1 <= pk <= MAX_ID:
        return None
    return (Presale.objects.exclude(status=PlayStatus.DRAFT)
            .select_related("brand", "sku__product__brand")
            .prefetch_related(Prefetch("sku__product__images",
                                       queryset=ProductImage.objects.order_by("position", "id")))
            .filter(pk=pk).first())


def my_purchases(user):
    return (PresaleOrder.objects.filter(user=user)
            .select_related("presale__sku__product", "deposit_order", "balance_order"))


def state_counts(presale_ids) -> dict[int, dict[str, int]]:
    """{presale id: {state: purchases}} in one query."""
    out: dict[int, dict[str, int]] = {pk: {} for pk in presale_ids}
    rows = (PresaleOrder.objects.filter(presale_id__in=list(presale_ids)).values("presale_id", "state")
            .annotate(n=Count("id")))
    for r in rows:
        out[r["presale_id"]][r["state"]] = r["n"]
    return out
