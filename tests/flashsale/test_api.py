"""API: today's slots, a sale, and the buy endpoint's answers (201/200, 409 sold_out/limit_reached, 429, 4xx)."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.factories import UserFactory
from tribe.accounts.services import issue_token
from tribe.core.models import Event
from tribe.flashsale import rush
from tribe.orders.models import Order

from .conftest import ADDRESS, make_sale

pytestmark = pytest.mark.django_db


def api(client, user=None):
    return Api(client, issue_token(user) if user else None)


def _buy_path(live):
    return f"/flash-sales/{live['sale'].pk}/items/{live['item'].pk}/buy"


def test_today_lists_published_slots_with_progress(client, live, shop):
    make_sale(shop, start=False)  # a draft is not shown

    body = api(client).get("/flash-sales").json()

    assert [s["id"] for s in body] == [live["sale"].pk]
    item = body[0]["items"][0]
    assert body[0]["phase"] == "live" and body[0]["code"] == f"flashsale:{live['sale'].pk}"
    assert (item["flash_price"], item["list_price"], item["quantity"], item["sold"], item["left"]) == (
        "19.90", "99.00", 10, 0, 10)


def test_detail_records_a_view_and_unknown_is_404(client, live):
    r = api(client).get(f"/flash-sales/{live['sale'].pk}")
    assert r.status_code == 200 and r.json()["title"] == "十点秒杀"
    assert Event.objects.filter(name="flash_view").count() == 1
    assert api(client).get("/flash-sales/999999").status_code == 404
    assert api(client).get("/flash-sales/99999999999999999999").status_code in (404, 422)


def test_buy_creates_an_order_and_a_repeat_answers_200(client, live, buyer):
    body = {"quantity": 1, "address": ADDRESS, "idempotency_key": "flash-api-0001"}
    r = api(client, buyer).post(_buy_path(live), body)
    assert r.status_code == 201, r.content
    order = r.json()
    assert order["total"] == "27.90"  # 19.90 + 8.00 standard shipping
    again = api(client, buyer).post(_buy_path(live), body)
    assert again.status_code == 200 and again.json()["number"] == order["number"]
    assert Event.objects.filter(name="flash_order").count() == 1


def test_buy_answers_limit_reached_and_sold_out(client, shop):
    sale, item = make_sale(shop, quantity=1)
    live = {"sale": sale, "item": item}
    first = UserFactory()
    assert api(client, first).post(_buy_path(live), {"address": ADDRESS, "idempotency_key": "flash-api-0002"}
                                   ).status_code == 201

    r = api(client, first).post(_buy_path(live), {"address": ADDRESS, "idempotency_key": "flash-api-0003"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "limit_reached"
    r = api(client, UserFactory()).post(_buy_path(live), {"address": ADDRESS, "idempotency_key": "flash-api-0004"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "sold_out"
    assert Order.objects.count() == 1


def test_buy_answers_429_try_again_with_retry_after(client, live, buyer, settings):
    settings.TRIBE_FLASH_CONCURRENCY = 1
    rush._SEMAPHORES.clear()
    sem = rush.slot(live["item"].pk)
    assert sem.acquire(blocking=False)
    try:
        r = api(client, buyer).post(_buy_path(live), {"address": ADDRESS, "idempotency_key": "flash-api-0005"})
    finally:
        sem.release()
    assert r.status_code == 429 and r["Retry-After"] == "1"
    assert r.json()["error"]["code"] == "try_again"
    assert Order.objects.count() == 0


@pytest.mark.parametrize("body, status, code", [
    ({"idempotency_key": "flash-api-0006"}, 422, "invalid"),  # no address
    ({"address": ADDRESS, "idempotency_key": "flash-api-0007", "quantity": "1"}, 422, "invalid"),
    ({"address": ADDRESS, "idempotency_key": "flash-api-0008", "quantity": 0}, 422, "invalid"),
    ({"address": ADDRESS, "idempotency_key": "short"}, 422, "invalid"),
    ({"address": {**ADDRESS, "phone": "123"}, "idempotency_key": "flash-api-0009"}, 422, "invalid"),
    ({"address": ADDRESS, "idempotency_key": "flash-api-0010", "price": "0.01"}, 422, "invalid"),
    ({"address_id": 424242, "idempotency_key": "flash-api-0011"}, 404, "not_found"),
])
def test_bad_buy_input_is_4xx_and_writes_nothing(client, live, buyer, body, status, code):
    r = api(client, buyer).post(_buy_path(live), body)
    assert r.status_code == status, r.content
    assert r.json()["error"]["code"] == code
    assert Order.objects.count() == 0


def test_buy_needs_a_signed_in_user_and_a_known_item(client, live, buyer):
    body = {"address": ADDRESS, "idempotency_key": "flash-api-0012"}
    assert api(client).post(_buy_path(live), body).status_code == 401
    r = api(client, buyer).post(f"/flash-sales/{live['sale'].pk}/items/999999/buy", body)
    assert r.status_code == 404


def test_buy_before_the_slot_opens_is_409(client, shop, buyer):
    sale, item = make_sale(shop, minutes_from_now=60)
    r = api(client, buyer).post(f"/flash-sales/{sale.pk}/items/{item.pk}/buy",
                                {"address": ADDRESS, "idempotency_key": "flash-api-0013"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "campaign_upcoming"
