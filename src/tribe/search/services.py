"""Keeping the index in step with the catalogue, and answering searches."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from tribe.catalog.models import Category, Product

from . import backends
from .models import SearchDocument
from .tokenizer import index_terms, query_groups

SORTS = {"relevance", "price", "-price", "newest", "sales"}
MAX_PAGE_SIZE = 60


def _join(texts: list[str]) -> str:
    return " ".join(t for t in index_terms(" ".join(x for x in texts if x)) if t)


def reindex_product(product_id: int) -> None:
    """Write the product's terms. Unpublished products stay indexed; visibility is filtered at query time."""
    product = (
        Product.objects.select_related("brand", "brand__parent", "store", "category")
        .prefetch_related("skus")
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        SearchDocument.objects.filter(pk=product_id).delete()
        backends.delete_terms(product_id)
        return
    category_names = list(
        Category.objects.filter(id__in=[int(x) for x in product.category.path.strip("/").split("/") if x])
        .values_list("name", flat=True)
    )
    brand_names = [product.brand.name] + ([product.brand.parent.name] if product.brand.parent_id else [])
    options = [str(v) for sku in product.skus.all() if sku.is_active for v in sku.options.values()]
    name = _join([product.name])
    meta = _join([*brand_names, product.store.name, *category_names])
    body = _join([product.subtitle, product.description[:4000], " ".join(dict.fromkeys(options))])
    SearchDocument.objects.update_or_create(
        product_id=product_id, defaults={"name_terms": name, "meta_terms": meta, "body_terms": body}
    )
    backends.write_terms(product_id, name, meta, body)


def reindex_brand(brand_id: int) -> int:
    ids = list(Product.objects.filter(Q(brand_id=brand_id) | Q(brand__parent_id=brand_id)).values_list("id", flat=True))
    for pid in ids:
        reindex_product(pid)
    return len(ids)


def reindex_all() -> int:
    ids = list(Product.objects.values_list("id", flat=True))
    for pid in ids:
        reindex_product(pid)
    return len(ids)


@dataclass
class SearchParams:
    q: str = ""
    category: Category | None = None
    brand_ids: list[int] | None = None
    store_id: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    sort: str = "relevance"
    page: int = 1
    page_size: int = 20


@dataclass
class SearchResult:
    items: list[Product]
    count: int
    page: int
    page_size: int
    sort: str
    groups: list[list[str]] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def search_products(params: SearchParams) -> SearchResult:
    """Matching published products, filtered and sorted, one page. Query count is constant:
    match (when there is a query) + candidate keys + page rows + page images."""
    qs = Product.objects.published()
    if params.category is not None:
        qs = qs.filter(category__path__startswith=params.category.path)
    if params.brand_ids:
        qs = qs.filter(brand_id__in=params.brand_ids)
    if params.store_id:
        qs = qs.filter(store_id=params.store_id)
    if params.min_price is not None:
        qs = qs.filter(min_price__gte=params.min_price)
    if params.max_price is not None:
        qs = qs.filter(min_price__lte=params.max_price)
    if params.in_stock:
        qs = qs.filter(total_stock__gt=0)

    groups = query_groups(params.q) if params.q.strip() else []
    sort = params.sort if params.sort in SORTS else "relevance"
    if params.q.strip() and not groups:
        return SearchResult([], 0, params.page, params.page_size, sort, groups)
    scores: dict[int, float] = {}
    if groups:
        matches = backends.match(groups)
        if not matches:
            return SearchResult([], 0, params.page, params.page_size, sort, groups)
        scores = dict(matches)
        qs = qs.filter(id__in=_id_subquery(groups))
    keys = list(qs.values_list("id", "min_price", "created_at", "sales_count"))
    if sort == "price":
        keys.sort(key=lambda k: (k[1], k[0]))
    elif sort == "-price":
        keys.sort(key=lambda k: (-k[1], k[0]))
    elif sort == "sales":
        keys.sort(key=lambda k: (-k[3], -k[0]))
    elif sort == "newest" or not scores:
        keys.sort(key=lambda k: (k[2], k[0]), reverse=True)
    else:
        keys.sort(key=lambda k: (-scores.get(k[0], 0.0), -k[3], -k[0]))
    start = (params.page - 1) * params.page_size
    page_ids = [k[0] for k in keys[start : start + params.page_size]]
    by_id = Product.objects.filter(id__in=page_ids).for_cards().in_bulk(page_ids) if page_ids else {}
    return SearchResult([by_id[i] for i in page_ids if i in by_id], len(keys), params.page, params.page_size,
                        sort, groups)


def _id_subquery(groups):
    """The match as a SQL subquery, so the ORM filter never carries thousands of ids as parameters."""
    from django.db import connection
    from django.db.models.expressions import RawSQL

    if connection.vendor == "sqlite":
        return RawSQL("SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [backends.fts5_query(groups)])
    return RawSQL(
        f"SELECT product_id FROM search_searchdocument WHERE {backends.PG_VECTOR} @@ CAST(%s AS tsquery)",
        [backends.tsquery(groups)],
    )
