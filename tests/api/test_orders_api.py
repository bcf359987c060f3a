"""The buyer's orders through the API: list, detail with timeline, expiry on access, cancel, pay, receive."""

from datetime import timedelta
from decimal import Decimal
from typing import get_args

import pytest
import time_machine
from django.utils import timezone

from tests.api.commerce import ADDRESS, paid_order, pay, place, product, rows, sku_of, stock_of
from tests.api.conftest import error_of
from tests.factories import ProductFactory, StoreFactory
from tests.images import png_upload
from tribe.aftersales.models import RefundRequest
from tribe.api.order_schemas import OrderStatus, RefundStatus, StoreOrderStatus
from tribe.catalog.services import add_product_image
from tribe.orders.models import Order, StoreOrder
from tribe.orders.shipping import ship
from tribe.payments.gateways.dummy import DummyGateway, signed_body
from tribe.payments.models import Payment

# token 1; order by number 1; then the order page: order 1, lines 1, covers 1, adjustments 1, parts 1,
# shipments 1 + their lines 1, timeline 1, refund requests 1, refundable figures 1
DETAIL_QUERIES = 12


def test_my_orders_newest_first_with_their_lines(api_as, world):
    # given
    first = place(world.consumer, [(world.sku_a, 2)], key="order-key-0001")
    second = place(world.consumer, [(world.sku_a, 1)], key="order-key-0002")
    place(world.staff_b, [(world.sku_a, 1)], key="order-key-0003")  # someone else's
    # when
    response = api_as(world.consumer).get("/orders")
    # then
    assert response.status_code == 200
    page = response.json()
    assert (page["count"], page["page"], page["pages"]) == (2, 1, 1)
    assert [o["number"] for o in page["items"]] == [second.number, first.number]
    card = page["items"][1]
    assert (card["status"], card["status_label"], card["total"], card["item_count"]) == (
        "pending_payment",
        "待付款",
        "178.00",
        2,
    )
    assert [(ln["product_name"], ln["quantity"], ln["unit_price"]) for ln in card["lines"]] == [
        ("纯棉婴儿连体衣", 2, "89.00")
    ]


def test_orders_filtered_by_status_and_paged(api_as, world):
    # given
    paid = paid_order(world.consumer, [(world.sku_a, 1)], key="order-key-0001")
    place(world.consumer, [(world.sku_a, 1)], key="order-key-0002")
    api = api_as(world.consumer)
    # when
    only_paid = api.get("/orders", {"status": "paid"}).json()
    one_per_page = api.get("/orders", {"page_size": 1, "page": 2}).json()
    # then
    assert [o["number"] for o in only_paid["items"]] == [paid.number]
    assert (one_per_page["count"], one_per_page["pages"], one_per_page["items"][0]["number"]) == (
        2,
        2,
        paid.number,
    )


@pytest.mark.parametrize("params", [{"status": "lost"}, {"page": 0}, {"page_size": 61}])
def test_bad_order_filters_are_422(api_as, world, params):
    response = api_as(world.consumer).get("/orders", params)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == set(params)


def test_an_order_in_full(api_as, world):
    # given a paid order from two stores, store A has shipped, one refund request
    other = product(world.store_b, price="25.50")
    order = paid_order(world.consumer, [(world.sku_a, 2), (sku_of(other), 1)])
    part_a = order.store_orders.get(store=world.store_a)
    ship(world.staff_a, part_a.pk, carrier="顺丰速运", tracking_number="SF100")
    api = api_as(world.consumer)
    line_a = order.lines.get(sku=world.sku_a)
    api.post(
        f"/orders/{order.number}/lines/{line_a.id}/refunds",
        {"kind": "refund_only", "quantity": 1, "reason": "买多了"},
    )
    # when
    response = api.get(f"/orders/{order.number}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["total"], body["paid_total"], body["refunded_total"]) == (
        "partially_shipped",
        "211.50",
        "211.50",
        "0.00",
    )
    assert [t["to_status"] for t in body["timeline"]] == ["pending_payment", "paid", "partially_shipped", ""]
    assert body["timeline"][2]["message"] == "暖阳旗舰店 发货：顺丰速运 SF100"
    lines = {ln["sku_id"]: ln for ln in body["lines"]}
    assert (lines[world.sku_a.id]["shipped_quantity"], lines[world.sku_a.id]["refundable_quantity"]) == (2, 1)
    assert lines[world.sku_a.id]["refundable_amount"] == "89.00"
    assert lines[sku_of(other).id]["refundable_amount"] == "25.50"
    parts = {p["store"]["id"]: p for p in body["store_orders"]}
    assert parts[world.store_a.id]["status"] == "shipped"
    [parcel] = parts[world.store_a.id]["shipments"]
    assert (parcel["carrier"], parcel["tracking_number"], parcel["lines"]) == (
        "顺丰速运",
        "SF100",
        [{"line_id": line_a.id, "quantity": 2}],
    )
    assert (parts[world.store_b.id]["status"], parts[world.store_b.id]["shipments"]) == (
        "awaiting_shipment",
        [],
    )
    [req] = body["refund_requests"]
    assert (req["line_id"], req["status"], req["amount"], req["order_number"]) == (
        line_a.id,
        "requested",
        "89.00",
        order.number,
    )
    flags = (body["can_pay"], body["can_cancel"], body["can_receive"], body["can_request_refund"])
    assert flags == (False, False, False, True)


@pytest.mark.parametrize("number", ["20990101000000000000", "abc", "1" * 25])
def test_an_unknown_order_is_404(api_as, world, number):
    response = api_as(world.consumer).get(f"/orders/{number}")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "suffix", "payload"),
    [("get", "", None), ("post", "/cancel", None), ("post", "/receive", None), ("post", "/pay", {})],
)
def test_someone_elses_order_is_404_and_untouched(api_as, world, method, suffix, payload):
    # given
    theirs = place(world.staff_b, [(world.sku_a, 1)])
    before = rows()
    api = api_as(world.consumer)
    # when
    response = (
        api.get(f"/orders/{theirs.number}")
        if method == "get"
        else api.post(f"/orders/{theirs.number}{suffix}", payload)
    )
    # then
    assert response.status_code == 404
    assert rows() == before
    assert Order.objects.get(pk=theirs.pk).status == "pending_payment"


def test_an_unpaid_order_past_its_deadline_is_expired_on_access(api_as, world):
    # given
    order = place(world.consumer, [(world.sku_a, 3)])
    assert stock_of(world.sku_a) == 4
    api = api_as(world.consumer)
    # when
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        listed = api.get("/orders").json()
        shown = api.get(f"/orders/{order.number}").json()
    # then
    assert listed["items"][0]["status"] == "expired"
    assert (shown["status"], shown["can_pay"], shown["can_cancel"]) == ("expired", False, False)
    assert shown["timeline"][-1]["message"] == "超时未付款，订单关闭"
    assert stock_of(world.sku_a) == 7


def test_cancel_an_unpaid_order_releases_its_stock(api_as, world):
    # given
    order = place(world.consumer, [(world.sku_a, 3)])
    # when
    response = api_as(world.consumer).post(f"/orders/{order.number}/cancel")
    # then
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_label"]) == ("cancelled", "已取消")
    assert [p["status"] for p in response.json()["store_orders"]] == ["cancelled"]
    assert stock_of(world.sku_a) == 7


def test_a_paid_order_cannot_be_cancelled(api_as, world):
    # given
    order = paid_order(world.consumer, [(world.sku_a, 1)])
    before = rows()
    # when
    response = api_as(world.consumer).post(f"/orders/{order.number}/cancel")
    # then
    assert response.status_code == 409
    error = error_of(response)
    assert (error["code"], error["fields"]) == ("invalid_transition", {"status": "paid"})
    assert rows() == before
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_pay_answers_what_the_client_needs(api_as, world, monkeypatch):
    # given
    order = place(world.consumer, [(world.sku_a, 1)])
    given = {}
    create = DummyGateway.create_payment

    def spy(self, **kwargs):
        given.update(kwargs)
        return create(self, **kwargs)

    monkeypatch.setattr(DummyGateway, "create_payment", spy)
    # when
    response = api_as(world.consumer).post(f"/orders/{order.number}/pay", {"gateway": "dummy"})
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    payment = Payment.objects.get()
    assert body == {
        "payment_id": payment.id,
        "out_trade_no": payment.out_trade_no,
        "gateway": "dummy",
        "amount": "97.00",  # 89.00 + standard shipping 8.00
        "status": "created",
        "pay_url": f"/pay/dummy/{payment.out_trade_no}/",
        "params": {},
    }
    assert (payment.order_id, payment.amount, payment.behaviour) == (order.pk, order.total, "succeed")
    assert (given["notify_url"], given["return_url"]) == (
        "http://testserver/payments/notify/dummy/",
        f"http://testserver/orders/{order.number}/",
    )


def test_buy_pay_and_get_money_back_through_the_api(api_as, client, world):
    # given a cart
    buyer, staff = api_as(world.consumer), api_as(world.staff_a)
    buyer.post("/cart/lines", {"sku_id": world.sku_a.id, "quantity": 2})
    # when the buyer checks out and pays, and the provider notifies
    number = buyer.post("/checkout", {"address": ADDRESS, "idempotency_key": "flow-key-0001"}).json()[
        "number"
    ]
    payment = buyer.post(f"/orders/{number}/pay", {"gateway": "dummy"}).json()
    notified = client.post(
        "/payments/notify/dummy/",
        signed_body(payment["out_trade_no"], Decimal(payment["amount"]), True, "TXN-FLOW-1"),
        content_type="application/json",
    )
    # then the order is paid
    assert notified.status_code == 200
    order = buyer.get(f"/orders/{number}").json()
    assert (order["status"], order["paid_total"]) == ("paid", "178.00")
    # when the buyer asks for one unit back and the store approves
    line_id = order["lines"][0]["id"]
    req = buyer.post(
        f"/orders/{number}/lines/{line_id}/refunds",
        {"kind": "refund_only", "quantity": 1, "reason": "买多了"},
    ).json()
    approved = staff.post(f"/console/refunds/{req['id']}/approve")
    # then the money is back and the buyer sees it
    assert approved.json()["status"] == "refunded"
    order = buyer.get(f"/orders/{number}").json()
    assert (order["refunded_total"], order["lines"][0]["refunded_quantity"]) == ("89.00", 1)
    assert buyer.get("/refunds").json()["items"][0]["status"] == "refunded"


def test_the_dummy_gateway_can_be_told_to_fail(api_as, world):
    order = place(world.consumer, [(world.sku_a, 1)])
    response = api_as(world.consumer).post(f"/orders/{order.number}/pay", {"behaviour": "fail"})
    assert response.status_code == 201
    assert Payment.objects.get().behaviour == "fail"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"gateway": "paypal"}, "gateway"),
        ({"gateway": "alipay", "behaviour": "late"}, "body"),
        ({"behaviour": "maybe"}, "behaviour"),
        ({"amount": "0.01"}, "amount"),
    ],
)
def test_bad_pay_requests_are_422_and_write_nothing(api_as, world, payload, field):
    # given
    order = place(world.consumer, [(world.sku_a, 1)])
    before = rows()
    # when
    response = api_as(world.consumer).post(f"/orders/{order.number}/pay", payload)
    # then
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert rows() == before


def test_an_expired_or_paid_order_cannot_be_paid(api_as, world):
    # given
    unpaid = place(world.consumer, [(world.sku_a, 1)], key="order-key-0001")
    paid = paid_order(world.consumer, [(world.sku_a, 1)], key="order-key-0002")
    api = api_as(world.consumer)
    before = Payment.objects.count()
    # when
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        late = api.post(f"/orders/{unpaid.number}/pay", {})
    twice = api.post(f"/orders/{paid.number}/pay", {})
    # then
    assert (late.status_code, error_of(late)["code"]) == (409, "not_payable")
    assert (twice.status_code, error_of(twice)["code"]) == (409, "not_payable")
    assert Payment.objects.count() == before


def test_a_paid_order_shows_paid(api_as, world):
    # given
    order = place(world.consumer, [(world.sku_a, 1)])
    pay(world.consumer, order)
    # when
    body = api_as(world.consumer).get(f"/orders/{order.number}").json()
    # then
    assert (body["status"], body["paid_total"], body["can_cancel"]) == ("paid", "97.00", False)
    assert [t["to_status"] for t in body["timeline"]] == ["pending_payment", "paid"]


def test_confirm_receipt_of_a_shipped_order(api_as, world):
    # given
    order = paid_order(world.consumer, [(world.sku_a, 1)])
    ship(world.staff_a, order.store_orders.get().pk, carrier="顺丰速运", tracking_number="SF1")
    # when
    response = api_as(world.consumer).post(f"/orders/{order.number}/receive")
    # then
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["store_orders"][0]["status"]) == (
        "received",
        "received",
    )
    assert response.json()["received_at"] is not None


def test_receipt_before_shipping_is_409_invalid_transition(api_as, world):
    # given
    order = paid_order(world.consumer, [(world.sku_a, 1)])
    before = rows()
    # when
    response = api_as(world.consumer).post(f"/orders/{order.number}/receive")
    # then
    assert response.status_code == 409
    assert error_of(response)["code"] == "invalid_transition"
    assert rows() == before


def test_orders_need_authentication(anon, world):
    assert anon.get("/orders").status_code == 401


@pytest.mark.parametrize("n", [2, 8])
def test_order_detail_query_count_does_not_grow_with_lines(api_as, world, django_assert_num_queries, n):
    # given a paid order of n lines over two stores, each product with a cover, one store shipped
    stores = [world.store_a, StoreFactory()]
    products = [ProductFactory(store=stores[i % 2]) for i in range(n)]
    for prod in products:
        add_product_image(world.operator, prod, png_upload())
    order = paid_order(world.consumer, [(sku_of(prod), 1) for prod in products])
    ship(
        world.staff_a,
        order.store_orders.get(store=world.store_a).pk,
        carrier="顺丰速运",
        tracking_number="SF1",
    )
    api = api_as(world.consumer)
    # when
    with django_assert_num_queries(DETAIL_QUERIES):
        response = api.get(f"/orders/{order.number}")
    # then
    assert len(response.json()["lines"]) == n
    assert all(ln["cover"]["url"] for ln in response.json()["lines"])


def test_the_status_filters_list_exactly_the_models_statuses():
    assert list(get_args(OrderStatus)) == Order.Status.values
    assert list(get_args(StoreOrderStatus)) == StoreOrder.Status.values
    assert list(get_args(RefundStatus)) == RefundRequest.Status.values
