"""Brand stations (品牌站) and stores: read for everyone, write for brand staff and platform operators."""

from __future__ import annotations

from typing import Literal

from django.db.models import Prefetch
from ninja import File, Form, Query, Router, Status, UploadedFile

from tribe.brands import services
from tribe.brands.models import Brand, BrandMedia, BrandNews, Store
from tribe.brands.selectors import can_manage_brand, station_stores
from tribe.catalog.models import Placement, Product, ProductImage
from tribe.catalog.services import place_product, remove_placement
from tribe.core.errors import NotFound
from tribe.core.events import record_event

from .auth import OPTIONAL, REQUIRED
from .common import actor, by_id, by_slug, ref_by_id, ref_by_slug
from .pagination import Page, PageQuery, paginate
from .schemas import (
    BrandCard,
    MediaOut,
    NewsIn,
    NewsOut,
    PlacementIn,
    PlacementOut,
    StationOut,
    StationPatch,
    StoreIn,
    StoreOut,
    StorePatch,
    VideoIn,
)

router = Router()

NEWS_SHOWN = 10
PLACEMENTS_SHOWN = 100


def _brand(request, slug: str) -> Brand:
    """An active brand, or an inactive one for its own staff; anything else is 404."""
    brand = by_slug(Brand.objects.select_related("parent"), slug, "brand")
    if not brand.is_active and not can_manage_brand(actor(request), brand.id):
        raise NotFound(f"brand '{slug}' not found")
    return brand


def _station(brand: Brand) -> Brand:
    """Everything a station shows, in a fixed number of queries whatever the amount of content."""
    brand.api_sub_brands = list(brand.children.filter(is_active=True).order_by("id"))
    brand.api_media = list(brand.media.all())
    brand.api_news = list(brand.news.all()[:NEWS_SHOWN])
    brand.api_stores = list(station_stores(brand).select_related("brand"))
    brand.api_placements = []
    if brand.kind == Brand.Kind.CONTENT:
        brand.api_placements = list(
            Placement.objects.filter(station=brand, product__published=True, product__store__is_active=True)
            .select_related("product__brand", "product__store")
            .prefetch_related(
                Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id"))
            )[:PLACEMENTS_SHOWN]
        )
    return brand


# ---- stations ---------------------------------------------------------------------------------------------


@router.get(
    "/brands", response=Page[BrandCard], auth=OPTIONAL, tags=["brands"], summary="List brand stations"
)
def list_brands(request, paging: Query[PageQuery], kind: Literal["hub", "flagship", "content"] | None = None):
    """Active brands, oldest first. `kind` narrows to hub (集团), flagship (旗舰) or content (内容站)."""
    qs = Brand.objects.filter(is_active=True).select_related("parent").order_by("id")
    if kind:
        qs = qs.filter(kind=kind)
    return paginate(qs, paging)


@router.get("/brands/{slug}", response=StationOut, auth=OPTIONAL, tags=["brands"], summary="A brand station")
def get_brand(request, slug: str):
    """Story, media, latest news, the stores it sells through (a hub: its sub-brands' stores too), its
    sub-brands, and for a content station the products placed in it with the store that sells each.
    Records `station_visit`."""
    brand = _station(_brand(request, slug))
    record_event("station_visit", request, obj=brand, brand_id=brand.id)
    return brand


@router.patch(
    "/brands/{slug}",
    response=StationOut,
    auth=REQUIRED,
    tags=["brands"],
    summary="Edit station text (brand staff)",
)
def update_brand(request, slug: str, payload: StationPatch):
    brand = services.update_station(
        request.user, _brand(request, slug), **payload.model_dump(exclude_unset=True)
    )
    return _station(brand)


@router.post(
    "/brands/{slug}/logo",
    response=BrandCard,
    auth=REQUIRED,
    tags=["brands"],
    summary="Upload the station logo (brand staff)",
)
def upload_logo(request, slug: str, file: File[UploadedFile]):
    """multipart/form-data with `file` (JPEG, PNG, WebP or GIF; re-encoded)."""
    return services.set_station_image(request.user, _brand(request, slug), file, which="logo")


@router.post(
    "/brands/{slug}/cover",
    response=BrandCard,
    auth=REQUIRED,
    tags=["brands"],
    summary="Upload the station cover (brand staff)",
)
def upload_cover(request, slug: str, file: File[UploadedFile]):
    """multipart/form-data with `file` (JPEG, PNG, WebP or GIF; re-encoded)."""
    return services.set_station_image(request.user, _brand(request, slug), file, which="cover")


@router.post(
    "/brands/{slug}/news",
    response={201: NewsOut},
    auth=REQUIRED,
    tags=["brands"],
    summary="Publish station news (brand staff)",
)
def add_news(request, slug: str, payload: NewsIn):
    return Status(
        201, services.add_news(request.user, _brand(request, slug), title=payload.title, body=payload.body)
    )


@router.delete(
    "/news/{int:news_id}",
    response={204: None},
    auth=REQUIRED,
    tags=["brands"],
    summary="Delete station news (brand staff)",
)
def delete_news(request, news_id: int):
    services.delete_news(request.user, by_id(BrandNews.objects, news_id, "news"))
    return Status(204, None)


@router.post(
    "/brands/{slug}/videos",
    response={201: MediaOut},
    auth=REQUIRED,
    tags=["brands"],
    summary="Add a video link (brand staff)",
)
def add_video(request, slug: str, payload: VideoIn):
    media = services.add_video(request.user, _brand(request, slug), url=payload.url, caption=payload.caption)
    return Status(201, media)


@router.post(
    "/brands/{slug}/images",
    response={201: MediaOut},
    auth=REQUIRED,
    tags=["brands"],
    summary="Upload a station image (brand staff)",
)
def add_image(request, slug: str, file: File[UploadedFile], caption: Form[str] = ""):
    """multipart/form-data with `file` and optional `caption`."""
    return Status(201, services.add_image(request.user, _brand(request, slug), file, caption=caption))


@router.delete(
    "/media/{int:media_id}",
    response={204: None},
    auth=REQUIRED,
    tags=["brands"],
    summary="Delete a station image or video (brand staff)",
)
def delete_media(request, media_id: int):
    services.delete_media(request.user, by_id(BrandMedia.objects, media_id, "media"))
    return Status(204, None)


@router.post(
    "/brands/{slug}/placements",
    response={201: PlacementOut},
    auth=REQUIRED,
    tags=["brands"],
    summary="Place a product in a content station (station staff)",
)
def add_placement(request, slug: str, payload: PlacementIn):
    """The product is sold by another brand's store; the station links to it. Only content stations."""
    station = _brand(request, slug)
    product = ref_by_id(Product.objects.for_cards(), payload.product_id, "product_id", "product")
    return Status(201, place_product(request.user, station, product, note=payload.note))


@router.delete(
    "/placements/{int:placement_id}",
    response={204: None},
    auth=REQUIRED,
    tags=["brands"],
    summary="Remove a placement (station staff)",
)
def delete_placement(request, placement_id: int):
    remove_placement(request.user, by_id(Placement.objects, placement_id, "placement"))
    return Status(204, None)


# ---- stores -----------------------------------------------------------------------------------------------


def _store(request, slug: str) -> Store:
    store = by_slug(Store.objects.select_related("brand"), slug, "store")
    if not store.is_active and not can_manage_brand(actor(request), store.brand_id):
        raise NotFound(f"store '{slug}' not found")
    return store


@router.get("/stores", response=Page[StoreOut], auth=OPTIONAL, tags=["stores"], summary="List stores")
def list_stores(request, paging: Query[PageQuery], brand: str | None = None):
    """Active stores; `brand` (slug) narrows to the stores a station sells through (a hub: with its
    sub-brands' stores)."""
    if brand:
        qs = station_stores(ref_by_slug(Brand.objects.filter(is_active=True), brand, "brand", "brand"))
    else:
        qs = Store.objects.filter(is_active=True)
    return paginate(qs.select_related("brand").order_by("id"), paging)


@router.get("/stores/{slug}", response=StoreOut, auth=OPTIONAL, tags=["stores"], summary="A store")
def get_store(request, slug: str):
    """The store; its products are GET /products?store=<slug>. Records `store_visit`."""
    store = _store(request, slug)
    record_event("store_visit", request, obj=store, brand_id=store.brand_id)
    return store


@router.patch(
    "/stores/{slug}", response=StoreOut, auth=REQUIRED, tags=["stores"], summary="Edit a store (brand staff)"
)
def update_store(request, slug: str, payload: StorePatch):
    return services.update_store(
        request.user, _store(request, slug), **payload.model_dump(exclude_unset=True)
    )


@router.post(
    "/brands/{slug}/stores",
    response={201: StoreOut},
    auth=REQUIRED,
    tags=["stores"],
    summary="Open a store for a brand (brand staff)",
)
def create_store(request, slug: str, payload: StoreIn):
    """Not for content stations (they have no store of their own)."""
    store = services.create_store(
        request.user,
        _brand(request, slug),
        name=payload.name,
        slug=payload.slug,
        description=payload.description,
    )
    return Status(201, store)
