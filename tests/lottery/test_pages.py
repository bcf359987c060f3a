"""Pages: the lottery page (odds, HTMX draw, chances, share), claim, my prizes; console list/create/edit/prizes/
lifecycle/audit/CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import MembershipFactory, UserFactory
from tests.lottery.conftest import make_lottery
from tests.orders.conftest import ADDRESS
from tribe.lottery import draws, odds
from tribe.lottery.models import Chance, Draw, Lottery, Prize
from tribe.orders.models import Order

pytestmark = pytest.mark.django_db


def _goods(shop, stock=1, weight=1000):
    return {"kind": "goods", "name": "保温杯", "weight": weight, "stock": stock,
            "sku_id": shop["product"].skus.first().pk}


def test_the_page_publishes_odds_and_stock(shop, client):
    lottery = make_lottery(shop, [_goods(shop, stock=4, weight=125)])
    r = client.get(reverse("web:lottery", args=[lottery.pk]))
    text = r.content.decode()
    assert r.status_code == 200
    assert "12.500%" in text and "87.500%" in text and ">4<" in text
    assert reverse("web:share_qr", args=["lottery", lottery.pk]) in text


def test_the_page_query_count_does_not_grow_with_prizes_or_draws(shop, client, django_assert_num_queries):
    player = UserFactory()
    small = make_lottery(shop, [_goods(shop, stock=5, weight=10)])
    big = make_lottery(shop, [_goods(shop, stock=5, weight=10) for _ in range(6)])
    for lottery in (small, big):
        for i in range(3):
            Chance.objects.create(lottery=lottery, user=player, source="share", ref=f"share:q{i}", granted=1)
            draws.draw(player, lottery.pk, "share")
    client.force_login(player)
    client.get(reverse("web:lottery", args=[small.pk]))  # warm the session/caches
    # session+user, lottery, prizes, my prizes, chances (sum, entrant, shared today)… — 9 whatever is shown
    for lottery in (small, big):
        with django_assert_num_queries(9):
            assert client.get(reverse("web:lottery", args=[lottery.pk])).status_code == 200


def test_an_htmx_draw_renders_the_result_fragment(shop, client, player, monkeypatch):
    lottery = make_lottery(shop, [_goods(shop)])
    client.force_login(player)
    client.post(reverse("web:lottery_share", args=[lottery.pk]))
    assert Chance.objects.filter(user=player).count() == 1
    monkeypatch.setattr(odds, "random_value", lambda total: 3)
    r = client.post(reverse("web:lottery_draw", args=[lottery.pk]), {"entry": "share"}, headers={"HX-Request": "true"})
    text = r.content.decode()
    assert r.status_code == 200 and "保温杯" in text and "3 / 1000" in text
    assert reverse("web:lottery_claim", args=[Draw.objects.get().pk]) in text
    again = client.post(reverse("web:lottery_draw", args=[lottery.pk]), {"entry": "share"},
                        headers={"HX-Request": "true"})
    assert again.status_code == 409 and "没有可用的抽奖机会了" in again.content.decode()
    assert Draw.objects.count() == 1


def test_anonymous_draw_goes_to_login(shop, client):
    lottery = make_lottery(shop, [_goods(shop)])
    r = client.post(reverse("web:lottery_draw", args=[lottery.pk]), {"entry": "share"})
    assert r.status_code == 302 and "login" in r["Location"]
    assert Draw.objects.count() == 0


def test_claim_page_places_the_prize_order(shop, client, player, monkeypatch):
    lottery = make_lottery(shop, [_goods(shop)])
    draws.share(player, lottery.pk)
    record = draws.draw(player, lottery.pk, "share")
    client.force_login(player)
    url = reverse("web:lottery_claim", args=[record.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {**ADDRESS, "phone": "1"})
    assert bad.status_code == 422 and Order.objects.count() == 0
    r = client.post(url, ADDRESS)
    record.refresh_from_db()
    assert r.status_code == 302 and record.order is not None and r["Location"].endswith(
        reverse("web:order", args=[record.order.number]))
    assert "保温杯" in client.get(reverse("web:lottery_prizes")).content.decode()
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


# ---- console ---------------------------------------------------------------------------------------------


def test_console_create_add_prizes_start_and_audit(shop, client):
    client.force_login(shop["staff"])
    slug = shop["brand"].slug
    assert client.get(reverse("console:lottery", args=[slug])).status_code == 200
    now = timezone.localtime()
    r = client.post(reverse("console:lottery_new", args=[slug]), {
        "title": "会员日抽奖", "starts_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"), "odds_mode": "permille",
        "points_cost": "0", "chances_per_order": "1", "share_enabled": "on", "daily_limit": "2",
        "total_limit": "0", "claim_days": "7"})
    lottery = Lottery.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("console:lottery_edit", args=[slug, lottery.pk])
    assert lottery.share_enabled and lottery.daily_limit == 2

    add = reverse("console:lottery_prize_add", args=[slug, lottery.pk])
    r = client.post(add, {"kind": "goods", "name": "保温杯", "weight": "100", "stock": "2",
                          "sku_id": str(shop["product"].skus.first().pk)})
    assert r.status_code == 302
    r = client.post(add, {"kind": "none", "name": "谢谢参与", "weight": "901"})
    assert r.status_code == 422 and Prize.objects.count() == 1  # 1001‰
    client.post(reverse("console:lottery_move", args=[slug, lottery.pk, "start"]))
    lottery.refresh_from_db()
    assert lottery.status == "running"
    page = client.get(reverse("console:lottery_edit", args=[slug, lottery.pk])).content.decode()
    assert "10.000%" in page and "90.000%" in page

    player = UserFactory()
    draws.share(player, lottery.pk)
    record = draws.draw(player, lottery.pk, "share")
    audit = client.get(reverse("console:lottery_audit", args=[slug, lottery.pk])).content.decode()
    assert f"{record.random_value} / 1000" in audit and "一致" in audit
    csv = b"".join(client.get(reverse("console:lottery_audit_csv", args=[slug, lottery.pk])).streaming_content)
    lines = csv.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("draw_id,created_at,user_id") and len(lines) == 2
    assert lines[1].split(",")[5] == str(record.random_value)


def test_console_restock_and_locked_prizes(shop, client):
    lottery = make_lottery(shop, [_goods(shop, stock=1, weight=10)])
    prize = Prize.objects.get()
    client.force_login(shop["staff"])
    slug = shop["brand"].slug
    client.post(reverse("console:lottery_prize_restock", args=[slug, lottery.pk, prize.pk]), {"quantity": "4"})
    client.post(reverse("console:lottery_prize_delete", args=[slug, lottery.pk, prize.pk]))
    prize.refresh_from_db()
    assert (prize.initial_stock, prize.stock) == (5, 5)  # restocked, and not deleted (published)


@pytest.mark.parametrize("who, status", [("staff", 200), ("other_staff", 403)])
def test_console_pages_are_for_the_brand_staff(shop, client, who, status):
    lottery = make_lottery(shop, [_goods(shop)])
    client.force_login(shop["staff"] if who == "staff" else MembershipFactory().user)
    slug = shop["brand"].slug
    for name in ("console:lottery_edit", "console:lottery_audit"):
        assert client.get(reverse(name, args=[slug, lottery.pk])).status_code == status
    assert client.get(reverse("console:lottery", args=[slug])).status_code == status


def test_the_share_card_and_the_campaigns_page_list_the_lottery(shop, client):
    lottery = make_lottery(shop, [_goods(shop)])
    card = client.get(reverse("web:share", args=["lottery", lottery.pk]))
    assert card.status_code == 200 and lottery.title in card.content.decode()
    assert client.get(reverse("web:share_qr", args=["lottery", lottery.pk]))["Content-Type"] == "image/png"
    draft = make_lottery(shop, [_goods(shop)], start=False, title="草稿抽奖")
    assert client.get(reverse("web:share", args=["lottery", draft.pk])).status_code == 404
    listed = client.get(reverse("web:campaigns")).content.decode()
    assert reverse("web:lottery", args=[lottery.pk]) in listed
