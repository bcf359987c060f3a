"""Who may manage what. Brand staff manage their brand and its sub-brands; platform operators manage all."""

from __future__ import annotations

from tribe.core.errors import NotAuthenticated, PermissionDenied

from .models import Brand, BrandMembership, Store


def managed_brand_ids(user) -> set[int] | None:
    """Ids of brands this user may manage; None means every brand (platform operator)."""
    if not user or not user.is_authenticated:
        return set()
    if user.is_platform_operator:
        return None
    cached = getattr(user, "_tribe_managed", None)
    if cached is not None:
        return cached
    direct = set(BrandMembership.objects.filter(user=user).values_list("brand_id", flat=True))
    ids = set(direct)
    frontier = set(direct)
    while frontier:  # sub-brands, any depth (trees are shallow: group → brand)
        frontier = set(Brand.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - ids
        ids |= frontier
    user._tribe_managed = ids
    return ids


def can_manage_brand(user, brand_id: int) -> bool:
    ids = managed_brand_ids(user)
    return ids is None or brand_id in ids


def require_brand_staff(user, brand_id: int) -> None:
    if not user or not user.is_authenticated:
        raise NotAuthenticated("sign in as brand staff")
    if not can_manage_brand(user, brand_id):
        raise PermissionDenied("you are not staff of this brand")


def require_store_staff(user, store: Store) -> None:
    require_brand_staff(user, store.brand_id)


def is_owner(user, brand_id: int) -> bool:
    if user.is_authenticated and user.is_platform_operator:
        return True
    return BrandMembership.objects.filter(user=user, brand_id=brand_id, role=BrandMembership.Role.OWNER).exists()


def station_stores(brand: Brand):
    """Stores a station sells through: its own, and for a hub those of its sub-brands."""
    ids = [brand.id, *brand.children.values_list("id", flat=True)]
    return Store.objects.filter(brand_id__in=ids, is_active=True)
