"""API of 预售: a presale, pay its deposit, pay the balance in its window, my presales; the brand's console CRUD.

Deposit/balance answer 201 with the order to pay (200 for a repeat of the same idempotency key / a balance order
already placed), 409 `balance_not_open` / `balance_closed` / `presale_sold_out` / `over_limit` /
`campaign_upcoming|paused|ended`, 404 unknown ids, 422 bad input — in the one error shape.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.core.errors import NotFound, ValidationFailed
from tribe.presale import selectors, services
from tribe.presale.models import Presale, PresaleOrder

from .auth import OPTIONAL, REQUIRED
from .common import MAX_ID, by_id, by_slug
from .order_schemas import AddressIn, OrderDetail
from .orders import order_detail
from .pagination import Page, PageQuery, paginate
from .schemas import In, Money, MoneyIn, ObjectId

router = Router(tags=["presale"])
States = Literal["deposit_pending", "deposit_paid", "balance_paid", "forfeited", "refunded", "cancelled"]


class PresaleOut(Schema):
    id: int
    code: str
    title: str
    description: str
    brand: str
    status: str
    phase: str
    product_id: int
    product_name: str
    sku_id: int
    sku_label: str
    list_price: Money
    price: Money
    deposit: Money
    deposit_value: Money = Field(description="what the deposit counts for off the balance (定金膨胀)")
    balance: Money = Field(description="balance per unit = price − deposit_value")
    starts_at: datetime
    ends_at: datetime
    balance_starts_at: datetime
    balance_ends_at: datetime
    balance_phase: Literal["upcoming", "open", "closed"]
    ship_date: date
    refund_rule: Literal["forfeit", "refundable"]
    refund_rule_text: str
    quantity_cap: int
    sold: int
    left: int
    per_user_limit: int
    url: str
    share_url: str


class DepositIn(In):
    quantity: int = Field(1, description="units (1 ≤ quantity ≤ per_user_limit)")
    address: AddressIn | None = Field(None, description="a new address; or send address_id")
    address_id: ObjectId | None = None
    idempotency_key: str = Field(..., description="8–64 of A-Z a-z 0-9 _.:- ; a repeat returns the first order")


class BalanceIn(In):
    idempotency_key: str = Field(..., description="8–64 of A-Z a-z 0-9 _.:-")


class PurchaseOut(Schema):
    id: int
    presale_id: int
    title: str
    quantity: int
    state: States
    deposit_order: str
    deposit_order_status: str
    balance_order: str | None
    balance_order_status: str | None
    balance: Money
    balance_starts_at: datetime
    balance_ends_at: datetime
    balance_phase: str
    refund_rule: str
    created_at: datetime


class PresaleIn(In):
    title: str
    description: str = ""
    sku_id: int
    price: MoneyIn
    deposit: MoneyIn
    deposit_value: MoneyIn
    starts_at: datetime = Field(strict=False, description="ISO 8601 with a time zone (deposit window)")
    ends_at: datetime = Field(strict=False)
    balance_starts_at: datetime = Field(strict=False)
    balance_ends_at: datetime = Field(strict=False)
    ship_date: date = Field(strict=False, description="YYYY-MM-DD")
    refund_rule: Literal["forfeit", "refundable"]
    quantity_cap: int
    per_user_limit: int = 5


class MoveIn(In):
    action: Literal["start", "pause", "resume", "end"]


class PurchaseQuery(PageQuery):
    state: States | None = None


def _out(request, p: Presale) -> dict:
    from django.utils import timezone

    product = p.sku.product
    return {"id": p.pk, "code": p.code, "title": p.title, "description": p.description, "brand": p.brand.name,
            "status": p.status, "phase": p.phase, "product_id": product.pk, "product_name": product.name,
            "sku_id": p.sku_id, "sku_label": p.sku.label, "list_price": p.sku.price, "price": p.price,
            "deposit": p.deposit, "deposit_value": p.deposit_value, "balance": p.balance,
            "starts_at": p.starts_at, "ends_at": p.ends_at, "balance_starts_at": p.balance_starts_at,
            "balance_ends_at": p.balance_ends_at, "balance_phase": p.balance_phase(timezone.now()),
            "ship_date": p.ship_date, "refund_rule": p.refund_rule, "refund_rule_text": p.get_refund_rule_display(),
            "quantity_cap": p.quantity_cap, "sold": p.sold, "left": p.left, "per_user_limit": p.per_user_limit,
            "url": request.build_absolute_uri(reverse("web:presale", args=[p.pk])),
            "share_url": request.build_absolute_uri(reverse("web:share", args=["presale", p.pk]))}


def _purchase_out(p: PresaleOrder) -> dict:
    from django.utils import timezone

    bal = p.balance_order
    return {"id": p.pk, "presale_id": p.presale_id, "title": p.presale.title, "quantity": p.quantity,
            "state": p.state, "deposit_order": p.deposit_order.number, "deposit_order_status": p.deposit_order.status,
            "balance_order": bal.number if bal else None, "balance_order_status": bal.status if bal else None,
            "balance": p.presale.balance, "balance_starts_at": p.presale.balance_starts_at,
            "balance_ends_at": p.presale.balance_ends_at, "balance_phase": p.presale.balance_phase(timezone.now()),
            "refund_rule": p.presale.refund_rule, "created_at": p.created_at}


def _public(pk: int) -> Presale:
    presale = selectors.public_presale(pk)
    if presale is None:
        raise NotFound(f"presale {pk} not found")
    return presale


@router.get("/presales/{int:presale_id}", response=PresaleOut, auth=OPTIONAL,
            summary="A presale: price, deposit and what it counts for, balance window, ship date, refund rule")
def get_presale(request, presale_id: int):
    return _out(request, _public(presale_id))


@router.post("/presales/{int:presale_id}/deposit", response={200: OrderDetail, 201: OrderDetail}, auth=REQUIRED,
             summary="Pay a deposit: a pending order at the deposit price, to pay")
def deposit(request, presale_id: int, payload: DepositIn):
    if not 0 < presale_id <= MAX_ID:
        raise NotFound("no such presale")
    if (payload.address is None) == (payload.address_id is None):
        raise ValidationFailed("give address or address_id", fields={"address": "required"})
    order = services.place_deposit(request.user, presale_id, payload.quantity,
                                   address=payload.address.model_dump() if payload.address else None,
                                   address_id=payload.address_id, idempotency_key=payload.idempotency_key,
                                   request=request)
    return Status(200 if order.replayed else 201, order_detail(order.pk))


@router.post("/presale-orders/{int:purchase_id}/balance", response={200: OrderDetail, 201: OrderDetail},
             auth=REQUIRED, summary="Pay the balance (only inside the balance window): a pending order to pay")
def balance(request, purchase_id: int, payload: BalanceIn):
    order = services.place_balance(request.user, purchase_id, idempotency_key=payload.idempotency_key,
                                   request=request)
    return Status(200 if order.replayed else 201, order_detail(order.pk))


@router.get("/me/presales", response=Page[PurchaseOut], auth=REQUIRED, summary="My presale purchases")
def my_presales(request, params: Query[PageQuery]):
    page = paginate(selectors.my_purchases(request.user), params)
    page["items"] = [_purchase_out(p) for p in page["items"]]
    return page


# ---- console ----------------------------------------------------------------------------------------------

def _brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return brand


def _brand_presale(request, slug: str, presale_id: int) -> Presale:
    brand = _brand(request, slug)
    return by_id(Presale.objects.filter(brand=brand).select_related("brand", "sku__product"), presale_id, "presale")


@router.get("/console/brands/{slug}/presales", response=Page[PresaleOut], auth=REQUIRED, tags=["console"],
            summary="The brand's presales")
def console_list(request, slug: str, params: Query[PageQuery]):
    qs = Presale.objects.filter(brand=_brand(request, slug)).select_related("brand", "sku__product")
    page = paginate(qs, params)
    page["items"] = [_out(request, p) for p in page["items"]]
    return page


@router.post("/console/brands/{slug}/presales", response={201: PresaleOut}, auth=REQUIRED, tags=["console"],
             summary="Create a draft presale")
def console_create(request, slug: str, payload: PresaleIn):
    presale = services.create_presale(request.user, _brand(request, slug), payload.model_dump(), request=request)
    return Status(201, _out(request, _brand_presale(request, slug, presale.pk)))


@router.put("/console/brands/{slug}/presales/{int:presale_id}", response=PresaleOut, auth=REQUIRED,
            tags=["console"], summary="Edit a presale (money terms frozen once deposits exist)")
def console_edit(request, slug: str, presale_id: int, payload: PresaleIn):
    presale = _brand_presale(request, slug, presale_id)
    services.update_presale(request.user, presale, payload.model_dump())
    return _out(request, _brand_presale(request, slug, presale_id))


@router.post("/console/brands/{slug}/presales/{int:presale_id}/move", response=PresaleOut, auth=REQUIRED,
             tags=["console"], summary="start | pause | resume | end")
def console_move(request, slug: str, presale_id: int, payload: MoveIn):
    presale = _brand_presale(request, slug, presale_id)
    services.move_presale(request.user, presale, payload.action, request=request)
    return _out(request, _brand_presale(request, slug, presale_id))


@router.get("/console/brands/{slug}/presales/{int:presale_id}/purchases", response=Page[PurchaseOut],
            auth=REQUIRED, tags=["console"], summary="A presale's purchases, by state")
def console_purchases(request, slug: str, presale_id: int, params: Query[PurchaseQuery]):
    presale = _brand_presale(request, slug, presale_id)
    qs = PresaleOrder.objects.filter(presale=presale).select_related("presale", "deposit_order", "balance_order")
    if params.state:
        qs = qs.filter(state=params.state)
    page = paginate(qs, params)
    page["items"] = [_purchase_out(p) for p in page["items"]]
    return page
