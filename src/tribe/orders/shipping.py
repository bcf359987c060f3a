"""Per-store shipping: each store ships its own part of an order, in one or several parcels."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tribe.brands.selectors import require_store_staff
from tribe.core.errors import Conflict, NotFound, ValidationFailed
from tribe.core.events import record_event
from tribe.core.text import clean_text

from . import pipeline
from .holds import holds_for
from .models import Order, OrderLine, OrderLog, Shipment, ShipmentLine, StoreOrder
from .services import lock_order

SHIPPABLE = {StoreOrder.Status.AWAITING_SHIPMENT, StoreOrder.Status.PARTIALLY_SHIPPED}


def ship(staff, store_order_id: int, *, carrier: str, tracking_number: str,
         lines: dict[int, int] | None = None, request=None) -> Shipment:
    """Ship `lines` ({line_id: quantity}; None = everything still to ship) of one store's part."""
    so = StoreOrder.objects.select_related("store").filter(pk=store_order_id).first()
    if so is None:
        raise NotFound("no such store order")
    require_store_staff(staff, so.store)
    carrier = clean_text(carrier, "carrier", max_length=40, required=True)
    tracking_number = clean_text(tracking_number, "tracking_number", max_length=40, required=True)
    with transaction.atomic():
        order = lock_order(so.order_id)
        so.refresh_from_db()
        if so.status not in SHIPPABLE:
            raise Conflict(f"this part is {so.get_status_display()}", code="not_shippable")
        held = holds_for([order.pk]).get(order.pk)
        if held:
            raise Conflict(f"this order must not ship yet: {held}", code="shipping_on_hold")
        own = {ln.pk: ln for ln in OrderLine.objects.filter(store_order=so)}
        todo = {pk: ln.quantity - ln.shipped_quantity - ln.refunded_quantity for pk, ln in own.items()}
        if lines is None:
            lines = {pk: n for pk, n in todo.items() if n > 0}
        if not lines:
            raise ValidationFailed("nothing left to ship", code="nothing_to_ship")
        for pk, qty in lines.items():
            if pk not in own:
                raise ValidationFailed(f"line {pk} is not part of this store order", fields={"lines": "unknown line"})
            if not isinstance(qty, int) or isinstance(qty, bool) or not 1 <= qty <= todo[pk]:
                raise ValidationFailed(f"line {pk}: ship 1 to {todo[pk]}", fields={"lines": f"line {pk}: 1–{todo[pk]}"})
        shipment = Shipment.objects.create(store_order=so, carrier=carrier, tracking_number=tracking_number)
        ShipmentLine.objects.bulk_create(ShipmentLine(shipment=shipment, line_id=pk, quantity=q)
                                         for pk, q in lines.items())
        for pk, qty in lines.items():
            OrderLine.objects.filter(pk=pk).update(shipped_quantity=F("shipped_quantity") + qty)
            todo[pk] -= qty
        done = all(n <= 0 for n in todo.values())
        StoreOrder.objects.filter(pk=so.pk).update(
            status=StoreOrder.Status.SHIPPED if done else StoreOrder.Status.PARTIALLY_SHIPPED)
        statuses = set(StoreOrder.objects.filter(order=order).exclude(status=StoreOrder.Status.CLOSED)
                       .values_list("status", flat=True))
        target = Order.Status.SHIPPED if statuses <= {StoreOrder.Status.SHIPPED} else Order.Status.PARTIALLY_SHIPPED
        message = f"{so.store.name} 发货：{carrier} {tracking_number}"
        if target != order.status:
            pipeline.transition(order, target, actor=staff, message=message, store=so.store)
        else:
            OrderLog.objects.create(order=order, actor=staff, message=message, store=so.store)
        record_event("shipped", request, actor=staff, obj=order,
                     props={"store_id": so.store_id, "carrier": carrier, "complete": done})
    return shipment


def confirm_delivery(staff, shipment_id: int) -> Shipment:
    """The carrier reports the parcel delivered (entered by the store, or a carrier callback later)."""
    shipment = Shipment.objects.select_related("store_order__store").filter(pk=shipment_id).first()
    if shipment is None:
        raise NotFound("no such shipment")
    require_store_staff(staff, shipment.store_order.store)
    if shipment.delivered_at is None:
        shipment.delivered_at = timezone.now()
        shipment.save(update_fields=["delivered_at"])
    return shipment
