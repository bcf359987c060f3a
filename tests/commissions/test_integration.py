"""The real order flow drives the ledger through tribe.orders' signals: payment accrues, an approved refund
reverses in proportion (inside the refund's transaction). Plus query counts of the two pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.orders.conftest import checkout, pay
from tribe.aftersales.services import approve_refund, request_refund
from tribe.commissions import services
from tribe.commissions.models import LedgerEntry
from tribe.commissions.selectors import balance
from tribe.distribution.models import LineAttribution
from tribe.orders.models import OrderLine

from .conftest import make_order, make_shop, receive

D = Decimal
pytestmark = pytest.mark.django_db


def test_payment_and_refund_drive_the_ledger(shop):
    order = checkout(shop.buyer, [(shop.product.skus.first(), 2)], key="commission-flow-1")
    line = OrderLine.objects.get(order=order)
    LineAttribution.objects.filter(line=line).delete()  # whatever distribution snapshot there was: ours only
    LineAttribution.objects.create(line=line, promoter=shop.promoter, brand=shop.brand, rule="window",
                                   rate=D("0.1000"), base_amount=line.paid_amount,
                                   commission=(line.paid_amount * D("0.1")).quantize(D("0.01")))
    pay(shop.buyer, order)
    assert balance(shop.promoter)["pending"] == D("20.00")
    req = request_refund(shop.buyer, line.pk, kind="refund_only", quantity=1, reason="测试")
    approve_refund(shop.staff, req.pk)
    assert balance(shop.promoter)["pending"] == D("10.00")
    assert LedgerEntry.objects.filter(kind="reverse").get().refund_amount == D("100.00")


def test_my_commissions_page_query_count_does_not_grow(client, shop, django_assert_max_num_queries):
    make_shop()  # another brand the user does not promote
    order, _, _ = make_order(shop, D("100.00"))
    services.accrue_for_order(order)
    client.force_login(shop.user)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/me/commissions/").status_code == 200
    for _ in range(6):
        order, _, _ = make_order(shop, D("100.00"))
        services.accrue_for_order(order)
        services.freeze_for_order(receive(order))
        services.release_for_order(order)
    services.request_payout(shop.user, shop.brand.pk, "10.00")
    with django_assert_max_num_queries(len(small) + 1):  # +1: the payouts list is no longer empty
        response = client.get("/me/commissions/")
    assert response.content.decode().count('data-testid="ledger-entry"') == 20


def test_console_payouts_page_query_count_does_not_grow(client, shop, django_assert_max_num_queries):
    order, _, _ = make_order(shop, D("9000.00"))
    services.accrue_for_order(order)
    services.freeze_for_order(receive(order))
    services.release_for_order(order)
    services.request_payout(shop.user, shop.brand.pk, "10.00")
    client.force_login(shop.staff)
    with CaptureQueriesContext(connection) as small:
        client.get(f"/console/{shop.brand.slug}/payouts/")
    for _ in range(10):
        services.request_payout(shop.user, shop.brand.pk, "10.00")
    with django_assert_max_num_queries(len(small)):
        response = client.get(f"/console/{shop.brand.slug}/payouts/")
    assert response.content.decode().count('data-testid="payout-row"') == 11
