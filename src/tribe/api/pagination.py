"""Page-number pagination: {"items", "count", "page", "page_size", "pages"}.

Page numbers (not cursors) because the storefront lists are small, sorted several ways and linked by page;
a page past the end is an empty page, while page < 1 or a page_size outside 1..60 is a 422.
"""

from __future__ import annotations

import math
from typing import Generic, TypeVar

from ninja import Field, Schema

T = TypeVar("T")

MAX_PAGE_SIZE = 60
MAX_PAGE = 10_000


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="1-based page number")
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE, description=f"items per page, 1–{MAX_PAGE_SIZE}")


class Page(Schema, Generic[T]):
    items: list[T]
    count: int = Field(description="items over all pages")
    page: int
    page_size: int
    pages: int = Field(description="number of pages (at least 1)")


def page_of(items: list, count: int, page: int, page_size: int) -> dict:
    return {
        "items": items,
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": max(1, math.ceil(count / page_size)),
    }


def paginate(qs, params: PageQuery) -> dict:
    """One COUNT and one page query (plus whatever prefetches the queryset carries)."""
    count = qs.count()
    start = (params.page - 1) * params.page_size
    items = list(qs[start : start + params.page_size]) if start < count else []
    return page_of(items, count, params.page, params.page_size)
