"""Honest social proof: friends who bought a product (with their consent) and what people in my city bought
(anonymous aggregates, at least NEARBY_MIN_BUYERS distinct consenting buyers per product). Every number is
computed from real orders."""

from __future__ import annotations

from ninja import Field, Router, Schema

from tribe.catalog.models import Product
from tribe.social.proof import NEARBY_DAYS, NEARBY_MIN_BUYERS, friends_bought, nearby_products

from .auth import REQUIRED
from .common import by_id
from .schemas import ProductCard
from .social import UserCard

router = Router(tags=["social"])


class FriendBuyer(Schema):
    username: str
    display_name: str
    avatar_url: str | None

    resolve_avatar_url = staticmethod(UserCard.resolve_avatar_url)


class FriendsBoughtOut(Schema):
    count: int = Field(description="distinct friends who really bought it and let friends see their purchases")
    friends: list[FriendBuyer] = Field(description="up to 5 of them")


class NearbyItem(Schema):
    product: ProductCard
    buyers: int = Field(description="distinct consenting buyers in the caller's city (never fewer than k)")


class NearbyOut(Schema):
    city: str
    days: int
    min_buyers: int = Field(description="k: a product bought by fewer distinct people is not shown")
    items: list[NearbyItem]


@router.get("/products/{int:product_id}/friends-bought", response=FriendsBoughtOut, auth=REQUIRED,
            summary="My friends who bought this product")
def product_friends_bought(request, product_id: int):
    product = by_id(Product.objects.published(), product_id, "product")
    proof = friends_bought(request.user, product)
    return {"count": proof.count, "friends": proof.friends}


@router.get("/nearby", response=NearbyOut, auth=REQUIRED, summary="What people in my city bought recently")
def nearby(request):
    """Uses the caller's profile city; empty items when it is not set. Only buyers who turned on
    share_purchases_nearby count, and only products with at least `min_buyers` of them; never who."""
    products = nearby_products(request.user)
    return {
        "city": request.user.city.strip(), "days": NEARBY_DAYS, "min_buyers": NEARBY_MIN_BUYERS,
        "items": [{"product": p, "buyers": p.nearby_buyers} for p in products],
    }
