"""Commission test helpers: orders built directly (cheap), with a LineAttribution snapshot per line, and the
receivers called the way tribe.orders' signals call them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.distribution.models import LineAttribution, Promoter, PromoterProgram
from tribe.orders.models import Order, OrderLine, StoreOrder

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Shop:
    brand: object
    store: object
    product: object
    staff: object
    promoter: Promoter
    program: PromoterProgram
    buyer: object

    @property
    def user(self):
        return self.promoter.user


def make_shop(min_withdrawal=Decimal("10.00"), reward_kind="cash") -> Shop:
    store = StoreFactory()
    product = ProductFactory(store=store, skus=[{"price": Decimal("100.00"), "stock": 1000}])
    program = PromoterProgram.objects.create(brand=store.brand, min_withdrawal=min_withdrawal,
                                             reward_kind=reward_kind)
    promoter = Promoter.objects.create(brand=store.brand, user=UserFactory(), state=Promoter.State.ACTIVE)
    return Shop(brand=store.brand, store=store, product=product, staff=MembershipFactory(brand=store.brand).user,
                promoter=promoter, program=program, buyer=UserFactory())


@pytest.fixture
def shop(db) -> Shop:
    return make_shop()


def make_order(shop: Shop, base: Decimal, commission: Decimal | None = None, *, rate=Decimal("0.1000")):
    """An order with one line whose buyer paid `base`, attributed to the shop's promoter."""
    n = next(_numbers)
    now = timezone.now()
    order = Order.objects.create(
        number=f"T{n:010d}", user=shop.buyer, idempotency_key=f"k{n}", ship_name="王小明", ship_phone="13800138000",
        ship_province="浙江省", ship_city="杭州市", ship_district="西湖区", ship_detail="文三路 100 号",
        subtotal=base, total=base, paid_total=base, status=Order.Status.PAID, expires_at=now + timedelta(hours=1),
        paid_at=now)
    so = StoreOrder.objects.create(order=order, store=shop.store, shipping_method="express", subtotal=base,
                                   total=base)
    sku = shop.product.skus.first()
    line = OrderLine.objects.create(order=order, store_order=so, sku=sku, product=shop.product,
                                    product_name=shop.product.name, unit_price=base, quantity=1, subtotal=base,
                                    paid_amount=base)
    if commission is None:
        commission = (base * rate).quantize(Decimal("0.01"))
    att = LineAttribution.objects.create(line=line, promoter=shop.promoter, brand=shop.brand, rule="window",
                                         rate=rate, base_amount=base, commission=commission)
    return order, line, att


def receive(order, when=None):
    """What confirm_receipt does to the order before it sends order_received."""
    order.status = Order.Status.RECEIVED
    order.received_at = when or timezone.now()
    order.save(update_fields=["status", "received_at"])
    return order
