"""The presale share card ("presale" kind): the product, the presale price and the deposit deal."""

from __future__ import annotations

from django.urls import reverse

from tribe.sharing.registry import ShareCard, ShareKind, register

from .selectors import public_presale


def _card(presale) -> ShareCard:
    product = presale.sku.product
    cover = product.cover
    image = cover.image.url if cover is not None and cover.image else ""
    deal = f"定金 ¥{presale.deposit} 抵 ¥{presale.deposit_value}" if presale.deposit_value > presale.deposit \
        else f"定金 ¥{presale.deposit}"
    return ShareCard(title=f"【预售】{presale.title}", description=f"{product.name} · 预售价 ¥{presale.price} · {deal}",
                     image_url=image, price=presale.price, url=reverse("web:presale", args=[presale.pk]),
                     og_type="product")


def register_kind() -> None:
    register(ShareKind("presale", lookup=public_presale, card=_card))
