"""The "bargain" share card: "帮我砍一刀" with the product's picture and the bargain's current price."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tribe.campaigns.models import PlayStatus
from tribe.sharing.registry import ShareCard, ShareKind, register

from .selectors import bargain_queryset

MAX_ID = 2**63 - 1


def _find(key: str):
    if not key.isdigit() or not 1 <= int(key) <= MAX_ID:
        return None
    return bargain_queryset().exclude(campaign__status=PlayStatus.DRAFT).filter(pk=int(key)).first()


def _card(bargain) -> ShareCard:
    product = bargain.campaign.sku.product
    cover = product.cover
    image = cover.image.url if cover is not None and cover.image else (
        product.brand.logo.url if product.brand.logo else "")
    return ShareCard(
        title=_("帮我砍一刀：%(name)s") % {"name": product.name},
        description=_("已砍到 ¥%(now)s，底价 ¥%(floor)s，还差 %(n)s 位好友") % {
            "now": bargain.current_price, "floor": bargain.floor_price, "n": bargain.helps_left},
        image_url=image,
        price=bargain.current_price,
        url=reverse("web:bargain", args=[bargain.pk]),
        og_type="product",
    )


def register_kind() -> None:
    register(ShareKind("bargain", lookup=_find, card=_card))
