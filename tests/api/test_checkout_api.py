"""Addresses, the checkout preview and placing orders through the API: per-store totals, idempotency, and
refusals that write nothing."""

import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client

from tests.api.commerce import ADDRESS, fill_cart, product, rows, sku_of, stock_of
from tests.api.conftest import Api, error_of
from tests.factories import ProductFactory, StoreFactory
from tribe.accounts.services import issue_token
from tribe.catalog.models import Sku
from tribe.core.models import Event
from tribe.orders import checkout as checkout_service
from tribe.orders.models import Address, CartLine, Order, ShippingMethod

# token 1; cart 1; idempotency lookup 1; cart lines 1 + images 1; shipping methods 1; savepoint 1;
# order 1, store orders 1, lines 1; lock SKUs 1, take 1, product stock 1, reservations 1; empty cart 1;
# log 1; event 3; release 1; then the order page: order 1, lines 1, covers 1, adjustments 1, parts 1,
# shipments 1 (none yet, so no shipment lines), timeline 1, refund requests 1
# +1 the member's tier prices (loyalty); +1 purchase guards (early access);
# +1 the buyer's distribution bindings; +1 friend deal check
CHECKOUT_QUERIES = 32


@pytest.fixture
def two_stores(world):
    """The consumer's cart: 2 × 89.00 from store A (free shipping over 99) and 1 × 25.50 from store B."""
    other = product(world.store_b, price="25.50")
    fill_cart(world.consumer, [(world.sku_a, 2), (sku_of(other), 1)])
    return other


def body(**extra):
    return {"address": ADDRESS, "idempotency_key": "checkout-0001", **extra}


# ---- addresses --------------------------------------------------------------------------------------------


def test_save_list_and_delete_addresses(api_as, world):
    # given
    api = api_as(world.consumer)
    # when
    first = api.post("/addresses", ADDRESS)
    second = api.post("/addresses", {**ADDRESS, "name": "李雷", "is_default": True})
    # then
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == {"id": second.json()["id"], **ADDRESS, "name": "李雷", "is_default": True}
    listed = api.get("/addresses").json()
    assert [(a["name"], a["is_default"]) for a in listed] == [("李雷", True), ("王小明", False)]
    # when
    response = api.delete(f"/addresses/{first.json()['id']}")
    # then
    assert response.status_code == 204
    assert [a["name"] for a in api.get("/addresses").json()] == ["李雷"]


def test_someone_elses_address_cannot_be_deleted(api_as, world):
    # given
    theirs = api_as(world.staff_b).post("/addresses", ADDRESS).json()["id"]
    # when
    response = api_as(world.consumer).delete(f"/addresses/{theirs}")
    # then
    assert response.status_code == 404
    assert Address.objects.filter(pk=theirs).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"phone": "12345"}, "phone"), ({"province": ""}, "province"), ({"detail": "x" * 201}, "detail")],
)
def test_an_invalid_address_is_422_and_not_saved(api_as, world, change, field):
    # when
    response = api_as(world.consumer).post("/addresses", {**ADDRESS, **change})
    # then
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert Address.objects.count() == 0


# ---- quote ------------------------------------------------------------------------------------------------


def test_quote_totals_per_store_and_records_checkout_started(api_as, world, two_stores):
    # when
    response = api_as(world.consumer).get("/checkout/quote", {"shipping": "standard"})
    # then
    assert response.status_code == 200, response.content
    quote = response.json()
    parts = [(s["store"]["id"], s["subtotal"], s["shipping_fee"], s["total"]) for s in quote["stores"]]
    assert parts == [
        (world.store_a.id, "178.00", "0.00", "178.00"),
        (world.store_b.id, "25.50", "8.00", "33.50"),
    ]
    assert quote["stores"][0]["shipping_method"] == {
        "code": "standard",
        "name": "普通快递",
        "fee": "8.00",
        "free_over": "99.00",
    }
    assert {m["code"] for m in quote["stores"][0]["shipping_methods"]} == {"standard", "express"}
    line = quote["stores"][0]["lines"][0]
    assert (line["sku_id"], line["quantity"], line["unit_price"], line["payable"]) == (
        world.sku_a.id,
        2,
        "89.00",
        "178.00",
    )
    assert (quote["subtotal"], quote["shipping_total"], quote["total"]) == ("203.50", "8.00", "211.50")
    assert (quote["problems"], quote["can_place"]) == ([], True)
    event = Event.objects.get(name="checkout_started")
    assert (event.actor_id, event.props) == (world.consumer.id, {"total": "211.50", "stores": 2, "lines": 2})
    assert Order.objects.count() == 0


def test_quote_with_express_everywhere_or_per_store(api_as, world, two_stores):
    api = api_as(world.consumer)
    assert api.get("/checkout/quote", {"shipping": "express"}).json()["total"] == "239.50"
    per_store = api.get("/checkout/quote", {"shipping": f"{world.store_a.id}:express"}).json()
    assert [s["shipping_method"]["code"] for s in per_store["stores"]] == ["express", "standard"]
    assert per_store["total"] == "229.50"


def test_quote_uses_a_stores_own_shipping_method(api_as, world, two_stores):
    # given store B ships for free
    ShippingMethod.objects.create(store=world.store_b, code="standard", name="包邮", fee=Decimal("0.00"))
    # when
    quote = api_as(world.consumer).get("/checkout/quote").json()
    # then
    assert quote["stores"][1]["shipping_method"]["name"] == "包邮"
    assert quote["total"] == "203.50"


def test_quote_lists_lines_that_cannot_be_bought(api_as, world, two_stores):
    # given
    Sku.objects.filter(pk=sku_of(two_stores).pk).update(stock=0)
    # when
    quote = api_as(world.consumer).get("/checkout/quote").json()
    # then
    assert [(p["sku_id"], p["problem"], p["problem_label"]) for p in quote["problems"]] == [
        (sku_of(two_stores).id, "sold_out", "已售罄")
    ]
    assert (quote["total"], quote["can_place"]) == ("178.00", False)


@pytest.mark.parametrize("shipping", ["teleport", "abc:express", f"{10**30}:express"])
def test_quote_with_an_unknown_shipping_choice_is_422(api_as, world, two_stores, shipping):
    response = api_as(world.consumer).get("/checkout/quote", {"shipping": shipping})
    assert response.status_code == 422
    assert "shipping" in error_of(response)["fields"]


def test_quote_of_an_empty_cart_is_422_empty_cart(api_as, world):
    response = api_as(world.consumer).get("/checkout/quote")
    assert response.status_code == 422
    assert error_of(response)["code"] == "empty_cart"
    assert not Event.objects.filter(name="checkout_started").exists()


# ---- placing the order ------------------------------------------------------------------------------------


def test_checkout_places_the_order_split_per_store(api_as, world, two_stores):
    # when
    response = api_as(world.consumer).post("/checkout", body(note="放门口"))
    # then
    assert response.status_code == 201, response.content
    order = response.json()
    assert (order["status"], order["status_label"], order["total"], order["note"]) == (
        "pending_payment",
        "待付款",
        "211.50",
        "放门口",
    )
    assert order["ship_to"] == ADDRESS
    assert [(p["store"]["id"], p["status"], p["total"]) for p in order["store_orders"]] == [
        (world.store_a.id, "awaiting_payment", "178.00"),
        (world.store_b.id, "awaiting_payment", "33.50"),
    ]
    assert [(ln["sku_id"], ln["quantity"], ln["paid_amount"]) for ln in order["lines"]] == [
        (world.sku_a.id, 2, "178.00"),
        (sku_of(two_stores).id, 1, "25.50"),
    ]
    assert [t["to_status"] for t in order["timeline"]] == ["pending_payment"]
    assert (order["can_pay"], order["can_cancel"], order["can_receive"]) == (True, True, False)
    assert stock_of(world.sku_a) == 5  # reserved
    assert CartLine.objects.count() == 0
    assert Order.objects.get().number == order["number"]


def test_checkout_to_a_saved_address_with_express_for_one_store(api_as, world, two_stores):
    # given
    api = api_as(world.consumer)
    address_id = api.post("/addresses", {**ADDRESS, "name": "李雷"}).json()["id"]
    # when
    response = api.post(
        "/checkout",
        {
            "address_id": address_id,
            "shipping": {str(world.store_b.id): "express"},
            "idempotency_key": "k-00000001",
        },
    )
    # then
    assert response.status_code == 201, response.content
    assert response.json()["ship_to"]["name"] == "李雷"
    assert response.json()["shipping_total"] == "18.00"


def test_the_same_idempotency_key_twice_gives_the_same_order(api_as, world, two_stores):
    # given
    api = api_as(world.consumer)
    first = api.post("/checkout", body())
    fill_cart(world.consumer, [(world.sku_a, 1)])  # a retry must not turn a new cart into a second order
    # when
    again = api.post("/checkout", body())
    # then
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"]
    assert Order.objects.count() == 1
    assert CartLine.objects.count() == 1


def test_the_idempotency_key_can_come_in_the_header(api_as, world, two_stores):
    # given
    api = api_as(world.consumer)
    api.headers["Idempotency-Key"] = "header-key-01"
    payload = {"address": ADDRESS}
    # when
    first = api.post("/checkout", payload)
    again = api.post("/checkout", payload)
    # then
    assert (first.status_code, again.status_code) == (201, 200)
    assert Order.objects.get().idempotency_key == "header-key-01"


@pytest.mark.parametrize(
    ("payload", "header", "field"),
    [
        ({"address": ADDRESS}, None, "idempotency_key"),
        ({"address": ADDRESS, "idempotency_key": "short"}, None, "idempotency_key"),
        ({"address": ADDRESS, "idempotency_key": "body-key-001"}, "header-key-01", "idempotency_key"),
        ({"idempotency_key": "checkout-0001"}, None, "body"),
        ({"address": ADDRESS, "address_id": 1, "idempotency_key": "checkout-0001"}, None, "body"),
        ({"address": {**ADDRESS, "phone": "123"}, "idempotency_key": "checkout-0001"}, None, "phone"),
        ({**body(), "shipping": "teleport"}, None, "shipping"),
        ({**body(), "shipping": {"store-a": "express"}}, None, "shipping"),
        ({**body(), "total": "0.01"}, None, "total"),
        ({**body(), "discount": "100.00"}, None, "discount"),
        ({**body(), "address": {**ADDRESS, "price": "0.01"}}, None, "address.price"),
    ],
)
def test_bad_checkouts_are_422_and_write_nothing(api_as, world, two_stores, payload, header, field):
    # given
    api = api_as(world.consumer)
    if header:
        api.headers["Idempotency-Key"] = header
    before = rows()
    stock = stock_of(world.sku_a)
    # when
    response = api.post("/checkout", payload)
    # then
    assert response.status_code == 422, response.content
    error = error_of(response)
    assert field in error["fields"]
    if field in ("total", "discount", "address.price"):
        assert error["message"].startswith(f"{field}: ")
    assert rows() == before
    assert stock_of(world.sku_a) == stock


def test_someone_elses_address_id_is_404_and_writes_nothing(api_as, world, two_stores):
    # given
    theirs = api_as(world.staff_b).post("/addresses", ADDRESS).json()["id"]
    before = rows()
    # when
    response = api_as(world.consumer).post(
        "/checkout", {"address_id": theirs, "idempotency_key": "k-00000001"}
    )
    # then
    assert response.status_code == 404
    assert rows() == before


def test_an_empty_cart_cannot_be_checked_out(api_as, world):
    before = rows()
    response = api_as(world.consumer).post("/checkout", body())
    assert response.status_code == 422
    assert error_of(response)["code"] == "empty_cart"
    assert rows() == before


def test_a_cart_with_flagged_lines_is_refused_and_nothing_is_written(api_as, world, two_stores):
    # given
    Sku.objects.filter(pk=world.sku_a.pk).update(stock=1)
    before = rows()
    # when
    response = api_as(world.consumer).post("/checkout", body())
    # then
    assert response.status_code == 422
    error = error_of(response)
    line = CartLine.objects.get(sku=world.sku_a)
    assert (error["code"], error["fields"]) == ("cart_has_problems", {str(line.pk): "insufficient_stock"})
    assert rows() == before
    assert stock_of(world.sku_a) == 1


def test_stock_taken_meanwhile_is_409_insufficient_stock_and_nothing_is_half_written(
    api_as, world, two_stores, monkeypatch
):
    # given another buyer takes the last units between the cart read and the reservation
    real_rows = checkout_service.cart_rows

    def rows_then_sold_out(cart):
        found = real_rows(cart)
        Sku.objects.filter(pk=world.sku_a.pk).update(stock=1)
        return found

    monkeypatch.setattr(checkout_service, "cart_rows", rows_then_sold_out)
    before = rows()
    # when
    response = api_as(world.consumer).post("/checkout", body())
    # then
    assert response.status_code == 409
    assert error_of(response)["code"] == "insufficient_stock"
    assert rows() == before
    assert (stock_of(world.sku_a), stock_of(sku_of(two_stores))) == (1, 10)


def test_checkout_needs_authentication(anon, world):
    response = anon.post("/checkout", body())
    assert response.status_code == 401
    assert Order.objects.count() == 0


@pytest.mark.parametrize("n", [2, 8])
def test_checkout_query_count_does_not_grow_with_lines(api_as, world, django_assert_num_queries, n):
    # given n lines over two stores
    stores = [world.store_a, StoreFactory()]
    skus = [sku_of(ProductFactory(store=stores[i % 2])) for i in range(n)]
    fill_cart(world.consumer, [(sku, 1) for sku in skus])
    api = api_as(world.consumer)
    # when
    with django_assert_num_queries(CHECKOUT_QUERIES):
        response = api.post("/checkout", body())
    # then
    assert response.status_code == 201
    assert len(response.json()["lines"]) == n
    assert all(stock_of(sku) == 9 for sku in skus)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_submit_racing_itself_places_one_order(client, world):
    # given a cart, and four requests with the same key released at once
    fill_cart(world.consumer, [(world.sku_a, 2)])
    token = issue_token(world.consumer)
    barrier = threading.Barrier(4)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def submit():
        try:
            api = Api(Client(), token)
            barrier.wait()
            response = api.post("/checkout", body())
            with lock:
                results.append((response.status_code, response.json()["number"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    # when
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then one order, answered 201 once and 200 to the repeats, its units reserved once
    assert sorted(status for status, _ in results) == [200, 200, 200, 201]
    assert len({number for _, number in results}) == 1
    assert Order.objects.count() == 1
    assert stock_of(world.sku_a) == 5


def test_a_repeat_that_finds_the_cart_already_emptied_by_its_twin_gets_the_order(api_as, world, monkeypatch):
    # given the twin request (same key) places the order right after this one looked the key up
    fill_cart(world.consumer, [(world.sku_a, 2)])
    real_rows = checkout_service.cart_rows
    twin: list[Order] = []

    def twin_finishes_first(cart):
        if not twin:
            monkeypatch.setattr(checkout_service, "cart_rows", real_rows)  # the twin runs unhindered
            twin.append(
                checkout_service.place_order(
                    world.consumer, cart, address=ADDRESS, idempotency_key="checkout-0001"
                )
            )
        return real_rows(cart)

    monkeypatch.setattr(checkout_service, "cart_rows", twin_finishes_first)
    # when this request reads the cart, it is empty
    response = api_as(world.consumer).post("/checkout", body())
    # then it answers with the twin's order, not empty_cart
    assert response.status_code == 200, response.content
    assert response.json()["number"] == twin[0].number
    assert CartLine.objects.count() == 0
    assert Order.objects.count() == 1
