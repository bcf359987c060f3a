"""Writes for albums and guides. Each verb runs in one transaction and raises a DomainError for anything a
user can fix. Visibility (404) is the callers' business (selectors.find_album/find_guide); here an object the
actor may see but not edit is a 403.

Adding to an album locks the album row first, so two concurrent adds cannot both pass the 100-item check.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from tribe.brands.models import Brand
from tribe.brands.selectors import can_manage_brand
from tribe.catalog.models import Product
from tribe.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from tribe.core.events import record_event
from tribe.core.images import check_image
from tribe.core.text import clean_text

from .models import (
    MAX_ALBUM_ITEMS,
    MAX_DESCRIPTION,
    MAX_GUIDE_STEPS,
    MAX_INTRO,
    MAX_NOTE,
    MAX_STEP_PRODUCTS,
    MAX_STEP_TEXT,
    MAX_TITLE,
    Album,
    AlbumItem,
    Guide,
    GuideStep,
    GuideStepProduct,
)
from .selectors import can_edit_album, can_edit_guide

MAX_ID = 2**63 - 1


def _signed_in(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated("sign in first")


def _brand_for(user, brand_id: int | None) -> Brand | None:
    """The brand to publish as: it must exist and the user must be its staff."""
    if brand_id is None:
        return None
    if not isinstance(brand_id, int) or not 1 <= brand_id <= MAX_ID:
        raise ValidationFailed("brand: unknown brand", fields={"brand": "unknown brand"})
    brand = Brand.objects.filter(pk=brand_id, is_active=True).first()
    if brand is None:
        raise ValidationFailed("brand: unknown brand", fields={"brand": "unknown brand"})
    if not can_manage_brand(user, brand.pk):
        raise PermissionDenied("only this brand's staff may publish as the brand", code="not_brand_staff")
    return brand


def _published_product(product_id, field: str = "product") -> Product:
    if not isinstance(product_id, int) or isinstance(product_id, bool) or not 1 <= product_id <= MAX_ID:
        raise ValidationFailed(f"{field}: unknown product", fields={field: "unknown product"})
    product = Product.objects.published().filter(pk=product_id).first()
    if product is None:
        raise ValidationFailed(f"{field}: unknown or unpublished product", fields={field: "unknown product"})
    return product


def _require_album_editor(actor, album: Album) -> None:
    _signed_in(actor)
    if not can_edit_album(actor, album):
        code = "not_brand_staff" if album.brand_id else "not_owner"
        raise PermissionDenied("you may not edit this album", code=code)


def _require_guide_editor(actor, guide: Guide) -> None:
    _signed_in(actor)
    if not can_edit_guide(actor, guide):
        code = "not_brand_staff" if guide.brand_id else "not_author"
        raise PermissionDenied("you may not edit this guide", code=code)


# ---- albums ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_album(owner, *, title: str, description: str = "", is_public: bool = True,
                 brand_id: int | None = None, request=None) -> Album:
    _signed_in(owner)
    title = clean_text(title, "title", max_length=MAX_TITLE, required=True)
    description = clean_text(description, "description", max_length=MAX_DESCRIPTION)
    brand = _brand_for(owner, brand_id)
    album = Album.objects.create(owner=owner, brand=brand, title=title, description=description,
                                 is_public=bool(is_public))
    record_event("album", request, actor=owner, obj=album, brand_id=brand.pk if brand else None,
                 props={"brand": brand is not None})
    return album


@transaction.atomic
def update_album(actor, album: Album, *, title: str | None = None, description: str | None = None,
                 is_public: bool | None = None) -> Album:
    _require_album_editor(actor, album)
    if title is not None:
        album.title = clean_text(title, "title", max_length=MAX_TITLE, required=True)
    if description is not None:
        album.description = clean_text(description, "description", max_length=MAX_DESCRIPTION)
    if is_public is not None:
        album.is_public = bool(is_public)
    album.save()
    return album


@transaction.atomic
def delete_album(actor, album: Album) -> None:
    _require_album_editor(actor, album)
    album.delete()


def _locked(album: Album) -> Album:
    return Album.objects.select_for_update().get(pk=album.pk)


@transaction.atomic
def add_item(actor, album: Album, *, product_id: int, note: str = "") -> AlbumItem:
    _require_album_editor(actor, album)
    note = clean_text(note, "note", max_length=MAX_NOTE)
    product = _published_product(product_id)
    album = _locked(album)
    count = album.items.count()
    if count >= MAX_ALBUM_ITEMS:
        raise Conflict(f"an album holds at most {MAX_ALBUM_ITEMS} products", code="album_full")
    if album.items.filter(product=product).exists():
        raise Conflict("this product is already in the album", code="already_in_album")
    try:
        with transaction.atomic():
            last = album.items.aggregate(n=Max("position"))["n"]
            item = AlbumItem.objects.create(album=album, product=product, note=note,
                                            position=0 if last is None else last + 1)
    except IntegrityError:
        raise Conflict("this product is already in the album", code="already_in_album") from None
    album.save(update_fields=["updated_at"])
    return item


def _item(album: Album, product_id: int, *, lock: bool = False) -> AlbumItem:
    qs = album.items.filter(product_id=product_id) if 1 <= product_id <= MAX_ID else AlbumItem.objects.none()
    item = (qs.select_for_update() if lock else qs).first()
    if item is None:
        raise NotFound(f"product {product_id} is not in this album")
    return item


@transaction.atomic
def update_item(actor, album: Album, product_id: int, *, note: str) -> AlbumItem:
    _require_album_editor(actor, album)
    item = _item(album, product_id, lock=True)
    item.note = clean_text(note, "note", max_length=MAX_NOTE)
    item.save(update_fields=["note"])
    album.save(update_fields=["updated_at"])
    return item


@transaction.atomic
def remove_item(actor, album: Album, product_id: int) -> None:
    _require_album_editor(actor, album)
    _item(album, product_id, lock=True).delete()
    album.save(update_fields=["updated_at"])


@transaction.atomic
def reorder_items(actor, album: Album, product_ids: list[int]) -> list[AlbumItem]:
    """`product_ids` lists every product of the album once, in the new order."""
    _require_album_editor(actor, album)
    album = _locked(album)
    items = {item.product_id: item for item in album.items.all()}
    if len(product_ids) != len(set(product_ids)) or set(product_ids) != set(items):
        raise ValidationFailed("products: list every product of the album exactly once",
                               fields={"products": "must list every product of the album once"})
    ordered = [items[pid] for pid in product_ids]
    for position, item in enumerate(ordered):
        item.position = position
    AlbumItem.objects.bulk_update(ordered, ["position"])
    album.save(update_fields=["updated_at"])
    return ordered


@transaction.atomic
def move_item(actor, album: Album, product_id: int, *, up: bool) -> None:
    """Swap a product with its neighbour (the pages' ↑/↓ buttons)."""
    _require_album_editor(actor, album)
    order = list(_locked(album).items.order_by("position", "id").values_list("product_id", flat=True))
    if product_id not in order:
        raise NotFound(f"product {product_id} is not in this album")
    i = order.index(product_id)
    j = i - 1 if up else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    reorder_items(actor, album, order)


# ---- guides ----------------------------------------------------------------------------------------------


def _clean_steps(steps) -> list[dict]:
    """Validate every step before anything is written, so a bad step stores nothing."""
    if not isinstance(steps, list):
        raise ValidationFailed("steps: must be a list", fields={"steps": "must be a list"})
    if len(steps) > MAX_GUIDE_STEPS:
        raise ValidationFailed(f"steps: at most {MAX_GUIDE_STEPS}", fields={"steps": f"max {MAX_GUIDE_STEPS}"})
    cleaned = []
    for i, step in enumerate(steps):
        cleaned.append(_clean_step(step, f"steps.{i}."))
    return cleaned


def _clean_step(step: dict, prefix: str = "") -> dict:
    title = clean_text(step.get("title"), f"{prefix}title", max_length=MAX_TITLE, required=True)
    text = clean_text(step.get("text", ""), f"{prefix}text", max_length=MAX_STEP_TEXT)
    products = step.get("products") or []
    if len(products) > MAX_STEP_PRODUCTS:
        raise ValidationFailed(f"{prefix}products: at most {MAX_STEP_PRODUCTS}",
                               fields={f"{prefix}products": f"max {MAX_STEP_PRODUCTS}"})
    seen: set[int] = set()
    picked = []
    for j, entry in enumerate(products):
        field = f"{prefix}products.{j}"
        product = _published_product(entry.get("product"), f"{field}.product")
        if product.pk in seen:
            raise ValidationFailed(f"{field}.product: listed twice", fields={f"{field}.product": "duplicate"})
        seen.add(product.pk)
        picked.append((product, clean_text(entry.get("note", ""), f"{field}.note", max_length=MAX_NOTE)))
    return {"title": title, "text": text, "products": picked}


def _write_step(guide: Guide, step: dict, position: int) -> GuideStep:
    row = GuideStep.objects.create(guide=guide, position=position, title=step["title"], text=step["text"])
    GuideStepProduct.objects.bulk_create([
        GuideStepProduct(step=row, product=product, note=note, position=k)
        for k, (product, note) in enumerate(step["products"])
    ])
    return row


def _clean_guide_fields(title, scenario, intro) -> dict:
    return {
        "title": clean_text(title, "title", max_length=MAX_TITLE, required=True),
        "scenario": clean_text(scenario, "scenario", max_length=MAX_TITLE, required=True),
        "intro": clean_text(intro, "intro", max_length=MAX_INTRO),
    }


@transaction.atomic
def create_guide(author, *, title: str, scenario: str, intro: str = "", brand_id: int | None = None,
                 published: bool = True, steps: list | None = None, cover=None) -> Guide:
    _signed_in(author)
    fields = _clean_guide_fields(title, scenario, intro)
    brand = _brand_for(author, brand_id)
    cleaned = _clean_steps(steps or [])
    checked = check_image(cover, field="cover") if cover is not None else None
    guide = Guide.objects.create(author=author, brand=brand, published=bool(published), **fields)
    for position, step in enumerate(cleaned):
        _write_step(guide, step, position)
    if checked is not None:
        guide.cover.save(checked.full.name, checked.full, save=True)
    return guide


@transaction.atomic
def update_guide(actor, guide: Guide, *, title: str | None = None, scenario: str | None = None,
                 intro: str | None = None, published: bool | None = None, steps: list | None = None) -> Guide:
    """Change the given fields; `steps`, when given, replaces every step."""
    _require_guide_editor(actor, guide)
    fields = _clean_guide_fields(guide.title if title is None else title,
                                 guide.scenario if scenario is None else scenario,
                                 guide.intro if intro is None else intro)
    cleaned = _clean_steps(steps) if steps is not None else None
    for name, value in fields.items():
        setattr(guide, name, value)
    if published is not None:
        guide.published = bool(published)
    guide.save()
    if cleaned is not None:
        guide.steps.all().delete()
        for position, step in enumerate(cleaned):
            _write_step(guide, step, position)
    return guide


@transaction.atomic
def add_step(actor, guide: Guide, *, title: str, text: str = "", products: list | None = None) -> GuideStep:
    _require_guide_editor(actor, guide)
    guide = Guide.objects.select_for_update().get(pk=guide.pk)
    step = _clean_step({"title": title, "text": text, "products": products or []})
    count = guide.steps.count()
    if count >= MAX_GUIDE_STEPS:
        raise Conflict(f"a guide has at most {MAX_GUIDE_STEPS} steps", code="guide_full")
    last = guide.steps.aggregate(n=Max("position"))["n"]
    row = _write_step(guide, step, 0 if last is None else last + 1)
    guide.save(update_fields=["updated_at"])
    return row


@transaction.atomic
def remove_step(actor, guide: Guide, step_id: int) -> None:
    _require_guide_editor(actor, guide)
    deleted, _ = guide.steps.filter(pk=step_id if 1 <= step_id <= MAX_ID else 0).delete()
    if not deleted:
        raise NotFound(f"step {step_id} not found in this guide")


@transaction.atomic
def set_guide_cover(actor, guide: Guide, upload) -> Guide:
    _require_guide_editor(actor, guide)
    checked = check_image(upload, field="cover")
    guide.cover.save(checked.full.name, checked.full, save=True)
    return guide


@transaction.atomic
def delete_guide(actor, guide: Guide) -> None:
    _require_guide_editor(actor, guide)
    guide.delete()


def record_guide_view(request, guide: Guide) -> None:
    record_event("guide_view", request, obj=guide, brand_id=guide.brand_id)
