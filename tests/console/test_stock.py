"""Brand console stock: every SKU of the brand with what can be sold and what unpaid orders hold."""

from decimal import Decimal

import pytest
from django.urls import reverse
from tests.factories import ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import checkout, pay

from tribe.orders.services import cancel_order
from tribe.web.console import stock as console_stock


@pytest.fixture
def sku_a(product_a):
    return product_a.skus.get()


def _rows(response) -> dict[str, tuple[int, int]]:
    """{SKU code: (on-sale stock, reserved)} of the page."""
    return {sku.code: (sku.stock, sku.reserved) for sku in response.context["page"]}


def test_stock_shows_on_sale_and_reserved_units(staff_client, sku_a, store_a):
    # given an unpaid order holding 2 units and a paid one that bought 3
    buyer = UserFactory()
    checkout(buyer, [(sku_a, 2)], key="stock-order-01")
    paid = checkout(buyer, [(sku_a, 3)], key="stock-order-02")
    pay(buyer, paid)
    # and a second SKU nobody ordered, and a SKU of another brand
    other = ProductFactory(store=store_a, name="婴儿袜", skus=[{"price": Decimal("15.00"), "stock": 4}])
    foreign = ProductFactory(store=StoreFactory(), name="别家的商品")

    response = staff_client.get(reverse("console:stock", args=["brand-a"]))

    # then 10 − 2 − 3 = 5 can be sold, 2 are held by the unpaid order; the other brand's SKU is absent
    assert response.status_code == 200
    assert _rows(response) == {sku_a.code: (5, 2), other.skus.get().code: (4, 0)}
    body = response.content.decode()
    assert "纯棉连体衣" in body and "婴儿袜" in body and "别家的商品" not in body
    assert foreign.skus.get().code not in body
    # the reserved figure links to the unpaid orders, and each SKU to its stock editor
    unpaid_orders = reverse("console:orders", args=["brand-a"]) + "?status=awaiting_payment"
    assert f'<td data-reserved><a href="{unpaid_orders}">2</a>' in body
    assert f'href="{reverse("console:sku_edit", args=["brand-a", sku_a.pk])}"' in body


def test_cancelling_an_order_releases_its_reservation(staff_client, sku_a):
    buyer = UserFactory()
    order = checkout(buyer, [(sku_a, 4)], key="stock-order-03")
    assert _rows(staff_client.get(reverse("console:stock", args=["brand-a"]))) == {sku_a.code: (6, 4)}

    cancel_order(buyer, order.pk)

    assert _rows(staff_client.get(reverse("console:stock", args=["brand-a"]))) == {sku_a.code: (10, 0)}


@pytest.fixture
def three_skus(store_a, sku_a):
    """Brand A: 纯棉连体衣 (stock 10, 1 reserved), 婴儿袜 (sold out), 旧款帽子 (off sale)."""
    checkout(UserFactory(), [(sku_a, 1)], key="stock-order-04")
    out = ProductFactory(store=store_a, name="婴儿袜", skus=[{"price": Decimal("15.00"), "stock": 0}])
    off = ProductFactory(store=store_a, name="旧款帽子", skus=[{"price": Decimal("30.00"), "stock": 5}])
    off.skus.update(is_active=False)
    return {"reserved": sku_a.code, "out": out.skus.get().code, "off": off.skus.get().code}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["out", "reserved", "off"]),  # by product name
        ({"stock": "reserved"}, ["reserved"]),
        ({"stock": "out"}, ["out"]),
        ({"stock": "off"}, ["off"]),
        ({"q": "袜"}, ["out"]),
        ({"stock": "bogus"}, ["out", "reserved", "off"]),
    ],
)
def test_stock_filters(staff_client, three_skus, params, expected):
    response = staff_client.get(reverse("console:stock", args=["brand-a"]), params)

    assert response.status_code == 200
    assert sorted(sku.code for sku in response.context["page"]) == sorted(three_skus[k] for k in expected)


def test_stock_is_paginated(staff_client, three_skus, monkeypatch):
    monkeypatch.setattr(console_stock, "PAGE_SIZE", 2)

    second = staff_client.get(reverse("console:stock", args=["brand-a"]), {"page": 2})

    assert len(second.context["page"]) == 1
    assert "2 / 2" in second.content.decode()


@pytest.mark.parametrize("n", [3, 12])
def test_stock_query_count_does_not_grow_with_skus(staff_client, store_a, n, django_assert_num_queries):
    # given n products of brand A, each SKU with units held by an unpaid order
    buyer = UserFactory()
    for i in range(n):
        product = ProductFactory(store=store_a, skus=[{"price": Decimal("10.00"), "stock": 5}])
        checkout(buyer, [(product.skus.get(), 1)], key=f"stock-count-{i:04d}")
    url = reverse("console:stock", args=["brand-a"])
    staff_client.get(url)

    # when listed: session, user, brand, memberships, sub-brands, count, SKUs with product and store,
    # reservations summed per SKU
    with django_assert_num_queries(8):
        response = staff_client.get(url)

    assert len(response.context["page"]) == n
    assert all((sku.stock, sku.reserved) == (4, 1) for sku in response.context["page"])
