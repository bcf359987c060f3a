"""Brand station and store writes. Every function checks the actor is staff of the brand first."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from tribe.core.errors import Conflict, ValidationFailed
from tribe.core.images import check_image
from tribe.core.text import clean_text

from .models import Brand, BrandMedia, BrandMembership, BrandNews, Store
from .selectors import is_owner, require_brand_staff

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}$")


def check_slug(slug: str, field: str = "slug") -> str:
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise ValidationFailed(f"{field}: 2–60 lowercase letters, digits or '-'", fields={field: "invalid slug"})
    return slug


def update_station(actor, brand: Brand, *, tagline=None, story=None, name=None) -> Brand:
    require_brand_staff(actor, brand.id)
    changes = {}
    if name is not None:
        changes["name"] = clean_text(name, "name", max_length=60, required=True)
    if tagline is not None:
        changes["tagline"] = clean_text(tagline, "tagline", max_length=120)
    if story is not None:
        changes["story"] = clean_text(story, "story", max_length=20000)
    with transaction.atomic():
        for key, value in changes.items():
            setattr(brand, key, value)
        if changes:
            brand.save(update_fields=list(changes))
            if "name" in changes:
                from tribe.search.services import reindex_brand

                reindex_brand(brand.id)
    return brand


def set_station_image(actor, brand: Brand, upload, *, which: str) -> Brand:
    require_brand_staff(actor, brand.id)
    if which not in {"logo", "cover"}:
        raise ValidationFailed("which: logo or cover", fields={"which": "logo or cover"})
    checked = check_image(upload, field=which)
    with transaction.atomic():
        getattr(brand, which).save(checked.full.name, checked.full, save=False)
        brand.save(update_fields=[which])
    return brand


def add_news(actor, brand: Brand, *, title: str, body: str = "") -> BrandNews:
    require_brand_staff(actor, brand.id)
    title = clean_text(title, "title", max_length=120, required=True)
    body = clean_text(body, "body", max_length=20000)
    return BrandNews.objects.create(brand=brand, title=title, body=body, published_at=timezone.now())


def delete_news(actor, news: BrandNews) -> None:
    require_brand_staff(actor, news.brand_id)
    news.delete()


def add_video(actor, brand: Brand, *, url: str, caption: str = "") -> BrandMedia:
    require_brand_staff(actor, brand.id)
    url = clean_text(url, "url", max_length=300, required=True)
    if not re.match(r"^https?://[^\s<>\"']+$", url):
        raise ValidationFailed("url: must be an http(s) link", fields={"url": "must start with http:// or https://"})
    caption = clean_text(caption, "caption", max_length=120)
    return BrandMedia.objects.create(brand=brand, kind=BrandMedia.Kind.VIDEO, url=url, caption=caption,
                                     position=brand.media.count())


def add_image(actor, brand: Brand, upload, *, caption: str = "") -> BrandMedia:
    require_brand_staff(actor, brand.id)
    caption = clean_text(caption, "caption", max_length=120)
    checked = check_image(upload)
    with transaction.atomic():
        media = BrandMedia(brand=brand, kind=BrandMedia.Kind.IMAGE, caption=caption, position=brand.media.count())
        media.image.save(checked.full.name, checked.full, save=False)
        media.save()
    return media


def delete_media(actor, media: BrandMedia) -> None:
    require_brand_staff(actor, media.brand_id)
    media.delete()


def _unique_slug(model, base: str) -> str:
    base = slugify(base)[:50] or model.__name__.lower()
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_store(actor, brand: Brand, *, name: str, slug: str = "", description: str = "") -> Store:
    require_brand_staff(actor, brand.id)
    if brand.kind == Brand.Kind.CONTENT:
        raise ValidationFailed("a content station has no store of its own; place products instead",
                               code="content_station_has_no_store")
    name = clean_text(name, "name", max_length=60, required=True)
    description = clean_text(description, "description", max_length=5000)
    slug = check_slug(slug) if slug else _unique_slug(Store, name)
    try:
        with transaction.atomic():
            return Store.objects.create(brand=brand, name=name, slug=slug, description=description)
    except IntegrityError:
        raise Conflict(f"slug '{slug}' is taken", code="slug_taken", fields={"slug": "taken"})


def update_store(actor, store: Store, *, name=None, description=None, is_active=None) -> Store:
    require_brand_staff(actor, store.brand_id)
    changes = {}
    if name is not None:
        changes["name"] = clean_text(name, "name", max_length=60, required=True)
    if description is not None:
        changes["description"] = clean_text(description, "description", max_length=5000)
    if is_active is not None:
        if not isinstance(is_active, bool):
            raise ValidationFailed("is_active: true or false", fields={"is_active": "boolean"})
        changes["is_active"] = is_active
    with transaction.atomic():
        for key, value in changes.items():
            setattr(store, key, value)
        if changes:
            store.save(update_fields=list(changes))
    return store


def add_staff(actor, brand: Brand, user, role: str = BrandMembership.Role.OPERATOR) -> BrandMembership:
    """Only a brand owner (or a platform operator) can add staff."""
    require_brand_staff(actor, brand.id)
    if not is_owner(actor, brand.id):
        from tribe.core.errors import PermissionDenied

        raise PermissionDenied("only the brand owner can add staff")
    if role not in BrandMembership.Role.values:
        raise ValidationFailed("role: owner or operator", fields={"role": "owner or operator"})
    membership, _ = BrandMembership.objects.update_or_create(brand=brand, user=user, defaults={"role": role})
    return membership
