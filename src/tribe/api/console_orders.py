"""The brand console's order desk: each store's part of the orders, shipping, refund decisions and stock.

Brand staff see the stores of their brand (a hub: also its sub-brands' stores); platform operators see all.
Staff of another brand get 403; a store order, shipment or refund request that does not exist is 404. The
services check the permission again before writing.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, Sum
from ninja import Query, Router, Status

from tribe.aftersales.models import RefundRequest
from tribe.aftersales.services import approve_refund, mark_returned, reject_refund
from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff, require_store_staff
from tribe.catalog.models import Sku
from tribe.core.errors import ValidationFailed
from tribe.inventory.services import reserved_by_sku
from tribe.orders.models import StoreOrder
from tribe.orders.shipping import confirm_delivery, ship

from .auth import REQUIRED
from .common import by_id, by_slug
from .order_schemas import (
    ConsoleOrderCard,
    ConsoleStoreOrder,
    RefundOut,
    RefundQuery,
    RejectIn,
    ReturnedIn,
    ShipIn,
    ShipmentOut,
    StockRow,
    StoreOrderQuery,
)
from .orders import line_queryset, refund_queryset, shipment_queryset, with_refundable
from .pagination import Page, PageQuery, page_of, paginate

router = Router()

MAX_LINES_IN_SHIPMENT = 200


def _staff_brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects, slug, "brand")
    require_brand_staff(request.user, brand.id)
    return brand


def _of_brand(brand: Brand, store_path: str) -> Q:
    """Rows whose store belongs to the brand or to one of its sub-brands."""
    return Q(**{f"{store_path}__brand_id": brand.id}) | Q(**{f"{store_path}__brand__parent_id": brand.id})


def _refund(refund_id: int) -> RefundRequest:
    return refund_queryset().get(pk=refund_id)


# ---- store orders -----------------------------------------------------------------------------------------


@router.get(
    "/console/brands/{slug}/orders",
    response=Page[ConsoleOrderCard],
    auth=REQUIRED,
    tags=["console"],
    summary="Store orders of a brand (brand staff)",
)
def list_store_orders(request, slug: str, params: Query[StoreOrderQuery]):
    """Each store's part of the orders, newest first; `status` narrows (e.g. `awaiting_shipment`)."""
    brand = _staff_brand(request, slug)
    qs = (
        StoreOrder.objects.filter(_of_brand(brand, "store"))
        .select_related("order__user", "store")
        .annotate(item_count=Sum("lines__quantity"))
        .order_by("-id")
    )
    if params.status:
        qs = qs.filter(status=params.status)
    return paginate(qs, params)


@router.get(
    "/console/store-orders/{int:store_order_id}",
    response=ConsoleStoreOrder,
    auth=REQUIRED,
    tags=["console"],
    summary="A store order (brand staff)",
)
def get_store_order(request, store_order_id: int):
    """The store's lines with their shipped/refunded units, the address to ship to, the parcels sent and
    the refund requests on these lines."""
    so = by_id(StoreOrder.objects.select_related("order__user", "store"), store_order_id, "store order")
    require_store_staff(request.user, so.store)
    return _store_order(so.pk)


def _store_order(store_order_id: int) -> StoreOrder:
    so = (
        StoreOrder.objects.select_related("order__user", "store")
        .prefetch_related(Prefetch("shipments", queryset=shipment_queryset()))
        .get(pk=store_order_id)
    )
    so.api_lines = list(line_queryset().filter(store_order=so))
    with_refundable(so.order.status, so.api_lines)
    so.api_refunds = list(refund_queryset().filter(line__store_order=so))
    return so


@router.post(
    "/console/store-orders/{int:store_order_id}/shipments",
    response={201: ShipmentOut},
    auth=REQUIRED,
    tags=["console"],
    summary="Ship (brand staff)",
)
def create_shipment(request, store_order_id: int, payload: ShipIn):
    """One parcel with carrier and tracking number. `lines` ({"<line_id>": units}) ships part of the
    order; without it, everything still to ship goes. 409 `not_shippable` before payment or after."""
    lines = None
    if payload.lines is not None:
        if len(payload.lines) > MAX_LINES_IN_SHIPMENT:
            raise ValidationFailed("lines: too many", fields={"lines": "too many"})
        lines = {}
        for key, qty in payload.lines.items():
            if not key.isascii() or not key.isdigit() or len(key) > 18:
                raise ValidationFailed(
                    f"lines: '{key}' is not a line id", fields={"lines": "keys are line ids"}
                )
            lines[int(key)] = qty
    shipment = ship(
        request.user,
        store_order_id,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        lines=lines,
        request=request,
    )
    return Status(201, shipment_queryset().get(pk=shipment.pk))


@router.post(
    "/console/shipments/{int:shipment_id}/delivered",
    response=ShipmentOut,
    auth=REQUIRED,
    tags=["console"],
    summary="Mark a parcel delivered (brand staff)",
)
def delivered(request, shipment_id: int):
    confirm_delivery(request.user, shipment_id)
    return shipment_queryset().get(pk=shipment_id)


# ---- refunds ----------------------------------------------------------------------------------------------


@router.get(
    "/console/brands/{slug}/refunds",
    response=Page[RefundOut],
    auth=REQUIRED,
    tags=["console"],
    summary="Refund requests on a brand's orders (brand staff)",
)
def list_refund_requests(request, slug: str, params: Query[RefundQuery]):
    """Newest first; `status=requested` is the to-do list."""
    brand = _staff_brand(request, slug)
    qs = refund_queryset().filter(_of_brand(brand, "line__store_order__store"))
    if params.status:
        qs = qs.filter(status=params.status)
    return paginate(qs, params)


@router.post(
    "/console/refunds/{int:refund_id}/approve",
    response=RefundOut,
    auth=REQUIRED,
    tags=["console"],
    summary="Approve a refund request (brand staff)",
)
def approve(request, refund_id: int):
    """Refund only: the money goes back through the gateway now. Return and refund: the buyer sends the
    goods back; then POST …/returned."""
    approve_refund(request.user, refund_id)
    return _refund(refund_id)


@router.post(
    "/console/refunds/{int:refund_id}/reject",
    response=RefundOut,
    auth=REQUIRED,
    tags=["console"],
    summary="Reject a refund request (brand staff)",
)
def reject(request, refund_id: int, payload: RejectIn):
    """The reason is shown to the buyer."""
    reject_refund(request.user, refund_id, reason=payload.reason)
    return _refund(refund_id)


@router.post(
    "/console/refunds/{int:refund_id}/returned",
    response=RefundOut,
    auth=REQUIRED,
    tags=["console"],
    summary="The goods came back: refund (brand staff)",
)
def returned(request, refund_id: int, payload: ReturnedIn):
    """`restock` puts the units on sale again (false for damaged goods); then the money goes back."""
    mark_returned(request.user, refund_id, restock=payload.restock)
    return _refund(refund_id)


# ---- stock ------------------------------------------------------------------------------------------------


@router.get(
    "/console/brands/{slug}/stock",
    response=Page[StockRow],
    auth=REQUIRED,
    tags=["console"],
    summary="Stock and reservations (brand staff)",
)
def stock(request, slug: str, params: Query[PageQuery]):
    """Every SKU of the brand's stores: `stock` can still be sold, `reserved` is held by unpaid orders
    until they are paid or expire. Three queries per page: count, SKUs, reservations."""
    brand = _staff_brand(request, slug)
    qs = (
        Sku.objects.filter(_of_brand(brand, "product__store"))
        .select_related("product__store")
        .order_by("product_id", "id")
    )
    page = paginate(qs, params)
    reserved = reserved_by_sku([sku.pk for sku in page["items"]]) if page["items"] else {}
    rows = [
        {
            "sku_id": sku.pk,
            "code": sku.code,
            "label": sku.label,
            "price": sku.price,
            "is_active": sku.is_active,
            "stock": sku.stock,
            "reserved": reserved.get(sku.pk, 0),
            "on_hand": sku.stock + reserved.get(sku.pk, 0),
            "product": sku.product,
            "store": sku.product.store,
        }
        for sku in page["items"]
    ]
    return page_of(rows, page["count"], page["page"], page["page_size"])
