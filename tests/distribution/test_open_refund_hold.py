"""Commission stays frozen while a refund request on its line is open: money that may still go back to the
buyer is never withdrawable (regression from the money review)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.orders.conftest import pay
from tribe.aftersales.services import reject_refund, request_refund
from tribe.commissions import services as commissions
from tribe.commissions.selectors import balance
from tribe.orders.models import StoreOrder
from tribe.orders.services import confirm_receipt
from tribe.orders.shipping import ship

from .conftest import buy, share_url

pytestmark = pytest.mark.django_db


def test_commission_stays_frozen_while_a_refund_is_open(client, shop):
    client.force_login(shop.buyer)
    client.get(share_url(shop.product, shop.promoter.user))
    order = buy(shop.buyer, shop.product)
    pay(shop.buyer, order)
    ship(shop.staff, StoreOrder.objects.get(order=order).pk, carrier="SF", tracking_number="SF123456789")
    confirm_receipt(shop.buyer, order.pk)
    req = request_refund(shop.buyer, order.lines.get().pk, kind="return_refund", quantity=1, reason="尺码不合适")
    commissions.release_due(now=timezone.now() + timedelta(days=30))
    assert balance(shop.promoter)["available"] == 0 and balance(shop.promoter)["frozen"] > 0
    reject_refund(shop.staff, req.pk, reason="已超出退货条件")
    commissions.release_due(now=timezone.now() + timedelta(days=30))
    assert balance(shop.promoter)["available"] > 0 and balance(shop.promoter)["frozen"] == 0
