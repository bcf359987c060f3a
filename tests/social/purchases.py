"""Build real (or not) purchases directly as Order rows with the status a test needs."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tests.orders.conftest import ADDRESS
from tribe.orders.models import Order, OrderLine, StoreOrder

_seq = itertools.count(1)
PAID_OR_LATER = ("paid", "partially_shipped", "shipped", "received", "completed")
NOT_PURCHASES = ("pending_payment", "cancelled", "expired", "closed")


def bought(user, product, *, status: str = "paid", paid_at=None, quantity: int = 1,
           refunded_quantity: int = 0) -> Order:
    """One order of `user` with one line of `product` in `status`, paid at `paid_at` (default: now, or never
    for an order that was not paid)."""
    n = next(_seq)
    now = timezone.now()
    was_paid = status in PAID_OR_LATER or status == "closed"
    price = Decimal("99.00")
    total = price * quantity
    order = Order.objects.create(
        number=f"T{n:010d}", user=user, status=status, idempotency_key=f"proof-{n}",
        ship_name=ADDRESS["name"], ship_phone=ADDRESS["phone"], ship_province=ADDRESS["province"],
        ship_city=ADDRESS["city"], ship_district=ADDRESS["district"], ship_detail=ADDRESS["detail"],
        subtotal=total, total=total, paid_total=total if was_paid else Decimal("0"),
        refunded_total=total if status == "closed" else Decimal("0"),
        expires_at=now + timedelta(minutes=30), paid_at=(paid_at or now) if was_paid else None,
    )
    store_order = StoreOrder.objects.create(order=order, store=product.store, shipping_method="express",
                                            subtotal=total, total=total)
    OrderLine.objects.create(
        order=order, store_order=store_order, sku=product.skus.first(), product=product,
        product_name=product.name, unit_price=price, quantity=quantity, subtotal=total, paid_amount=total,
        refunded_quantity=refunded_quantity,
        refunded_amount=price * refunded_quantity,
    )
    return order
