"""口碑 reviews: list a product's reviews with the computed summary, write one per bought order line, add
images, vote helpful. Only verified buyers write; every number is computed from review rows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from tribe.catalog.models import Product
from tribe.content import selectors, services

from .auth import OPTIONAL, REQUIRED
from .common import actor, by_id
from .pagination import Page, PageQuery, paginate
from .schemas import In, absolute

router = Router(tags=["reviews"])


class ReviewImageOut(Schema):
    id: int
    url: str | None
    thumb_url: str | None
    width: int
    height: int

    @staticmethod
    def resolve_url(obj, context):
        return absolute(context, obj.image)

    @staticmethod
    def resolve_thumb_url(obj, context):
        return absolute(context, obj.thumb)


class ReviewOut(Schema):
    id: int
    product_id: int
    author_nickname: str
    rating: int
    text: str = Field(description="plain text as written; escape it when rendering HTML")
    created_at: datetime
    images: list[ReviewImageOut]
    helpful_count: int = 0
    voted_helpful: bool = Field(False, description="the signed-in caller voted this review helpful")

    @staticmethod
    def resolve_author_nickname(obj):
        return obj.author.display_name

    @staticmethod
    def resolve_images(obj):
        return list(obj.images.all())

    @staticmethod
    def resolve_voted_helpful(obj):
        return bool(getattr(obj, "voted", False))


class ReviewSummary(Schema):
    count: int
    average: Decimal | None = Field(description="1 decimal place; null without reviews")
    distribution: dict[int, int] = Field(description="number of reviews per star, 1–5")


class ReviewPage(Page[ReviewOut]):
    summary: ReviewSummary


class ReviewIn(In):
    rating: int = Field(description="1–5")
    text: str = Field(description="5–2000 characters")


class HelpfulOut(Schema):
    voted: bool
    helpful_count: int


def _product(product_id: int) -> Product:
    return by_id(Product.objects.published(), product_id, "product")


def _one(review_id: int, viewer):
    return selectors.reviews_for_ids([review_id], viewer)[0]


@router.get("/products/{int:product_id}/reviews", response=ReviewPage, auth=OPTIONAL,
            summary="A product's reviews, newest first, with the rating summary")
def list_reviews(request, product_id: int, params: Query[PageQuery]):
    product = _product(product_id)
    page = paginate(selectors.reviews_for(product.pk, actor(request)), params)
    page["summary"] = selectors.summary(product.pk)
    return page


@router.post("/orders/{number}/lines/{int:line_id}/review", response={201: ReviewOut}, auth=REQUIRED,
             summary="Review a bought order line (verified buyers, one review per line)")
def create_review(request, number: str, line_id: int, payload: ReviewIn):
    """JSON body; add images afterwards with POST /reviews/{id}/images. 404 for a line that is not yours,
    403 when the order is unpaid, cancelled, expired or the line was refunded in full, 409 when reviewed."""
    review = services.create_review(request.user, number, line_id, rating=payload.rating, text=payload.text,
                                    request=request)
    return Status(201, _one(review.pk, request.user))


@router.post("/reviews/{int:review_id}/images", response={201: ReviewOut}, auth=REQUIRED,
             summary="Add images to my review (multipart, field `images`, at most 9 per review)")
def add_images(request, review_id: int, images: File[list[UploadedFile]]):
    services.add_review_images(request.user, review_id, images)
    return Status(201, _one(review_id, request.user))


@router.post("/reviews/{int:review_id}/helpful", response=HelpfulOut, auth=REQUIRED,
             summary="Vote a review helpful (idempotent; not your own)")
def vote_helpful(request, review_id: int):
    services.vote_helpful(request.user, review_id)
    review = _one(review_id, request.user)
    return {"voted": True, "helpful_count": review.helpful_count}


@router.delete("/reviews/{int:review_id}/helpful", response=HelpfulOut, auth=REQUIRED,
               summary="Take back a helpful vote (idempotent)")
def unvote_helpful(request, review_id: int):
    services.unvote_helpful(request.user, review_id)
    review = _one(review_id, request.user)
    return {"voted": False, "helpful_count": review.helpful_count}
