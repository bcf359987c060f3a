"""API: claimable list and filters, claim, my coupons, console CRUD/moves/grant/stats, error shapes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.coupons.conftest import give, template
from tests.factories import UserFactory
from tests.orders.conftest import checkout, sku_of
from tribe.coupons.models import CouponTemplate, UserCoupon

pytestmark = pytest.mark.django_db


def test_claimable_list_filters_and_claim(mall, api_as):
    shoes = template(mall, title="鞋类券", scope="category", scope_category=mall["shoes"].pk)
    template(mall, title="隐藏", claimable=False)
    template(mall, title="草稿", start=False)
    everything = template(mall, title="全店")
    anon = api_as(None)
    body = anon.get("/coupons").json()
    assert [i["title"] for i in body["items"]] == ["鞋类券", "全店"]
    assert [i["id"] for i in anon.get("/coupons", {"product": mall["b"].pk}).json()["items"]] == [
        shoes.pk, everything.pk]  # b is in a sub-category of shoes
    assert [i["id"] for i in anon.get("/coupons", {"product": mall["c"].pk}).json()["items"]] == [everything.pk]
    assert anon.get("/coupons", {"product": mall["x"].pk}).json()["items"] == []
    assert anon.get("/coupons", {"brand": "nope"}).status_code == 422
    assert anon.post(f"/coupons/{shoes.pk}/claim").status_code == 401

    user = UserFactory()
    me = api_as(user)
    r = me.post(f"/coupons/{shoes.pk}/claim")
    assert r.status_code == 201 and r.json()["state"] == "available" and r.json()["template"]["summary"] == "满100减20"
    r = me.post(f"/coupons/{shoes.pk}/claim")
    assert r.status_code == 409 and r.json()["error"]["code"] == "coupon_limit"
    assert me.get("/coupons").json()["items"][0]["held"] == 1
    assert me.post("/coupons/999999/claim").status_code == 404
    mine = me.get("/me/coupons", {"state": "available"}).json()
    assert [c["template"]["id"] for c in mine["items"]] == [shoes.pk]
    assert me.get("/me/coupons", {"state": "bogus"}).status_code == 422


def test_checkout_option_errors_use_the_api_error_shape(mall, api_as):
    user = UserFactory()
    coupon = give(mall, user, threshold="0", amount="5.00")
    checkout(user, [(sku_of(mall["a"]), 1)], options={"coupons": [coupon.pk]})
    mine = api_as(user).get("/me/coupons", {"state": "used"}).json()["items"]
    assert mine[0]["order"] and mine[0]["discount"] == "5.00"


def test_console_crud_moves_grant_and_stats(mall, api_as):
    staff = api_as(mall["staff"])
    now = timezone.now()
    body = {"title": "8折券", "benefit": "percent_off", "percent_off": 20, "max_discount": "30.00",
            "threshold": "50", "starts_at": (now - timedelta(hours=1)).isoformat(),
            "ends_at": (now + timedelta(days=3)).isoformat(), "valid_days": 7, "total_quantity": 100,
            "scope": "products", "scope_products": [mall["a"].pk, mall["b"].pk]}
    r = staff.post(f"/console/brands/{mall['brand'].slug}/coupons", body)
    assert r.status_code == 201, r.json()
    tpl = r.json()
    assert tpl["status"] == "draft" and tpl["scope_products"] == sorted([mall["a"].pk, mall["b"].pk])
    assert tpl["summary"] == "满50打8折，最高减30"
    base = f"/console/brands/{mall['brand'].slug}/coupons/{tpl['id']}"
    assert staff.post(base + "/start").json()["status"] == "running"
    r = staff.post(base + "/start")
    assert r.status_code == 409 and r.json()["error"]["code"] == "invalid_transition"
    assert staff.patch(base, {"title": "八折券"}).json()["title"] == "八折券"
    fan = UserFactory(allow_promotions=True)
    r = staff.post(base + "/grant", {"segment": "usernames", "usernames": [fan.username], "batch": "x1"})
    assert r.json() == {"targets": 1, "granted": 1, "already": 0, "limit": 0, "out_of_stock": 0}
    r = staff.patch(base, {"percent_off": 50})
    assert r.status_code == 409 and r.json()["error"]["code"] == "coupon_template_in_use"
    checkout(fan, [(sku_of(mall["a"]), 1)], options={"coupons": [UserCoupon.objects.get(user=fan).pk]})
    listed = staff.get(f"/console/brands/{mall['brand'].slug}/coupons").json()["items"][0]
    assert (listed["granted"], listed["used"], listed["discount_given"]) == (1, 1, "12.00")


@pytest.mark.parametrize("body", [
    {"title": "x", "percent_off": "20"},  # strict types
    {"title": "x", "threshold": 9.9},  # floats are not money
    {"title": "x", "bogus": 1},
    {"title": "x", "benefit": "free_money"},
])
def test_console_bad_input_is_422(mall, api_as, body):
    r = api_as(mall["staff"]).post(f"/console/brands/{mall['brand'].slug}/coupons", body)
    assert r.status_code == 422
    assert CouponTemplate.objects.count() == 0


def test_console_is_for_brand_staff_only(mall, api_as):
    tpl = template(mall)
    other = api_as(UserFactory())
    assert other.get(f"/console/brands/{mall['brand'].slug}/coupons").status_code == 403
    assert other.post(f"/console/brands/{mall['brand'].slug}/coupons/{tpl.pk}/end").status_code == 403
    assert api_as(mall["staff"]).get(f"/console/brands/{mall['brand'].slug}/coupons/99999").status_code == 404


def test_coupons_for_my_checkout(mall, api_as):
    from tribe.orders.cart import add_to_cart, get_cart

    user = UserFactory()
    me = api_as(user)
    assert me.get("/me/coupons/for-checkout").json() == {"coupons": [], "discount": "0.00", "options": []}
    big = give(mall, user)  # 满100减20
    small = give(mall, user, threshold="0", amount="3.00")
    add_to_cart(get_cart(user, create=True), sku_of(mall["a"]).pk, 1)
    body = me.get("/me/coupons/for-checkout").json()
    assert body["coupons"] == [small.pk] and body["discount"] == "3.00"
    errors = {o["coupon"]["id"]: o["error"] for o in body["options"]}
    assert errors == {big.pk: "coupon_threshold", small.pk: ""}


def test_form_ids_are_parsed_strictly():
    from tribe.core.errors import ValidationFailed
    from tribe.coupons.redemption import ids_from_form

    assert ids_from_form(["3", "", " 5 "]) == [3, 5]
    for bad in (["x"], ["-1"], ["1" * 20], ["3", "3"]):
        with pytest.raises(ValidationFailed):
            ids_from_form(bad)
