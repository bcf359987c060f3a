"""Registrations: "post" and "review" as comment/like targets; "post" and "circle" as share kinds.

Only public content is shareable: a post outside circles or in a public circle, and any circle's name and
description (a members-only circle's card shows no counts, posts or members: the same as its page does)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.urls import reverse

from tribe.circles.models import Circle
from tribe.content.models import Review
from tribe.sharing.kinds import _file_url, _short
from tribe.sharing.registry import ShareCard, ShareKind
from tribe.sharing.registry import register as register_share

from . import selectors
from .models import Post, PostImage, PostProduct
from .targets import Target, register

MAX_ID = 2**63 - 1


def _find_review(viewer, review_id: int) -> Review | None:
    return Review.objects.filter(pk=review_id).first()


def _share_post(key: str) -> Post | None:
    if not key.isdigit() or int(key) > MAX_ID:
        return None
    return (
        Post.objects.filter(pk=int(key), removed=False)
        .filter(circle__isnull=True).select_related("author", "brand")
        .prefetch_related(Prefetch("images", queryset=PostImage.objects.order_by("position", "id")),
                          Prefetch("tags", queryset=PostProduct.objects.select_related("product")))
        .first()
    ) or (
        Post.objects.filter(pk=int(key), removed=False, circle__visibility=Circle.Visibility.PUBLIC)
        .select_related("author", "brand")
        .prefetch_related(Prefetch("images", queryset=PostImage.objects.order_by("position", "id")),
                          Prefetch("tags", queryset=PostProduct.objects.select_related("product")))
        .first()
    )


def _post_card(post: Post) -> ShareCard:
    images = list(post.images.all())
    tags = list(post.tags.all())
    image = _file_url(images[0].image) if images else ""
    title = f"{post.author.display_name}：{_short(post.text)[:40]}"
    return ShareCard(title=title, description=_short(post.text), image_url=image,
                     price=tags[0].product.min_price if tags else None, url=reverse("web:post", args=[post.pk]),
                     og_type="article")


def _share_circle(key: str) -> Circle | None:
    return Circle.objects.filter(slug=key[:60]).first()


def _circle_card(circle: Circle) -> ShareCard:
    return ShareCard(title=circle.name, description=_short(circle.description, circle.name), image_url="",
                     price=None, url=reverse("web:circle", args=[circle.slug]))


def register_all() -> None:
    register(Target("post", find=selectors.find_visible_post, owner_id=lambda p: p.author_id,
                    url=lambda p: reverse("web:post", args=[p.pk]), circle_id=lambda p: p.circle_id))
    register(Target("review", find=_find_review, owner_id=lambda r: r.author_id,
                    url=lambda r: reverse("web:product_reviews", args=[r.product_id])))
    register_share(ShareKind("post", lookup=_share_post, card=_post_card))
    register_share(ShareKind("circle", lookup=_share_circle, card=_circle_card, key=lambda c: c.slug))
