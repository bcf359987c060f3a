"""拼团 deals: create, edit and move them (brand staff), with their SKU prices checked on the server."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tribe.brands.selectors import require_brand_staff
from tribe.campaigns import services as campaigns
from tribe.campaigns.models import PlayStatus
from tribe.catalog.models import Product, Sku
from tribe.core.errors import Conflict, NotFound, ValidationFailed
from tribe.core.money import to_money
from tribe.core.text import clean_text

from .models import GroupBuy, GroupBuySku

LIMITS = {"group_size": (2, 50), "hours": (1, 720), "per_user_limit": (1, 99)}


def _int(value, name: str) -> int:
    low, high = LIMITS[name]
    if isinstance(value, bool):
        raise ValidationFailed(f"{name}: a whole number", fields={name: "invalid"})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(f"{name}: a whole number", fields={name: "invalid"}) from None
    if not low <= number <= high:
        raise ValidationFailed(f"{name}: between {low} and {high}", fields={name: f"between {low} and {high}"})
    return number


def _product(brand, product_id) -> Product:
    try:
        pid = int(product_id)
    except (TypeError, ValueError):
        pid = 0
    product = (Product.objects.filter(Q(store__brand=brand) | Q(brand=brand), pk=pid, published=True)
               .first() if 0 < pid < 2**63 else None)
    if product is None:
        raise ValidationFailed("product: one of the brand's published products", fields={"product_id": "unknown"})
    return product


def check_prices(product: Product, prices: dict) -> list[tuple[Sku, Decimal, Decimal | None]]:
    """{sku_id: (price, leader_price or None)} → rows; each price within [0, list price], leader ≤ price."""
    if not prices:
        raise ValidationFailed("give a group price for at least one SKU", code="no_sku", fields={"skus": "required"})
    skus = {s.pk: s for s in Sku.objects.filter(product=product, is_active=True)}
    rows = []
    for raw_id, (raw_price, raw_leader) in sorted(prices.items(), key=lambda kv: str(kv[0])):
        sku = skus.get(int(raw_id)) if str(raw_id).isdigit() and len(str(raw_id)) < 19 else None
        if sku is None:
            raise ValidationFailed(f"sku {raw_id} is not an active SKU of the product", fields={"skus": "unknown"})
        price = to_money(raw_price, field=f"price_{sku.pk}")
        if price > sku.price:
            raise ValidationFailed(f"the group price of {sku.label or sku.code} is above its list price ¥{sku.price}",
                                   code="price_above_list", fields={f"price_{sku.pk}": "above list price"})
        leader = None
        if raw_leader not in (None, ""):
            leader = to_money(raw_leader, field=f"leader_{sku.pk}")
            if leader > price:
                raise ValidationFailed("the leader's price must not exceed the group price", code="leader_above_price",
                                       fields={f"leader_{sku.pk}": "above group price"})
        rows.append((sku, price, leader))
    return rows


def _fields(data: dict) -> dict:
    clean = {
        "title": clean_text(data.get("title"), "title", max_length=80, required=True),
        "description": clean_text(data.get("description") or "", "description", max_length=500),
    }
    starts_at, ends_at = campaigns.check_window(data.get("starts_at"), data.get("ends_at"))
    clean.update(starts_at=starts_at, ends_at=ends_at)
    for name in LIMITS:
        clean[name] = _int(data.get(name), name)
    return clean


def _all_skus(product: Product, price, leader) -> dict:
    return {s.pk: (price, leader) for s in Sku.objects.filter(product=product, is_active=True)}


def create_deal(actor, brand, data: dict) -> GroupBuy:
    """A draft deal. `data`: title, description, product_id, starts_at, ends_at, group_size, hours,
    per_user_limit, and either `prices` {sku_id: (price, leader_price)} or one `price` (+ `leader_price`) for
    every active SKU of the product."""
    require_brand_staff(actor, brand.pk)
    clean = _fields(data)
    product = _product(brand, data.get("product_id"))
    prices = data.get("prices") or (_all_skus(product, data.get("price"), data.get("leader_price"))
                                    if data.get("price") not in (None, "") else {})
    rows = check_prices(product, prices)
    with transaction.atomic():
        deal = GroupBuy.objects.create(brand=brand, product=product, created_by=actor, **clean)
        GroupBuySku.objects.bulk_create(GroupBuySku(deal=deal, sku=s, price=p, leader_price=lp) for s, p, lp in rows)
    return deal


def update_deal(actor, deal: GroupBuy, data: dict) -> GroupBuy:
    """Edit a deal that has not ended. Groups already opened keep their own size and deadline; new prices apply
    to orders placed from now on (each order keeps the price it was placed at)."""
    require_brand_staff(actor, deal.brand_id)
    if deal.status == PlayStatus.ENDED:
        raise Conflict("the campaign has ended; it can no longer be edited", code="campaign_ended")
    clean = _fields(data)
    rows = check_prices(deal.product, data["prices"]) if data.get("prices") else None
    with transaction.atomic():
        GroupBuy.objects.filter(pk=deal.pk).update(updated_at=timezone.now(), **clean)
        if rows is not None:
            GroupBuySku.objects.filter(deal=deal).exclude(sku_id__in=[s.pk for s, _, _ in rows]).delete()
            for sku, price, leader in rows:
                GroupBuySku.objects.update_or_create(deal=deal, sku=sku,
                                                     defaults={"price": price, "leader_price": leader})
    deal.refresh_from_db()
    return deal


def move_deal(actor, deal: GroupBuy, action: str, *, request=None) -> GroupBuy:
    """start | pause | resume | end. Ending fails every open group at once (their paid members are refunded by
    the settle step right after, and by the periodic sweep if that is interrupted)."""
    from .groups import fail_open_groups_of, settle_failed_groups

    if action == "start" and not GroupBuySku.objects.filter(deal=deal).exists():
        raise ValidationFailed("give a group price for at least one SKU first", code="no_sku")
    deal = campaigns.move(actor, deal, action, on_end=fail_open_groups_of, request=request)
    if action == "end":
        settle_failed_groups(deal_id=deal.pk)
    return deal


def get_deal(deal_id: int, *, brand=None) -> GroupBuy:
    qs = GroupBuy.objects.select_related("product", "brand")
    if brand is not None:
        qs = qs.filter(brand=brand)
    deal = qs.filter(pk=deal_id).first() if 0 < int(deal_id) < 2**63 else None
    if deal is None:
        raise NotFound("no such group-buy campaign", fields={"deal_id": "unknown"})
    return deal

