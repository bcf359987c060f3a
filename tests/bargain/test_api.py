from decimal import Decimal

import pytest

from tests.api.conftest import Api
from tests.factories import UserFactory
from tribe.accounts.services import issue_token
from tribe.bargain.models import Bargain, BargainCampaign, BargainHelp
from tribe.orders.models import Order

from .conftest import ADDRESS, helpers


@pytest.fixture
def api_as(client):
    def make(user):
        return Api(client, issue_token(user) if user is not None else None)

    return make


def _start(api_as, user, campaign):
    res = api_as(user).post(f"/bargain-campaigns/{campaign.pk}/bargains")
    assert res.status_code == 201, res.content
    return res.json()


def test_campaign_and_bargain_flow(api_as, campaign, initiator):
    res = api_as(None).get(f"/bargain-campaigns/{campaign.pk}")
    assert res.status_code == 200
    body = res.json()
    assert (body["code"], body["list_price"], body["floor_price"], body["helps_needed"], body["phase"]) == (
        campaign.code, "100.00", "10.00", 5, "live")

    started = _start(api_as, initiator, campaign)
    assert (started["state"], started["current_price"], started["helps_left"], started["mine"]) == (
        "open", "100.00", 5, True)
    bid = started["id"]

    cuts = []
    for friend in helpers(5):
        res = api_as(friend).post(f"/bargains/{bid}/help")
        assert res.status_code == 201, res.content
        cuts.append(Decimal(res.json()["amount"]))
    assert sum(cuts) == Decimal("90.00")

    view = api_as(None).get(f"/bargains/{bid}").json()
    assert (view["state"], view["current_price"], view["progress"], view["mine"], view["can_buy"]) == (
        "reached", "10.00", 100, False, False)
    assert [h["amount"] for h in view["helps"]] == [f"{c:.2f}" for c in cuts]
    assert view["order_number"] is None

    res = api_as(initiator).post(f"/bargains/{bid}/buy", {"address": ADDRESS, "idempotency_key": "bargain-api-1"})
    assert res.status_code == 201, res.content
    order = res.json()
    assert order["total"] == str(Decimal("10.00") + Decimal(order["shipping_total"]))
    again = api_as(initiator).post(f"/bargains/{bid}/buy", {"address": ADDRESS, "idempotency_key": "bargain-api-1"})
    assert again.status_code == 201 and again.json()["number"] == order["number"]
    assert Order.objects.count() == 1
    mine = api_as(initiator).get(f"/bargains/{bid}").json()
    assert (mine["state"], mine["order_number"]) == ("bought", order["number"])


@pytest.mark.parametrize("who", ["twice", "self", "reached"])
def test_refused_helps_are_409_and_write_nothing(api_as, shop, initiator, who):
    from .conftest import make_campaign

    campaign = make_campaign(shop, helps_needed=1)
    bid = _start(api_as, initiator, campaign)["id"]
    friend = UserFactory()
    if who != "self":
        assert api_as(friend).post(f"/bargains/{bid}/help").status_code == 201
    actor = {"twice": friend, "self": initiator, "reached": UserFactory()}[who]
    res = api_as(actor).post(f"/bargains/{bid}/help")
    assert res.status_code == 409
    expected = {"twice": "already_helped", "self": "own_bargain", "reached": "bargain_reached"}[who]
    assert res.json()["error"]["code"] == expected
    assert BargainHelp.objects.count() == (0 if who == "self" else 1)


def test_anonymous_cannot_start_or_help(api_as, campaign, initiator):
    assert api_as(None).post(f"/bargain-campaigns/{campaign.pk}/bargains").status_code == 401
    bid = _start(api_as, initiator, campaign)["id"]
    assert api_as(None).post(f"/bargains/{bid}/help").status_code == 401


def test_buy_before_the_floor_is_409(api_as, campaign, initiator):
    bid = _start(api_as, initiator, campaign)["id"]
    res = api_as(initiator).post(f"/bargains/{bid}/buy", {"address": ADDRESS, "idempotency_key": "bargain-api-2"})
    assert res.status_code == 409
    assert res.json()["error"]["code"] == "floor_not_reached"
    assert Order.objects.count() == 0


def test_buy_needs_exactly_one_address(api_as, campaign, initiator):
    bid = _start(api_as, initiator, campaign)["id"]
    res = api_as(initiator).post(f"/bargains/{bid}/buy", {"idempotency_key": "bargain-api-3"})
    assert res.status_code == 422


def test_unknown_and_draft_are_404(api_as, shop, initiator):
    from tribe.bargain import services

    from .conftest import campaign_data

    draft = services.save_campaign(shop["staff"], shop["brand"], campaign_data(shop))
    assert api_as(None).get(f"/bargain-campaigns/{draft.pk}").status_code == 404
    assert api_as(None).get("/bargain-campaigns/999999").status_code == 404
    assert api_as(None).get("/bargains/999999").status_code == 404
    assert api_as(initiator).post(f"/bargain-campaigns/{draft.pk}/bargains").status_code == 404


def test_console_crud(api_as, shop):
    staff = api_as(shop["staff"])
    slug = shop["brand"].slug
    body = {"title": "双十一砍价", "sku_id": shop["sku"].pk, "floor_price": "1.00", "helps_needed": 3, "hours": 12,
            "buy_rule": "any", "new_user_days": 7, "new_user_weight": "2.00", "per_user_limit": 2, "stock": 50,
            "starts_at": "2026-01-01T00:00:00+08:00", "ends_at": "2030-01-01T00:00:00+08:00"}
    res = staff.post(f"/console/brands/{slug}/bargain-campaigns", body)
    assert res.status_code == 201, res.content
    created = res.json()
    assert (created["status"], created["floor_price"], created["stock"], created["stats"]["started"]) == (
        "draft", "1.00", 50, 0)
    cid = created["id"]
    res = staff.post(f"/console/brands/{slug}/bargain-campaigns/{cid}/start")
    assert res.status_code == 200 and res.json()["status"] == "running"
    res = staff.client.put(f"/api/v1/console/brands/{slug}/bargain-campaigns/{cid}",
                           data={**body, "floor_price": "2.00"}, content_type="application/json",
                           headers=staff.headers)
    assert res.status_code == 200 and res.json()["floor_price"] == "2.00"
    listing = staff.get(f"/console/brands/{slug}/bargain-campaigns").json()
    assert [c["id"] for c in listing["items"]] == [cid]
    assert staff.get(f"/console/brands/{slug}/bargain-campaigns/{cid}/bargains").json()["count"] == 0
    bad = staff.post(f"/console/brands/{slug}/bargain-campaigns", {**body, "floor_price": "100.00"})
    assert bad.status_code == 422 and "floor_price" in bad.json()["error"]["fields"]
    outsider = api_as(UserFactory())
    assert outsider.get(f"/console/brands/{slug}/bargain-campaigns").status_code == 403
    assert BargainCampaign.objects.count() == 1


def test_bargain_state_shows_expired_before_the_sweep(api_as, campaign, initiator):
    import time_machine

    bid = _start(api_as, initiator, campaign)["id"]
    deadline = Bargain.objects.get(pk=bid).deadline
    with time_machine.travel(deadline):
        assert api_as(None).get(f"/bargains/{bid}").json()["state"] == "expired"
        res = api_as(UserFactory()).post(f"/bargains/{bid}/help")
    assert res.status_code == 409 and res.json()["error"]["code"] == "bargain_expired"
