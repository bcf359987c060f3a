"""The lottery API: public lottery with odds, draw, share, my draws, claim; console CRUD, lifecycle, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import Api
from tests.factories import MembershipFactory, UserFactory
from tests.lottery.conftest import make_lottery
from tests.orders.conftest import ADDRESS
from tribe.lottery import odds
from tribe.lottery.models import Draw, Lottery, Prize

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as(client):
    from tribe.accounts.services import issue_token

    return lambda user: Api(client, issue_token(user) if user is not None else None)


def _goods(shop, stock=1, weight=1000):
    return {"kind": "goods", "name": "保温杯", "weight": weight, "stock": stock,
            "sku_id": shop["product"].skus.first().pk}


def test_a_lottery_shows_its_published_odds_to_anyone(shop, client):
    lottery = make_lottery(shop, [_goods(shop, stock=3, weight=250)])
    r = Api(client).get(f"/lotteries/{lottery.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["entries"] == ["share"] and body["chances"] is None
    assert [(o["name"], o["percent"], o["stock_left"]) for o in body["odds"]] == [
        ("保温杯", "25.000", 3), ("谢谢参与", "75.000", None)]


def test_a_draft_lottery_is_404(shop, client):
    lottery = make_lottery(shop, [_goods(shop)], start=False)
    r = Api(client).get(f"/lotteries/{lottery.pk}")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert Api(client).get("/lotteries/99999999999999999999").status_code in (404, 422)


def test_share_then_draw_then_claim(shop, player, api_as, monkeypatch):
    lottery = make_lottery(shop, [_goods(shop)])
    api = api_as(player)
    r = api.post(f"/lotteries/{lottery.pk}/share")
    assert r.status_code == 200 and r.json()["granted"] is True and "?share=" in r.json()["link"]
    assert api.post(f"/lotteries/{lottery.pk}/share").json()["granted"] is False
    monkeypatch.setattr(odds, "random_value", lambda total: 7)
    r = api.post(f"/lotteries/{lottery.pk}/draw", {"entry": "share"})
    assert r.status_code == 201
    won = r.json()
    assert (won["won"], won["prize"], won["random_value"], won["random_range"], won["award"]) == (
        True, "保温杯", 7, 1000, "to_claim")
    r = api.post(f"/lotteries/{lottery.pk}/draw", {"entry": "share"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_chances"
    mine = api.get("/me/draws").json()
    assert mine["count"] == 1 and mine["items"][0]["id"] == won["id"]

    assert api.post(f"/draws/{won['id']}/claim", {}).status_code == 422
    assert api_as(UserFactory()).post(f"/draws/{won['id']}/claim", {"address": ADDRESS}).status_code == 404
    r = api.post(f"/draws/{won['id']}/claim", {"address": ADDRESS})
    assert r.status_code == 200 and r.json()["award"] == "claimed" and r.json()["order"]


def test_bad_draw_input_is_422_and_writes_nothing(shop, player, api_as):
    lottery = make_lottery(shop, [_goods(shop)])
    api = api_as(player)
    assert api.post(f"/lotteries/{lottery.pk}/draw", {"entry": "free"}).status_code == 422
    assert api.post(f"/lotteries/{lottery.pk}/draw", {"entry": "share", "x": 1}).status_code == 422
    r = api.post(f"/lotteries/{lottery.pk}/draw", {"entry": "points"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "entry_not_offered"
    assert Api(api.client).post(f"/lotteries/{lottery.pk}/draw", {"entry": "share"}).status_code == 401
    assert Draw.objects.count() == 0


def test_console_crud_lifecycle_and_audit(shop, api_as):
    staff = api_as(shop["staff"])
    now = timezone.now()
    r = staff.post(f"/console/brands/{shop['brand'].slug}/lotteries", {
        "title": "周年庆抽奖", "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat(), "odds_mode": "weight", "share_enabled": True,
        "order_min_amount": "99.00", "daily_limit": 3})
    assert r.status_code == 201, r.content
    lid = r.json()["id"]
    assert r.json()["entries"] == ["order", "share"]
    r = staff.post(f"/console/lotteries/{lid}/prizes", _goods(shop, stock=2, weight=1))
    assert r.status_code == 201
    prize_id = r.json()["id"]
    assert staff.post(f"/console/lotteries/{lid}/prizes", {"kind": "none", "name": "谢谢参与", "weight": 3}
                      ).status_code == 201
    assert staff.patch(f"/console/prizes/{prize_id}", {"weight": 2}).json()["weight"] == 2
    bad = staff.post(f"/console/lotteries/{lid}/prizes", {"kind": "goods", "name": "x", "weight": 1, "stock": 1,
                                                          "sku_id": 999999})
    assert bad.status_code == 422 and bad.json()["error"]["fields"] == {"sku_id": "unknown"}
    r = staff.post(f"/console/lotteries/{lid}/start")
    assert r.status_code == 200 and r.json()["status"] == "running"
    assert [o["percent"] for o in r.json()["odds"]] == ["40.000", "60.000"]
    assert staff.patch(f"/console/prizes/{prize_id}", {"weight": 1}).status_code == 409
    assert staff.patch(f"/console/lotteries/{lid}", {"odds_mode": "permille"}).status_code == 409
    assert staff.patch(f"/console/lotteries/{lid}", {"title": "周年庆大抽奖"}).json()["title"] == "周年庆大抽奖"
    assert staff.post(f"/console/prizes/{prize_id}/restock", {"quantity": 3}).json()["initial_stock"] == 5
    audit = staff.get(f"/console/lotteries/{lid}/audit").json()
    assert (audit["draws"], audit["winners"], audit["reconciles"]) == (0, 0, True)
    assert staff.get(f"/console/lotteries/{lid}/draws").json()["count"] == 0
    assert staff.post(f"/console/lotteries/{lid}/end").json()["status"] == "ended"
    assert staff.post(f"/console/lotteries/{lid}/end").status_code == 409


@pytest.mark.parametrize("who, status", [("staff", 200), ("other_staff", 403), ("player", 403), ("anon", 401)])
def test_console_permissions(shop, api_as, client, who, status):
    lottery = make_lottery(shop, [_goods(shop)])
    users = {"staff": shop["staff"], "other_staff": MembershipFactory().user, "player": UserFactory(), "anon": None}
    api = api_as(users[who])
    assert api.get(f"/console/lotteries/{lottery.pk}/audit").status_code == status
    assert api.post(f"/console/lotteries/{lottery.pk}/pause").status_code == status
    assert Lottery.objects.get().status == ("paused" if status == 200 else "running")
    assert Prize.objects.count() == 1
