"""The kinds that exist today: product, scenario bundle, brand station."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.text import Truncator

from tribe.brands.models import Brand
from tribe.catalog.models import Bundle, Product, ProductImage

from .registry import ShareCard, ShareKind, register

DESCRIPTION_CHARS = 120
MAX_ID = 2**63 - 1


def _short(*texts: str) -> str:
    for text in texts:
        text = " ".join((text or "").split())
        if text:
            return Truncator(text).chars(DESCRIPTION_CHARS)
    return ""


def _file_url(field) -> str:
    return field.url if field else ""


def _find_product(key: str) -> Product | None:
    if not key.isdigit() or int(key) > MAX_ID:
        return None
    return (
        Product.objects.published()
        .select_related("brand", "store")
        .prefetch_related(Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")))
        .filter(pk=int(key))
        .first()
    )


def _product_card(product: Product) -> ShareCard:
    cover = product.cover  # uses the prefetched images
    image = _file_url(cover.image) if cover is not None else _file_url(product.brand.logo)
    return ShareCard(
        title=product.name,
        description=_short(product.subtitle, product.description, product.brand.name),
        image_url=image,
        price=product.min_price,
        url=reverse("web:product", args=[product.pk]),
        og_type="product",
    )


def _find_bundle(key: str) -> Bundle | None:
    return Bundle.objects.filter(slug=key, published=True).first()


def _bundle_card(bundle: Bundle) -> ShareCard:
    return ShareCard(
        title=bundle.name,
        description=_short(bundle.scenario, bundle.description),
        image_url=_file_url(bundle.cover),
        price=None,
        url=reverse("web:bundle", args=[bundle.slug]),
    )


def _find_station(key: str) -> Brand | None:
    return Brand.objects.filter(slug=key, is_active=True).first()


def _station_card(brand: Brand) -> ShareCard:
    return ShareCard(
        title=brand.name,
        description=_short(brand.tagline, brand.story),
        image_url=_file_url(brand.cover) or _file_url(brand.logo),
        price=None,
        url=reverse("web:brand", args=[brand.slug]),
    )


register(ShareKind("product", lookup=_find_product, card=_product_card))
register(ShareKind("bundle", lookup=_find_bundle, card=_bundle_card, key=lambda b: b.slug))
register(ShareKind("station", lookup=_find_station, card=_station_card, key=lambda b: b.slug))
