"""The brand console's order desk through the API: store orders, shipping, refund decisions, stock — and who
may do each."""

from decimal import Decimal

import pytest

from tests.api.commerce import paid_order, place, product, rows, sku_of, stock_of
from tests.api.conftest import error_of
from tests.factories import BrandFactory, MembershipFactory, StoreFactory
from tribe.aftersales.models import RefundRequest
from tribe.aftersales.services import request_refund
from tribe.brands.models import Brand
from tribe.orders.models import Order, Shipment, StoreOrder
from tribe.orders.shipping import ship
from tribe.payments.models import Refund

# token 1; brand 1; staff check: memberships 1 + sub-brands 1; count 1; SKUs with products and stores 1;
# reservations of the page 1
STOCK_QUERIES = 7


@pytest.fixture
def split_order(world):
    """A paid order of the consumer: 2 × 89.00 from brand A's store and 1 × 25.50 from brand B's."""
    other = product(world.store_b, price="25.50")
    return paid_order(world.consumer, [(world.sku_a, 2), (sku_of(other), 1)])


def part_of(order, store) -> StoreOrder:
    return order.store_orders.get(store=store)


# ---- store orders -----------------------------------------------------------------------------------------


def test_brand_staff_list_their_stores_part_of_orders(api_as, world, split_order):
    # when
    response = api_as(world.staff_a).get(f"/console/brands/{world.brand_a.slug}/orders")
    # then
    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 1
    [card] = page["items"]
    assert card == {
        "id": part_of(split_order, world.store_a).id,
        "order_number": split_order.number,
        "order_status": "paid",
        "store": {"id": world.store_a.id, "slug": "nuanyang-store", "name": "暖阳旗舰店"},
        "status": "awaiting_shipment",
        "status_label": "待发货",
        "buyer": world.consumer.display_name,
        "ship_city": "杭州市",
        "item_count": 2,
        "total": "178.00",
        "created_at": card["created_at"],
        "paid_at": card["paid_at"],
    }
    assert card["paid_at"] is not None


def test_store_orders_filtered_by_status(api_as, world, split_order):
    # given
    place(world.staff_b, [(world.sku_a, 1)], key="order-key-0002")  # unpaid
    api = api_as(world.staff_a)
    path = f"/console/brands/{world.brand_a.slug}/orders"
    # when
    to_ship = api.get(path, {"status": "awaiting_shipment"}).json()
    unpaid = api.get(path, {"status": "awaiting_payment"}).json()
    bad = api.get(path, {"status": "lost"})
    # then
    assert [c["order_number"] for c in to_ship["items"]] == [split_order.number]
    assert [c["status"] for c in unpaid["items"]] == ["awaiting_payment"]
    assert (bad.status_code, list(error_of(bad)["fields"])) == (422, ["status"])


def test_a_hub_sees_its_sub_brands_stores(api_as, world):
    # given a group brand over brand A
    hub = BrandFactory(kind=Brand.Kind.HUB, slug="hub")
    Brand.objects.filter(pk=world.brand_a.pk).update(parent=hub)
    hub_staff = MembershipFactory(brand=hub).user
    order = paid_order(world.consumer, [(world.sku_a, 1)])
    # when
    page = api_as(hub_staff).get("/console/brands/hub/orders").json()
    # then
    assert [c["order_number"] for c in page["items"]] == [order.number]


def test_a_store_order_in_full(api_as, world, split_order):
    # given
    part = part_of(split_order, world.store_a)
    line = split_order.lines.get(sku=world.sku_a)
    request_refund(world.consumer, line.pk, kind="refund_only", quantity=1, reason="买多了")
    # when
    response = api_as(world.staff_a).get(f"/console/store-orders/{part.id}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["order_number"], body["status"], body["shipping_method"], body["total"]) == (
        split_order.number,
        "awaiting_shipment",
        "普通快递",
        "178.00",
    )
    assert body["ship_to"]["phone"] == "13800138000"
    assert [(ln["id"], ln["quantity"], ln["refundable_quantity"]) for ln in body["lines"]] == [
        (line.id, 2, 1)
    ]
    assert [(r["line_id"], r["status"]) for r in body["refund_requests"]] == [(line.id, "requested")]
    assert (body["item_count"], body["shipments"]) == (2, [])


def test_an_unknown_store_order_is_404(api_as, world):
    response = api_as(world.staff_a).get("/console/store-orders/424242")
    assert (response.status_code, error_of(response)["code"]) == (404, "not_found")


# ---- shipping ---------------------------------------------------------------------------------------------


def test_ship_everything(api_as, world, split_order):
    # given
    part = part_of(split_order, world.store_a)
    # when
    response = api_as(world.staff_a).post(
        f"/console/store-orders/{part.id}/shipments", {"carrier": "顺丰速运", "tracking_number": "SF100"}
    )
    # then
    assert response.status_code == 201, response.content
    shipment = Shipment.objects.get()
    line = split_order.lines.get(sku=world.sku_a)
    assert response.json() == {
        "id": shipment.id,
        "store_order_id": part.id,
        "carrier": "顺丰速运",
        "tracking_number": "SF100",
        "shipped_at": response.json()["shipped_at"],
        "delivered_at": None,
        "lines": [{"line_id": line.id, "quantity": 2}],
    }
    assert StoreOrder.objects.get(pk=part.pk).status == "shipped"
    assert Order.objects.get(pk=split_order.pk).status == "partially_shipped"  # store B has not shipped


def test_ship_part_then_the_rest(api_as, world):
    # given
    order = paid_order(world.consumer, [(world.sku_a, 3)])
    part, line = order.store_orders.get(), order.lines.get()
    api = api_as(world.staff_a)
    path = f"/console/store-orders/{part.id}/shipments"
    # when
    first = api.post(path, {"carrier": "顺丰速运", "tracking_number": "SF1", "lines": {str(line.id): 1}})
    # then
    assert first.status_code == 201
    assert (StoreOrder.objects.get(pk=part.pk).status, Order.objects.get(pk=order.pk).status) == (
        "partially_shipped",
        "partially_shipped",
    )
    # when
    rest = api.post(path, {"carrier": "顺丰速运", "tracking_number": "SF2"})
    # then
    assert rest.json()["lines"] == [{"line_id": line.id, "quantity": 2}]
    assert Order.objects.get(pk=order.pk).status == "shipped"


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"lines": {"abc": 1}}, "invalid", "lines"),
        ({"lines": {"LINE": 3}}, "invalid", "lines"),
        ({"lines": {"LINE": 0}}, "invalid", "lines"),
        ({"lines": {"LINE": -1}}, "invalid", "lines"),
        ({"lines": {"LINE": 1.5}}, "invalid", "lines.LINE"),
        ({"lines": {"999999": 1}}, "invalid", "lines"),
        ({"carrier": ""}, "invalid", "carrier"),
        ({"tracking_number": "x" * 41}, "invalid", "tracking_number"),
        ({"price": "0.01"}, "invalid", "price"),
    ],
)
def test_bad_shipments_are_422_and_write_nothing(api_as, world, payload, code, field):
    # given a paid order of 2 units
    order = paid_order(world.consumer, [(world.sku_a, 2)])
    line = order.lines.get()
    if "lines" in payload:
        payload = {"lines": {k.replace("LINE", str(line.id)): v for k, v in payload["lines"].items()}}
        field = field.replace("LINE", str(line.id))
    before = rows()
    # when
    response = api_as(world.staff_a).post(
        f"/console/store-orders/{order.store_orders.get().id}/shipments",
        {"carrier": "顺丰速运", "tracking_number": "SF1", **payload},
    )
    # then
    assert response.status_code == 422, response.content
    error = error_of(response)
    assert (error["code"], field in error["fields"]) == (code, True)
    assert rows() == before
    assert order.lines.get().shipped_quantity == 0


def test_an_unpaid_order_cannot_ship(api_as, world):
    # given
    order = place(world.consumer, [(world.sku_a, 1)])
    before = rows()
    # when
    response = api_as(world.staff_a).post(
        f"/console/store-orders/{order.store_orders.get().id}/shipments",
        {"carrier": "顺丰速运", "tracking_number": "SF1"},
    )
    # then
    assert (response.status_code, error_of(response)["code"]) == (409, "not_shippable")
    assert rows() == before


def test_mark_a_parcel_delivered(api_as, world):
    # given
    order = paid_order(world.consumer, [(world.sku_a, 1)])
    shipment = ship(world.staff_a, order.store_orders.get().pk, carrier="顺丰速运", tracking_number="SF1")
    # when
    response = api_as(world.staff_a).post(f"/console/shipments/{shipment.id}/delivered")
    # then
    assert response.status_code == 200
    assert response.json()["delivered_at"] is not None
    assert Shipment.objects.get().delivered_at is not None


# ---- refunds ----------------------------------------------------------------------------------------------


def refund_request(world, order, kind="refund_only", quantity=1):
    return request_refund(
        world.consumer, order.lines.get(sku=world.sku_a).pk, kind=kind, quantity=quantity, reason="不想要了"
    )


def test_brand_staff_list_refund_requests_of_their_stores(api_as, world, split_order):
    # given one request on each brand's line
    mine = refund_request(world, split_order)
    other_line = split_order.lines.exclude(sku=world.sku_a).get()
    request_refund(world.consumer, other_line.pk, kind="refund_only", quantity=1, reason="x")
    # when
    page = api_as(world.staff_a).get(f"/console/brands/{world.brand_a.slug}/refunds", {"status": "requested"})
    # then
    assert [r["id"] for r in page.json()["items"]] == [mine.id]


def test_approve_a_refund_only_request_returns_the_money(api_as, world):
    # given a paid, unshipped order of 2 units
    order = paid_order(world.consumer, [(world.sku_a, 2)])
    req = refund_request(world, order)
    # when
    response = api_as(world.staff_a).post(f"/console/refunds/{req.id}/approve")
    # then
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["restock_quantity"]) == ("refunded", 1)
    assert Refund.objects.get().amount == Decimal("89.00")
    assert Order.objects.get(pk=order.pk).refunded_total == Decimal("89.00")
    assert stock_of(world.sku_a) == 6  # the unshipped unit is back on sale


def test_approving_twice_is_409_invalid_transition(api_as, world):
    # given
    order = paid_order(world.consumer, [(world.sku_a, 2)])
    req = refund_request(world, order)
    api = api_as(world.staff_a)
    api.post(f"/console/refunds/{req.id}/approve")
    before = rows()
    # when
    response = api.post(f"/console/refunds/{req.id}/approve")
    # then
    assert response.status_code == 409
    assert (error_of(response)["code"], error_of(response)["fields"]) == (
        "invalid_transition",
        {"status": "refunded"},
    )
    assert rows() == before


def test_reject_with_a_reason(api_as, world):
    # given
    req = refund_request(world, paid_order(world.consumer, [(world.sku_a, 2)]))
    # when
    response = api_as(world.staff_a).post(f"/console/refunds/{req.id}/reject", {"reason": "商品已拆封"})
    # then
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["reject_reason"]) == ("rejected", "商品已拆封")


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": 5}])
def test_a_rejection_needs_a_reason(api_as, world, payload):
    # given
    req = refund_request(world, paid_order(world.consumer, [(world.sku_a, 2)]))
    # when
    response = api_as(world.staff_a).post(f"/console/refunds/{req.id}/reject", payload)
    # then
    assert response.status_code == 422
    assert "reason" in error_of(response)["fields"]
    assert RefundRequest.objects.get().status == "requested"


@pytest.mark.parametrize(("restock", "stock_after"), [(True, 7), (False, 5)])
def test_return_and_refund(api_as, world, restock, stock_after):
    # given a shipped order of 2 units, and a request to return both
    order = paid_order(world.consumer, [(world.sku_a, 2)])
    ship(world.staff_a, order.store_orders.get().pk, carrier="顺丰速运", tracking_number="SF1")
    req = refund_request(world, order, kind="return_refund", quantity=2)
    api = api_as(world.staff_a)
    # when the store approves, then the goods come back
    approved = api.post(f"/console/refunds/{req.id}/approve")
    returned = api.post(f"/console/refunds/{req.id}/returned", {"restock": restock})
    # then
    assert approved.json()["status"] == "approved"
    assert (returned.status_code, returned.json()["status"]) == (200, "refunded")
    assert stock_of(world.sku_a) == stock_after
    assert Order.objects.get(pk=order.pk).status == "closed"


def test_returned_before_approval_is_409(api_as, world):
    req = refund_request(world, paid_order(world.consumer, [(world.sku_a, 2)]))
    response = api_as(world.staff_a).post(f"/console/refunds/{req.id}/returned", {})
    assert (response.status_code, error_of(response)["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize("action", ["approve", "reject", "returned"])
def test_an_unknown_refund_request_is_404(api_as, world, action):
    payload = {"approve": None, "reject": {"reason": "x"}, "returned": {}}[action]
    response = api_as(world.staff_a).post(f"/console/refunds/424242/{action}", payload)
    assert (response.status_code, error_of(response)["code"]) == (404, "not_found")


# ---- stock ------------------------------------------------------------------------------------------------


def test_stock_shows_reservations(api_as, world):
    # given an unpaid order holding 2 units, a paid one that sold 1, and a SKU of brand B
    place(world.consumer, [(world.sku_a, 2)], key="order-key-0001")
    paid_order(world.staff_b, [(world.sku_a, 1)], key="order-key-0002")
    product(world.store_b)
    # when
    response = api_as(world.staff_a).get(f"/console/brands/{world.brand_a.slug}/stock")
    # then
    assert response.status_code == 200
    [row] = response.json()["items"]
    assert (row["sku_id"], row["stock"], row["reserved"], row["on_hand"], row["price"]) == (
        world.sku_a.id,
        4,
        2,
        6,
        "89.00",
    )
    assert (row["product"]["name"], row["store"]["slug"]) == ("纯棉婴儿连体衣", "nuanyang-store")


@pytest.mark.parametrize("n", [3, 12])
def test_stock_query_count_does_not_grow_with_skus(api_as, world, django_assert_num_queries, n):
    # given n SKUs, each with a reservation
    skus = [sku_of(product(world.store_a)) for _ in range(n - 1)] + [world.sku_a]
    place(world.consumer, [(sku, 1) for sku in skus])
    api = api_as(world.staff_a)
    # when
    with django_assert_num_queries(STOCK_QUERIES):
        response = api.get(f"/console/brands/{world.brand_a.slug}/stock", {"page_size": 60})
    # then
    assert len(response.json()["items"]) == n
    assert {row["reserved"] for row in response.json()["items"]} == {1}


# ---- who may do what --------------------------------------------------------------------------------------

ROLES = ["anonymous", "consumer", "staff_of_a", "staff_of_b", "platform_operator"]

ACTIONS = {
    "list_orders": lambda api, w, s: api.get(f"/console/brands/{w.brand_a.slug}/orders"),
    "view_store_order": lambda api, w, s: api.get(f"/console/store-orders/{s['part']}"),
    "ship": lambda api, w, s: api.post(
        f"/console/store-orders/{s['part']}/shipments", {"carrier": "顺丰速运", "tracking_number": "SF1"}
    ),
    "approve_refund": lambda api, w, s: api.post(f"/console/refunds/{s['refund']}/approve"),
    "reject_refund": lambda api, w, s: api.post(
        f"/console/refunds/{s['refund']}/reject", {"reason": "不符合"}
    ),
    "list_refunds": lambda api, w, s: api.get(f"/console/brands/{w.brand_a.slug}/refunds"),
    "view_stock": lambda api, w, s: api.get(f"/console/brands/{w.brand_a.slug}/stock"),
}
ALLOWED = {
    "list_orders": 200,
    "view_store_order": 200,
    "ship": 201,
    "approve_refund": 200,
    "reject_refund": 200,
    "list_refunds": 200,
    "view_stock": 200,
}

# role → action → status. Staff of the store's brand and platform operators act; the buyer of the order and
# staff of another brand are refused.
EXPECTED = {
    "anonymous": dict.fromkeys(ACTIONS, 401),
    "consumer": dict.fromkeys(ACTIONS, 403),
    "staff_of_a": ALLOWED,
    "staff_of_b": dict.fromkeys(ACTIONS, 403),
    "platform_operator": ALLOWED,
}


def snapshot(order) -> tuple:
    return (
        rows(),
        tuple(StoreOrder.objects.filter(order=order).order_by("id").values_list("status", flat=True)),
        tuple(RefundRequest.objects.order_by("id").values_list("status", flat=True)),
        Order.objects.get(pk=order.pk).status,
    )


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_console_permission_table(anon, api_as, world, role, action):
    # given the consumer bought 2 units from brand A's store and asked for a refund of one
    order = paid_order(world.consumer, [(world.sku_a, 2)])
    refund = refund_request(world, order)
    state = {"part": order.store_orders.get().id, "refund": refund.id}
    users = {
        "consumer": world.consumer,
        "staff_of_a": world.staff_a,
        "staff_of_b": world.staff_b,
        "platform_operator": world.operator,
    }
    api = anon if role == "anonymous" else api_as(users[role])
    before = snapshot(order)
    # when
    response = ACTIONS[action](api, world, state)
    # then
    expected = EXPECTED[role][action]
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert error_of(response)["code"] == {401: "not_authenticated", 403: "forbidden"}[expected]
        assert snapshot(order) == before


def test_permission_table_covers_every_role_and_action():
    assert set(EXPECTED) == set(ROLES)
    assert all(set(row) == set(ACTIONS) for row in EXPECTED.values())


def test_a_read_by_staff_of_another_brand_shows_nothing_of_the_order(api_as, world, split_order):
    # staff of brand B reading brand A's desk get a 403 body, never order data
    response = api_as(world.staff_b).get(f"/console/store-orders/{part_of(split_order, world.store_a).id}")
    assert response.status_code == 403
    assert split_order.number not in response.content.decode()


def test_the_desk_of_an_unknown_brand_is_404(api_as, world):
    response = api_as(world.operator).get("/console/brands/no-such-brand/orders")
    assert (response.status_code, error_of(response)["code"]) == (404, "not_found")


def test_store_orders_of_another_brand_stay_out_of_the_list(api_as, world):
    # given an order only from brand B's store
    paid_order(world.consumer, [(sku_of(product(world.store_b)), 1)])
    StoreFactory(brand=world.brand_a)  # a second, empty store of brand A
    # when
    page = api_as(world.staff_a).get(f"/console/brands/{world.brand_a.slug}/orders").json()
    # then
    assert page["count"] == 0
