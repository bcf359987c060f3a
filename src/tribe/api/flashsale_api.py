"""API of 秒杀: today's slots, one sale, and the rush endpoint (buy → a pending order to pay).

Buy answers: 201 the order (200 a repeat of the same idempotency key), 409 `sold_out`, 409 `limit_reached`,
409 `campaign_upcoming|paused|ended`, 429 `try_again` with Retry-After, 422 bad input — in the one error shape.
"""

from __future__ import annotations

from datetime import datetime

from django.http import JsonResponse
from ninja import Field, Router, Schema, Status

from tribe.campaigns.services import play_event
from tribe.core.errors import NotFound, ValidationFailed
from tribe.flashsale import selectors, services

from .auth import REQUIRED
from .common import MAX_ID
from .order_schemas import AddressIn, OrderDetail
from .orders import order_detail
from .schemas import In, Money, ObjectId

router = Router(tags=["flashsale"])


class FlashItemOut(Schema):
    id: int
    sku_id: int
    product_id: int
    product_name: str
    sku_label: str
    list_price: Money
    flash_price: Money
    quantity: int
    sold: int
    left: int
    progress: int
    per_user_limit: int


class FlashSaleOut(Schema):
    id: int
    code: str
    title: str
    description: str
    brand: str
    starts_at: datetime
    ends_at: datetime
    phase: str
    seconds_to_start: int
    seconds_to_end: int
    items: list[FlashItemOut]


class BuyIn(In):
    quantity: int = Field(1, description="units (1 ≤ quantity ≤ the item's per-user limit)")
    address: AddressIn | None = Field(None, description="a new address; or send address_id")
    address_id: ObjectId | None = None
    idempotency_key: str = Field(..., description="8–64 of A-Z a-z 0-9 _.:- ; a repeat returns the first order")


def sale_out(sale) -> dict:
    return {
        "id": sale.pk, "code": sale.code, "title": sale.title, "description": sale.description,
        "brand": sale.brand.name, "starts_at": sale.starts_at, "ends_at": sale.ends_at, "phase": sale.phase,
        "seconds_to_start": selectors.seconds_until(sale.starts_at),
        "seconds_to_end": selectors.seconds_until(sale.ends_at),
        "items": [{"id": i.pk, "sku_id": i.sku_id, "product_id": i.sku.product_id,
                   "product_name": i.sku.product.name, "sku_label": i.sku.label, "list_price": i.sku.price,
                   "flash_price": i.flash_price, "quantity": i.quantity, "sold": i.sold, "left": i.left,
                   "progress": i.progress, "per_user_limit": i.per_user_limit}
                  for i in sale.items.all()],
    }


@router.get("/flash-sales", response=list[FlashSaleOut], summary="Today's flash-sale slots (场次)")
def today(request):
    return [sale_out(s) for s in selectors.today_sales()]


def _sale(sale_id: int):
    sale = selectors.public_sale(sale_id) if 0 < sale_id <= MAX_ID else None
    if sale is None:
        raise NotFound("no such flash sale")
    return sale


@router.get("/flash-sales/{sale_id}", response=FlashSaleOut, summary="A flash sale with its items and progress")
def detail(request, sale_id: int):
    sale = _sale(sale_id)
    play_event("flash_view", request, sale, actor=request.user if request.user.is_authenticated else None)
    return sale_out(sale)


@router.post("/flash-sales/{sale_id}/items/{item_id}/buy", response={200: OrderDetail, 201: OrderDetail},
             auth=REQUIRED, summary="Buy a flash item (秒杀): a pending order at the flash price, to pay")
def buy(request, sale_id: int, item_id: int, payload: BuyIn):
    if not (0 < sale_id <= MAX_ID and 0 < item_id <= MAX_ID):
        raise NotFound("no such flash item")
    if payload.address is None and payload.address_id is None:
        raise ValidationFailed("address or address_id is required", fields={"address": "required"})
    try:
        order = services.buy(request.user, sale_id, item_id, quantity=payload.quantity,
                             address=payload.address.model_dump() if payload.address else None,
                             address_id=payload.address_id, idempotency_key=payload.idempotency_key,
                             request=request)
    except services.TryAgain as exc:
        response = JsonResponse(exc.as_dict(), status=exc.status)
        response["Retry-After"] = str(exc.retry_after)
        return response
    return Status(200 if order.replayed else 201, order_detail(order.pk))
