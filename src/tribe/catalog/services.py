"""Catalogue writes. Each verb checks the actor is staff of the selling store's brand, validates before it
writes, runs in one transaction, and keeps the product summary and the search index in step."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q, Sum

from tribe.brands.models import Brand, Store
from tribe.brands.selectors import require_brand_staff
from tribe.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from tribe.core.images import check_image
from tribe.core.money import to_money
from tribe.core.text import clean_text

from .models import Bundle, BundleItem, Category, Placement, Product, ProductImage, Sku

MAX_IMAGES = 9
MAX_STOCK = 1_000_000
MAX_OPTIONS = 3


def _reindex(product_id: int) -> None:
    from tribe.search.services import reindex_product

    reindex_product(product_id)  # same transaction: the index never disagrees with a committed product


def refresh_summary(product: Product) -> Product:
    """Recompute price range and stock from active SKUs (one aggregate query, one update)."""
    agg = product.skus.filter(is_active=True).aggregate(lo=Min("price"), hi=Max("price"), stock=Sum("stock"))
    product.min_price = agg["lo"] or Decimal("0.00")
    product.max_price = agg["hi"] or Decimal("0.00")
    product.total_stock = agg["stock"] or 0
    Product.objects.filter(pk=product.pk).update(
        min_price=product.min_price, max_price=product.max_price, total_stock=product.total_stock
    )
    return product


def _check_options(option_names, options) -> dict:
    if not isinstance(options, dict):
        raise ValidationFailed("options: an object of option name → value", fields={"options": "must be an object"})
    if set(options) != set(option_names):
        raise ValidationFailed(
            f"options: expected exactly {option_names}", fields={"options": f"expected keys {option_names}"}
        )
    clean = {}
    for name in option_names:
        clean[name] = clean_text(options[name], f"options.{name}", max_length=30, required=True)
    return clean


def _check_option_names(option_names) -> list[str]:
    if not isinstance(option_names, list) or len(option_names) > MAX_OPTIONS:
        raise ValidationFailed("option_names: a list of at most 3 names", fields={"option_names": "invalid"})
    names = [clean_text(n, "option_names", max_length=20, required=True) for n in option_names]
    if len(set(names)) != len(names):
        raise ValidationFailed("option_names: duplicate names", fields={"option_names": "duplicates"})
    return names


def _check_stock(stock) -> int:
    if not isinstance(stock, int) or isinstance(stock, bool) or not (0 <= stock <= MAX_STOCK):
        raise ValidationFailed(f"stock: a whole number from 0 to {MAX_STOCK}", fields={"stock": "out of range"})
    return stock


def _store_for(actor, store: Store) -> Store:
    if not actor or not actor.is_authenticated:
        raise NotAuthenticated("sign in as brand staff")
    require_brand_staff(actor, store.brand_id)
    return store


def create_product(
    actor,
    store: Store,
    *,
    name: str,
    category: Category,
    brand: Brand | None = None,
    subtitle: str = "",
    description: str = "",
    option_names: list[str] | None = None,
    skus: list[dict] | None = None,
    published: bool = False,
) -> Product:
    """Create a product and its SKUs. `brand` defaults to the store's brand; a hub store may sell any of its
    group's sub-brands, never another group's brand."""
    _store_for(actor, store)
    brand = brand or store.brand
    # Sub-brands of the same group are siblings; two top-level brands (both parent None) are not.
    siblings = brand.parent_id is not None and brand.parent_id == store.brand.parent_id
    if brand.id != store.brand_id and brand.parent_id != store.brand_id and not siblings:
        raise ValidationFailed("brand: this store cannot sell that brand", fields={"brand": "not sold by this store"})
    require_brand_staff(actor, brand.id)
    name = clean_text(name, "name", max_length=120, required=True)
    subtitle = clean_text(subtitle, "subtitle", max_length=160)
    description = clean_text(description, "description", max_length=20000)
    option_names = _check_option_names(option_names or [])
    sku_specs = skus if skus is not None else []
    if published and not sku_specs:
        raise ValidationFailed("a published product needs at least one SKU", code="no_sku")
    cleaned = [
        {
            "options": _check_options(option_names, s.get("options", {})),
            "price": to_money(s.get("price"), field="price"),
            "stock": _check_stock(s.get("stock", 0)),
            "code": clean_text(s.get("code") or "", "code", max_length=64),
        }
        for s in sku_specs
    ]
    with transaction.atomic():
        product = Product.objects.create(
            store=store, brand=brand, category=category, name=name, subtitle=subtitle,
            description=description, option_names=option_names, published=bool(published),
        )
        for spec in cleaned:
            _create_sku(product, spec)
        refresh_summary(product)
        _reindex(product.id)
    return product


def _create_sku(product: Product, spec: dict) -> Sku:
    code = spec["code"] or f"P{product.pk}-{uuid.uuid4().hex[:8].upper()}"
    try:
        with transaction.atomic():
            return Sku.objects.create(product=product, code=code, options=spec["options"], price=spec["price"],
                                      stock=spec["stock"])
    except IntegrityError:
        raise Conflict(f"SKU code '{code}' already exists", code="sku_code_taken", fields={"code": "taken"})


def update_product(actor, product: Product, **changes) -> Product:
    _store_for(actor, product.store)
    allowed = {"name", "subtitle", "description", "category", "published"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationFailed(f"unknown fields: {sorted(unknown)}", fields={k: "unknown field" for k in unknown})
    clean = {}
    if "name" in changes:
        clean["name"] = clean_text(changes["name"], "name", max_length=120, required=True)
    if "subtitle" in changes:
        clean["subtitle"] = clean_text(changes["subtitle"], "subtitle", max_length=160)
    if "description" in changes:
        clean["description"] = clean_text(changes["description"], "description", max_length=20000)
    if "category" in changes:
        if not isinstance(changes["category"], Category):
            raise ValidationFailed("category: unknown", fields={"category": "unknown"})
        clean["category"] = changes["category"]
    if "published" in changes:
        if not isinstance(changes["published"], bool):
            raise ValidationFailed("published: true or false", fields={"published": "boolean"})
        clean["published"] = changes["published"]
        if clean["published"] and not product.skus.filter(is_active=True).exists():
            raise ValidationFailed("a published product needs at least one active SKU", code="no_sku")
    with transaction.atomic():
        for key, value in clean.items():
            setattr(product, key, value)
        if clean:
            product.save()
        _reindex(product.id)
    return product


def set_published(actor, product: Product, published: bool) -> Product:
    return update_product(actor, product, published=published)


def add_sku(actor, product: Product, *, options: dict, price, stock: int = 0, code: str = "") -> Sku:
    _store_for(actor, product.store)
    spec = {
        "options": _check_options(product.option_names, options),
        "price": to_money(price, field="price"),
        "stock": _check_stock(stock),
        "code": clean_text(code or "", "code", max_length=64),
    }
    if product.skus.filter(options=spec["options"]).exists() if product.option_names else product.skus.exists():
        raise Conflict("a SKU with these options already exists", code="sku_exists")
    with transaction.atomic():
        sku = _create_sku(product, spec)
        refresh_summary(product)
        _reindex(product.id)
    return sku


def update_sku(actor, sku: Sku, *, price=None, stock=None, is_active=None) -> Sku:
    """Set price, on-hand stock or availability. Stock here is the absolute figure counted by the store."""
    _store_for(actor, sku.product.store)
    clean = {}
    if price is not None:
        clean["price"] = to_money(price, field="price")
    if stock is not None:
        clean["stock"] = _check_stock(stock)
    if is_active is not None:
        if not isinstance(is_active, bool):
            raise ValidationFailed("is_active: true or false", fields={"is_active": "boolean"})
        clean["is_active"] = is_active
    with transaction.atomic():
        Sku.objects.filter(pk=sku.pk).update(**clean)
        for key, value in clean.items():
            setattr(sku, key, value)
        refresh_summary(sku.product)
        _reindex(sku.product_id)
    return sku


def add_product_image(actor, product: Product, upload, *, alt: str = "") -> ProductImage:
    _store_for(actor, product.store)
    alt = clean_text(alt, "alt", max_length=120)
    if product.images.count() >= MAX_IMAGES:
        raise ValidationFailed(f"at most {MAX_IMAGES} images per product", code="too_many_images")
    checked = check_image(upload)
    with transaction.atomic():
        image = ProductImage(product=product, width=checked.width, height=checked.height, alt=alt,
                             position=(product.images.aggregate(m=Max("position"))["m"] or 0) + 1)
        image.image.save(checked.full.name, checked.full, save=False)
        image.thumb.save(checked.thumb.name, checked.thumb, save=False)
        image.save()
    return image


def delete_product_image(actor, image: ProductImage) -> None:
    _store_for(actor, image.product.store)
    image.image.delete(save=False)
    image.thumb.delete(save=False)
    image.delete()


def _require_operator(actor) -> None:
    if not actor or not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if not actor.is_platform_operator:
        raise PermissionDenied("only platform operators curate cross-brand bundles")


def create_bundle(actor, *, name: str, slug: str, scenario: str = "", description: str = "",
                  items: list[dict]) -> Bundle:
    """A scenario bundle spans brands, so platform operators curate it."""
    _require_operator(actor)
    from tribe.brands.services import check_slug

    name = clean_text(name, "name", max_length=80, required=True)
    scenario = clean_text(scenario, "scenario", max_length=120)
    description = clean_text(description, "description", max_length=5000)
    slug = check_slug(slug)
    if not items:
        raise ValidationFailed("items: a bundle needs at least one product", fields={"items": "empty"})
    product_ids = [i.get("product_id") for i in items]
    if len(set(product_ids)) != len(product_ids):
        raise ValidationFailed("items: a product appears twice", fields={"items": "duplicate product"})
    products = Product.objects.in_bulk(product_ids)
    for spec in items:
        if spec.get("product_id") not in products:
            raise ValidationFailed(f"items: unknown product {spec.get('product_id')}",
                                   fields={"items": "unknown product"})
        qty = spec.get("quantity", 1)
        if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= 99:
            raise ValidationFailed("items: quantity 1–99", fields={"items": "quantity 1–99"})
    try:
        with transaction.atomic():
            bundle = Bundle.objects.create(name=name, slug=slug, scenario=scenario, description=description)
            BundleItem.objects.bulk_create(
                BundleItem(bundle=bundle, product=products[s["product_id"]], quantity=s.get("quantity", 1),
                           note=clean_text(s.get("note", ""), "note", max_length=200), position=i)
                for i, s in enumerate(items)
            )
    except IntegrityError:
        raise Conflict(f"slug '{slug}' is taken", code="slug_taken", fields={"slug": "taken"})
    return bundle


def place_product(actor, station: Brand, product: Product, *, note: str = "") -> Placement:
    """Content-station staff place a product (sold elsewhere) on their station."""
    require_brand_staff(actor, station.id)
    if station.kind != Brand.Kind.CONTENT:
        raise ValidationFailed("only content stations take placements", code="not_content_station")
    note = clean_text(note, "note", max_length=200)
    placement, _ = Placement.objects.update_or_create(
        station=station, product=product,
        defaults={"note": note, "position": station.placements.count()},
    )
    return placement


def remove_placement(actor, placement: Placement) -> None:
    """Content-station staff take a product off their station; the product itself is untouched."""
    require_brand_staff(actor, placement.station_id)
    placement.delete()


def visible_products(qs=None):
    qs = Product.objects.all() if qs is None else qs
    return qs.published()


def products_below(category: Category):
    return Product.objects.filter(Q(category__path__startswith=category.path))
