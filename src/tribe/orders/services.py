"""Order lifecycle writes after checkout: pay, cancel, expire, receive, complete — and the periodic sweep.

Every function that changes an order takes the order's row lock first (`select_for_update`), then moves the
status through tribe.orders.pipeline. A payment notification and the expiry task racing for the same order
therefore run one after the other, and the second sees the first's result.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils import timezone

from tribe.catalog.models import Product
from tribe.core.errors import NotFound, PermissionDenied
from tribe.core.events import record_event
from tribe.inventory import services as inventory

from . import pipeline, signals
from .models import Order, OrderLine, StoreOrder

S = Order.Status


def auto_receive_days() -> int:
    return int(getattr(settings, "TRIBE_AUTO_RECEIVE_DAYS", 10))


def after_sales_days() -> int:
    return int(getattr(settings, "TRIBE_AFTER_SALES_DAYS", 7))


def lock_order(order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise NotFound("no such order")
    return order


def expire_if_due(order: Order) -> Order:
    """The check on access: an unpaid order past its deadline is expired now, not at the next sweep."""
    if order.status == S.PENDING_PAYMENT and order.expires_at <= timezone.now():
        return expire_order(order.pk)
    return order


def cancel_order(user, order_id: int, *, request=None, reason: str = "") -> Order:
    with transaction.atomic():
        order = lock_order(order_id)
        if order.user_id != user.pk and not user.is_platform_operator:
            raise PermissionDenied("not your order")
        pipeline.transition(order, S.CANCELLED, actor=user, message=reason or "买家取消")
        StoreOrder.objects.filter(order=order).update(status=StoreOrder.Status.CANCELLED)
        inventory.release(order.pk)
        signals.order_cancelled.send(sender=Order, order=order, reason="cancelled")
        record_event("order_cancelled", request, actor=user, obj=order, props={"reason": "cancelled"})
    return order


def expire_order(order_id: int) -> Order:
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status != S.PENDING_PAYMENT or order.expires_at > timezone.now():
            return order
        pipeline.transition(order, S.EXPIRED, message="超时未付款，订单关闭")
        StoreOrder.objects.filter(order=order).update(status=StoreOrder.Status.CANCELLED)
        inventory.release(order.pk)
        signals.order_cancelled.send(sender=Order, order=order, reason="expired")
        record_event("order_cancelled", None, actor=order.user, obj=order, props={"reason": "expired"})
    return order


def mark_paid(order_id: int, amount: Decimal, *, message: str = "") -> bool:
    """Record a verified payment. True: the order is now paid. False: it was no longer payable (expired,
    cancelled, already paid by another payment) — the caller refunds this money. Never re-sells stock: an
    expired order's units were released and are not taken back."""
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status != S.PENDING_PAYMENT or amount != order.total:
            return False
        consumed = inventory.consume(order.pk)
        if consumed == 0:
            return False
        pipeline.transition(order, S.PAID, message=message or "支付成功", paid_total=amount)
        StoreOrder.objects.filter(order=order).update(status=StoreOrder.Status.AWAITING_SHIPMENT)
        _add_sales(order)
        signals.order_paid.send(sender=Order, order=order)
        record_event("order_paid", None, actor=order.user, obj=order,
                     props={"total": str(amount), "channel": order.channel, "source": order.source,
                            "campaign": order.campaign, "sharer_id": order.sharer_id})
    return True


def _add_sales(order: Order) -> None:
    """Product.sales_count counts paid units (one UPDATE for all products of the order)."""
    per_product: dict[int, int] = {}
    for product_id, qty in OrderLine.objects.filter(order=order).values_list("product_id", "quantity"):
        per_product[product_id] = per_product.get(product_id, 0) + qty
    Product.objects.filter(pk__in=list(per_product)).update(
        sales_count=F("sales_count") + Case(*[When(pk=p, then=Value(n)) for p, n in per_product.items()],
                                            output_field=IntegerField())
    )


def confirm_receipt(user, order_id: int, *, request=None, auto: bool = False) -> Order:
    with transaction.atomic():
        order = lock_order(order_id)
        if not auto and order.user_id != user.pk:
            raise PermissionDenied("not your order")
        pipeline.transition(order, S.RECEIVED, actor=None if auto else user,
                            message="自动确认收货" if auto else "买家确认收货")
        StoreOrder.objects.filter(order=order, status=StoreOrder.Status.SHIPPED).update(
            status=StoreOrder.Status.RECEIVED)
        signals.order_received.send(sender=Order, order=order)
        record_event("received", request, actor=order.user, obj=order, props={"auto": auto})
    return order


def complete_order(order_id: int) -> Order:
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status == S.RECEIVED:
            pipeline.transition(order, S.COMPLETED, message="售后期结束，订单完成")
            signals.order_completed.send(sender=Order, order=order)
    return order


def run_due(now=None) -> dict[str, int]:
    """The periodic sweep (run by `tribe worker` every minute, and callable from tests with moved time)."""
    now = now or timezone.now()
    done = {"expired": 0, "received": 0, "completed": 0}
    for oid in Order.objects.filter(status=S.PENDING_PAYMENT, expires_at__lte=now).values_list("pk", flat=True):
        if expire_order(oid).status == S.EXPIRED:
            done["expired"] += 1
    receive_before = now - timedelta(days=auto_receive_days())
    for oid in Order.objects.filter(status=S.SHIPPED, shipped_at__lte=receive_before).values_list("pk", flat=True):
        try:
            confirm_receipt(None, oid, auto=True)
            done["received"] += 1
        except pipeline.InvalidTransition:
            pass
    complete_before = now - timedelta(days=after_sales_days())
    for oid in Order.objects.filter(status=S.RECEIVED, received_at__lte=complete_before).values_list("pk", flat=True):
        if complete_order(oid).status == S.COMPLETED:
            done["completed"] += 1
    return done
