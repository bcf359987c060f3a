"""Coupons and points at checkout, on the page and through the API: the best coupon is picked for the buyer, the
buyer may change it and spend points, and what the page shows is what the order charges."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.coupons.conftest import api_as, give, mall  # noqa: F401 - fixtures
from tests.factories import UserFactory
from tests.orders.conftest import ADDRESS
from tribe.loyalty import services as loyalty
from tribe.orders.cart import add_to_cart, get_cart
from tribe.orders.checkout import save_address
from tribe.orders.models import LineAdjustment, Order

pytestmark = pytest.mark.django_db


def _key(page) -> str:
    import re

    return re.search(r'name="idempotency_key" value="([^"]+)"', page.content.decode()).group(1)


def test_page_picks_the_best_coupon_and_places_with_coupon_and_points(client, mall):  # noqa: F811 - fixtures
    buyer = UserFactory()
    small = give(mall, buyer, title="满100减10", amount="10.00")
    big = give(mall, buyer, title="满100减20", amount="20.00")
    loyalty.credit(buyer, 1000, reason="test", ref="test:1")
    add_to_cart(get_cart(buyer, create=True), mall["a"].skus.first().pk, 2)  # 120.00
    address = save_address(buyer, ADDRESS, is_default=True)
    client.force_login(buyer)
    page = client.get("/checkout/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="checkout-coupons"' in html
    assert f'value="{big.pk}" checked' in html and f'value="{small.pk}" checked' not in html
    assert "¥100.00" in html  # 120 − 20 (the best coupon), shipping free over 99
    r = client.post("/checkout/", {"address": str(address.pk), "idempotency_key": _key(page),
                                   "coupons": [str(big.pk)], "coupon_choice": "1", "points": "500"})
    assert r.status_code == 302, r.content.decode()[:500]
    order = Order.objects.get(user=buyer)
    codes = dict(LineAdjustment.objects.filter(line__order=order).values_list("code", "amount"))
    assert codes == {f"coupon:{big.pk}": Decimal("20.00"), "points": Decimal("5.00")}
    assert order.total == Decimal("103.00")  # 95.00 payable is under the 99.00 free-shipping line: +8.00
    assert loyalty.balance(buyer) == 500
    big.refresh_from_db()
    assert big.state == "used"


def test_points_beyond_the_balance_write_nothing(client, mall):  # noqa: F811 - fixtures
    buyer = UserFactory()
    loyalty.credit(buyer, 100, reason="test", ref="test:2")
    add_to_cart(get_cart(buyer, create=True), mall["a"].skus.first().pk, 1)
    address = save_address(buyer, ADDRESS, is_default=True)
    client.force_login(buyer)
    page = client.get("/checkout/")
    r = client.post("/checkout/", {"address": str(address.pk), "idempotency_key": _key(page), "points": "5000"})
    assert r.status_code == 409 and not Order.objects.exists()
    assert loyalty.balance(buyer) == 100
    r = client.post("/checkout/", {"address": str(address.pk), "idempotency_key": _key(page), "points": "x"})
    assert r.status_code == 422 and not Order.objects.exists()


def test_api_checkout_with_coupons_and_points(mall, api_as):  # noqa: F811 - fixtures
    buyer = UserFactory()
    coupon = give(mall, buyer)
    loyalty.credit(buyer, 1000, reason="test", ref="test:3")
    add_to_cart(get_cart(buyer, create=True), mall["a"].skus.first().pk, 2)
    api = api_as(buyer)
    quote = api.get(f"/checkout/quote?coupons={coupon.pk}&points=300")
    assert quote.status_code == 200 and quote.json()["discount_total"] == "23.00"
    bad = api.get("/checkout/quote?coupons=abc")
    assert bad.status_code == 422
    r = api.post("/checkout", {"address": ADDRESS, "idempotency_key": "api-savings-1", "coupons": [coupon.pk],
                               "points": 300})
    assert r.status_code == 201, r.content
    assert r.json()["total"] == "105.00"  # 97.00 + 8.00 shipping (under 99.00)
    other = UserFactory()
    stolen = api_as(other).post("/checkout", {"address": ADDRESS, "idempotency_key": "api-savings-2",
                                              "coupons": [coupon.pk]})
    assert stolen.status_code in (404, 409, 422)
