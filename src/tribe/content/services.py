"""Writes for 口碑 reviews. A review proves a purchase: the line is the author's, its order was paid (and not
cancelled, expired or closed) and not everything on the line was refunded."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from tribe.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tribe.core.events import record_event
from tribe.core.images import check_image
from tribe.core.text import clean_text
from tribe.orders.models import Order, OrderLine

from .models import MAX_REVIEW_IMAGES, MAX_REVIEW_TEXT, MIN_REVIEW_TEXT, HelpfulVote, Review, ReviewImage

S = Order.Status
# paid or later; a closed order was refunded in full
REVIEWABLE_STATUSES = frozenset({S.PAID, S.PARTIALLY_SHIPPED, S.SHIPPED, S.RECEIVED, S.COMPLETED})


def line_is_reviewable(line: OrderLine, order: Order) -> bool:
    return order.status in REVIEWABLE_STATUSES and line.refunded_quantity < line.quantity


def _line_of(user, order_number: str, line_id: int, *, lock: bool = False) -> OrderLine:
    """The caller's order line, or 404 (also for someone else's: no hint that it exists)."""
    qs = OrderLine.objects.select_related("order")
    if lock:
        qs = qs.select_for_update(of=("self",))
    line = qs.filter(pk=line_id, order__number=str(order_number)[:24], order__user=user).first() \
        if 1 <= line_id <= 2**63 - 1 else None
    if line is None:
        raise NotFound(f"order line {line_id} not found", code="line_not_found")
    return line


def check_review(user, order_number: str, line_id: int, *, rating, text) -> tuple[OrderLine, int, str]:
    """Validate without writing: the verified-buyer rule, then the input."""
    line = _line_of(user, order_number, line_id)
    if line.order.status not in REVIEWABLE_STATUSES:
        raise PermissionDenied("only a paid order's lines can be reviewed", code="not_verified_buyer")
    if line.refunded_quantity >= line.quantity:
        raise PermissionDenied("this line was refunded in full", code="not_verified_buyer")
    if Review.objects.filter(order_line=line).exists():
        raise Conflict("this line is already reviewed", code="already_reviewed")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed("rating: 1 to 5", fields={"rating": "1–5"})
    text = clean_text(text, "text", max_length=MAX_REVIEW_TEXT, required=True)
    if len(text) < MIN_REVIEW_TEXT:
        raise ValidationFailed(f"text: at least {MIN_REVIEW_TEXT} characters",
                               fields={"text": f"min {MIN_REVIEW_TEXT}"})
    return line, rating, text


def _check_images(uploads) -> list:
    uploads = list(uploads or [])
    if len(uploads) > MAX_REVIEW_IMAGES:
        raise ValidationFailed(f"images: at most {MAX_REVIEW_IMAGES}", code="too_many_images",
                               fields={"images": f"max {MAX_REVIEW_IMAGES}"})
    return [check_image(upload, field="images") for upload in uploads]


def _store_images(review: Review, checked: list, start: int) -> list[ReviewImage]:
    stored = []
    for offset, item in enumerate(checked):
        image = ReviewImage(review=review, position=start + offset)
        image.image.save(item.full.name, item.full, save=False)
        image.thumb.save(item.thumb.name, item.thumb, save=False)
        image.save()
        stored.append(image)
    return stored


def create_review(user, order_number: str, line_id: int, *, rating, text, images=None, request=None) -> Review:
    """Everything is checked (images decoded too) before the first row is written; the line is locked so
    two racing submissions give one review and one 409."""
    check_review(user, order_number, line_id, rating=rating, text=text)
    checked = _check_images(images)
    with transaction.atomic():
        line = _line_of(user, order_number, line_id, lock=True)
        _, rating, text = check_review(user, order_number, line_id, rating=rating, text=text)
        try:
            with transaction.atomic():
                review = Review.objects.create(product_id=line.product_id, author=user, order_line=line,
                                               rating=rating, text=text)
        except IntegrityError:
            raise Conflict("this line is already reviewed", code="already_reviewed") from None
        _store_images(review, checked, 0)
    record_event("review", request, actor=user, obj=review, props={"rating": rating, "images": len(checked)})
    return review


def add_review_images(user, review_id: int, uploads) -> list[ReviewImage]:
    """Add images to the caller's own review, up to 9 in all (counted under the review's row lock)."""
    checked = _check_images(uploads)
    with transaction.atomic():
        review = Review.objects.select_for_update().filter(pk=review_id, author=user).first() \
            if 1 <= review_id <= 2**63 - 1 else None
        if review is None:
            raise NotFound(f"review {review_id} not found")
        have = review.images.count()
        if have + len(checked) > MAX_REVIEW_IMAGES:
            raise ValidationFailed(f"images: at most {MAX_REVIEW_IMAGES} per review", code="too_many_images",
                                   fields={"images": f"max {MAX_REVIEW_IMAGES}"})
        return _store_images(review, checked, have)


def _review(review_id: int) -> Review:
    review = Review.objects.filter(pk=review_id).first() if 1 <= review_id <= 2**63 - 1 else None
    if review is None:
        raise NotFound(f"review {review_id} not found")
    return review


def vote_helpful(user, review_id: int) -> Review:
    """Idempotent: voting twice keeps one vote."""
    review = _review(review_id)
    if review.author_id == user.pk:
        raise PermissionDenied("you cannot vote for your own review", code="own_review")
    try:
        with transaction.atomic():
            HelpfulVote.objects.get_or_create(review=review, user=user)
    except IntegrityError:  # a racing twin inserted it first
        pass
    return review


def unvote_helpful(user, review_id: int) -> Review:
    review = _review(review_id)
    HelpfulVote.objects.filter(review=review, user=user).delete()
    return review
