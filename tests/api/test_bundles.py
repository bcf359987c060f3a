"""Scenario bundles (情景组合) through the API."""

from decimal import Decimal

import pytest

from tests.factories import ProductFactory
from tribe.catalog.models import Bundle, BundleItem
from tribe.core.models import Event

from .conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(world):
    return [
        ProductFactory(
            store=world.store_a, name="新生儿包被", skus=[{"price": Decimal("89.90"), "stock": 3}]
        ),
        ProductFactory(store=world.store_b, name="婴儿湿巾", skus=[{"price": Decimal("12.50"), "stock": 30}]),
    ]


def bundle_body(products, **changes):
    body = {
        "name": "新生儿出院套装",
        "slug": "going-home",
        "scenario": "出院回家",
        "items": [
            {"product_id": products[0].id, "quantity": 1, "note": "包裹宝宝"},
            {"product_id": products[1].id, "quantity": 3},
        ],
    }
    body.update(changes)
    return body


def test_platform_operator_creates_a_bundle_across_brands(api_as, world, products):
    # when
    response = api_as(world.operator).post("/bundles", bundle_body(products))
    # then
    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["item_count"], body["total_price"]) == ("going-home", 2, "127.40")
    assert [
        (i["product"]["name"], i["quantity"], i["unit_price"], i["line_total"]) for i in body["items"]
    ] == [("新生儿包被", 1, "89.90", "89.90"), ("婴儿湿巾", 3, "12.50", "37.50")]
    assert body["items"][0]["note"] == "包裹宝宝"
    assert BundleItem.objects.filter(bundle__slug="going-home").count() == 2


def test_bundle_list_and_detail_with_sum_of_prices(api_as, anon, world, products):
    # given
    api_as(world.operator).post("/bundles", bundle_body(products))
    # when
    listing = anon.get("/bundles")
    detail = anon.get("/bundles/going-home")
    # then
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    assert listing.json()["items"][0] == {
        "id": Bundle.objects.get().id,
        "slug": "going-home",
        "name": "新生儿出院套装",
        "scenario": "出院回家",
        "cover_url": None,
        "item_count": 2,
    }
    assert detail.status_code == 200
    assert detail.json()["total_price"] == "127.40"
    assert detail.json()["items"][1]["product"]["brand"]["slug"] == "xinghe"
    assert Event.objects.get(name="bundle_view").object_id == Bundle.objects.get().id


def test_bundle_leaves_out_products_taken_off_sale(api_as, anon, world, products):
    # given
    api_as(world.operator).post("/bundles", bundle_body(products))
    products[1].published = False
    products[1].save()
    # when
    body = anon.get("/bundles/going-home").json()
    # then
    assert [i["product"]["name"] for i in body["items"]] == ["新生儿包被"]
    assert body["total_price"] == "89.90"


def test_bundle_input_errors_are_422_and_store_nothing(api_as, world, products):
    # given
    api = api_as(world.operator)
    # when
    empty = api.post("/bundles", bundle_body(products, items=[]))
    unknown = api.post("/bundles", bundle_body(products, items=[{"product_id": 999999}]))
    quantity = api.post(
        "/bundles", bundle_body(products, items=[{"product_id": products[0].id, "quantity": 100}])
    )
    slug = api.post("/bundles", bundle_body(products, slug="新生儿"))
    # then
    assert [r.status_code for r in (empty, unknown, quantity, slug)] == [422, 422, 422, 422]
    assert error_of(empty)["fields"] == {"items": "empty"}
    assert error_of(unknown)["fields"] == {"items": "unknown product"}
    assert error_of(slug)["fields"] == {"slug": "invalid slug"}
    assert not Bundle.objects.exists()


def test_a_taken_bundle_slug_is_409(api_as, world, products):
    api = api_as(world.operator)
    api.post("/bundles", bundle_body(products))
    response = api.post("/bundles", bundle_body(products, name="另一个"))
    assert (response.status_code, error_of(response)["code"]) == (409, "slug_taken")
    assert Bundle.objects.count() == 1


def test_unknown_bundle_is_404(anon, db):
    assert anon.get("/bundles/nope").status_code == 404
