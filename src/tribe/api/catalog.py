"""Catalogue: categories, products, SKUs and product images.

Reads are public (unpublished products are visible only to staff of the selling store's brand); writes go
through tribe.catalog.services, which checks the actor is staff of that brand.
"""

from __future__ import annotations

from django.db.models import Prefetch
from ninja import File, Form, Query, Router, Status, UploadedFile

from tribe.brands.models import Brand, Store
from tribe.brands.selectors import can_manage_brand
from tribe.catalog import services
from tribe.catalog.models import Category, Product, ProductImage, Sku
from tribe.core.errors import NotFound
from tribe.core.events import record_event

from .auth import OPTIONAL, REQUIRED
from .common import actor, by_id, by_slug, ref_by_slug
from .pagination import Page
from .schemas import (
    CategoryDetail,
    CategoryNode,
    ImageOut,
    ProductCard,
    ProductDetail,
    ProductIn,
    ProductPatch,
    SkuIn,
    SkuOut,
    SkuPatch,
)
from .search import ProductFilters, run_search

router = Router()


# ---- categories -------------------------------------------------------------------------------------------


@router.get(
    "/categories",
    response=list[CategoryNode],
    auth=OPTIONAL,
    tags=["categories"],
    summary="The category tree",
)
def list_categories(request):
    """Every category as a tree of nested `children`, in display order (one query)."""
    nodes = {
        c.id: {"id": c.id, "slug": c.slug, "name": c.name, "parent_id": c.parent_id, "children": []}
        for c in Category.objects.order_by("position", "id")
    }
    roots = []
    for node in nodes.values():
        parent = nodes.get(node["parent_id"])
        (parent["children"] if parent else roots).append(node)
    return roots


def _category_path(category: Category) -> list[Category]:
    ids = [int(x) for x in category.path.strip("/").split("/") if x]
    found = Category.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


@router.get(
    "/categories/{slug}", response=CategoryDetail, auth=OPTIONAL, tags=["categories"], summary="A category"
)
def get_category(request, slug: str):
    """The category with its path from the root and its direct children; its products are
    GET /products?category=<slug>. Records `category_view`."""
    category = by_slug(Category.objects, slug, "category")
    record_event("category_view", request, obj=category)
    return {
        "id": category.id,
        "slug": category.slug,
        "name": category.name,
        "path": _category_path(category),
        "children": list(category.children.order_by("position", "id")),
    }


# ---- products ---------------------------------------------------------------------------------------------


def _product_qs():
    return Product.objects.select_related("brand", "store", "category").prefetch_related(
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        Prefetch("skus", queryset=Sku.objects.order_by("id")),
    )


def _detail(product: Product, *, staff: bool) -> Product:
    product.api_skus = [s for s in product.skus.all() if s.is_active or staff]
    product.api_category_path = _category_path(product.category)
    return product


def _editable(product_id: int) -> Product:
    return by_id(Product.objects.select_related("store", "brand", "category"), product_id, "product")


def _fresh_detail(product_id: int) -> Product:
    return _detail(_product_qs().get(pk=product_id), staff=True)


@router.get(
    "/products",
    response=Page[ProductCard],
    auth=OPTIONAL,
    tags=["products"],
    summary="List and search products",
)
def list_products(request, filters: Query[ProductFilters]):
    """Published products. `q` searches names, brands, categories and descriptions in Chinese (jieba
    words and bigrams) or pinyin; filters: category, brand (with sub-brands), store, min_price/max_price
    (decimal strings), in_stock; sort: relevance, price, -price, newest, sales. A query records `search`."""
    return run_search(request, filters)


@router.get(
    "/products/{int:product_id}",
    response=ProductDetail,
    auth=OPTIONAL,
    tags=["products"],
    summary="A product with its SKUs and images",
)
def get_product(request, product_id: int):
    """Unpublished products are 404 except for staff of the selling brand. Records `product_view`."""
    product = by_id(_product_qs(), product_id, "product")
    visible = product.published and product.store.is_active
    needs_staff = not visible or any(not s.is_active for s in product.skus.all())
    staff = needs_staff and can_manage_brand(actor(request), product.store.brand_id)
    if not visible and not staff:
        raise NotFound(f"product {product_id} not found")
    record_event("product_view", request, obj=product, brand_id=product.brand_id)
    return _detail(product, staff=staff)


@router.post(
    "/products",
    response={201: ProductDetail},
    auth=REQUIRED,
    tags=["products"],
    summary="Create a product with its SKUs (brand staff)",
)
def create_product(request, payload: ProductIn):
    """Staff of the store's brand. `brand` defaults to the store's brand (a hub store may sell its
    sub-brands). SKU prices are decimal strings; a published product needs at least one SKU."""
    store = ref_by_slug(Store.objects.select_related("brand"), payload.store, "store", "store")
    category = ref_by_slug(Category.objects, payload.category, "category", "category")
    brand = ref_by_slug(Brand.objects, payload.brand, "brand", "brand") if payload.brand is not None else None
    product = services.create_product(
        request.user,
        store,
        name=payload.name,
        category=category,
        brand=brand,
        subtitle=payload.subtitle,
        description=payload.description,
        option_names=payload.option_names,
        skus=[s.model_dump() for s in payload.skus],
        published=payload.published,
    )
    return Status(201, _fresh_detail(product.pk))


@router.patch(
    "/products/{int:product_id}",
    response=ProductDetail,
    auth=REQUIRED,
    tags=["products"],
    summary="Edit a product (brand staff)",
)
def update_product(request, product_id: int, payload: ProductPatch):
    """Send only the fields to change; `category` is a slug."""
    product = _editable(product_id)
    changes = payload.model_dump(exclude_unset=True)
    if "category" in changes:
        changes["category"] = ref_by_slug(Category.objects, changes["category"] or "", "category", "category")
    services.update_product(request.user, product, **changes)
    return _fresh_detail(product.pk)


@router.post(
    "/products/{int:product_id}/publish",
    response=ProductDetail,
    auth=REQUIRED,
    tags=["products"],
    summary="Publish a product (brand staff)",
)
def publish_product(request, product_id: int):
    """Puts the product on sale; it needs at least one active SKU."""
    services.set_published(request.user, _editable(product_id), True)
    return _fresh_detail(product_id)


@router.post(
    "/products/{int:product_id}/unpublish",
    response=ProductDetail,
    auth=REQUIRED,
    tags=["products"],
    summary="Unpublish a product (brand staff)",
)
def unpublish_product(request, product_id: int):
    services.set_published(request.user, _editable(product_id), False)
    return _fresh_detail(product_id)


@router.post(
    "/products/{int:product_id}/skus",
    response={201: SkuOut},
    auth=REQUIRED,
    tags=["products"],
    summary="Add a SKU (brand staff)",
)
def add_sku(request, product_id: int, payload: SkuIn):
    """`options` must name exactly the product's option_names; price is a decimal string."""
    sku = services.add_sku(
        request.user,
        _editable(product_id),
        options=payload.options,
        price=payload.price,
        stock=payload.stock,
        code=payload.code,
    )
    return Status(201, sku)


@router.patch(
    "/skus/{int:sku_id}",
    response=SkuOut,
    auth=REQUIRED,
    tags=["products"],
    summary="Set a SKU's price, stock or availability (brand staff)",
)
def update_sku(request, sku_id: int, payload: SkuPatch):
    """`stock` is the absolute number of units on hand; `price` a decimal string."""
    sku = by_id(Sku.objects.select_related("product__store"), sku_id, "sku")
    return services.update_sku(request.user, sku, **payload.model_dump(exclude_unset=True))


@router.post(
    "/products/{int:product_id}/images",
    response={201: ImageOut},
    auth=REQUIRED,
    tags=["products"],
    summary="Upload a product image (brand staff)",
)
def add_image(request, product_id: int, file: File[UploadedFile], alt: Form[str] = ""):
    """multipart/form-data with `file` (JPEG, PNG, WebP or GIF within the size limit; re-encoded, with a
    thumbnail) and optional `alt`. At most 9 images per product."""
    return Status(201, services.add_product_image(request.user, _editable(product_id), file, alt=alt))


@router.delete(
    "/images/{int:image_id}",
    response={204: None},
    auth=REQUIRED,
    tags=["products"],
    summary="Delete a product image (brand staff)",
)
def delete_image(request, image_id: int):
    image = by_id(ProductImage.objects.select_related("product__store"), image_id, "image")
    services.delete_product_image(request.user, image)
    return Status(204, None)
