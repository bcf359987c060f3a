"""The 秒杀 share card: a sale (its slot and lowest flash price)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from tribe.sharing.registry import ShareCard

from . import selectors
from .models import FlashSale


def find_sale(key: str) -> FlashSale | None:
    if not key.isdigit() or len(key) > 18:
        return None
    return selectors.public_sale(int(key))


def sale_card(sale: FlashSale) -> ShareCard:
    items = list(sale.items.all())  # prefetched by public_sale
    cover = ""
    for item in items:
        first = next(iter(item.sku.product.images.all()), None)
        if first is not None and first.image:
            cover = first.image.url
            break
    when = timezone.localtime(sale.starts_at).strftime("%m-%d %H:%M")
    names = "、".join(item.sku.product.name for item in items[:3])
    return ShareCard(title=f"秒杀 {when} · {sale.title}", description=(sale.description or names)[:120],
                     image_url=cover or (sale.brand.logo.url if sale.brand.logo else ""),
                     price=min((i.flash_price for i in items), default=None),
                     url=reverse("web:flashsale_sale", args=[sale.pk]))
