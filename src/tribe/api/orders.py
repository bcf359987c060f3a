"""The buyer's orders: list, detail with its timeline, cancel, confirm receipt, pay; and after-sales requests.

Only the buyer sees an order: someone else's order number is 404, exactly like one that does not exist.
Every access runs the expiry check (`expire_if_due`), so an unpaid order past its deadline is shown, and
refused, as expired even if the periodic sweep has not reached it yet.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import Prefetch
from django.urls import reverse
from ninja import Query, Router, Status

from tribe.aftersales.models import RefundRequest
from tribe.aftersales.services import cancel_request, refundable_lines, request_refund
from tribe.catalog.models import ProductImage
from tribe.core.errors import NotFound
from tribe.orders import pipeline
from tribe.orders.models import Order, OrderLine, Shipment, StoreOrder
from tribe.orders.services import cancel_order, confirm_receipt, expire_if_due
from tribe.payments.services import start_payment
from tribe.payments.views import notify_url

from .auth import REQUIRED
from .common import by_id
from .order_schemas import (
    OrderCard,
    OrderDetail,
    OrderQuery,
    PayIn,
    PaymentOut,
    RefundIn,
    RefundOut,
    RefundQuery,
)
from .pagination import Page, paginate

router = Router()

NUMBER_RE = re.compile(r"^\d{1,24}$")
ZERO = Decimal("0.00")
S = Order.Status


# ---- loading ----------------------------------------------------------------------------------------------


def line_queryset():
    """Order lines with what a line shows: the product's cover and the line's adjustments."""
    return OrderLine.objects.select_related("product").prefetch_related(
        Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id")),
        "adjustments",
    )


def shipment_queryset():
    return Shipment.objects.prefetch_related("lines")


def refund_queryset():
    return RefundRequest.objects.select_related("order", "line")


def with_refundable(order_status: str, lines) -> None:
    """Set each line's refundable figures (zero once after-sales is closed). One query for all lines."""
    lines = list(lines)
    figures = refundable_lines(lines) if order_status in pipeline.AFTER_SALES_OPEN and lines else {}
    for line in lines:
        line.api_refundable = figures.get(line.pk, (0, ZERO))


def order_detail(order_id: int) -> Order:
    """An order with everything its page shows, in a fixed number of queries whatever its size: order,
    lines+products, covers, adjustments, store parts+stores, shipments, shipment lines, timeline, refund
    requests, refundable figures."""
    order = Order.objects.prefetch_related(
        Prefetch("lines", queryset=line_queryset()),
        Prefetch(
            "store_orders",
            queryset=StoreOrder.objects.select_related("store").prefetch_related(
                Prefetch("shipments", queryset=shipment_queryset())
            ),
        ),
        "logs",
        Prefetch("refund_requests", queryset=refund_queryset()),
    ).get(pk=order_id)
    with_refundable(order.status, order.lines.all())
    order.can_pay = order.status == S.PENDING_PAYMENT
    order.can_cancel = pipeline.can_transition(order.status, S.CANCELLED)
    order.can_receive = pipeline.can_transition(order.status, S.RECEIVED)
    order.can_request_refund = order.status in pipeline.AFTER_SALES_OPEN
    return order


def my_order(request, number: str) -> Order:
    """The signed-in buyer's order by number, expired now if it is overdue; anyone else's is 404."""
    order = None
    if NUMBER_RE.match(number or ""):
        order = Order.objects.filter(user=request.user, number=number).first()
    if order is None:
        raise NotFound(f"order {number} not found")
    return expire_if_due(order)


# ---- orders -----------------------------------------------------------------------------------------------


@router.get("/orders", response=Page[OrderCard], auth=REQUIRED, tags=["orders"], summary="My orders")
def list_orders(request, params: Query[OrderQuery]):
    """Newest first; `status` narrows to one status. Each order comes with its lines (name, cover, units)."""
    qs = Order.objects.filter(user=request.user).prefetch_related(Prefetch("lines", queryset=line_queryset()))
    if params.status:
        qs = qs.filter(status=params.status)
    page = paginate(qs, params)
    unpaid = [o for o in page["items"] if o.status == S.PENDING_PAYMENT]
    expired = [o for o in unpaid if expire_if_due(o).status != S.PENDING_PAYMENT]
    if expired:
        page = paginate(qs, params)  # statuses changed (and with them, what the status filter matches)
    return page


@router.get(
    "/orders/{number}", response=OrderDetail, auth=REQUIRED, tags=["orders"], summary="An order in full"
)
def get_order(request, number: str):
    """Lines, each store's part with its shipments, the status timeline and after-sales requests, with what
    the buyer can do now (`can_pay`, `can_cancel`, `can_receive`, `can_request_refund`)."""
    return order_detail(my_order(request, number).pk)


@router.post(
    "/orders/{number}/cancel",
    response=OrderDetail,
    auth=REQUIRED,
    tags=["orders"],
    summary="Cancel an unpaid order",
)
def cancel(request, number: str):
    """Releases the reserved stock. A paid order cannot be cancelled (409 invalid_transition): ask for a
    refund instead."""
    order = my_order(request, number)
    cancel_order(request.user, order.pk, request=request)
    return order_detail(order.pk)


@router.post(
    "/orders/{number}/receive",
    response=OrderDetail,
    auth=REQUIRED,
    tags=["orders"],
    summary="Confirm receipt",
)
def receive(request, number: str):
    """Only once everything has shipped (409 invalid_transition otherwise)."""
    order = my_order(request, number)
    confirm_receipt(request.user, order.pk, request=request)
    return order_detail(order.pk)


@router.post(
    "/orders/{number}/pay",
    response={201: PaymentOut},
    auth=REQUIRED,
    tags=["orders"],
    summary="Start paying an order",
)
def pay(request, number: str, payload: PayIn):
    """Creates a payment for the order's total and returns what the client needs to pay: a `pay_url` to
    open, or `params` for the provider's SDK. The order becomes paid when the provider's verified
    notification arrives. The dummy gateway can be told to `succeed`, `fail` or pay `late`."""
    order = my_order(request, number)
    payment, intent = start_payment(
        request.user,
        order.pk,
        payload.gateway,
        behaviour=payload.behaviour or "",
        notify_url=notify_url(request, payload.gateway),
        return_url=request.build_absolute_uri(reverse("web:order", args=[order.number])),
    )
    return Status(
        201,
        {
            "payment_id": payment.pk,
            "out_trade_no": payment.out_trade_no,
            "gateway": payment.gateway,
            "amount": payment.amount,
            "status": payment.status,
            "pay_url": intent.pay_url,
            "params": intent.params or {},
        },
    )


# ---- after-sales ------------------------------------------------------------------------------------------


@router.post(
    "/orders/{number}/lines/{int:line_id}/refunds",
    response={201: RefundOut},
    auth=REQUIRED,
    tags=["after-sales"],
    summary="Ask for a refund on a line",
)
def create_refund_request(request, number: str, line_id: int, payload: RefundIn):
    """`refund_only`, or `return_refund` once the goods shipped; `quantity` units of the line; `amount`
    (decimal string) defaults to the units' share of what was paid and can never exceed what is left."""
    order = my_order(request, number)
    by_id(OrderLine.objects.filter(order=order), line_id, "order line")
    req = request_refund(
        request.user,
        line_id,
        kind=payload.kind,
        quantity=payload.quantity,
        reason=payload.reason,
        amount=payload.amount,
        request=request,
    )
    return Status(201, req)


@router.get(
    "/refunds", response=Page[RefundOut], auth=REQUIRED, tags=["after-sales"], summary="My refund requests"
)
def list_refunds(request, params: Query[RefundQuery]):
    """Newest first; `status` narrows to one status."""
    qs = refund_queryset().filter(order__user=request.user)
    if params.status:
        qs = qs.filter(status=params.status)
    return paginate(qs, params)


@router.post(
    "/refunds/{int:refund_id}/cancel",
    response=RefundOut,
    auth=REQUIRED,
    tags=["after-sales"],
    summary="Withdraw a refund request",
)
def cancel_refund(request, refund_id: int):
    """While the store has not refunded yet (409 invalid_transition after)."""
    cancel_request(request.user, refund_id)
    return refund_queryset().get(pk=refund_id)
