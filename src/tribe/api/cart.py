"""The signed-in buyer's cart. (An anonymous visitor's session cart lives on the pages only; it is merged into
this one at login.)

Nothing the client sends about money is used: the cart shows every line at its SKU's price *now*, and a line
that can no longer be bought (unpublished, sold out, short of stock) stays in the cart with its `problem`
instead of silently disappearing. Every answer is the whole cart, so a client re-renders from one response.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext
from ninja import Router, Status

from tribe.catalog.models import Bundle
from tribe.core.errors import NotFound
from tribe.core.events import record_event
from tribe.orders.cart import (
    PROBLEMS,
    add_bundle,
    add_to_cart,
    cart_rows,
    cart_total,
    get_cart,
    remove_line,
    set_quantity,
)

from .auth import REQUIRED
from .common import by_slug
from .order_schemas import CartLineIn, CartOut, CartQuantityIn

router = Router()


def cart_out(rows) -> dict:
    return {
        "lines": [
            {
                "id": row.line.pk,
                "quantity": row.line.quantity,
                "sku": row.line.sku,
                "product": row.line.sku.product,
                "unit_price": row.unit_price,
                "subtotal": row.subtotal,
                "problem": row.problem,
                "problem_label": gettext(PROBLEMS[row.problem]) if row.problem else "",
                "bundle_id": row.line.bundle_id,
            }
            for row in rows
        ],
        "total": cart_total(rows),
        "has_problems": any(row.problem for row in rows),
    }


def _own_cart(request, line_id: int):
    cart = get_cart(request.user)
    if cart is None:
        raise NotFound("no such cart line", fields={"line_id": "unknown"})
    return cart


@router.get("/cart", response=CartOut, auth=REQUIRED, tags=["cart"], summary="My cart")
def show_cart(request):
    """Lines with SKU, product card, current unit price, subtotal and problem flag; `total` counts only the
    lines that can be bought (three queries whatever the number of lines)."""
    return cart_out(cart_rows(get_cart(request.user)))


@router.post("/cart/lines", response={201: CartOut}, auth=REQUIRED, tags=["cart"], summary="Add to cart")
def add_line(request, payload: CartLineIn):
    """Adds units of a SKU (to its line if already there). Unknown SKU: 404 `unknown_sku`; not on sale:
    422 `not_on_sale`; more than in stock now: 409 `insufficient_stock`. Records `add_to_cart`."""
    with transaction.atomic():  # a refused first add leaves no empty cart behind
        cart = get_cart(request.user, create=True)
        line = add_to_cart(cart, payload.sku_id, payload.quantity)
    rows = cart_rows(cart)
    product = next(row.line.sku.product for row in rows if row.line.pk == line.pk)
    record_event(
        "add_to_cart",
        request,
        obj=product,
        brand_id=product.brand_id,
        props={"sku_id": line.sku_id, "quantity": payload.quantity},
    )
    return Status(201, cart_out(rows))


@router.patch(
    "/cart/lines/{int:line_id}", response=CartOut, auth=REQUIRED, tags=["cart"], summary="Change a quantity"
)
def change_line(request, line_id: int, payload: CartQuantityIn):
    """Sets the line's quantity (1–99, at most what is in stock now)."""
    cart = _own_cart(request, line_id)
    set_quantity(cart, line_id, payload.quantity)
    return cart_out(cart_rows(cart))


@router.delete(
    "/cart/lines/{int:line_id}", response={204: None}, auth=REQUIRED, tags=["cart"], summary="Remove a line"
)
def delete_line(request, line_id: int):
    remove_line(_own_cart(request, line_id), line_id)
    return Status(204, None)


@router.post(
    "/cart/bundles/{slug}",
    response={201: CartOut},
    auth=REQUIRED,
    tags=["cart"],
    summary="Add a whole scenario bundle",
)
def add_whole_bundle(request, slug: str):
    """Every item of the bundle (the chosen SKU, or the cheapest one in stock), or nothing: an item that
    cannot be bought now is named in a 422 `bundle_unavailable`. Records `add_to_cart`."""
    bundle = by_slug(Bundle.objects.filter(published=True), slug, "bundle")
    with transaction.atomic():
        cart = get_cart(request.user, create=True)
        lines = add_bundle(cart, bundle)
    record_event(
        "add_to_cart",
        request,
        obj=bundle,
        props={"bundle": bundle.slug, "sku_ids": [line.sku_id for line in lines]},
    )
    return Status(201, cart_out(cart_rows(cart)))
