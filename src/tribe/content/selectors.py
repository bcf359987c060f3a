"""Reads of reviews. The summary is one aggregate query; a page of reviews is one query plus one image
prefetch, whatever the number of reviews."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, BooleanField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value

from tribe.social.selectors import friend_follows

from .models import HelpfulVote, Review, ReviewImage


def summary(product_id: int) -> dict:
    """{"count", "average" (Decimal, 1 place, None without reviews), "distribution": {1..5: n}}."""
    agg = Review.objects.filter(product_id=product_id).aggregate(
        count=Count("id"), average=Avg("rating"),
        **{f"r{star}": Count("id", filter=Q(rating=star)) for star in range(1, 6)},
    )
    average = None
    if agg["count"]:
        average = Decimal(str(agg["average"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return {"count": agg["count"], "average": average,
            "distribution": {star: agg[f"r{star}"] for star in range(1, 6)}}


def _shaped(qs: QuerySet, viewer) -> QuerySet:
    """Author, images, helpful count and whether the viewer voted, in one query plus one image prefetch."""
    voted = (Exists(HelpfulVote.objects.filter(review=OuterRef("pk"), user=viewer))
             if viewer is not None and viewer.is_authenticated else Value(False, output_field=BooleanField()))
    return (
        qs.select_related("author")
        .prefetch_related(Prefetch("images", queryset=ReviewImage.objects.order_by("position", "id")))
        .annotate(helpful_count=Count("helpful_votes", distinct=True), voted=voted)
    )


def reviews_for(product_id: int, viewer=None) -> QuerySet:
    """A product's reviews, latest first."""
    return _shaped(Review.objects.filter(product_id=product_id), viewer).order_by("-created_at", "-id")


def friend_reviews(user, product) -> QuerySet:
    """Reviews of this product by the user's friends (mutual follows) who let friends see their reviews."""
    if user is None or not user.is_authenticated:
        return Review.objects.none()
    product_id = getattr(product, "pk", product)
    return Review.objects.filter(
        product_id=product_id,
        author_id__in=friend_follows(user).values("followed_user_id"),
        author__show_reviews_to_friends=True,
    )


def friend_reviewer_count(user, product) -> int:
    """How many distinct friends reviewed it (one query)."""
    return friend_reviews(user, product).values("author_id").distinct().count()


def reviews_for_ids(ids: list[int], viewer=None) -> list[Review]:
    """The same shape as reviews_for, for given reviews."""
    return list(_shaped(Review.objects.filter(pk__in=ids), viewer))
