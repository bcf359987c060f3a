"""`{% og_tags "product" product %}`: Open Graph tags from the object the page already loaded (no query)."""

from __future__ import annotations

from django import template

from tribe.sharing.registry import card_for

register = template.Library()


def _absolute(request, url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    if request is None:
        from tribe.sharing.services import absolute

        return absolute(url)
    return request.build_absolute_uri(url)


@register.inclusion_tag("web/_og_tags.html", takes_context=True)
def og_tags(context, kind: str, obj) -> dict:
    request = context.get("request")
    card = card_for(kind, obj)
    return {
        "og": card,
        "og_url": _absolute(request, card.url),
        "og_image": _absolute(request, card.image_url),
    }
