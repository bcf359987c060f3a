"""Honest social proof: numbers computed from real, consented purchases. Nothing is seeded or inflated.

A purchase counts when its order is paid or later (paid, partially shipped, shipped, received, completed) and
that line was not fully refunded; cancelled, expired and closed (fully refunded) orders never count.

- friends_bought: my friends (mutual follows) who bought a product and allow friends to see their purchases
  (`show_purchases_to_friends`). One query: up to FRIENDS_SHOWN of them plus the total count.
- nearby_products: what people in my city bought recently, only from users who opted in to anonymous
  aggregates (`share_purchases_nearby`), and only products bought by at least NEARBY_MIN_BUYERS distinct such
  people (k-anonymity). Never says who.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, IntegerField, OuterRef, QuerySet, Subquery, Window
from django.utils import timezone

from tribe.catalog.models import Product
from tribe.orders.models import Order, OrderLine

from .selectors import friend_follows

User = get_user_model()

REAL_PURCHASE_STATUSES = (
    Order.Status.PAID, Order.Status.PARTIALLY_SHIPPED, Order.Status.SHIPPED, Order.Status.RECEIVED,
    Order.Status.COMPLETED,
)
FRIENDS_SHOWN = 5
NEARBY_MIN_BUYERS = 5  # k of the k-anonymity rule: fewer distinct buyers and the product is not shown
NEARBY_DAYS = 30
NEARBY_LIMIT = 24


def real_purchase_lines() -> QuerySet:
    """Order lines that are real purchases: order paid or later, the line not fully refunded."""
    return OrderLine.objects.filter(
        order__status__in=REAL_PURCHASE_STATUSES, refunded_quantity__lt=F("quantity")
    )


@dataclass
class FriendsBought:
    count: int = 0
    friends: list = field(default_factory=list)  # up to FRIENDS_SHOWN users (read display_name, avatar)


def friends_bought(viewer, product) -> FriendsBought:
    """Distinct friends of `viewer` who really bought `product` and let friends see it. One query (none for
    an anonymous viewer): the first FRIENDS_SHOWN friends, each row carrying the total in a window count."""
    if viewer is None or not viewer.is_authenticated:
        return FriendsBought()
    bought = real_purchase_lines().filter(order__user=OuterRef("pk"), product=product)
    rows = list(
        User.objects.filter(
            is_active=True, show_purchases_to_friends=True,
            pk__in=friend_follows(viewer).values("followed_user_id"),
        )
        .filter(Exists(bought))
        .annotate(proof_total=Window(Count("pk")))
        .only("id", "username", "nickname", "avatar")
        .order_by("username")[:FRIENDS_SHOWN]
    )
    return FriendsBought(count=rows[0].proof_total if rows else 0, friends=rows)


def nearby_products(viewer, *, days: int = NEARBY_DAYS, limit: int = NEARBY_LIMIT,
                    min_buyers: int = NEARBY_MIN_BUYERS) -> list[Product]:
    """Published products bought in the last `days` by at least `min_buyers` distinct consenting people of
    the viewer's city (the viewer not counted), most bought first. Each product carries `nearby_buyers`.
    Two queries (products with their cards' brand/store, then images); none when the viewer has no city."""
    city = (getattr(viewer, "city", "") or "").strip()
    if viewer is None or not viewer.is_authenticated or not city:
        return []
    since = timezone.now() - timedelta(days=days)
    lines = real_purchase_lines().filter(
        order__paid_at__gte=since, order__user__city=city, order__user__share_purchases_nearby=True,
        order__user__is_active=True,
    ).exclude(order__user_id=viewer.pk)
    buyers = (
        lines.filter(product=OuterRef("pk")).order_by().values("product_id")
        .annotate(n=Count("order__user_id", distinct=True)).values("n")
    )
    return list(
        Product.objects.published().for_cards()
        .filter(pk__in=lines.values("product_id"))
        .annotate(nearby_buyers=Subquery(buyers, output_field=IntegerField()))
        .filter(nearby_buyers__gte=min_buyers)
        .order_by("-nearby_buyers", "-id")[:limit]
    )
