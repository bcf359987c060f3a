"""Addresses, the checkout preview (quote) and placing the order.

The quote and the order come from the same pricing path (tribe.orders.checkout), so what the preview shows
is what the order charges. Placing is idempotent: the same key returns the same order (200 instead of 201),
however often a flaky network makes the client retry.
"""

from __future__ import annotations

from django.utils.translation import gettext
from ninja import Router, Status

from tribe.core.errors import ValidationFailed
from tribe.core.events import record_event
from tribe.orders.cart import PROBLEMS, get_cart
from tribe.orders.checkout import delete_address, place_order, quote, save_address
from tribe.orders.models import Address

from .auth import REQUIRED
from .order_schemas import AddressCreateIn, AddressOut, CheckoutIn, OrderDetail, QuoteOut
from .orders import order_detail

router = Router()

MAX_STORES_IN_CHOICE = 50


# ---- addresses --------------------------------------------------------------------------------------------


@router.get("/addresses", response=list[AddressOut], auth=REQUIRED, tags=["checkout"], summary="My addresses")
def list_addresses(request):
    """The default address first, then the newest."""
    return list(Address.objects.filter(user=request.user).order_by("-is_default", "-id"))


@router.post(
    "/addresses", response={201: AddressOut}, auth=REQUIRED, tags=["checkout"], summary="Save an address"
)
def create_address(request, payload: AddressCreateIn):
    """Province/city/district/detail and a mainland mobile number; `is_default` replaces the old default."""
    data = payload.model_dump(exclude={"is_default"})
    return Status(201, save_address(request.user, data, is_default=payload.is_default))


@router.delete(
    "/addresses/{int:address_id}",
    response={204: None},
    auth=REQUIRED,
    tags=["checkout"],
    summary="Delete an address",
)
def remove_address(request, address_id: int):
    """Orders keep the address they were shipped to; deleting it here changes none of them."""
    delete_address(request.user, address_id)
    return Status(204, None)


# ---- checkout ---------------------------------------------------------------------------------------------


def _store_choice(raw: dict[str, str]) -> dict[int, str]:
    if len(raw) > MAX_STORES_IN_CHOICE:
        raise ValidationFailed("shipping: too many stores", fields={"shipping": "too many stores"})
    choice = {}
    for key, code in raw.items():
        if not key.isascii() or not key.isdigit() or len(key) > 18:
            raise ValidationFailed(
                f"shipping: '{key}' is not a store id", fields={"shipping": "keys are store ids"}
            )
        choice[int(key)] = code
    return choice


def _shipping_param(value: str) -> str | dict[int, str]:
    """`standard`, or per store `<store_id>:<code>,<store_id>:<code>`."""
    if ":" not in value:
        return value
    pairs = {}
    for part in value.split(","):
        key, _, code = part.partition(":")
        pairs[key.strip()] = code.strip()
    return _store_choice(pairs)


def _quote_out(q) -> dict:
    return {
        "stores": [
            {
                "store": part.store,
                "lines": [
                    {
                        "sku_id": p.sku.pk,
                        "product_id": p.product.pk,
                        "product_name": p.product.name,
                        "sku_label": p.sku.label,
                        "unit_price": p.unit_price,
                        "quantity": p.quantity,
                        "subtotal": p.subtotal,
                        "discount": p.discount,
                        "payable": p.payable,
                        "adjustments": [
                            {"code": code, "label": label, "amount": amount}
                            for code, label, amount in p.shares
                        ],
                    }
                    for p in part.lines
                ],
                "shipping_method": part.method,
                "shipping_methods": part.methods,
                "subtotal": part.subtotal,
                "discount": part.discount,
                "shipping_fee": part.shipping_fee,
                "total": part.total,
            }
            for part in q.stores
        ],
        "problems": [
            {
                "line_id": row.line.pk,
                "sku_id": row.line.sku_id,
                "product_name": row.line.sku.product.name,
                "problem": row.problem,
                "problem_label": gettext(PROBLEMS[row.problem]),
            }
            for row in q.problems
        ],
        "subtotal": q.subtotal,
        "discount_total": q.discount_total,
        "shipping_total": q.shipping_total,
        "total": q.total,
        "can_place": bool(q.stores) and not q.problems,
    }


@router.get(
    "/checkout/quote", response=QuoteOut, auth=REQUIRED, tags=["checkout"], summary="Preview the checkout"
)
def preview(request, shipping: str = "standard", coupons: str = "", points: int = 0):
    """Totals per store for the cart's buyable lines, with each store's shipping methods and fee, price
    adjustments per line, and the lines left out (`problems`). `shipping`: a method code for every store,
    or `<store_id>:<code>,…`; `coupons`: my coupon ids, comma-separated; `points`: points to spend. Nothing is
    written except the `checkout_started` event."""
    if len(shipping) > 2000 or len(coupons) > 400:
        raise ValidationFailed("shipping/coupons: too long", fields={"shipping": "too long"})
    from tribe.coupons.redemption import ids_from_form

    options = {"coupons": ids_from_form(coupons.split(",")), "points": points}
    q = quote(request.user, get_cart(request.user), shipping=_shipping_param(shipping), options=options)
    record_event(
        "checkout_started",
        request,
        props={"total": str(q.total), "stores": len(q.stores), "lines": sum(len(s.lines) for s in q.stores)},
    )
    return _quote_out(q)


@router.post(
    "/checkout",
    response={200: OrderDetail, 201: OrderDetail},
    auth=REQUIRED,
    tags=["checkout"],
    summary="Place the order",
)
def checkout(request, payload: CheckoutIn):
    """Creates the order from the cart's lines and reserves their stock until it expires (pay before
    `expires_at`). `address` or `address_id`; `shipping` a code or `{"<store_id>": code}`; an
    `idempotency_key` (or the `Idempotency-Key` header) is required: a repeat answers 200 with the first
    order. Refusals write nothing: 422 `empty_cart` / `cart_has_problems` / `unknown_shipping`, 409
    `insufficient_stock` when another buyer took the last units meanwhile."""
    header = request.headers.get("Idempotency-Key")
    key = payload.idempotency_key or header
    if payload.idempotency_key and header and payload.idempotency_key != header:
        raise ValidationFailed(
            "idempotency_key: the body and the Idempotency-Key header differ",
            fields={"idempotency_key": "differs from the header"},
        )
    if not key:
        raise ValidationFailed(
            "idempotency_key: required (in the body or the Idempotency-Key header)",
            fields={"idempotency_key": "required"},
        )
    shipping = payload.shipping if isinstance(payload.shipping, str) else _store_choice(payload.shipping)
    address = payload.address.model_dump() if payload.address is not None else None
    order = place_order(
        request.user,
        get_cart(request.user),
        address=address,
        address_id=payload.address_id,
        shipping=shipping,
        idempotency_key=key,
        note=payload.note,
        options={"friend_deal": payload.friend_deal, "coupons": payload.coupons, "points": payload.points},
        request=request,
    )
    return Status(200 if order.replayed else 201, order_detail(order.pk))
