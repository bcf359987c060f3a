"""The home feed and keyword rules. See tribe.feed.selectors for what goes in, in which order, and why."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from tribe.core.events import record_event
from tribe.feed import selectors, services
from tribe.feed.models import KeywordRule

from .auth import REQUIRED
from .posts_api import PostOut, post_out
from .schemas import In, OkOut

router = Router(tags=["feed"])


class FeedQuery(Schema):
    page: int = Field(1, ge=1, le=50)
    page_size: int = Field(20, ge=1, le=50)


class FeedReviewCard(Schema):
    id: int
    product_id: int
    product_name: str
    author: str
    rating: int
    text: str
    created_at: datetime


class FeedProductCard(Schema):
    id: int
    name: str
    price: str


class FeedItemOut(Schema):
    kind: Literal["post", "review", "product"]
    reason: str = Field(description="friend_experience, friend, circle, following, mine, keyword, brand, product, "
                                    "promotion")
    why: str = Field(description="why it is shown, in the reader's language (因为你关注了 …)")
    is_promotion: bool
    post: PostOut | None = None
    review: FeedReviewCard | None = None
    product: FeedProductCard | None = None


class FeedOut(Schema):
    items: list[FeedItemOut]
    count: int
    page: int
    page_size: int
    pages: int


class KeywordIn(In):
    word: str
    mute: bool = False


class KeywordOut(Schema):
    word: str
    mute: bool


def _item(request, card) -> dict:
    out = {"kind": card.kind, "reason": card.reason, "why": card.why, "is_promotion": card.is_promotion}
    if card.kind == "post":
        out["post"] = post_out(request, card.obj)
    elif card.kind == "review":
        r = card.obj
        out["review"] = {"id": r.pk, "product_id": r.product_id, "product_name": r.product.name,
                         "author": r.author.display_name, "rating": r.rating, "text": r.text,
                         "created_at": r.created_at}
    else:
        out["product"] = {"id": card.obj.pk, "name": card.obj.name, "price": f"{card.obj.min_price:.2f}"}
    return out


@router.get("/feed", response=FeedOut, auth=REQUIRED, summary="My home feed")
def get_feed(request, q: Query[FeedQuery]):
    page = selectors.decorate(selectors.build(request.user, page=q.page, page_size=q.page_size), request.user)
    record_event("feed_view", request, props={"page": page.page, "items": len(page.cards),
                                              "promotions": page.promotions_shown})
    return {"items": [_item(request, c) for c in page.cards], "count": page.count, "page": page.page,
            "page_size": page.page_size, "pages": page.pages}


@router.get("/feed/keywords", response=list[KeywordOut], auth=REQUIRED, summary="My followed and muted keywords")
def list_keywords(request):
    return list(KeywordRule.objects.filter(user=request.user).values("word", "mute"))


@router.post("/feed/keywords", response={201: KeywordOut}, auth=REQUIRED, summary="Follow or mute a keyword")
def set_keyword(request, payload: KeywordIn):
    rule = services.set_keyword(request.user, payload.word, mute=payload.mute)
    return Status(201, {"word": rule.word, "mute": rule.mute})


@router.delete("/feed/keywords/{word}", response=OkOut, auth=REQUIRED, summary="Forget a keyword")
def delete_keyword(request, word: str):
    services.remove_keyword(request.user, word)
    return {"ok": True}
