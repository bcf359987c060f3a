"""After-sales through the buyer's API: ask for a refund on a line, list and withdraw requests."""

from decimal import Decimal

import pytest

from tests.api.commerce import paid_order, place, rows
from tests.api.conftest import error_of
from tribe.aftersales.models import RefundRequest
from tribe.orders.shipping import ship


def ask(api, order, line, **payload):
    return api.post(f"/orders/{order.number}/lines/{line.id}/refunds", payload)


def test_ask_for_a_refund_on_part_of_a_line(api_as, world):
    # given a paid order of 3 × 89.00
    order = paid_order(world.consumer, [(world.sku_a, 3)])
    line = order.lines.get()
    api = api_as(world.consumer)
    # when
    response = ask(api, order, line, kind="refund_only", quantity=1, reason="买多了")
    # then
    assert response.status_code == 201, response.content
    req = RefundRequest.objects.get()
    assert response.json() == {
        "id": req.id,
        "order_number": order.number,
        "store_order_id": line.store_order_id,
        "line_id": line.id,
        "product_name": "纯棉婴儿连体衣",
        "sku_label": "",
        "kind": "refund_only",
        "kind_label": "仅退款",
        "quantity": 1,
        "amount": "89.00",
        "reason": "买多了",
        "status": "requested",
        "status_label": "待处理",
        "reject_reason": "",
        "restock_quantity": 0,
        "created_at": response.json()["created_at"],
        "decided_at": None,
        "refunded_at": None,
    }
    detail = api.get(f"/orders/{order.number}").json()
    assert (detail["lines"][0]["refundable_quantity"], detail["lines"][0]["refundable_amount"]) == (
        2,
        "178.00",
    )
    assert detail["timeline"][-1]["message"] == "申请售后：纯棉婴儿连体衣 ×1 ¥89.00"


def test_ask_for_part_of_the_money(api_as, world):
    order = paid_order(world.consumer, [(world.sku_a, 1)])
    response = ask(
        api_as(world.consumer),
        order,
        order.lines.get(),
        kind="refund_only",
        quantity=1,
        amount="10.50",
        reason="有瑕疵，部分退款",
    )
    assert response.status_code == 201
    assert (response.json()["amount"], RefundRequest.objects.get().amount) == ("10.50", Decimal("10.50"))


def test_return_and_refund_after_shipping(api_as, world):
    # given
    order = paid_order(world.consumer, [(world.sku_a, 2)])
    ship(world.staff_a, order.store_orders.get().pk, carrier="顺丰速运", tracking_number="SF1")
    # when
    response = ask(
        api_as(world.consumer),
        order,
        order.lines.get(),
        kind="return_refund",
        quantity=2,
        reason="尺码不合适",
    )
    # then
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["amount"]) == ("return_refund", "178.00")


def test_my_refund_requests(api_as, world):
    # given
    order = paid_order(world.consumer, [(world.sku_a, 2)])
    api = api_as(world.consumer)
    first = ask(api, order, order.lines.get(), kind="refund_only", quantity=1, reason="一").json()
    second = ask(api, order, order.lines.get(), kind="refund_only", quantity=1, reason="二").json()
    theirs = paid_order(world.staff_b, [(world.sku_a, 1)])
    ask(api_as(world.staff_b), theirs, theirs.lines.get(), kind="refund_only", quantity=1, reason="别人的")
    api.post(f"/refunds/{first['id']}/cancel")
    # when
    everything = api.get("/refunds").json()
    open_only = api.get("/refunds", {"status": "requested"}).json()
    # then
    assert [r["id"] for r in everything["items"]] == [second["id"], first["id"]]
    assert [r["id"] for r in open_only["items"]] == [second["id"]]


def test_withdraw_a_request(api_as, world):
    # given
    order = paid_order(world.consumer, [(world.sku_a, 1)])
    api = api_as(world.consumer)
    req = ask(api, order, order.lines.get(), kind="refund_only", quantity=1, reason="不要了").json()
    # when
    response = api.post(f"/refunds/{req['id']}/cancel")
    again = api.post(f"/refunds/{req['id']}/cancel")
    # then
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert again.status_code == 409
    assert (error_of(again)["code"], error_of(again)["fields"]) == (
        "invalid_transition",
        {"status": "cancelled"},
    )


def test_someone_elses_request_cannot_be_withdrawn(api_as, world):
    # given
    order = paid_order(world.staff_b, [(world.sku_a, 1)])
    req = ask(
        api_as(world.staff_b), order, order.lines.get(), kind="refund_only", quantity=1, reason="x"
    ).json()
    # when
    response = api_as(world.consumer).post(f"/refunds/{req['id']}/cancel")
    # then
    assert response.status_code == 404
    assert RefundRequest.objects.get().status == "requested"


def test_a_line_of_someone_elses_order_is_404(api_as, world):
    # given
    theirs = paid_order(world.staff_b, [(world.sku_a, 1)], key="order-key-0001")
    mine = paid_order(world.consumer, [(world.sku_a, 1)], key="order-key-0002")
    api = api_as(world.consumer)
    before = rows()
    # when: their order number; and my order number with their line
    not_mine = ask(api, theirs, theirs.lines.get(), kind="refund_only", quantity=1, reason="x")
    wrong_line = ask(api, mine, theirs.lines.get(), kind="refund_only", quantity=1, reason="x")
    # then
    assert (not_mine.status_code, wrong_line.status_code) == (404, 404)
    assert rows() == before


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        ({"quantity": 3}, 422, "refund_exceeds_paid", "quantity"),
        ({"quantity": 0}, 422, "invalid", "quantity"),
        ({"quantity": -1}, 422, "invalid", "quantity"),
        ({"quantity": 1.5}, 422, "invalid", "quantity"),
        ({"quantity": "1"}, 422, "invalid", "quantity"),
        ({"amount": "178.01"}, 422, "refund_exceeds_paid", "amount"),
        ({"amount": "-5.00"}, 422, "invalid", "amount"),
        ({"amount": 9.9}, 422, "invalid", "amount"),
        ({"kind": "exchange"}, 422, "invalid", "kind"),
        ({"reason": ""}, 422, "invalid", "reason"),
        ({"price": "0.01"}, 422, "invalid", "price"),
        ({"kind": "return_refund"}, 422, "not_shipped", None),
    ],
)
def test_bad_refund_requests_are_refused_and_write_nothing(api_as, world, payload, status, code, field):
    # given a paid, unshipped order of 2 × 89.00
    order = paid_order(world.consumer, [(world.sku_a, 2)])
    before = rows()
    # when
    response = ask(
        api_as(world.consumer),
        order,
        order.lines.get(),
        **{"kind": "refund_only", "quantity": 1, "reason": "理由", **payload},
    )
    # then
    assert response.status_code == status, response.content
    error = error_of(response)
    assert error["code"] == code
    if field:
        assert field in error["fields"]
    assert rows() == before


def test_an_unpaid_order_has_no_after_sales(api_as, world):
    # given
    order = place(world.consumer, [(world.sku_a, 1)])
    before = rows()
    # when
    response = ask(
        api_as(world.consumer), order, order.lines.get(), kind="refund_only", quantity=1, reason="x"
    )
    # then
    assert response.status_code == 409
    assert error_of(response)["code"] == "after_sales_closed"
    assert rows() == before
