"""Reads of albums and guides: who may see and edit them, and page-shaped querysets without N+1.

A private album is visible to its owner only (for a brand album: to that brand's staff); a draft guide to its
author (for a brand guide: that brand's staff). Anyone else gets None here and a 404 from the views, exactly
as for something that does not exist.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from tribe.brands.selectors import can_manage_brand, managed_brand_ids
from tribe.catalog.models import ProductImage
from tribe.posts.models import Comment, Like

from .models import Album, AlbumItem, Guide, GuideStep, GuideStepProduct

MAX_ID = 2**63 - 1
SHOWN = Q(product__published=True, product__store__is_active=True)


def _user(viewer):
    return viewer if viewer is not None and getattr(viewer, "is_authenticated", False) else None


def like_count(kind: str):
    """Likes of each row of `kind`, as a correlated subquery (one query for the whole page)."""
    likes = (Like.objects.filter(target_kind=kind, target_id=OuterRef("pk")).order_by()
             .values("target_kind").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(likes, output_field=IntegerField()), Value(0))


def comment_count(kind: str):
    comments = (Comment.objects.filter(target_kind=kind, target_id=OuterRef("pk"), removed=False).order_by()
                .values("target_kind").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(comments, output_field=IntegerField()), Value(0))


def _editable_q(user, field: str) -> Q:
    """Rows `user` may edit: their own personal ones and those of brands they manage."""
    managed = managed_brand_ids(user)
    own = Q(**{field: user.pk}, brand__isnull=True)
    if managed is None:
        return own | Q(brand__isnull=False)
    return own | Q(brand_id__in=managed) if managed else own


# ---- albums ----------------------------------------------------------------------------------------------


def visible_albums(viewer) -> QuerySet:
    user = _user(viewer)
    if user is None:
        return Album.objects.filter(is_public=True)
    return Album.objects.filter(Q(is_public=True) | _editable_q(user, "owner_id"))


def can_edit_album(user, album: Album) -> bool:
    user = _user(user)
    if user is None:
        return False
    if album.brand_id is not None:
        return can_manage_brand(user, album.brand_id)
    return album.owner_id == user.pk


def product_cards_prefetch(lookup: str = "product") -> Prefetch:
    return Prefetch(f"{lookup}__images", queryset=ProductImage.objects.order_by("position", "id"))


def shown_items_prefetch(to_attr: str = "shown_items", limit: int | None = None) -> Prefetch:
    """An album's items whose product is on sale, with what a product card needs."""
    qs = (AlbumItem.objects.filter(SHOWN).select_related("product__brand", "product__store")
          .prefetch_related(product_cards_prefetch()).order_by("position", "id"))
    if limit is not None:
        qs = qs[:limit]
    return Prefetch("items", queryset=qs, to_attr=to_attr)


def find_album(viewer, pk: int) -> Album | None:
    """The album if `viewer` may see it (no items loaded)."""
    if not 1 <= pk <= MAX_ID:
        return None
    return visible_albums(viewer).filter(pk=pk).first()


def album_for_page(viewer, pk: int) -> Album | None:
    """The album with owner, brand, its shown items (product cards), like and comment counts."""
    if not 1 <= pk <= MAX_ID:
        return None
    return (visible_albums(viewer).filter(pk=pk).select_related("owner", "brand")
            .annotate(like_count=like_count("album"), comment_count=comment_count("album"))
            .prefetch_related(shown_items_prefetch()).first())


def hidden_items(album: Album) -> list[AlbumItem]:
    """Items whose product is off sale: only the album's editors see these (to remove them)."""
    return list(album.items.exclude(SHOWN).select_related("product").order_by("position", "id"))


def album_cards(qs: QuerySet) -> QuerySet:
    """Albums shaped for a list: owner, brand, counts and the first four products on sale."""
    return (qs.select_related("owner", "brand")
            .annotate(like_count=like_count("album"),
                      item_count=Count("items", filter=Q(items__product__published=True,
                                                         items__product__store__is_active=True)))
            .prefetch_related(shown_items_prefetch("preview_items", limit=4)))


def brand_albums(brand_id: int | None = None) -> QuerySet:
    """品牌街: public albums of active brands, newest first."""
    qs = Album.objects.filter(is_public=True, brand__isnull=False, brand__is_active=True)
    if brand_id is not None:
        qs = qs.filter(brand_id=brand_id)
    return album_cards(qs).order_by("-updated_at", "-id")


def popular_albums() -> QuerySet:
    """Public personal albums (users, 达人) with at least one product, most liked first."""
    return (album_cards(Album.objects.filter(is_public=True, brand__isnull=True))
            .filter(item_count__gt=0).order_by("-like_count", "-updated_at", "-id"))


def user_albums(viewer, owner) -> QuerySet:
    """An owner's personal albums: all of them for the owner, the public ones for everyone else."""
    qs = Album.objects.filter(owner=owner, brand__isnull=True)
    if _user(viewer) is None or viewer.pk != owner.pk:
        qs = qs.filter(is_public=True)
    return album_cards(qs).order_by("-updated_at", "-id")


# ---- guides ----------------------------------------------------------------------------------------------


def visible_guides(viewer) -> QuerySet:
    user = _user(viewer)
    if user is None:
        return Guide.objects.filter(published=True)
    return Guide.objects.filter(Q(published=True) | _editable_q(user, "author_id"))


def can_edit_guide(user, guide: Guide) -> bool:
    user = _user(user)
    if user is None:
        return False
    if guide.brand_id is not None:
        return can_manage_brand(user, guide.brand_id)
    return guide.author_id == user.pk


def find_guide(viewer, pk: int) -> Guide | None:
    if not 1 <= pk <= MAX_ID:
        return None
    return visible_guides(viewer).filter(pk=pk).first()


def guide_for_page(viewer, pk: int) -> Guide | None:
    """The guide with its steps and each step's products on sale (product cards): a fixed number of queries."""
    if not 1 <= pk <= MAX_ID:
        return None
    step_products = (GuideStepProduct.objects.filter(SHOWN).select_related("product__brand", "product__store")
                     .prefetch_related(product_cards_prefetch()).order_by("position", "id"))
    steps = GuideStep.objects.order_by("position", "id").prefetch_related(
        Prefetch("products", queryset=step_products, to_attr="shown_products"))
    return (visible_guides(viewer).filter(pk=pk).select_related("author", "brand")
            .annotate(like_count=like_count("guide"), comment_count=comment_count("guide"))
            .prefetch_related(Prefetch("steps", queryset=steps, to_attr="ordered_steps")).first())


def guide_cards(qs: QuerySet) -> QuerySet:
    return (qs.select_related("author", "brand")
            .annotate(like_count=like_count("guide"), step_count=Count("steps", distinct=True)))


def published_guides(brand_id: int | None = None) -> QuerySet:
    qs = Guide.objects.filter(published=True)
    if brand_id is not None:
        qs = qs.filter(brand_id=brand_id)
    return guide_cards(qs).order_by("-created_at", "-id")


def my_guides(user) -> QuerySet:
    return guide_cards(Guide.objects.filter(_editable_q(user, "author_id"))).order_by("-created_at", "-id")


def my_albums(user) -> QuerySet:
    return album_cards(Album.objects.filter(_editable_q(user, "owner_id"))).order_by("-updated_at", "-id")
