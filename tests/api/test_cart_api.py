"""The cart through the API: current prices, flagged lines, bundles, and refusals that write nothing."""

from decimal import Decimal

import pytest

from tests.api.commerce import fill_cart, product, rows, sku_of
from tests.api.conftest import error_of
from tests.factories import ProductFactory, StoreFactory
from tests.images import png_upload
from tribe.catalog.models import Sku
from tribe.catalog.services import add_product_image, create_bundle
from tribe.core.models import Event
from tribe.orders.models import CartLine

# auth token 1, cart 1, lines with SKU/product/store/brand 1, images 1
CART_QUERIES = 4


def test_anonymous_has_no_api_cart(anon, world):
    # when
    response = anon.get("/cart")
    # then
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_an_empty_cart(api_as, world):
    # when
    response = api_as(world.consumer).get("/cart")
    # then
    assert response.status_code == 200
    assert response.json() == {"lines": [], "total": "0.00", "has_problems": False}


def test_add_a_line_answers_the_cart_and_records_add_to_cart(api_as, world):
    # given
    api = api_as(world.consumer)
    # when
    response = api.post("/cart/lines", {"sku_id": world.sku_a.id, "quantity": 2})
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    [line] = body["lines"]
    assert line["sku"]["id"] == world.sku_a.id
    assert line["product"]["name"] == "纯棉婴儿连体衣"
    assert line["product"]["store"]["slug"] == "nuanyang-store"
    assert (line["quantity"], line["unit_price"], line["subtotal"]) == (2, "89.00", "178.00")
    assert (line["problem"], line["problem_label"], line["bundle_id"]) == ("", "", None)
    assert (body["total"], body["has_problems"]) == ("178.00", False)
    event = Event.objects.get(name="add_to_cart")
    assert (event.actor_id, event.object_type, event.object_id) == (
        world.consumer.id,
        "product",
        world.product_a.id,
    )
    assert event.brand_id == world.brand_a.id
    assert event.props == {"sku_id": world.sku_a.id, "quantity": 2}


def test_adding_the_same_sku_again_adds_to_its_line(api_as, world):
    # given
    api = api_as(world.consumer)
    api.post("/cart/lines", {"sku_id": world.sku_a.id, "quantity": 2})
    # when
    response = api.post("/cart/lines", {"sku_id": world.sku_a.id})
    # then
    assert [(ln["quantity"], ln["subtotal"]) for ln in response.json()["lines"]] == [(3, "267.00")]
    assert CartLine.objects.count() == 1


def test_change_a_quantity(api_as, world):
    # given
    cart = fill_cart(world.consumer, [(world.sku_a, 1)])
    line = cart.lines.get()
    # when
    response = api_as(world.consumer).patch(f"/cart/lines/{line.id}", {"quantity": 3})
    # then
    assert response.status_code == 200
    assert response.json()["total"] == "267.00"
    assert CartLine.objects.get(pk=line.pk).quantity == 3


def test_remove_a_line(api_as, world):
    # given
    line = fill_cart(world.consumer, [(world.sku_a, 1)]).lines.get()
    api = api_as(world.consumer)
    # when
    response = api.delete(f"/cart/lines/{line.id}")
    # then
    assert response.status_code == 204
    assert api.get("/cart").json()["lines"] == []


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_someone_elses_cart_line_is_404_and_untouched(api_as, world, method):
    # given
    line = fill_cart(world.staff_b, [(world.sku_a, 1)]).lines.get()
    api = api_as(world.consumer)
    fill_cart(world.consumer, [])
    # when
    if method == "patch":
        response = api.patch(f"/cart/lines/{line.id}", {"quantity": 2})
    else:
        response = api.delete(f"/cart/lines/{line.id}")
    # then
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert CartLine.objects.get(pk=line.pk).quantity == 1


def test_the_cart_shows_todays_price_not_the_price_when_added(api_as, world):
    # given
    fill_cart(world.consumer, [(world.sku_a, 2)])
    Sku.objects.filter(pk=world.sku_a.pk).update(price=Decimal("79.50"))
    # when
    body = api_as(world.consumer).get("/cart").json()
    # then
    assert (body["lines"][0]["unit_price"], body["lines"][0]["subtotal"], body["total"]) == (
        "79.50",
        "159.00",
        "159.00",
    )


def test_lines_that_cannot_be_bought_stay_flagged_and_out_of_the_total(api_as, world):
    # given four lines: buyable, unpublished, sold out, short of stock
    buyable = sku_of(product(world.store_a, price="10.00", stock=5))
    hidden = product(world.store_a, price="20.00", stock=5)
    sold_out = sku_of(product(world.store_a, price="30.00", stock=5))
    short = sku_of(product(world.store_a, price="40.00", stock=5))
    fill_cart(world.consumer, [(buyable, 1), (sku_of(hidden), 1), (sold_out, 1), (short, 3)])
    hidden.published = False
    hidden.save()
    Sku.objects.filter(pk=sold_out.pk).update(stock=0)
    Sku.objects.filter(pk=short.pk).update(stock=2)
    # when
    body = api_as(world.consumer).get("/cart").json()
    # then
    assert [(ln["problem"], ln["problem_label"]) for ln in body["lines"]] == [
        ("", ""),
        ("not_on_sale", "已下架"),
        ("sold_out", "已售罄"),
        ("insufficient_stock", "库存不足"),
    ]
    assert (body["total"], body["has_problems"]) == ("10.00", True)


@pytest.mark.parametrize("quantity", [-1, 0, 100, 10**30, 1.5, "2", True, None])
def test_bad_quantities_are_422_and_write_nothing(api_as, world, quantity):
    # given
    before = rows()
    # when
    response = api_as(world.consumer).post("/cart/lines", {"sku_id": world.sku_a.id, "quantity": quantity})
    # then
    assert response.status_code == 422, response.content
    assert "quantity" in error_of(response)["fields"]
    assert rows() == before


@pytest.mark.parametrize("quantity", [-3, 0, 1000, 2.0])
def test_bad_quantity_changes_are_422_and_change_nothing(api_as, world, quantity):
    # given
    line = fill_cart(world.consumer, [(world.sku_a, 2)]).lines.get()
    # when
    response = api_as(world.consumer).patch(f"/cart/lines/{line.id}", {"quantity": quantity})
    # then
    assert response.status_code == 422
    assert "quantity" in error_of(response)["fields"]
    assert CartLine.objects.get(pk=line.pk).quantity == 2


def test_an_unknown_sku_is_404_unknown_sku_and_writes_nothing(api_as, world):
    # given
    before = rows()
    # when
    response = api_as(world.consumer).post("/cart/lines", {"sku_id": 987654, "quantity": 1})
    # then
    assert response.status_code == 404
    assert error_of(response)["code"] == "unknown_sku"
    assert rows() == before


@pytest.mark.parametrize("field", ["price", "unit_price", "subtotal"])
def test_a_client_sent_price_is_422_naming_the_field(api_as, world, field):
    # given
    before = rows()
    # when
    response = api_as(world.consumer).post(
        "/cart/lines", {"sku_id": world.sku_a.id, "quantity": 1, field: "0.01"}
    )
    # then
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert error["message"].startswith(f"{field}: ")
    assert rows() == before


def test_more_than_in_stock_is_409_insufficient_stock_and_writes_nothing(api_as, world):
    # given the SKU has 7 left
    before = rows()
    # when
    response = api_as(world.consumer).post("/cart/lines", {"sku_id": world.sku_a.id, "quantity": 8})
    # then
    assert response.status_code == 409
    error = error_of(response)
    assert (error["code"], error["fields"]) == ("insufficient_stock", {"quantity": "only 7 left"})
    assert rows() == before


def test_raising_a_line_above_stock_is_409_and_keeps_the_quantity(api_as, world):
    # given
    line = fill_cart(world.consumer, [(world.sku_a, 2)]).lines.get()
    # when
    response = api_as(world.consumer).patch(f"/cart/lines/{line.id}", {"quantity": 8})
    # then
    assert response.status_code == 409
    assert error_of(response)["code"] == "insufficient_stock"
    assert CartLine.objects.get(pk=line.pk).quantity == 2


def test_an_item_not_on_sale_is_422_not_on_sale(api_as, world):
    # given
    world.product_a.published = False
    world.product_a.save()
    before = rows()
    # when
    response = api_as(world.consumer).post("/cart/lines", {"sku_id": world.sku_a.id, "quantity": 1})
    # then
    assert response.status_code == 422
    assert error_of(response)["code"] == "not_on_sale"
    assert rows() == before


def test_add_a_whole_bundle(api_as, world):
    # given
    other = product(world.store_b, price="25.50")
    create_bundle(
        world.operator,
        name="出院套装",
        slug="going-home",
        items=[{"product_id": world.product_a.id, "quantity": 2}, {"product_id": other.id}],
    )
    # when
    response = api_as(world.consumer).post("/cart/bundles/going-home")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(ln["product"]["id"], ln["quantity"]) for ln in body["lines"]] == [
        (world.product_a.id, 2),
        (other.id, 1),
    ]
    assert body["total"] == "203.50"
    assert len({ln["bundle_id"] for ln in body["lines"]}) == 1
    event = Event.objects.get(name="add_to_cart")
    assert event.props == {"bundle": "going-home", "sku_ids": [world.sku_a.id, sku_of(other).id]}


def test_a_bundle_with_an_item_not_available_adds_nothing(api_as, world):
    # given
    gone = product(world.store_b, price="25.50", stock=0)
    create_bundle(
        world.operator,
        name="出院套装",
        slug="going-home",
        items=[{"product_id": world.product_a.id}, {"product_id": gone.id}],
    )
    before = rows()
    # when
    response = api_as(world.consumer).post("/cart/bundles/going-home")
    # then
    assert response.status_code == 422
    assert error_of(response)["code"] == "bundle_unavailable"
    assert rows() == before


def test_an_unknown_bundle_is_404(api_as, world):
    response = api_as(world.consumer).post("/cart/bundles/no-such-bundle")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("n", [2, 8])
def test_cart_query_count_does_not_grow_with_lines(api_as, world, django_assert_num_queries, n):
    # given n lines over two stores, each product with a cover image
    stores = [world.store_a, StoreFactory()]
    products = [ProductFactory(store=stores[i % 2]) for i in range(n)]
    for prod in products:
        add_product_image(world.operator, prod, png_upload())
    skus = [sku_of(prod) for prod in products]
    fill_cart(world.consumer, [(sku, 1) for sku in skus])
    api = api_as(world.consumer)
    # when
    with django_assert_num_queries(CART_QUERIES):
        response = api.get("/cart")
    # then
    assert len(response.json()["lines"]) == n
    assert response.json()["total"] == f"{99 * n:.2f}"
    assert all(ln["product"]["cover"]["thumb_url"] for ln in response.json()["lines"])


def test_the_signed_in_session_reaches_the_same_cart(client, world):
    # given the buyer signed in on the site, with a line added through the pages' service
    client.force_login(world.consumer)
    fill_cart(world.consumer, [(world.sku_a, 1)])
    # when
    added = client.post(
        "/api/v1/cart/lines", {"sku_id": world.sku_a.id, "quantity": 1}, content_type="application/json"
    )
    shown = client.get("/api/v1/cart")
    # then
    assert added.status_code == 201
    assert [(ln["sku"]["id"], ln["quantity"]) for ln in shown.json()["lines"]] == [(world.sku_a.id, 2)]
