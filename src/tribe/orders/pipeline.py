"""The order status pipeline, in one place.

    pending_payment ─pay→ paid ─ship part→ partially_shipped ─ship rest→ shipped ─confirm/auto→ received
          │                 │                                              │                         │
          ├─cancel→ cancelled                                              after-sales window ends → completed
          └─expire→ expired       paid/partially_shipped/shipped/received ─everything refunded→ closed

Every change is a guarded UPDATE (`WHERE status = <from>`), so two racing callers (a payment notification and
the expiry task) cannot both move the same order: the loser sees 0 rows and gets a clear error.
"""

from __future__ import annotations

from django.utils import timezone

from tribe.core.errors import Conflict

from .models import Order, OrderLog

S = Order.Status

TRANSITIONS: dict[str, set[str]] = {
    S.PENDING_PAYMENT: {S.PAID, S.CANCELLED, S.EXPIRED},
    S.PAID: {S.PARTIALLY_SHIPPED, S.SHIPPED, S.CLOSED},
    S.PARTIALLY_SHIPPED: {S.SHIPPED, S.CLOSED},
    S.SHIPPED: {S.RECEIVED, S.CLOSED},
    S.RECEIVED: {S.COMPLETED, S.CLOSED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
    S.EXPIRED: set(),
    S.CLOSED: set(),
}

TIMESTAMPS = {S.PAID: "paid_at", S.SHIPPED: "shipped_at", S.RECEIVED: "received_at", S.COMPLETED: "completed_at",
              S.CLOSED: "closed_at", S.CANCELLED: "closed_at", S.EXPIRED: "closed_at"}

# States in which the buyer has paid and may ask for after-sales
AFTER_SALES_OPEN = {S.PAID, S.PARTIALLY_SHIPPED, S.SHIPPED, S.RECEIVED}


class InvalidTransition(Conflict):
    code = "invalid_transition"


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, set())


def transition(order: Order, target: str, *, actor=None, message: str = "", store=None, **fields) -> Order:
    """Move `order` to `target` or raise InvalidTransition. Extra `fields` are written in the same UPDATE."""
    current = order.status
    if not can_transition(current, target):
        raise InvalidTransition(
            f"order {order.number} is {Order.Status(current).label}; it cannot become {Order.Status(target).label}",
            fields={"status": current},
        )
    now = timezone.now()
    stamp = TIMESTAMPS.get(target)
    if stamp and stamp not in fields:
        fields[stamp] = now
    updated = Order.objects.filter(pk=order.pk, status=current).update(status=target, **fields)
    if updated != 1:
        order.refresh_from_db(fields=["status"])
        raise InvalidTransition(f"order {order.number} changed meanwhile (now {order.status})",
                                fields={"status": order.status})
    order.status = target
    for key, value in fields.items():
        setattr(order, key, value)
    OrderLog.objects.create(order=order, from_status=current, to_status=target, actor=actor if
                            (actor is not None and getattr(actor, "pk", None)) else None, message=message[:200],
                            store=store)
    return order
