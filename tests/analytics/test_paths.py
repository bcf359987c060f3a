"""Purchase paths on hand-built logs with known answers: collapsing repeats, product views grouped by category,
paths ending in a purchase, after an event and between two steps; bad input; page, API and CLI agree."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.utils import timezone

from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.orders.conftest import checkout, sku_of
from tests.orders.conftest import shop as shop  # noqa: F401 - fixture
from tribe.analytics.paths import paths
from tribe.core.errors import ValidationFailed
from tribe.core.models import Event

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(2026, 11, 10, hour, minute), TZ)


@pytest.fixture
def log(shop):
    brand = shop["a"].brand
    shoes = CategoryFactory(name="鞋")
    boots, sneakers = ProductFactory(store=shop["store_a"], category=shoes), ProductFactory(store=shop["store_a"],
                                                                                             category=shoes)
    for i in range(3):  # three visitors: search → shoes (two products) → cart → paid
        user = UserFactory()
        order = checkout(user, [(sku_of(shop["a"]), 1)], key=f"paths-order-{i}")
        base = 10 + i
        Event.objects.create(name="search", created_at=at(base), actor=user, brand_id=brand.pk)
        Event.objects.create(name="product_view", created_at=at(base, 1), actor=user, brand_id=brand.pk,
                             object_type="product", object_id=boots.pk)
        Event.objects.create(name="product_view", created_at=at(base, 2), actor=user, brand_id=brand.pk,
                             object_type="product", object_id=sneakers.pk)
        Event.objects.create(name="add_to_cart", created_at=at(base, 3), actor=user, brand_id=brand.pk)
        Event.objects.create(name="order_paid", created_at=at(base, 4), actor=user, object_type="order",
                             object_id=order.pk)
    browser = UserFactory()  # a visit that never buys
    Event.objects.create(name="product_view", created_at=at(15), actor=browser, brand_id=brand.pk,
                         object_type="product", object_id=boots.pk)
    Event.objects.create(name="add_to_cart", created_at=at(15, 5), actor=browser, brand_id=brand.pk)
    return {"brand": brand, "boots": boots}


def test_paths_ending_in_a_purchase_group_views_by_category(log):
    data = paths(log["brand"].pk, at(0).date(), at(0).date())
    assert data["visits"] == 3
    assert data["paths"] == [{"path": ["search", "product_view:鞋", "add_to_cart", "order_paid"], "count": 3,
                              "share": 1.0}]
    by_product = paths(log["brand"].pk, at(0).date(), at(0).date(), grouping="product", length=3)
    assert by_product["paths"][0]["path"][0].startswith("product_view:")
    assert len(by_product["paths"][0]["path"]) == 3


def test_after_an_event_and_between_two_steps(log):
    after = paths(log["brand"].pk, at(0).date(), at(0).date(), mode="after", event="cart", length=2)
    assert {tuple(p["path"]): p["count"] for p in after["paths"]} == {("add_to_cart", "order_paid"): 3,
                                                                       ("add_to_cart",): 1}
    between = paths(log["brand"].pk, at(0).date(), at(0).date(), mode="between", event="search", end_event="buy",
                    grouping="event")
    assert between["paths"] == [{"path": ["search", "product_view", "add_to_cart", "order_paid"], "count": 3,
                                 "share": 1.0}]


def test_bad_input():
    day = at(0).date()
    with pytest.raises(ValidationFailed):
        paths(None, day, day, mode="sideways")
    with pytest.raises(ValidationFailed):
        paths(None, day, day, mode="after")
    with pytest.raises(ValidationFailed):
        paths(None, day, day, length=1)
    with pytest.raises(ValidationFailed):
        paths(None, day, day, grouping="colour")


def test_page_api_and_cli_agree(client, log, shop, capsys):
    from tribe.cli import main

    slug = log["brand"].slug
    client.force_login(shop["staff_a"])
    page = client.get(f"/console/{slug}/analytics/paths/?start=2026-11-10&end=2026-11-10")
    assert page.status_code == 200 and "search → product_view:鞋 → add_to_cart → order_paid" in page.content.decode()
    api = client.get(f"/api/v1/console/brands/{slug}/reports/paths?start=2026-11-10&end=2026-11-10").json()
    assert api["paths"][0]["count"] == 3
    assert client.get(f"/console/{slug}/analytics/paths/?mode=nope").status_code == 422
    assert main(["report", "paths", "--brand", slug, "--start", "2026-11-10", "--end", "2026-11-10"]) == 0
    assert json.loads(capsys.readouterr().out)["paths"] == api["paths"]
    client.force_login(shop["staff_b"])
    assert client.get(f"/console/{slug}/analytics/paths/").status_code == 403
    assert client.get(f"/api/v1/console/brands/{slug}/reports/paths").status_code == 403
