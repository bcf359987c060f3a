"""The share kind "group": a 拼团 group's card (product image, group price, seats left) → /groups/<id>/."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _

from tribe.catalog.models import ProductImage
from tribe.sharing.registry import ShareCard, ShareKind, register

from .models import Group, GroupBuySku


def group_queryset():
    """What a group's page and card need, in a fixed number of queries."""
    return Group.objects.select_related("deal__product__brand", "leader").prefetch_related(
        Prefetch("deal__product__images", queryset=ProductImage.objects.order_by("position", "id")),
        Prefetch("deal__skus", queryset=GroupBuySku.objects.select_related("sku").order_by("id")),
    )


def find_group(key: str) -> Group | None:
    if not key.isdigit() or int(key) > 2**63 - 1:
        return None
    return group_queryset().filter(pk=int(key)).first()


def group_card(group: Group) -> ShareCard:
    product = group.deal.product
    cover = product.cover
    prices = [s.price for s in group.deal.skus.all()]
    if group.state == Group.State.OPEN:
        text = _("%(size)s人团，还差 %(left)s 人，快来一起拼！") % {"size": group.size, "left": group.seats_left}
    else:
        text = _("%(size)s人团 · %(state)s") % {"size": group.size, "state": group.get_state_display()}
    return ShareCard(
        title=_("【拼团】%(name)s") % {"name": product.name},
        description=text,
        image_url=cover.image.url if cover is not None and cover.image else "",
        price=min(prices) if prices else None,
        url=reverse("web:group", args=[group.pk]),
        og_type="product",
    )


def register_kind() -> None:
    register(ShareKind("group", lookup=find_group, card=group_card))
