"""Reads for the flash pages and the API: today's slots, a sale with its items (no N+1)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from tribe.campaigns.models import PlayStatus
from tribe.catalog.models import ProductImage

from .models import FlashItem, FlashSale

VISIBLE = [PlayStatus.RUNNING, PlayStatus.PAUSED, PlayStatus.ENDED]


def day_bounds(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Today in the shop's time zone (Asia/Shanghai), as aware datetimes."""
    local = timezone.localtime(now or timezone.now())
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def items_prefetch() -> Prefetch:
    return Prefetch("items", queryset=FlashItem.objects.select_related("sku__product").prefetch_related(
        Prefetch("sku__product__images", queryset=ProductImage.objects.order_by("position", "id"))))


def today_sales(now: datetime | None = None, brand_id: int | None = None) -> list[FlashSale]:
    """Published sales whose slot starts today, plus any still live that started earlier (场次 in time order)."""
    now = now or timezone.now()
    start, end = day_bounds(now)
    qs = FlashSale.objects.filter(status__in=VISIBLE).filter(
        Q(starts_at__gte=start, starts_at__lt=end) | Q(starts_at__lt=start, ends_at__gt=now))
    if brand_id is not None:
        qs = qs.filter(brand_id=brand_id)
    return list(qs.select_related("brand").prefetch_related(items_prefetch()).order_by("starts_at", "pk")[:100])


def public_sale(sale_id: int) -> FlashSale | None:
    if not isinstance(sale_id, int) or sale_id < 1 or sale_id > 2**63 - 1:
        return None
    return (FlashSale.objects.filter(pk=sale_id, status__in=VISIBLE).select_related("brand")
            .prefetch_related(items_prefetch()).first())


def seconds_until(moment: datetime, now: datetime | None = None) -> int:
    return max(0, int((moment - (now or timezone.now())).total_seconds()))
