"""What can be shared: a kind ("product", "bundle", "station", later "post", "album", "circle") maps to a
resolver that finds the object by its URL key and describes it as a share card.

A later app registers its own kind in its AppConfig.ready():

    register(ShareKind("post", lookup=find_post, card=post_card, key=lambda post: str(post.pk)))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class ShareCard:
    """How an object looks when shared. `image_url` and `url` may be site-relative; callers make them
    absolute for the request's host."""

    title: str
    description: str
    image_url: str
    price: Decimal | None
    url: str
    og_type: str = "website"


@dataclass(frozen=True)
class ShareKind:
    name: str
    # The object for a URL key (id or slug) if it may be shown to anyone, else None. May query.
    lookup: Callable[[str], Any | None]
    # The card for an object already loaded for its page: must not query beyond what the page prefetched.
    card: Callable[[Any], ShareCard]
    # The URL key (id or slug) that `lookup` accepts for this object.
    key: Callable[[Any], str] = lambda obj: str(obj.pk)


_KINDS: dict[str, ShareKind] = {}


def register(kind: ShareKind) -> None:
    _KINDS[kind.name] = kind


def get_kind(name: str) -> ShareKind | None:
    return _KINDS.get(name)


def kinds() -> list[str]:
    return sorted(_KINDS)


def resolve(kind: str, key: str) -> Any | None:
    """The shareable object of `kind` with URL key `key`, or None for an unknown kind or object."""
    entry = _KINDS.get(kind)
    if entry is None or not key or len(key) > 100:
        return None
    return entry.lookup(key)


def _entry(kind: str) -> ShareKind:
    entry = _KINDS.get(kind)
    if entry is None:
        raise KeyError(kind)
    return entry


def card_for(kind: str, obj: Any) -> ShareCard:
    return _entry(kind).card(obj)


def key_for(kind: str, obj: Any) -> str:
    return _entry(kind).key(obj)
