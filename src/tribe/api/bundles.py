"""Scenario bundles (情景组合): curated products across brands for one use, e.g. 新生儿出院套装."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Prefetch
from ninja import Query, Router, Status

from tribe.catalog.models import Bundle, BundleItem, ProductImage
from tribe.catalog.services import create_bundle
from tribe.core.events import record_event

from .auth import OPTIONAL, REQUIRED
from .common import by_slug
from .pagination import Page, PageQuery, paginate
from .schemas import BundleCard, BundleDetail, BundleIn

router = Router()


def _detail(bundle: Bundle) -> Bundle:
    """Items whose product is on sale, with unit price (the chosen SKU's, else the product's lowest) and
    totals. Three queries whatever the number of items: items+products+brands+stores+skus, images."""
    items = (
        BundleItem.objects.filter(bundle=bundle, product__published=True, product__store__is_active=True)
        .select_related("product__brand", "product__store", "sku")
        .prefetch_related(
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id"))
        )
    )
    rows, total = [], Decimal("0.00")
    for item in items:
        unit = item.sku.price if item.sku is not None else item.product.min_price
        line = unit * item.quantity
        total += line
        rows.append(
            {
                "product": item.product,
                "sku": item.sku,
                "quantity": item.quantity,
                "note": item.note,
                "unit_price": unit,
                "line_total": line,
            }
        )
    bundle.api_items = rows
    bundle.api_total = total
    bundle.item_count = len(rows)
    return bundle


@router.get("/bundles", response=Page[BundleCard], auth=OPTIONAL, tags=["bundles"], summary="List bundles")
def list_bundles(request, paging: Query[PageQuery]):
    """Published scenario bundles, oldest first."""
    qs = Bundle.objects.filter(published=True).annotate(item_count=Count("items")).order_by("id")
    return paginate(qs, paging)


@router.get("/bundles/{slug}", response=BundleDetail, auth=OPTIONAL, tags=["bundles"], summary="A bundle")
def get_bundle(request, slug: str):
    """The bundle's products with their prices and the sum of the prices. Records `bundle_view`."""
    bundle = by_slug(Bundle.objects.filter(published=True), slug, "bundle")
    record_event("bundle_view", request, obj=bundle)
    return _detail(bundle)


@router.post(
    "/bundles",
    response={201: BundleDetail},
    auth=REQUIRED,
    tags=["bundles"],
    summary="Create a bundle (platform operators)",
)
def create(request, payload: BundleIn):
    """A bundle spans brands, so platform operators curate it. Items: product_id, quantity 1–99, note."""
    bundle = create_bundle(
        request.user,
        name=payload.name,
        slug=payload.slug,
        scenario=payload.scenario,
        description=payload.description,
        items=[i.model_dump() for i in payload.items],
    )
    return Status(201, _detail(bundle))
