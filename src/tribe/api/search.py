"""Product search: GET /products (the catalogue listing) and GET /search (the same, for clients that search).

Both run tribe.search.services.search_products: Chinese keywords through jieba (防辐射服 finds
"孕妇防辐射服 银纤维"), pinyin prefixes (naifen finds 奶粉), filters and sorts, one page.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from django.db.models import Q
from ninja import Field, Query, Router, Schema

from tribe.brands.models import Brand, Store
from tribe.catalog.models import Category
from tribe.core.errors import ValidationFailed
from tribe.core.events import record_event
from tribe.core.money import MAX_AMOUNT
from tribe.search.services import MAX_PAGE_SIZE, SearchParams, search_products

from .auth import OPTIONAL
from .common import SLUG_RE, ref_by_slug
from .pagination import MAX_PAGE, Page, page_of
from .schemas import ProductCard

router = Router()

Price = Decimal | None


class ProductFilters(Schema):
    q: str = Field("", max_length=100, description="keywords, Chinese or pinyin")
    category: str | None = Field(None, description="category slug (includes its sub-categories)")
    brand: str | None = Field(None, description="brand slug (includes its sub-brands)")
    store: str | None = Field(None, description="store slug")
    min_price: Price = Field(None, ge=0, le=MAX_AMOUNT, decimal_places=2)
    max_price: Price = Field(None, ge=0, le=MAX_AMOUNT, decimal_places=2)
    in_stock: bool = False
    sort: Literal["relevance", "price", "-price", "newest", "sales"] = "relevance"
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


def _brand_ids(slug: str) -> list[int]:
    """The brand and its sub-brands, in one query."""
    rows = []
    if SLUG_RE.match(slug):
        rows = list(
            Brand.objects.filter(
                Q(slug=slug, is_active=True) | Q(parent__slug=slug, parent__is_active=True)
            ).values_list("id", "slug")
        )
    if not any(s == slug for _, s in rows):
        raise ValidationFailed(f"brand: unknown brand '{slug}'", fields={"brand": "unknown brand"})
    return [pk for pk, _ in rows]


def run_search(request, filters: ProductFilters) -> dict:
    q = "".join(ch for ch in filters.q if ch.isprintable()).strip()
    params = SearchParams(
        q=q,
        min_price=filters.min_price,
        max_price=filters.max_price,
        in_stock=filters.in_stock,
        sort=filters.sort,
        page=filters.page,
        page_size=filters.page_size,
    )
    if filters.category:
        params.category = ref_by_slug(Category.objects, filters.category, "category", "category")
    if filters.brand:
        params.brand_ids = _brand_ids(filters.brand)
    if filters.store:
        params.store_id = ref_by_slug(
            Store.objects.filter(is_active=True), filters.store, "store", "store"
        ).id
    result = search_products(params)
    if q:
        record_event("search", request, props={"query": q, "result_count": result.count})
    return page_of(result.items, result.count, result.page, result.page_size)


@router.get(
    "/search",
    response=Page[ProductCard],
    auth=OPTIONAL,
    tags=["search"],
    summary="Search products (same as GET /products?q=)",
)
def search(request, filters: Query[ProductFilters]):
    """Keyword search over names, brands, categories and descriptions, with the filters and sorts of
    GET /products. Records a `search` event with the query and the result count."""
    return run_search(request, filters)
