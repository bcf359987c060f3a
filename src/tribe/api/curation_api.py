"""API: 专辑 albums (品牌街) and 场景化导购 guides.

Visibility: a private album (a draft guide) is a 404 for anyone who may not edit it, exactly like one that
does not exist; editing something you may see but not edit is a 403. Only published products can be added;
products taken off sale later stay in the list but are left out of every response.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from tribe.brands.models import Brand
from tribe.catalog.models import Product
from tribe.core.errors import NotFound
from tribe.curation import selectors, services
from tribe.curation.models import Album, Guide

from .auth import OPTIONAL, REQUIRED
from .common import SLUG_RE, actor
from .pagination import Page, PageQuery, paginate
from .schemas import In, Money, OkOut, absolute

router = Router(tags=["curation"])


# ---- schemas ---------------------------------------------------------------------------------------------


class CurationUserRef(Schema):
    id: int
    username: str
    name: str
    is_promoter: bool


class CurationBrandRef(Schema):
    id: int
    slug: str
    name: str


class CurationProductRef(Schema):
    id: int
    name: str
    min_price: Money
    image_url: str | None


class AlbumItemOut(Schema):
    product: CurationProductRef
    note: str
    position: int


class AlbumCardOut(Schema):
    id: int
    title: str
    description: str
    is_public: bool
    owner: CurationUserRef
    brand: CurationBrandRef | None
    like_count: int
    item_count: int = Field(description="products on sale in the album")
    created_at: datetime
    updated_at: datetime


class AlbumOut(AlbumCardOut):
    can_edit: bool
    comment_count: int
    items: list[AlbumItemOut] = Field(description="products on sale, in the curator's order")


class AlbumIn(In):
    title: str = Field(description="1–60 characters")
    description: str = Field("", description="at most 1000 characters")
    is_public: bool = True
    brand: int | None = Field(None, description="publish as this brand (its staff only): a 品牌街 album")


class AlbumPatch(In):
    title: str | None = None
    description: str | None = None
    is_public: bool | None = None


class AlbumItemIn(In):
    product: int = Field(description="a published product")
    note: str = Field("", description="at most 200 characters")


class AlbumItemPatch(In):
    note: str


class AlbumOrderIn(In):
    products: list[int] = Field(description="every product id of the album once, in the new order")


class GuideStepProductIn(In):
    product: int
    note: str = ""


class GuideStepIn(In):
    title: str
    text: str = ""
    products: list[GuideStepProductIn] = Field(default_factory=list, description="at most 10")


class GuideIn(In):
    title: str
    scenario: str = Field(description="the use situation, e.g. 新生儿出院回家")
    intro: str = ""
    brand: int | None = Field(None, description="publish as this brand (its staff only)")
    published: bool = True
    steps: list[GuideStepIn] = Field(default_factory=list, description="at most 20")


class GuidePatch(In):
    title: str | None = None
    scenario: str | None = None
    intro: str | None = None
    published: bool | None = None
    steps: list[GuideStepIn] | None = Field(None, description="when given, replaces every step")


class GuideStepProductOut(Schema):
    product: CurationProductRef
    note: str


class GuideStepOut(Schema):
    id: int
    title: str
    text: str
    products: list[GuideStepProductOut]


class GuideCardOut(Schema):
    id: int
    title: str
    scenario: str
    intro: str
    published: bool
    author: CurationUserRef
    brand: CurationBrandRef | None
    cover_url: str | None
    like_count: int
    created_at: datetime


class GuideOut(GuideCardOut):
    can_edit: bool
    comment_count: int
    steps: list[GuideStepOut]


# ---- shaping ---------------------------------------------------------------------------------------------


def _user(u) -> dict:
    return {"id": u.pk, "username": u.username, "name": u.display_name, "is_promoter": u.is_promoter}


def _brand(b) -> dict | None:
    return {"id": b.pk, "slug": b.slug, "name": b.name} if b is not None else None


def _product(request, p) -> dict:
    cover = p.cover
    return {"id": p.pk, "name": p.name, "min_price": p.min_price,
            "image_url": absolute({"request": request}, cover.thumb) if cover is not None else None}


def _album_card(a: Album) -> dict:
    return {"id": a.pk, "title": a.title, "description": a.description, "is_public": a.is_public,
            "owner": _user(a.owner), "brand": _brand(a.brand), "like_count": a.like_count,
            "item_count": a.item_count, "created_at": a.created_at, "updated_at": a.updated_at}


def _album_detail(request, pk: int) -> dict:
    album = selectors.album_for_page(actor(request), pk)
    if album is None:
        raise NotFound(f"album {pk} not found")
    album.item_count = len(album.shown_items)
    out = _album_card(album)
    out.update(can_edit=selectors.can_edit_album(actor(request), album), comment_count=album.comment_count,
               items=[{"product": _product(request, i.product), "note": i.note, "position": i.position}
                      for i in album.shown_items])
    return out


def _album(request, pk: int) -> Album:
    album = selectors.find_album(actor(request), pk)
    if album is None:
        raise NotFound(f"album {pk} not found")
    return album


def _guide_card(request, g: Guide) -> dict:
    return {"id": g.pk, "title": g.title, "scenario": g.scenario, "intro": g.intro, "published": g.published,
            "author": _user(g.author), "brand": _brand(g.brand), "like_count": g.like_count,
            "cover_url": absolute({"request": request}, g.cover), "created_at": g.created_at}


def _guide_detail(request, pk: int) -> tuple[Guide, dict]:
    guide = selectors.guide_for_page(actor(request), pk)
    if guide is None:
        raise NotFound(f"guide {pk} not found")
    out = _guide_card(request, guide)
    out.update(can_edit=selectors.can_edit_guide(actor(request), guide), comment_count=guide.comment_count,
               steps=[{"id": s.pk, "title": s.title, "text": s.text,
                       "products": [{"product": _product(request, sp.product), "note": sp.note}
                                    for sp in s.shown_products]} for s in guide.ordered_steps])
    return guide, out


def _guide(request, pk: int) -> Guide:
    guide = selectors.find_guide(actor(request), pk)
    if guide is None:
        raise NotFound(f"guide {pk} not found")
    return guide


def _steps(steps) -> list[dict] | None:
    if steps is None:
        return None
    return [{"title": s.title, "text": s.text, "products": [p.dict() for p in s.products]} for s in steps]


class AlbumFilter(Schema):
    brand: str | None = Field(None, description="brand slug: that brand's 品牌街 albums")
    owner: str | None = Field(None, description="username: that user's public albums")


# ---- albums ----------------------------------------------------------------------------------------------


@router.get("/albums", response=Page[AlbumCardOut], auth=OPTIONAL,
            summary="Public albums: a brand's, a user's, or all personal albums by likes")
def list_albums(request, params: Query[PageQuery], filters: Query[AlbumFilter]):
    if filters.brand is not None:
        brand = Brand.objects.filter(slug=filters.brand, is_active=True).first() if SLUG_RE.match(
            filters.brand) else None
        qs = selectors.brand_albums(brand.pk) if brand else Album.objects.none()
    elif filters.owner is not None:
        owner = get_user_model().objects.filter(username=filters.owner[:150], is_active=True).first()
        qs = selectors.user_albums(actor(request), owner) if owner else Album.objects.none()
    else:
        qs = selectors.popular_albums()
    page = paginate(qs, params)
    page["items"] = [_album_card(a) for a in page["items"]]
    return page


@router.get("/me/albums", response=Page[AlbumCardOut], auth=REQUIRED,
            summary="Albums I may edit: mine (public and private) and my brands'")
def my_albums(request, params: Query[PageQuery]):
    page = paginate(selectors.my_albums(request.user), params)
    page["items"] = [_album_card(a) for a in page["items"]]
    return page


@router.post("/albums", response={201: AlbumOut}, auth=REQUIRED, summary="Create an album")
def create_album(request, payload: AlbumIn):
    album = services.create_album(request.user, title=payload.title, description=payload.description,
                                  is_public=payload.is_public, brand_id=payload.brand, request=request)
    return Status(201, _album_detail(request, album.pk))


@router.get("/albums/{int:album_id}", response=AlbumOut, auth=OPTIONAL, summary="An album with its products")
def get_album(request, album_id: int):
    return _album_detail(request, album_id)


@router.patch("/albums/{int:album_id}", response=AlbumOut, auth=REQUIRED, summary="Edit an album")
def update_album(request, album_id: int, payload: AlbumPatch):
    services.update_album(request.user, _album(request, album_id), **payload.dict(exclude_unset=True))
    return _album_detail(request, album_id)


@router.delete("/albums/{int:album_id}", response=OkOut, auth=REQUIRED, summary="Delete an album")
def delete_album(request, album_id: int):
    services.delete_album(request.user, _album(request, album_id))
    return {"ok": True}


@router.post("/albums/{int:album_id}/items", response={201: AlbumItemOut}, auth=REQUIRED,
             summary="Add a published product with a note (at most 100 per album)")
def add_item(request, album_id: int, payload: AlbumItemIn):
    item = services.add_item(request.user, _album(request, album_id), product_id=payload.product,
                             note=payload.note)
    product = Product.objects.for_cards().get(pk=item.product_id)
    return Status(201, {"product": _product(request, product), "note": item.note, "position": item.position})


@router.patch("/albums/{int:album_id}/items/{int:product_id}", response=OkOut, auth=REQUIRED,
              summary="Change a product's note")
def update_item(request, album_id: int, product_id: int, payload: AlbumItemPatch):
    services.update_item(request.user, _album(request, album_id), product_id, note=payload.note)
    return {"ok": True}


@router.delete("/albums/{int:album_id}/items/{int:product_id}", response=OkOut, auth=REQUIRED,
               summary="Remove a product from an album")
def remove_item(request, album_id: int, product_id: int):
    services.remove_item(request.user, _album(request, album_id), product_id)
    return {"ok": True}


@router.post("/albums/{int:album_id}/order", response=AlbumOut, auth=REQUIRED,
             summary="Reorder an album's products")
def reorder(request, album_id: int, payload: AlbumOrderIn):
    services.reorder_items(request.user, _album(request, album_id), payload.products)
    return _album_detail(request, album_id)


# ---- guides ----------------------------------------------------------------------------------------------


class GuideFilter(Schema):
    brand: str | None = Field(None, description="brand slug")


@router.get("/guides", response=Page[GuideCardOut], auth=OPTIONAL, summary="Published guides, newest first")
def list_guides(request, params: Query[PageQuery], filters: Query[GuideFilter]):
    if filters.brand is not None:
        brand = Brand.objects.filter(slug=filters.brand, is_active=True).first() if SLUG_RE.match(
            filters.brand) else None
        qs = selectors.published_guides(brand.pk) if brand else Guide.objects.none()
    else:
        qs = selectors.published_guides()
    page = paginate(qs, params)
    page["items"] = [_guide_card(request, g) for g in page["items"]]
    return page


@router.get("/me/guides", response=Page[GuideCardOut], auth=REQUIRED,
            summary="Guides I may edit (drafts included)")
def my_guides(request, params: Query[PageQuery]):
    page = paginate(selectors.my_guides(request.user), params)
    page["items"] = [_guide_card(request, g) for g in page["items"]]
    return page


@router.post("/guides", response={201: GuideOut}, auth=REQUIRED, summary="Write a guide with its steps")
def create_guide(request, payload: GuideIn):
    guide = services.create_guide(request.user, title=payload.title, scenario=payload.scenario,
                                  intro=payload.intro, brand_id=payload.brand, published=payload.published,
                                  steps=_steps(payload.steps))
    return Status(201, _guide_detail(request, guide.pk)[1])


@router.get("/guides/{int:guide_id}", response=GuideOut, auth=OPTIONAL, summary="A guide with steps and products")
def get_guide(request, guide_id: int):
    guide, out = _guide_detail(request, guide_id)
    if guide.published:
        services.record_guide_view(request, guide)
    return out


@router.patch("/guides/{int:guide_id}", response=GuideOut, auth=REQUIRED,
              summary="Edit a guide; `steps`, when given, replaces every step")
def update_guide(request, guide_id: int, payload: GuidePatch):
    data = payload.dict(exclude_unset=True)
    steps = _steps(payload.steps) if "steps" in data and payload.steps is not None else None
    data.pop("steps", None)
    services.update_guide(request.user, _guide(request, guide_id), steps=steps, **data)
    return _guide_detail(request, guide_id)[1]


@router.post("/guides/{int:guide_id}/cover", response=GuideOut, auth=REQUIRED,
             summary="Upload a guide's cover image (multipart, field `cover`)")
def set_cover(request, guide_id: int, cover: File[UploadedFile]):
    services.set_guide_cover(request.user, _guide(request, guide_id), cover)
    return _guide_detail(request, guide_id)[1]


@router.delete("/guides/{int:guide_id}", response=OkOut, auth=REQUIRED, summary="Delete a guide")
def delete_guide(request, guide_id: int):
    services.delete_guide(request.user, _guide(request, guide_id))
    return {"ok": True}
