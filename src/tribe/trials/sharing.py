"""The "trial" share card: /share/trial/<id>/ shows the trial's product, its units and the free price."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.text import Truncator

from tribe.campaigns.models import PlayStatus
from tribe.catalog.models import ProductImage
from tribe.sharing.registry import ShareCard, ShareKind, register

from .models import Trial


def _find(key: str) -> Trial | None:
    if not key.isdigit() or int(key) > 2**63 - 1:
        return None
    return (Trial.objects.exclude(status=PlayStatus.DRAFT).select_related("brand", "sku", "sku__product")
            .prefetch_related(Prefetch("sku__product__images",
                                       queryset=ProductImage.objects.order_by("position", "id")))
            .filter(pk=int(key)).first())


def _card(trial: Trial) -> ShareCard:
    product = trial.sku.product
    cover = product.cover
    image = cover.image.url if cover is not None and cover.image else (trial.brand.logo.url if trial.brand.logo else "")
    text = " ".join((trial.description or product.subtitle or product.name).split())
    return ShareCard(title=f"【免费试用】{trial.title}",
                     description=Truncator(f"{trial.units} 份 · {text}").chars(120),
                     image_url=image, price=Decimal("0.00"), url=reverse("web:trial", args=[trial.pk]))


def register_kind() -> None:
    register(ShareKind("trial", lookup=_find, card=_card))
