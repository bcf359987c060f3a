"""What curation registers with other apps at start-up: share kinds ("album", "guide") and comment/like
targets ("album", "guide"). Called from CurationConfig.ready()."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext

from tribe.posts.targets import Target
from tribe.posts.targets import register as register_target
from tribe.sharing.registry import ShareCard, ShareKind
from tribe.sharing.registry import register as register_share

from . import selectors

DESCRIPTION_CHARS = 120


def _short(*texts: str) -> str:
    for text in texts:
        text = " ".join((text or "").split())
        if text:
            return Truncator(text).chars(DESCRIPTION_CHARS)
    return ""


def _cover_url(products) -> str:
    for product in products:
        cover = product.cover  # prefetched images
        if cover is not None:
            return cover.image.url
    return ""


def _find_album(key: str):
    if not key.isdigit():
        return None
    return selectors.album_for_page(None, int(key))  # public albums only


def album_card(album) -> ShareCard:
    """Uses the items the page prefetched (selectors.album_for_page): no query of its own."""
    products = [item.product for item in getattr(album, "shown_items", [])]
    prices = [p.min_price for p in products]
    count_text = gettext("%(n)s 件好物") % {"n": len(products)}
    return ShareCard(
        title=album.title,
        description=_short(album.description, count_text),
        image_url=_cover_url(products),
        price=min(prices) if prices else None,
        url=reverse("web:album", args=[album.pk]),
    )


def _find_guide(key: str):
    if not key.isdigit():
        return None
    return selectors.guide_for_page(None, int(key))  # published guides only


def guide_card(guide) -> ShareCard:
    products = [sp.product for step in getattr(guide, "ordered_steps", []) for sp in step.shown_products]
    return ShareCard(
        title=guide.title,
        description=_short(f"{guide.scenario} · {guide.intro}" if guide.intro else guide.scenario),
        image_url=guide.cover.url if guide.cover else _cover_url(products),
        price=None,
        url=reverse("web:guide", args=[guide.pk]),
    )


def register() -> None:
    register_share(ShareKind("album", lookup=_find_album, card=album_card))
    register_share(ShareKind("guide", lookup=_find_guide, card=guide_card))
    register_target(Target("album", find=selectors.find_album, owner_id=lambda a: a.owner_id,
                           url=lambda a: reverse("web:album", args=[a.pk])))
    register_target(Target("guide", find=selectors.find_guide, owner_id=lambda g: g.author_id,
                           url=lambda g: reverse("web:guide", args=[g.pk])))
