"""Checkout: from a cart to an order holding reserved stock, in one transaction, idempotently.

The same (user, idempotency key) always returns the first order it created, whether the repeat arrives after
the first finished (lookup) or while it runs (the unique constraint makes the second insert fail and we
return the winner's order).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tribe.core.errors import NotFound, ValidationFailed
from tribe.core.events import record_event
from tribe.core.text import clean_text
from tribe.inventory import services as inventory

from . import signals
from .cart import CartRow, cart_rows
from .guards import check_purchase
from .models import Address, Cart, CartLine, LineAdjustment, Order, OrderLine, OrderLog, ShippingMethod, StoreOrder
from .pricing import Adjustment, PricedLine, PricingContext, apply_adjustment, price_lines

ZERO = Decimal("0.00")
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
KEY_RE = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")


def reservation_minutes() -> int:
    return int(getattr(settings, "TRIBE_RESERVATION_MINUTES", 15))


def check_address(data: dict) -> dict:
    """Validate a Chinese address (province/city/district/detail, mainland mobile number)."""
    if not isinstance(data, dict):
        raise ValidationFailed("address: an object", fields={"address": "required"})
    clean = {
        "name": clean_text(data.get("name"), "name", max_length=40, required=True),
        "phone": clean_text(data.get("phone"), "phone", max_length=20, required=True),
        "province": clean_text(data.get("province"), "province", max_length=20, required=True),
        "city": clean_text(data.get("city"), "city", max_length=20, required=True),
        "district": clean_text(data.get("district"), "district", max_length=20, required=True),
        "detail": clean_text(data.get("detail"), "detail", max_length=200, required=True),
    }
    if not PHONE_RE.match(clean["phone"]):
        raise ValidationFailed("phone: an 11-digit mainland mobile number", fields={"phone": "invalid"})
    return clean


def save_address(user, data: dict, *, is_default: bool = False) -> Address:
    clean = check_address(data)
    with transaction.atomic():
        if is_default:
            Address.objects.filter(user=user, is_default=True).update(is_default=False)
        return Address.objects.create(user=user, is_default=is_default, **clean)


def delete_address(user, address_id: int) -> None:
    """Remove one of the user's saved addresses (orders keep their own snapshot). Another user's is 404."""
    deleted, _ = Address.objects.filter(user=user, pk=address_id).delete()
    if not deleted:
        raise NotFound("no such address", fields={"address_id": "unknown"})


# Built-in platform methods, used for any code the database does not define (operators override them in the
# admin; a platform row with is_active=False switches one off).
DEFAULT_METHODS = {
    "standard": ("普通快递", Decimal("8.00"), Decimal("99.00")),
    "express": ("顺丰速运", Decimal("18.00"), Decimal("299.00")),
}


def shipping_methods_for(store_ids) -> dict[int, dict[str, ShippingMethod]]:
    """Per store: its own methods, falling back to the platform's for codes it does not define."""
    methods = list(ShippingMethod.objects.filter(Q(store_id__in=list(store_ids)) | Q(store__isnull=True)))
    platform = {code: ShippingMethod(code=code, name=name, fee=fee, free_over=free_over)
                for code, (name, fee, free_over) in DEFAULT_METHODS.items()}
    platform.update({m.code: m for m in methods if m.store_id is None})
    platform = {code: m for code, m in platform.items() if m.is_active}
    result = {}
    for sid in store_ids:
        own = {m.code: m for m in methods if m.store_id == sid and m.is_active}
        result[sid] = {**platform, **own}
    return result


def shipping_fee(method: ShippingMethod, payable: Decimal) -> Decimal:
    if method.free_over is not None and payable >= method.free_over:
        return ZERO
    return method.fee


@dataclass
class StoreQuote:
    """One store's part of a checkout: its priced lines, the chosen shipping method and the money."""

    store: object
    lines: list[PricedLine]
    method: ShippingMethod
    methods: list[ShippingMethod]  # every method the store offers, for the buyer to choose from
    subtotal: Decimal
    discount: Decimal
    shipping_fee: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount + self.shipping_fee


@dataclass
class Quote:
    """What placing the order would charge now, per store. `problems`: flagged cart lines, left out of the
    totals; place_order refuses while there are any."""

    stores: list[StoreQuote]
    problems: list[CartRow] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return sum((s.subtotal for s in self.stores), ZERO)

    @property
    def discount_total(self) -> Decimal:
        return sum((s.discount for s in self.stores), ZERO)

    @property
    def shipping_total(self) -> Decimal:
        return sum((s.shipping_fee for s in self.stores), ZERO)

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount_total + self.shipping_total


# An adjuster may waive stores' shipping fees (a 包邮 coupon) by adding their ids to this options key during
# pricing; the fee of those stores is then 0 in the quote and the order.
FREE_SHIPPING_OPTION = "free_shipping_stores"


@dataclass
class CampaignPrice:
    """A play's price for a direct order (拼团价, 秒杀价, 砍后价, 预售定金…): applied by the orders core as the
    first adjustment, so the line keeps its list price and `code` names the play on the line
    (LineAdjustment) — refunds, commissions and analytics see exactly what the campaign gave."""

    code: str  # e.g. "groupbuy:12"
    label: str  # e.g. "拼团价"
    unit_price: Decimal  # what one unit costs in this play (≥ 0, ≤ the list price)
    free_shipping: bool = False  # the play ships free (a prize, a trial unit, a promoter's gift)


@dataclass
class DirectLine:
    """A cart-less line: what a play's "buy now" orders (one SKU, no cart involved)."""

    sku: object
    quantity: int
    pk: None = None

    @property
    def sku_id(self) -> int:
        return self.sku.pk


def _price(user, rows: list[CartRow], shipping,
           options: dict | None, campaign: CampaignPrice | None = None) -> tuple[list[PricedLine], list[StoreQuote]]:
    """Price buyable cart rows (adjusters included) and split them per store with each store's shipping.
    The one pricing path shared by quote() and place_order(): the preview is what the order will charge."""
    priced = [PricedLine(key=r.line.sku_id, sku=r.line.sku, product=r.line.sku.product,
                         store_id=r.line.sku.product.store_id, unit_price=r.unit_price, quantity=r.line.quantity)
              for r in rows]
    options = dict(options or {})
    if campaign is not None:
        for p in priced:
            off = (p.unit_price - campaign.unit_price) * p.quantity
            if off > 0:
                apply_adjustment([p], Adjustment(campaign.code, campaign.label, off, [p.key]))
        options["campaign"] = campaign.code
    price_lines(PricingContext(user=user, lines=priced, options=options))
    free_stores = set(options.get(FREE_SHIPPING_OPTION) or ())
    stores = {r.line.sku.product.store_id: r.line.sku.product.store for r in rows}
    store_ids = sorted(stores)
    methods = shipping_methods_for(store_ids)
    parts = []
    for sid in store_ids:
        code = shipping.get(sid, "standard") if isinstance(shipping, dict) else shipping
        method = methods[sid].get(code) if isinstance(code, str) else None
        if method is None:
            raise ValidationFailed(f"shipping: store {sid} has no method '{code}'", code="unknown_shipping",
                                   fields={"shipping": f"unknown method for store {sid}"})
        lines = [p for p in priced if p.store_id == sid]
        subtotal = sum((p.subtotal for p in lines), ZERO)
        discount = sum((p.discount for p in lines), ZERO)
        free = (campaign is not None and campaign.free_shipping) or sid in free_stores
        fee = ZERO if free else shipping_fee(method, subtotal - discount)
        parts.append(StoreQuote(store=stores[sid], lines=lines, method=method,
                                methods=list(methods[sid].values()), subtotal=subtotal, discount=discount,
                                shipping_fee=fee))
    return priced, parts


def quote(user, cart: Cart | None, *, shipping: dict[int, str] | str = "standard",
          options: dict | None = None) -> Quote:
    """Preview the checkout of the cart's buyable lines without writing anything."""
    rows = cart_rows(cart)
    if not rows:
        raise ValidationFailed("the cart is empty", code="empty_cart")
    buyable = [r for r in rows if not r.problem]
    parts = _price(user, buyable, shipping, options)[1] if buyable else []
    return Quote(stores=parts, problems=[r for r in rows if r.problem])


def _order_number() -> str:
    return timezone.localtime().strftime("%Y%m%d%H%M%S") + f"{secrets.randbelow(10**6):06d}"


def place_order(
    user,
    cart: Cart,
    *,
    address: dict | None = None,
    address_id: int | None = None,
    shipping: dict[int, str] | str = "standard",
    idempotency_key: str,
    note: str = "",
    options: dict | None = None,
    request=None,
) -> Order:
    """Create an order from the cart's buyable lines, reserve their stock, empty those lines.

    Raises ValidationFailed (bad address/shipping/empty cart/flagged lines) or InsufficientStock, and then
    nothing is written.
    """
    existing = _checked_key(user, idempotency_key)
    if existing is not None:
        return existing
    note = clean_text(note, "note", max_length=200)
    ship = _ship_to(user, address, address_id)

    rows = cart_rows(cart)
    if not rows:
        # A twin request with this key may have placed the order (and emptied the cart) since the lookup
        # above: the retry gets that order, not "empty cart".
        twin = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if twin is not None:
            twin.replayed = True
            return twin
        raise ValidationFailed("the cart is empty", code="empty_cart")
    flagged = [r for r in rows if r.problem]
    if flagged:
        names = "、".join(r.line.sku.product.name for r in flagged)
        raise ValidationFailed(f"some items cannot be bought now: {names}", code="cart_has_problems",
                               fields={str(r.line.pk): r.problem for r in flagged})
    return _place(user, rows, ship, note, shipping, idempotency_key, options, request,
                  cart_line_ids=[r.line.pk for r in rows])


def _checked_key(user, idempotency_key):
    if not isinstance(idempotency_key, str) or not KEY_RE.match(idempotency_key):
        raise ValidationFailed("idempotency_key: 8–64 letters, digits or _.:-", fields={"idempotency_key": "invalid"})
    existing = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
    if existing is not None:
        existing.replayed = True  # the API answers a repeat with 200 instead of 201
    return existing


def _ship_to(user, address, address_id) -> dict:
    if address_id is not None:
        saved = Address.objects.filter(user=user, pk=address_id).first()
        if saved is None:
            raise NotFound("no such address", fields={"address_id": "unknown"})
        return {k: getattr(saved, k) for k in ("name", "phone", "province", "city", "district", "detail")}
    return check_address(address or {})


def _place(user, rows, ship, note, shipping, idempotency_key, options, request, *, cart_line_ids=(),
           campaign: CampaignPrice | None = None, before_commit=None) -> Order:
    check_purchase(user, [r.line.sku.product for r in rows])  # e.g. early access (tribe.fans)

    priced, parts = _price(user, rows, shipping, options, campaign)

    now = timezone.now()
    touch = (getattr(request, "tribe_visit", None) or {}).get("first", {}) if request is not None else {}
    try:
        with transaction.atomic():
            order = _create(user, idempotency_key, ship, note, priced, parts, now, touch)
            inventory.reserve(order.pk, [(line.pk, line.sku_id, line.quantity) for line in order._lines],
                              order.expires_at)
            if cart_line_ids:
                CartLine.objects.filter(pk__in=list(cart_line_ids)).delete()
            OrderLog.objects.create(order=order, to_status=order.status, actor=user, message="下单")
            if before_commit is not None:
                before_commit(order)  # the play's own rows (group seat, used bargain…), same transaction
            signals.order_placed.send(sender=Order, order=order, request=request)
            record_event("order_placed", request, actor=user, obj=order,
                         props={"total": str(order.total), "lines": len(priced), "stores": len(parts),
                                "campaign": campaign.code if campaign else ""})
    except IntegrityError:
        winner = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if winner is None:
            raise
        winner.replayed = True
        return winner
    order.replayed = False
    return order


def _direct_rows(sku_id, quantity) -> list[CartRow]:
    from .cart import _check_qty, _sellable_sku

    _check_qty(quantity)
    sku = _sellable_sku(sku_id)
    if sku.stock < quantity:
        from tribe.inventory.services import InsufficientStock

        raise InsufficientStock(f"only {sku.stock} left", fields={"quantity": f"only {sku.stock} left"})
    return [CartRow(DirectLine(sku=sku, quantity=quantity), sku.price, "")]


def quote_direct(user, sku_id: int, quantity: int = 1, *, shipping: dict[int, str] | str = "standard",
                 options: dict | None = None, campaign: CampaignPrice | None = None) -> Quote:
    """Preview a cart-less "buy now" of one SKU (a play's price included), writing nothing."""
    rows = _direct_rows(sku_id, quantity)
    return Quote(stores=_price(user, rows, shipping, options, campaign)[1])


def place_direct_order(
    user,
    sku_id: int,
    quantity: int = 1,
    *,
    address: dict | None = None,
    address_id: int | None = None,
    shipping: dict[int, str] | str = "standard",
    idempotency_key: str,
    note: str = "",
    options: dict | None = None,
    campaign: CampaignPrice | None = None,
    before_commit=None,
    request=None,
) -> Order:
    """Order one SKU now without touching the cart — the path of every play (拼团, 砍价, 秒杀, 预售, 试用).

    `campaign` sets the play's unit price; `before_commit(order)` runs inside the order's transaction (after
    the stock is reserved) so the play's own writes — a group seat, a used bargain, flash stock — commit or
    roll back with the order. Same idempotency, validation and stock rules as place_order.
    """
    existing = _checked_key(user, idempotency_key)
    if existing is not None:
        return existing
    note = clean_text(note, "note", max_length=200)
    ship = _ship_to(user, address, address_id)
    if campaign is not None and not (ZERO <= campaign.unit_price):
        raise ValidationFailed("campaign price must not be negative", code="bad_campaign_price")
    rows = _direct_rows(sku_id, quantity)
    if campaign is not None and campaign.unit_price > rows[0].unit_price:
        campaign = None  # a play never charges more than the list price
    return _place(user, rows, ship, note, shipping, idempotency_key, options, request,
                  campaign=campaign, before_commit=before_commit)


def _create(user, key, ship, note, priced, parts: list[StoreQuote], now, touch) -> Order:
    totals = Quote(stores=parts)
    order = Order.objects.create(
        number=_order_number(), user=user, idempotency_key=key, note=note,
        ship_name=ship["name"], ship_phone=ship["phone"], ship_province=ship["province"], ship_city=ship["city"],
        ship_district=ship["district"], ship_detail=ship["detail"],
        subtotal=totals.subtotal, discount_total=totals.discount_total, shipping_total=totals.shipping_total,
        total=totals.total,
        expires_at=now + timedelta(minutes=reservation_minutes()),
        source=str(touch.get("source", ""))[:20], channel=str(touch.get("channel", ""))[:80],
        campaign=str(touch.get("campaign", ""))[:100], sharer_id=touch.get("sharer_id"),
    )
    store_orders = StoreOrder.objects.bulk_create(
        StoreOrder(order=order, store_id=part.store.pk, shipping_method=part.method.name,
                   subtotal=part.subtotal, discount_total=part.discount, shipping_fee=part.shipping_fee,
                   total=part.total)
        for part in parts
    )
    by_store = {so.store_id: so for so in store_orders}
    lines = OrderLine.objects.bulk_create(
        OrderLine(order=order, store_order=by_store[p.store_id], sku=p.sku, product=p.product,
                  product_name=p.product.name, sku_label=p.sku.label[:120], unit_price=p.unit_price,
                  quantity=p.quantity, subtotal=p.subtotal, discount=p.discount, paid_amount=p.payable)
        for p in priced
    )
    shares = [LineAdjustment(line=line, code=code, label=label, amount=amount)
              for line, p in zip(lines, priced, strict=True) for code, label, amount in p.shares]
    if shares:
        LineAdjustment.objects.bulk_create(shares)
    order._lines = lines
    return order
