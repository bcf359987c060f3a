"""Review fixtures: orders made directly (the checkout flow is tested in tests/orders), in any status."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tribe.orders.models import Order, OrderLine, StoreOrder

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bought(user, product, *, status=Order.Status.PAID, quantity=1, refunded=0) -> OrderLine:
    """One order of `quantity` units of the product's first SKU, in `status`, with `refunded` units refunded."""
    price = Decimal("99.00")
    order = Order.objects.create(
        number=f"T{next(_numbers):012d}", user=user, status=status, idempotency_key=f"k{next(_numbers)}",
        ship_name="王小明", ship_phone="13800138000", ship_province="浙江省", ship_city="杭州市",
        ship_district="西湖区", ship_detail="文三路 100 号", expires_at=timezone.now() + timedelta(minutes=30),
        subtotal=price * quantity, total=price * quantity, paid_total=price * quantity,
    )
    part = StoreOrder.objects.create(order=order, store=product.store, shipping_method="express")
    return OrderLine.objects.create(
        order=order, store_order=part, sku=product.skus.first(), product=product, product_name=product.name,
        unit_price=price, quantity=quantity, subtotal=price * quantity, paid_amount=price * quantity,
        refunded_quantity=refunded, refunded_amount=price * refunded,
    )
