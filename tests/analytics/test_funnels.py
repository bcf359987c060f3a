"""Funnels on hand-built event logs with known answers: step order, the conversion window, breakdown by first or
last touch, order events credited to the brand through its store orders, medians, bad input, and the same
numbers on the page, the CSV, the API and `tribe report funnel`."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.orders.conftest import checkout, sku_of
from tests.orders.conftest import shop as shop  # noqa: F401 - fixture
from tribe.analytics.funnels import funnel, parse_steps
from tribe.core.errors import ValidationFailed
from tribe.core.models import Event

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, hour, minute), TZ)


def ev(name, when, *, brand_id=None, actor=None, session="", channel="", obj=None):
    return Event.objects.create(name=name, created_at=when, actor=actor, session_key=session, brand_id=brand_id,
                                channel=channel, object_type=obj[0] if obj else "", object_id=obj[1] if obj else None)


@pytest.fixture
def log(shop):
    brand = shop["a"].brand_id
    u1, u2, u3, u4 = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    order = checkout(u1, [(sku_of(shop["a"]), 1)], key="funnel-order-1")
    other = checkout(u2, [(sku_of(shop["b"]), 1)], key="funnel-order-2")
    # u1: pv → cart (10 min) → paid (1 h), from WeChat; paid order belongs to brand A through its store order
    ev("product_view", at(10, 10), brand_id=brand, actor=u1, channel="wechat")
    ev("add_to_cart", at(10, 10, 10), brand_id=brand, actor=u1, channel="wechat")
    ev("order_paid", at(10, 11), actor=u1, channel="moments", obj=("order", order.pk))
    # u2: pv → cart (30 min) → a paid order of ANOTHER brand: stops at cart
    ev("product_view", at(10, 12), brand_id=brand, actor=u2)
    ev("add_to_cart", at(10, 12, 30), brand_id=brand, actor=u2)
    ev("order_paid", at(10, 13), actor=u2, obj=("order", other.pk))
    # u3: cart BEFORE pv only: the cart does not count (order matters)
    ev("add_to_cart", at(10, 9), brand_id=brand, actor=u3)
    ev("product_view", at(10, 9, 5), brand_id=brand, actor=u3)
    # u4: pv then cart 8 days later: outside a 7-day window, inside a 9-day one
    ev("product_view", at(1, 10), brand_id=brand, actor=u4, channel="qr")
    ev("add_to_cart", at(9, 10, 1), brand_id=brand, actor=u4, channel="qr")
    return {"brand": brand}


def test_steps_window_and_medians(log):
    data = funnel(log["brand"], "pv,cart,buy", at(1, 0).date(), at(10, 0).date())
    steps = data["groups"]["all"]
    assert [s["visitors"] for s in steps] == [4, 2, 1]
    assert [s["conversion_from_previous"] for s in steps] == [1.0, 0.5, 0.5]
    assert steps[2]["conversion_from_start"] == 0.25
    assert steps[1]["median_seconds_from_start"] == (600 + 1800) / 2
    assert steps[2]["median_seconds_from_start"] == 3600
    wider = funnel(log["brand"], "pv,cart", at(1, 0).date(), at(10, 0).date(), window_days=9)
    assert [s["visitors"] for s in wider["groups"]["all"]] == [4, 3]


def test_breakdown_by_first_or_last_touch(log):
    first = funnel(log["brand"], "pv,cart,buy", at(1, 0).date(), at(10, 0).date(), breakdown="channel")
    assert {k: v[0]["visitors"] for k, v in first["groups"].items()} == {"(none)": 2, "wechat": 1, "qr": 1}
    assert first["groups"]["wechat"][2]["visitors"] == 1
    last = funnel(log["brand"], "pv,cart,buy", at(1, 0).date(), at(10, 0).date(), breakdown="channel",
                  attribution="last")
    assert "moments" in last["groups"] and last["groups"]["moments"][2]["visitors"] == 1


def test_bad_input():
    with pytest.raises(ValidationFailed) as exc:
        parse_steps("pv,teleport")
    assert exc.value.code == "unknown_step"
    with pytest.raises(ValidationFailed):
        parse_steps("pv")
    with pytest.raises(ValidationFailed):
        funnel(None, "pv,cart", at(1, 0).date(), at(2, 0).date(), window_days=0)
    with pytest.raises(ValidationFailed):
        funnel(None, "pv,cart", at(1, 0).date(), at(2, 0).date(), breakdown="city")


def test_page_csv_api_and_cli_agree(client, log, shop, capsys):
    from tribe.cli import main

    slug = shop["a"].brand.slug
    query = "steps=pv,cart,buy&start=2026-11-01&end=2026-11-10"
    client.force_login(shop["staff_a"])
    page = client.get(f"/console/{slug}/analytics/funnel/?{query}")
    assert page.status_code == 200 and 'id="funnel-data"' in page.content.decode()
    export = client.get(f"/console/{slug}/analytics/funnel.csv?{query}")
    assert export.status_code == 200 and "all,order_paid,1,0.5,0.25,3600" in export.content.decode("utf-8-sig")
    api = client.get(f"/api/v1/console/brands/{slug}/reports/funnel?{query}").json()
    assert [s["visitors"] for s in api["groups"]["all"]] == [4, 2, 1]
    assert client.get(f"/api/v1/console/brands/{slug}/reports/funnel?steps=pv,nope").status_code == 422
    assert client.get(f"/console/{slug}/analytics/funnel/?steps=pv,nope").status_code == 422
    assert main(["report", "funnel", "--brand", slug, "--steps", "pv,cart,buy", "--start", "2026-11-01",
                 "--end", "2026-11-10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["groups"] == api["groups"]
    client.force_login(shop["staff_b"])
    assert client.get(f"/console/{slug}/analytics/funnel/").status_code == 403
    assert client.get(f"/api/v1/console/brands/{slug}/reports/funnel").status_code == 403
