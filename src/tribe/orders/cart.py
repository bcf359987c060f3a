"""The cart: per user, or per anonymous session until login merges it into the user's cart.

Nothing in the cart is trusted: prices and availability are read fresh every time the cart is shown or
checked out. A line whose SKU was unpublished, deactivated or sold out stays in the cart, flagged, so the
shopper sees what happened instead of an item silently vanishing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F

from tribe.catalog.models import Bundle, Sku
from tribe.core.errors import NotFound, ValidationFailed
from tribe.inventory.services import InsufficientStock

from .guards import check_purchase
from .models import Cart, CartLine

MAX_LINE_QTY = 99
MAX_LINES = 100


def _check_qty(quantity) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_LINE_QTY:
        raise ValidationFailed(f"quantity: a whole number from 1 to {MAX_LINE_QTY}",
                               fields={"quantity": f"1–{MAX_LINE_QTY}"})
    return quantity


def get_cart(user=None, session_key: str | None = None, *, create: bool = False) -> Cart | None:
    if user is not None and user.is_authenticated:
        if create:
            cart, _ = Cart.objects.get_or_create(user=user)
            return cart
        return Cart.objects.filter(user=user).first()
    if not session_key:
        return None
    cart = Cart.objects.filter(session_key=session_key, user__isnull=True).first()
    if cart is None and create:
        cart = Cart.objects.create(session_key=session_key)
    return cart


def cart_for_request(request, *, create: bool = False) -> Cart | None:
    session_key = None
    if hasattr(request, "session"):
        if request.session.session_key is None and create:
            request.session.save()
        session_key = request.session.session_key
    return get_cart(request.user, session_key, create=create)


def _sellable_sku(sku_id) -> Sku:
    if not isinstance(sku_id, int) or isinstance(sku_id, bool):
        raise ValidationFailed("sku_id: must be a number", fields={"sku_id": "must be a number"})
    sku = Sku.objects.select_related("product", "product__store").filter(pk=sku_id).first()
    if sku is None:
        raise NotFound(f"SKU {sku_id} does not exist", code="unknown_sku", fields={"sku_id": "unknown"})
    if not (sku.is_active and sku.product.published and sku.product.store.is_active):
        raise ValidationFailed("this item is not on sale", code="not_on_sale", fields={"sku_id": "not on sale"})
    return sku


def add_to_cart(cart: Cart, sku_id: int, quantity: int = 1, *, bundle: Bundle | None = None) -> CartLine:
    """Add units of a SKU (adds to an existing line). Refuses more than is in stock right now."""
    _check_qty(quantity)
    sku = _sellable_sku(sku_id)
    check_purchase(cart.user if cart.user_id else None, sku.product)  # e.g. early access (tribe.fans)
    with transaction.atomic():
        line = CartLine.objects.filter(cart=cart, sku=sku).first()
        new_qty = quantity + (line.quantity if line else 0)
        if new_qty > MAX_LINE_QTY:
            raise ValidationFailed(f"at most {MAX_LINE_QTY} of one item", fields={"quantity": "too many"})
        if new_qty > sku.stock:
            raise InsufficientStock(f"only {sku.stock} left", fields={"quantity": f"only {sku.stock} left"})
        if line:
            CartLine.objects.filter(pk=line.pk).update(quantity=new_qty)
            line.quantity = new_qty
        else:
            if cart.lines.count() >= MAX_LINES:
                raise ValidationFailed(f"a cart holds at most {MAX_LINES} items", code="cart_full")
            try:
                with transaction.atomic():
                    line = CartLine.objects.create(cart=cart, sku=sku, quantity=new_qty, bundle=bundle)
            except IntegrityError:  # the same SKU added by a concurrent request
                CartLine.objects.filter(cart=cart, sku=sku).update(quantity=F("quantity") + quantity)
                line = CartLine.objects.get(cart=cart, sku=sku)
        Cart.objects.filter(pk=cart.pk).update()  # touch updated_at
    return line


def set_quantity(cart: Cart, line_id: int, quantity: int) -> CartLine:
    _check_qty(quantity)
    line = CartLine.objects.select_related("sku").filter(cart=cart, pk=line_id).first()
    if line is None:
        raise NotFound("no such cart line", fields={"line_id": "unknown"})
    if quantity > line.sku.stock:
        raise InsufficientStock(f"only {line.sku.stock} left", fields={"quantity": f"only {line.sku.stock} left"})
    CartLine.objects.filter(pk=line.pk).update(quantity=quantity)
    line.quantity = quantity
    return line


def remove_line(cart: Cart, line_id: int) -> None:
    deleted, _ = CartLine.objects.filter(cart=cart, pk=line_id).delete()
    if not deleted:
        raise NotFound("no such cart line", fields={"line_id": "unknown"})


def add_bundle(cart: Cart, bundle: Bundle) -> list[CartLine]:
    """Add every item of a scenario bundle, or nothing: an item with no sellable SKU in stock is named."""
    items = list(bundle.items.select_related("product", "sku").prefetch_related("product__skus"))
    chosen: list[tuple[int, int]] = []
    missing: list[str] = []
    for item in items:
        sku = item.sku
        if sku is None or not sku.is_active or sku.stock < item.quantity:
            candidates = sorted(
                (s for s in item.product.skus.all() if s.is_active and s.stock >= item.quantity),
                key=lambda s: (s.price, s.pk),
            )
            sku = candidates[0] if candidates else None
        if sku is None or not item.product.published:
            missing.append(item.product.name)
        else:
            chosen.append((sku.pk, item.quantity))
    if missing:
        raise ValidationFailed("not available now: " + "、".join(missing), code="bundle_unavailable",
                               fields={"items": "、".join(missing)})
    with transaction.atomic():
        return [add_to_cart(cart, sku_id, qty, bundle=bundle) for sku_id, qty in chosen]


def merge_session_cart(session_key: str | None, user) -> int:
    """At login: move the anonymous cart's lines into the user's cart (quantities add, capped)."""
    if not session_key:
        return 0
    anon = Cart.objects.filter(session_key=session_key, user__isnull=True).first()
    if anon is None:
        return 0
    moved = 0
    with transaction.atomic():
        cart, _ = Cart.objects.get_or_create(user=user)
        existing = {line.sku_id: line for line in cart.lines.all()}
        for line in anon.lines.all():
            if line.sku_id in existing:
                mine = existing[line.sku_id]
                CartLine.objects.filter(pk=mine.pk).update(quantity=min(MAX_LINE_QTY, mine.quantity + line.quantity))
            else:
                CartLine.objects.create(cart=cart, sku_id=line.sku_id, quantity=line.quantity, bundle=line.bundle)
            moved += 1
        anon.delete()
    return moved


@dataclass
class CartRow:
    line: CartLine
    unit_price: Decimal
    problem: str  # "" when the line can be bought as is

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.line.quantity


PROBLEMS = {
    "not_on_sale": "已下架",
    "sold_out": "已售罄",
    "insufficient_stock": "库存不足",
}


def cart_rows(cart: Cart | None) -> list[CartRow]:
    """Every line with its current price and a problem flag. Two queries whatever the number of lines."""
    if cart is None:
        return []
    lines = (
        cart.lines.select_related("sku", "sku__product", "sku__product__store", "sku__product__brand")
        .prefetch_related("sku__product__images")
        .order_by("added_at", "id")
    )
    rows = []
    for line in lines:
        sku, product = line.sku, line.sku.product
        if not (sku.is_active and product.published and product.store.is_active):
            problem = "not_on_sale"
        elif sku.stock <= 0:
            problem = "sold_out"
        elif sku.stock < line.quantity:
            problem = "insufficient_stock"
        else:
            problem = ""
        rows.append(CartRow(line, sku.price, problem))
    return rows


def cart_total(rows: list[CartRow]) -> Decimal:
    return sum((r.subtotal for r in rows if not r.problem), Decimal("0.00"))
