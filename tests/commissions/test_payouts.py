"""Payouts: request, approve, reject — via services, the API and the pages — and what is refused (4xx with
the ledger untouched). Permission table for the console actions."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import Api, error_of
from tests.factories import MembershipFactory, UserFactory
from tribe.accounts.services import issue_token
from tribe.commissions import services
from tribe.commissions.models import LedgerEntry, Payout
from tribe.commissions.selectors import balance
from tribe.distribution.models import Promoter

from .conftest import make_order, make_shop, receive

D = Decimal
pytestmark = pytest.mark.django_db


def fund(shop, base="500.00"):
    """Give the shop's promoter available commission (10% of base)."""
    order, line, att = make_order(shop, D(base))
    services.accrue_for_order(order)
    services.freeze_for_order(receive(order))
    services.release_for_order(order)
    return line


def api(client, user):
    return Api(client, issue_token(user) if user else None)


def snapshot():
    return (LedgerEntry.objects.count(), Payout.objects.count())


# ---- services ---------------------------------------------------------------------------------------------------


def test_request_moves_available_to_withdrawing(shop):
    fund(shop)
    payout = services.request_payout(shop.user, shop.brand.pk, "20.00")
    assert payout.state == "requested" and payout.amount == D("20.00")
    assert balance(shop.promoter)["available"] == D("30.00")
    assert balance(shop.promoter)["withdrawing"] == D("20.00")


def test_approve_pays_with_dummy_method(shop):
    fund(shop)
    payout = services.approve_payout(shop.staff, services.request_payout(shop.user, shop.brand.pk, "50.00").pk)
    assert payout.state == "paid" and payout.reference.startswith("DUMMY-") and payout.decided_by == shop.staff
    assert balance(shop.promoter)["withdrawn"] == D("50.00") and balance(shop.promoter)["withdrawing"] == 0


def test_reject_returns_money_to_available(shop):
    fund(shop)
    payout = services.reject_payout(shop.staff, services.request_payout(shop.user, shop.brand.pk, "50.00").pk,
                                    note="资料不全")
    assert (payout.state, payout.note) == ("rejected", "资料不全")
    assert balance(shop.promoter)["available"] == D("50.00") and balance(shop.promoter)["withdrawing"] == 0


# ---- API ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "code"), [
    ("9.99", "below_minimum"),     # threshold 10.00
    ("50.01", "insufficient_balance"),
    ("0", "invalid"),
    ("-5", "invalid"),
    ("1.234", "invalid"),
    ("abc", "invalid"),
])
def test_bad_payout_requests_are_422_and_store_nothing(client, shop, amount, code):
    fund(shop)
    before = snapshot()
    response = api(client, shop.user).post("/me/payouts", {"brand": shop.brand.slug, "amount": amount})
    assert response.status_code == 422
    assert error_of(response)["code"] == code
    assert snapshot() == before


def test_payout_for_brand_without_promoter_role_is_404(client, shop):
    other = make_shop()
    response = api(client, shop.user).post("/me/payouts", {"brand": other.brand.slug, "amount": "10.00"})
    assert response.status_code == 404 and error_of(response)["code"] == "not_promoter"
    assert Payout.objects.count() == 0


def test_payout_request_and_listing(client, shop):
    fund(shop)
    response = api(client, shop.user).post("/me/payouts", {"brand": shop.brand.slug, "amount": "10"})
    assert response.status_code == 201
    body = response.json()
    assert (body["amount"], body["state"], body["method"], body["brand"]) == ("10.00", "requested", "dummy",
                                                                              shop.brand.slug)
    listing = api(client, shop.user).get("/me/payouts").json()
    assert [p["id"] for p in listing["items"]] == [body["id"]]
    mine = api(client, shop.user).get("/me/commissions").json()
    assert mine["balances"] == [{
        "brand": shop.brand.slug, "brand_name": shop.brand.name, "pending": "0.00", "frozen": "0.00",
        "available": "40.00", "withdrawing": "10.00", "withdrawn": "0.00", "debt": "0.00",
        "min_withdrawal": "10.00"}]
    assert [e["kind"] for e in mine["entries"]["items"]] == ["withdraw_request", "release", "freeze", "accrue"]


def test_anonymous_is_401(client):
    assert api(client, None).get("/me/commissions").status_code == 401
    assert api(client, None).post("/me/payouts", {"brand": "x", "amount": "10"}).status_code == 401


def test_other_users_do_not_see_my_payouts(client, shop):
    fund(shop)
    services.request_payout(shop.user, shop.brand.pk, "10.00")
    assert api(client, UserFactory()).get("/me/payouts").json()["count"] == 0


def _requested(shop):
    fund(shop)
    return services.request_payout(shop.user, shop.brand.pk, "30.00")


@pytest.mark.parametrize(("role", "status"), [
    ("staff", 200), ("other_staff", 403), ("promoter", 403), ("stranger", 403), ("operator", 200),
])
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_console_decision_permissions(client, shop, role, status, action):
    payout = _requested(shop)
    users = {"staff": shop.staff, "other_staff": MembershipFactory().user, "promoter": shop.user,
             "stranger": UserFactory(), "operator": UserFactory(is_staff=True)}
    before = snapshot()
    response = api(client, users[role]).post(f"/console/brands/{shop.brand.slug}/payouts/{payout.pk}/{action}")
    assert response.status_code == status
    if status == 200:
        assert response.json()["state"] == ("paid" if action == "approve" else "rejected")
        assert LedgerEntry.objects.count() == before[0] + 1
    else:
        assert snapshot() == before and Payout.objects.get().state == "requested"


def test_deciding_twice_is_409(client, shop):
    payout = _requested(shop)
    staff = api(client, shop.staff)
    url = f"/console/brands/{shop.brand.slug}/payouts/{payout.pk}"
    assert staff.post(url + "/approve").status_code == 200
    before = snapshot()
    for action in ("approve", "reject"):
        response = staff.post(f"{url}/{action}")
        assert response.status_code == 409 and error_of(response)["code"] == "already_decided"
    assert snapshot() == before
    assert balance(shop.promoter)["withdrawn"] == D("30.00")


def test_someone_elses_payout_through_my_brand_is_404(client, shop):
    payout = _requested(shop)
    mine = make_shop()
    response = api(client, mine.staff).post(f"/console/brands/{mine.brand.slug}/payouts/{payout.pk}/approve")
    assert response.status_code == 404
    assert Payout.objects.get().state == "requested"


def test_console_list_filters_and_counts_queries(client, shop):
    fund(shop, "5000.00")
    for _ in range(3):
        services.request_payout(shop.user, shop.brand.pk, "10.00")
    staff = api(client, shop.staff)
    with CaptureQueriesContext(connection) as small:
        assert staff.get(f"/console/brands/{shop.brand.slug}/payouts").json()["count"] == 3
    for _ in range(5):
        services.request_payout(shop.user, shop.brand.pk, "10.00")
    with CaptureQueriesContext(connection) as big:
        body = staff.get(f"/console/brands/{shop.brand.slug}/payouts", {"state": "requested"}).json()
    assert body["count"] == 8
    assert len(big) == len(small) <= 7
    assert staff.get(f"/console/brands/{shop.brand.slug}/payouts", {"state": "paid"}).json()["count"] == 0
    assert staff.get(f"/console/brands/{shop.brand.slug}/payouts", {"state": "bogus"}).status_code == 422


def test_me_commissions_query_count_does_not_grow(client, shop, django_assert_max_num_queries):
    fund(shop)
    other = Promoter.objects.create(brand=make_shop().brand, user=shop.user)
    assert other.pk
    with CaptureQueriesContext(connection) as small:
        api(client, shop.user).get("/me/commissions")
    for _ in range(5):
        fund(shop, "20.00")
    with django_assert_max_num_queries(len(small)):
        body = api(client, shop.user).get("/me/commissions").json()
    assert len(body["balances"]) == 2 and body["entries"]["count"] == 18


def test_csv_export(client, shop):
    fund(shop)
    payout = services.request_payout(shop.user, shop.brand.pk, "12.50")
    services.approve_payout(shop.staff, payout.pk)
    response = api(client, shop.staff).get(f"/console/brands/{shop.brand.slug}/payouts.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["id", "promoter_user_id", "promoter_name", "amount", "state"]
    assert rows[1][0] == str(payout.pk) and rows[1][3] == "12.50" and rows[1][4] == "paid"
    assert api(client, MembershipFactory().user).get(f"/console/brands/{shop.brand.slug}/payouts.csv"
                                                     ).status_code == 403


# ---- pages ----------------------------------------------------------------------------------------------------


def test_my_commissions_page_shows_balances_and_debt(client, shop):
    line = fund(shop)
    services.approve_payout(shop.staff, services.request_payout(shop.user, shop.brand.pk, "50.00").pk)
    services.reverse_for_line(line, D("200.00"))  # 20.00 of withdrawn commission refunded → debt
    client.force_login(shop.user)
    response = client.get("/me/commissions/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-bucket="available">¥-20.00' in html and 'data-testid="commission-debt">¥20.00' in html


def test_withdraw_form_success_and_refusal(client, shop):
    fund(shop)
    client.force_login(shop.user)
    response = client.post("/me/commissions/", {"brand": shop.brand.slug, "amount": "60.00"})
    assert response.status_code == 422 and "超过可提现余额" in response.content.decode()
    assert Payout.objects.count() == 0
    response = client.post("/me/commissions/", {"brand": shop.brand.slug, "amount": "5"})
    assert response.status_code == 422 and "最低提现" in response.content.decode()
    response = client.post("/me/commissions/", {"brand": "nope", "amount": "10"})
    assert response.status_code == 422
    response = client.post("/me/commissions/", {"brand": shop.brand.slug, "amount": "<b>x</b>"})
    assert response.status_code == 422 and "<b>x</b>" not in response.content.decode()
    response = client.post("/me/commissions/", {"brand": shop.brand.slug, "amount": "25.00"})
    assert response.status_code == 302 and Payout.objects.get().amount == D("25.00")


def test_my_commissions_page_requires_login(client):
    response = client.get("/me/commissions/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_console_payout_pages(client, shop):
    payout = _requested(shop)
    client.force_login(shop.staff)
    page = client.get(f"/console/{shop.brand.slug}/payouts/")
    assert page.status_code == 200 and 'data-testid="payout-row"' in page.content.decode()
    response = client.post(f"/console/{shop.brand.slug}/payouts/{payout.pk}/approve/")
    assert response.status_code == 302 and Payout.objects.get().state == "paid"
    response = client.post(f"/console/{shop.brand.slug}/payouts/{payout.pk}/reject/")
    assert response.status_code == 409 and "已处理过" in response.content.decode()
    csv_response = client.get(f"/console/{shop.brand.slug}/payouts.csv")
    assert csv_response.status_code == 200 and b"paid" in csv_response.content


def test_console_payout_pages_forbid_other_brand_staff(client, shop):
    payout = _requested(shop)
    client.force_login(MembershipFactory().user)
    assert client.get(f"/console/{shop.brand.slug}/payouts/").status_code == 403
    assert client.post(f"/console/{shop.brand.slug}/payouts/{payout.pk}/approve/").status_code == 403
    assert Payout.objects.get().state == "requested"
