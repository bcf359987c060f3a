"""Reads of posts, comments and likes. Visibility: a post outside circles is public; a post in a circle is
visible exactly when the circle's content is (tribe.circles.selectors.can_view); removed posts are gone."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from tribe.catalog.models import Product
from tribe.circles.models import Circle, Membership
from tribe.circles.selectors import can_view

from .models import Comment, Like, Post, PostImage, PostProduct

MAX_ID = 2**63 - 1


def active_circle_ids(user) -> set[int]:
    if user is None or not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user, state=Membership.State.ACTIVE).values_list("circle_id",
                                                                                                   flat=True))


def visible_posts(user) -> QuerySet[Post]:
    """Posts this user may see anywhere (lists, search, feed): not removed; outside circles, in public
    circles, or in members-only circles they are an active member of."""
    q = Q(circle__isnull=True) | Q(circle__visibility=Circle.Visibility.PUBLIC)
    if user is not None and user.is_authenticated:
        q |= Q(circle_id__in=Membership.objects.filter(user=user, state=Membership.State.ACTIVE)
               .values("circle_id"))
    return Post.objects.filter(q, removed=False)


def with_display(qs: QuerySet[Post]) -> QuerySet[Post]:
    """Everything a post card shows, in a fixed number of queries."""
    return qs.select_related("author", "circle", "brand").prefetch_related(
        Prefetch("images", queryset=PostImage.objects.order_by("position", "id")),
        Prefetch("tags", queryset=PostProduct.objects.select_related("product").order_by("position", "id")),
    )


def find_visible_post(user, post_id: int) -> Post | None:
    if not 1 <= post_id <= MAX_ID:
        return None
    post = Post.objects.select_related("circle").filter(pk=post_id, removed=False).first()
    if post is None or (post.circle is not None and not can_view(user, post.circle)):
        return None
    return post


def counts_for(kind: str, ids, user=None) -> dict[int, dict]:
    """{id: {"likes": n, "comments": n, "liked": bool}} for targets of one kind, in at most 3 queries."""
    ids = list(ids)
    out = {i: {"likes": 0, "comments": 0, "liked": False} for i in ids}
    if not ids:
        return out
    for row in (Like.objects.filter(target_kind=kind, target_id__in=ids).values("target_id")
                .annotate(n=Count("id"))):
        out[row["target_id"]]["likes"] = row["n"]
    for row in (Comment.objects.filter(target_kind=kind, target_id__in=ids, removed=False).values("target_id")
                .annotate(n=Count("id"))):
        out[row["target_id"]]["comments"] = row["n"]
    if user is not None and user.is_authenticated:
        for target_id in Like.objects.filter(target_kind=kind, target_id__in=ids, user=user).values_list(
                "target_id", flat=True):
            out[target_id]["liked"] = True
    return out


def comments_for(kind: str, target_id: int, limit: int = 200) -> list[Comment]:
    return list(Comment.objects.filter(target_kind=kind, target_id=target_id, removed=False)
                .select_related("author").order_by("created_at", "id")[:limit])


def decorate(posts: list[Post], user) -> list[Post]:
    """Attach like/comment counts and `liked` to already-loaded posts (3 queries for the whole list)."""
    counts = counts_for("post", [p.pk for p in posts], user)
    for post in posts:
        c = counts[post.pk]
        post.like_total, post.comment_total, post.liked = c["likes"], c["comments"], c["liked"]
    return posts


def product_posts(user, product: Product, limit: int = 5) -> tuple[list[Post], int]:
    """Posts and circle discussions that tag this product and this user may see: newest few and the total.
    Members-only circles the viewer is not in are never counted."""
    qs = visible_posts(user).filter(tags__product=product)
    items = list(with_display_light(qs.order_by("-created_at", "-id"))[:limit + 1])
    total = qs.count() if len(items) > limit else len(items)  # count only when there are more than shown
    return items[:limit], total


def with_display_light(qs: QuerySet[Post]) -> QuerySet[Post]:
    return qs.select_related("author", "circle").prefetch_related(
        Prefetch("images", queryset=PostImage.objects.order_by("position", "id")))
