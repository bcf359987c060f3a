"""API endpoints and pages: my points, sign-in, my tier; the brand's tier prices (API and console)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.orders.conftest import sku_of
from tribe.loyalty import services
from tribe.loyalty.models import Tier, TierPrice

pytestmark = pytest.mark.django_db


def test_my_points_lists_balance_tier_and_paginated_history(api_as, user):
    for i in range(3):
        services.credit(user, 10, reason="order", ref=f"x:{i}")
    services.spend(user, 5, reason="checkout", ref="s:1")
    r = api_as(user).get("/me/points", {"page_size": 2})
    assert r.status_code == 200
    body = r.json()
    assert body["balance"] == 25 and body["signed_in_today"] is False
    assert body["tier"]["tier"] == "普通会员" and body["tier"]["next_tier"] == "银卡会员"
    assert body["entries"]["count"] == 4 and body["entries"]["pages"] == 2
    assert body["entries"]["items"][0]["points"] == -5 and body["entries"]["items"][0]["kind"] == "spend"


def test_my_points_needs_sign_in(api_as):
    assert api_as(None).get("/me/points").status_code == 401


def test_sign_in_twice_is_409(api_as, user):
    api = api_as(user)
    first = api.post("/me/points/sign-in")
    second = api.post("/me/points/sign-in")
    assert first.status_code == 201 and first.json()["balance"] == 5 and first.json()["streak"] == 1
    assert second.status_code == 409 and second.json()["error"]["code"] == "already_signed_in"
    assert services.balance(user) == 5


def test_my_tier_shows_progress(api_as, user):
    services.credit(user, 500, reason="order", ref="x:1")
    body = api_as(user).get("/me/tier").json()
    assert body["to_next_points"] == 1500 and body["to_next_spend"] == "1000.00"
    assert body["progress_percent"] == 25 and body["points_earned"] == 500


def test_brand_staff_manage_tier_prices_through_the_api(api_as, shop):
    api, slug = api_as(shop["staff_a"]), shop["store_a"].brand.slug
    sku, silver = sku_of(shop["a"]), Tier.objects.get(rank=1)
    r = api.post(f"/console/brands/{slug}/tier-prices", {"sku_id": sku.pk, "tier_id": silver.pk, "price": "55.00"})
    assert r.status_code == 201 and r.json()["price"] == "55.00" and r.json()["list_price"] == "60.00"
    again = api.post(f"/console/brands/{slug}/tier-prices", {"sku_id": sku.pk, "tier_id": silver.pk, "price": "52"})
    assert again.status_code == 201 and TierPrice.objects.get().price == Decimal("52.00")
    listed = api.get(f"/console/brands/{slug}/tier-prices").json()
    assert listed["count"] == 1 and listed["items"][0]["tier"] == "银卡会员"
    assert api.delete(f"/console/brands/{slug}/tier-prices/{r.json()['id']}").status_code == 204
    assert not TierPrice.objects.exists()


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"price": "60.00"}, 422, "tier_price_too_high"),
    ({"price": "-1"}, 422, "invalid"),
    ({"price": 5.5}, 422, None),
    ({"sku_id": "other"}, 404, "unknown_sku"),
    ({"tier_id": 999999}, 404, "unknown_tier"),
])
def test_bad_tier_prices_are_refused(api_as, shop, body, status, code):
    sku = sku_of(shop["a"]) if body.get("sku_id") != "other" else sku_of(shop["b"])  # b: another brand's
    payload = {"sku_id": sku.pk, "tier_id": Tier.objects.get(rank=1).pk, "price": "50.00"}
    payload.update({k: v for k, v in body.items() if k != "sku_id"})
    r = api_as(shop["staff_a"]).post(f"/console/brands/{shop['store_a'].brand.slug}/tier-prices", payload)
    assert r.status_code == status
    if code:
        assert r.json()["error"]["code"] == code
    assert not TierPrice.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("staff_a", 200), ("staff_b", 403), ("stranger", 403), (None, 401)])
def test_tier_price_api_permissions(api_as, shop, who, status):
    user = shop[who] if who in ("staff_a", "staff_b") else (UserFactory() if who else None)
    assert api_as(user).get(f"/console/brands/{shop['store_a'].brand.slug}/tier-prices").status_code == status


def test_points_page_shows_balance_tier_expiring_and_sign_in(client, user):
    services.credit(user, 120, reason="order", ref="x:1")
    client.force_login(user)
    page = client.get(reverse("web:loyalty_points"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="points-balance">120<' in html and "普通会员" in html and 'data-testid="sign-in"' in html
    r = client.post(reverse("web:loyalty_sign_in"))
    assert r.status_code == 302 and services.balance(user) == 125
    html = client.get(reverse("web:loyalty_points")).content.decode()
    assert 'data-testid="signed-in"' in html
    again = client.post(reverse("web:loyalty_sign_in"))
    assert again.status_code == 302 and services.balance(user) == 125


def test_points_page_needs_login(client):
    assert client.get(reverse("web:loyalty_points")).status_code == 302


def test_points_page_query_count_does_not_grow_with_history(client, user, django_assert_num_queries):
    client.force_login(user)
    services.credit(user, 10, reason="order", ref="x:0")
    client.get(reverse("web:loyalty_points"))
    with django_assert_num_queries(12) as ctx:
        client.get(reverse("web:loyalty_points"))
    for i in range(1, 15):
        services.credit(user, 10, reason="order", ref=f"x:{i}")
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get(reverse("web:loyalty_points"))


def test_console_tier_prices_add_edit_remove(client, shop):
    client.force_login(shop["staff_a"])
    slug, sku, silver = shop["store_a"].brand.slug, sku_of(shop["a"]), Tier.objects.get(rank=1)
    url = reverse("console:loyalty_tier_prices", args=[slug])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"sku": sku.pk, "tier": silver.pk, "price": "70"})
    assert bad.status_code == 422 and not TierPrice.objects.exists()
    assert client.post(url, {"sku": sku.pk, "tier": silver.pk, "price": "50"}).status_code == 302
    row = TierPrice.objects.get()
    assert 'data-testid="tier-price-row"' in client.get(url).content.decode()
    edit = reverse("console:loyalty_tier_price_edit", args=[slug, row.pk])
    assert client.post(edit, {"price": "45.50"}).status_code == 302
    assert TierPrice.objects.get().price == Decimal("45.50")
    assert client.post(reverse("console:loyalty_tier_price_remove", args=[slug, row.pk])).status_code == 302
    assert not TierPrice.objects.exists()


def test_console_refuses_other_brands_and_their_rows(client, shop):
    row = TierPrice.objects.create(sku=sku_of(shop["a"]), tier=Tier.objects.get(rank=1), price=Decimal("50"))
    client.force_login(shop["staff_b"])
    assert client.get(reverse("console:loyalty_tier_prices", args=[shop["store_a"].brand.slug])).status_code == 403
    b_slug = shop["store_b"].brand.slug
    assert client.post(reverse("console:loyalty_tier_price_remove", args=[b_slug, row.pk])).status_code == 404
    assert TierPrice.objects.exists()


def test_checkout_api_spends_points_and_refuses_beyond_the_balance(api_as, shop, buyer):
    from tests.orders.conftest import ADDRESS
    from tribe.orders.cart import add_to_cart, get_cart

    services.credit(buyer, 300, reason="order", ref="seed:1")
    add_to_cart(get_cart(buyer, create=True), sku_of(shop["a"]).pk, 1)
    api = api_as(buyer)
    quote = api.get("/checkout/quote", {"points": 300})
    assert quote.status_code == 200 and quote.json()["discount_total"] == "3.00"
    too_many = api.get("/checkout/quote", {"points": 301})
    assert too_many.status_code == 409 and too_many.json()["error"]["code"] == "insufficient_points"
    refused = api.post("/checkout", {"address": ADDRESS, "idempotency_key": "points-api-1", "points": 500})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "insufficient_points"
    assert services.balance(buyer) == 300
    placed = api.post("/checkout", {"address": ADDRESS, "idempotency_key": "points-api-2", "points": 300})
    assert placed.status_code == 201 and services.balance(buyer) == 0


def test_member_badge_tag_shows_tier_and_balance(user):
    from django.template import Context, Template

    services.credit(user, 42, reason="order", ref="seed:1")
    html = Template("{% load loyalty_tags %}{% member_badge user %}").render(Context({"user": user}))
    assert 'data-testid="member-badge"' in html and "普通会员" in html and "42" in html and "银卡会员" in html
