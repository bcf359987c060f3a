"""The presale API: read, deposit, balance, my presales, console CRUD — with the error shape for bad input."""

import json
from datetime import timedelta

import pytest

from tests.api.conftest import Api
from tests.factories import MembershipFactory, UserFactory
from tests.presale.conftest import ADDRESS, BALANCE_END, BALANCE_START, T0, pay
from tribe.accounts.services import issue_token
from tribe.orders.models import Order
from tribe.presale.models import Presale, PresaleOrder


@pytest.fixture
def api_as(client):
    def make(user):
        return Api(client, issue_token(user) if user is not None else None)

    return make


def _deposit(api, presale, **over):
    body = {"quantity": 1, "address": ADDRESS, "idempotency_key": "dep-000001"}
    body.update(over)
    return api.post(f"/presales/{presale.pk}/deposit", body)


def test_get_presale_shows_the_terms(shop, client):
    res = Api(client).get(f"/presales/{shop['presale'].pk}")

    assert res.status_code == 200
    body = res.json()
    assert (body["price"], body["deposit"], body["deposit_value"], body["balance"]) == (
        "299.00", "50.00", "100.00", "199.00")
    assert (body["refund_rule"], body["phase"], body["balance_phase"], body["left"]) == (
        "forfeit", "live", "upcoming", 6)
    assert body["refund_rule_text"].startswith("定金不退")
    assert body["share_url"].endswith(f"/share/presale/{shop['presale'].pk}/")


def test_unknown_or_draft_presale_is_404(shop, client):
    Presale.objects.filter(pk=shop["presale"].pk).update(status="draft")
    api = Api(client)
    assert api.get(f"/presales/{shop['presale'].pk}").status_code == 404
    assert api.get("/presales/99999999999999999999").status_code in (404, 422)


def test_deposit_then_balance_through_the_api(shop, buyer, api_as, travel):
    api = api_as(buyer)
    res = _deposit(api, shop["presale"], quantity=2)
    assert res.status_code == 201
    assert res.json()["total"] == "100.00"
    assert _deposit(api, shop["presale"], quantity=2).status_code == 200  # the same key: the same order
    order = Order.objects.get(number=res.json()["number"])
    pay(buyer, order)
    purchase = PresaleOrder.objects.get(deposit_order=order)

    early = api.post(f"/presale-orders/{purchase.pk}/balance", {"idempotency_key": "bal-000001"})
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "balance_not_open"

    travel(BALANCE_START + timedelta(hours=1))
    ok = api.post(f"/presale-orders/{purchase.pk}/balance", {"idempotency_key": "bal-000001"})
    assert ok.status_code == 201
    assert ok.json()["total"] == "398.00"

    mine = api.get("/me/presales").json()
    assert mine["count"] == 1
    row = mine["items"][0]
    assert (row["state"], row["balance_order"], row["balance_phase"]) == (
        "deposit_paid", ok.json()["number"], "open")

    travel(BALANCE_END + timedelta(minutes=30))  # its reservation lapsed and the window closed
    late = api.post(f"/presale-orders/{purchase.pk}/balance", {"idempotency_key": "bal-000002"})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "balance_closed"


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"quantity": 0}, 422, None),
    ({"quantity": 4}, 422, "over_limit"),
    ({"quantity": "1"}, 422, None),
    ({"address": None}, 422, None),
    ({"idempotency_key": "x"}, 422, None),
    ({"price": "1.00"}, 422, None),
])
def test_bad_deposit_input_is_4xx_and_writes_nothing(shop, buyer, api_as, body, status, code):
    res = _deposit(api_as(buyer), shop["presale"], **body)

    assert res.status_code == status
    assert "error" in res.json()
    if code:
        assert res.json()["error"]["code"] == code
    assert Order.objects.count() == 0 and PresaleOrder.objects.count() == 0


def test_deposit_refusals(shop, buyer, api_as):
    api = api_as(buyer)
    assert api.post("/presales/123456/deposit", {"address": ADDRESS, "idempotency_key": "dep-000001"}
                    ).status_code == 404
    assert Api(api.client).post(f"/presales/{shop['presale'].pk}/deposit",
                                {"address": ADDRESS, "idempotency_key": "dep-000001"}).status_code == 401
    for i in range(2):
        other = api_as(UserFactory())
        assert _deposit(other, shop["presale"], quantity=3, idempotency_key=f"dep-00000{i}").status_code == 201
    sold_out = _deposit(api, shop["presale"], quantity=1)
    assert sold_out.status_code == 409
    assert sold_out.json()["error"]["code"] == "presale_sold_out"


def test_per_user_limit_counts_earlier_purchases(shop, buyer, api_as):
    api = api_as(buyer)
    assert _deposit(api, shop["presale"], quantity=2).status_code == 201
    res = _deposit(api, shop["presale"], quantity=2, idempotency_key="dep-000002")

    assert res.status_code == 409
    assert res.json()["error"]["code"] == "over_limit"
    assert PresaleOrder.objects.count() == 1


def test_balance_of_someone_elses_purchase_is_404(shop, buyer, api_as):
    res = _deposit(api_as(buyer), shop["presale"])
    purchase = PresaleOrder.objects.get(deposit_order__number=res.json()["number"])

    other = api_as(UserFactory())
    assert other.post(f"/presale-orders/{purchase.pk}/balance", {"idempotency_key": "bal-000001"}
                      ).status_code == 404


def test_balance_before_the_deposit_is_paid_is_409(shop, buyer, api_as, travel):
    api = api_as(buyer)
    res = _deposit(api, shop["presale"])
    purchase = PresaleOrder.objects.get(deposit_order__number=res.json()["number"])
    travel(BALANCE_START + timedelta(hours=1))  # the unpaid deposit expired long ago

    late = api.post(f"/presale-orders/{purchase.pk}/balance", {"idempotency_key": "bal-000001"})
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "balance_not_due"


def _create_body(sku, **over):
    body = {"title": "秋冬新款预售", "sku_id": sku.pk, "price": "299.00", "deposit": "50.00",
            "deposit_value": "100.00", "starts_at": (T0 + timedelta(days=1)).isoformat(),
            "ends_at": (T0 + timedelta(days=3)).isoformat(),
            "balance_starts_at": (T0 + timedelta(days=4)).isoformat(),
            "balance_ends_at": (T0 + timedelta(days=5)).isoformat(), "ship_date": "2026-06-10",
            "refund_rule": "refundable", "quantity_cap": 5, "per_user_limit": 2}
    body.update(over)
    return body


def test_console_crud_and_moves(shop, api_as):
    api = api_as(shop["staff"])
    slug = shop["brand"].slug
    res = api.post(f"/console/brands/{slug}/presales", _create_body(shop["sku"]))
    assert res.status_code == 201, res.json()
    pk = res.json()["id"]
    assert res.json()["status"] == "draft"

    edited = api.raw("PUT", f"/console/brands/{slug}/presales/{pk}",
                     json.dumps(_create_body(shop["sku"], title="改名了", quantity_cap=8)), "application/json")
    assert edited.status_code == 200
    assert (edited.json()["title"], edited.json()["quantity_cap"]) == ("改名了", 8)

    assert api.post(f"/console/brands/{slug}/presales/{pk}/move", {"action": "start"}).json()["status"] == "running"
    again = api.post(f"/console/brands/{slug}/presales/{pk}/move", {"action": "start"})
    assert again.status_code == 409
    assert api.get(f"/console/brands/{slug}/presales").json()["count"] == 2
    assert api.get(f"/console/brands/{slug}/presales/{pk}/purchases", {"state": "deposit_paid"}).json()["count"] == 0


@pytest.mark.parametrize(("over", "field"), [
    ({"deposit_value": "40.00"}, "deposit_value"),
    ({"price": "100.00"}, "price"),
    ({"price": "500.00"}, "price"),
    ({"deposit": "0"}, "deposit"),
    ({"deposit": "1.005"}, "deposit"),
    ({"balance_starts_at": T0.isoformat()}, "balance_starts_at"),
    ({"balance_ends_at": (T0 + timedelta(days=2)).isoformat()}, "balance_ends_at"),
    ({"ship_date": "2026-06-01"}, "ship_date"),
    ({"quantity_cap": 0}, "quantity_cap"),
    ({"sku_id": 999999}, "sku_id"),
    ({"starts_at": "2026-06-02T10:00:00"}, "starts_at"),
])
def test_console_create_refuses_bad_terms(shop, api_as, over, field):
    res = api_as(shop["staff"]).post(f"/console/brands/{shop['brand'].slug}/presales",
                                     _create_body(shop["sku"], **over))

    assert res.status_code == 422, res.json()
    assert field in res.json()["error"]["fields"]
    assert Presale.objects.count() == 1


def test_console_is_for_brand_staff_only(shop, api_as):
    outsider = MembershipFactory().user
    res = api_as(outsider).post(f"/console/brands/{shop['brand'].slug}/presales", _create_body(shop["sku"]))
    assert res.status_code == 403
    assert api_as(outsider).get(f"/console/brands/{shop['brand'].slug}/presales").status_code == 403


def test_money_terms_freeze_once_deposits_exist(shop, buyer, api_as):
    _deposit(api_as(buyer), shop["presale"])
    staff = api_as(shop["staff"])
    body = _create_body(shop["sku"], deposit="60.00", starts_at=T0.isoformat(),
                        ends_at=(T0 + timedelta(days=7)).isoformat(),
                        balance_starts_at=BALANCE_START.isoformat(), balance_ends_at=BALANCE_END.isoformat(),
                        refund_rule="forfeit", ship_date="2026-06-15", quantity_cap=6, per_user_limit=3)
    res = staff.raw("PUT", f"/console/brands/{shop['brand'].slug}/presales/{shop['presale'].pk}", json.dumps(body),
                    "application/json")

    assert res.status_code == 409
    assert res.json()["error"]["code"] == "terms_frozen"
    assert "deposit" in res.json()["error"]["fields"]
