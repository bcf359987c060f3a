"""Permission table for the console's orders, shipping, after-sales and stock: every role × every action on
brand A → expected outcome.

OK means the page answered as for its own staff (200 for a page, 302 back to the object after a write) and
the database changed; LOGIN a redirect to the login page and FORBIDDEN a 403 page, both with the database
untouched. A second table sends brand B's staff through their own console (brand-b) at brand A's objects:
404, nothing changed.
"""

import pytest
from django.test import Client
from django.urls import reverse
from tests.factories import BrandFactory, MembershipFactory, UserFactory
from tests.orders.conftest import checkout, pay

from tribe.aftersales.models import RefundRequest
from tribe.aftersales.services import approve_refund, request_refund
from tribe.brands.models import Brand, BrandMembership
from tribe.orders.models import Shipment, StoreOrder
from tribe.orders.shipping import ship

OK, LOGIN, FORBIDDEN = "ok", "login", "forbidden"
NO = FORBIDDEN

# fmt: off
ACTIONS = ["view_orders", "view_store_order", "ship", "deliver", "approve_refund", "reject_refund",
           "mark_returned", "view_refunds", "view_stock"]
TABLE = {
    #                      orders order  ship   deliver approve reject returned refunds stock
    "anonymous":           (LOGIN, LOGIN, LOGIN, LOGIN,  LOGIN,  LOGIN, LOGIN,   LOGIN,  LOGIN),
    "consumer":            (NO,    NO,    NO,    NO,     NO,     NO,    NO,      NO,     NO),
    "buyer_of_the_order":  (NO,    NO,    NO,    NO,     NO,     NO,    NO,      NO,     NO),
    "staff_of_a":          (OK,    OK,    OK,    OK,     OK,     OK,    OK,      OK,     OK),
    "owner_of_a":          (OK,    OK,    OK,    OK,     OK,     OK,    OK,      OK,     OK),
    "staff_of_group_of_a": (OK,    OK,    OK,    OK,     OK,     OK,    OK,      OK,     OK),  # hub → sub
    "staff_of_b":          (NO,    NO,    NO,    NO,     NO,     NO,    NO,      NO,     NO),
    "platform_operator":   (OK,    OK,    OK,    OK,     OK,     OK,    OK,      OK,     OK),
}
# fmt: on

CASES = [
    (role, action, outcome)
    for role, row in TABLE.items()
    for action, outcome in zip(ACTIONS, row, strict=True)
]


@pytest.fixture
def world(brand_a, store_a, product_a):
    """Brand A (a sub-brand of a group) with: a paid order to ship; a shipped order whose parcel is in
    transit, with three after-sales requests on its line (refund only ×2, an approved return)."""
    group = BrandFactory(name="集团", slug="group", kind=Brand.Kind.HUB)
    Brand.objects.filter(pk=brand_a.pk).update(parent=group)
    brand_b = BrandFactory(slug="brand-b")
    staff_a = MembershipFactory(brand=brand_a).user
    buyer = UserFactory()
    sku = product_a.skus.get()

    to_ship = checkout(buyer, [(sku, 2)], key="perm-order-01")
    pay(buyer, to_ship)
    shipped = checkout(buyer, [(sku, 3)], key="perm-order-02")
    pay(buyer, shipped)
    shipped_part = shipped.store_orders.get()
    shipment = ship(staff_a, shipped_part.pk, carrier="顺丰速运", tracking_number="SF1")
    line = shipped_part.lines.get()
    to_approve = request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="少件")
    to_reject = request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="不想要了")
    returning = request_refund(buyer, line.pk, kind="return_refund", quantity=1, reason="尺码不合适")
    approve_refund(staff_a, returning.pk)
    users = {
        "anonymous": None,
        "consumer": UserFactory(),
        "buyer_of_the_order": buyer,
        "staff_of_a": staff_a,
        "owner_of_a": MembershipFactory(brand=brand_a, role=BrandMembership.Role.OWNER).user,
        "staff_of_group_of_a": MembershipFactory(brand=group).user,
        "staff_of_b": MembershipFactory(brand=brand_b).user,
        "platform_operator": UserFactory(is_staff=True),
    }
    return {
        "to_ship": to_ship.store_orders.get(),
        "shipment": shipment,
        "to_approve": to_approve,
        "to_reject": to_reject,
        "returning": returning,
        "users": users,
    }


def _status(req) -> str:
    return RefundRequest.objects.get(pk=req.pk).status


def _request(client: Client, action: str, w: dict, slug: str = "brand-a"):
    """Perform one action as the client's user; return (response, expected OK status, changed())."""
    if action == "view_orders":
        return client.get(reverse("console:orders", args=[slug])), 200, None
    if action == "view_store_order":
        return client.get(reverse("console:order_detail", args=[slug, w["to_ship"].pk])), 200, None
    if action == "view_refunds":
        return client.get(reverse("console:refunds", args=[slug])), 200, None
    if action == "view_stock":
        return client.get(reverse("console:stock", args=[slug])), 200, None
    if action == "ship":
        so = w["to_ship"]
        r = client.post(
            reverse("console:order_ship", args=[slug, so.pk]),
            {"carrier": "中通快递", "tracking_number": "ZT9"},
        )
        return r, 302, lambda: StoreOrder.objects.get(pk=so.pk).status == StoreOrder.Status.SHIPPED
    if action == "deliver":
        shipment = w["shipment"]
        r = client.post(reverse("console:shipment_deliver", args=[slug, shipment.pk]))
        return r, 302, lambda: Shipment.objects.get(pk=shipment.pk).delivered_at is not None
    if action == "approve_refund":
        req = w["to_approve"]
        r = client.post(reverse("console:refund_approve", args=[slug, req.pk]))
        return r, 302, lambda: _status(req) == RefundRequest.Status.REFUNDED
    if action == "reject_refund":
        req = w["to_reject"]
        r = client.post(reverse("console:refund_reject", args=[slug, req.pk]), {"reason": "不符合退款条件"})
        return r, 302, lambda: _status(req) == RefundRequest.Status.REJECTED
    if action == "mark_returned":
        req = w["returning"]
        r = client.post(reverse("console:refund_returned", args=[slug, req.pk]), {"restock": "on"})
        return r, 302, lambda: _status(req) == RefundRequest.Status.REFUNDED
    raise AssertionError(action)


@pytest.mark.parametrize(("role", "action", "outcome"), CASES, ids=[f"{r}-{a}" for r, a, _ in CASES])
def test_order_console_permission_table(world, client_for, role, action, outcome):
    # given a user in this role
    client = client_for(world["users"][role])

    # when they perform the action on brand A
    response, ok_status, changed = _request(client, action, world)

    # then the outcome is the table's, and only an allowed action changes the database
    if outcome == OK:
        assert response.status_code == ok_status
        assert changed is None or changed() is True
    elif outcome == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("web:login") + "?next=/console/brand-a/")
        assert changed is None or changed() is False
    else:
        assert response.status_code == 403
        assert "无权访问" in response.content.decode()
        assert changed is None or changed() is False


OBJECT_ACTIONS = ["view_store_order", "ship", "deliver", "approve_refund", "reject_refund", "mark_returned"]


@pytest.mark.parametrize("action", OBJECT_ACTIONS)
def test_brand_b_cannot_reach_brand_a_objects_through_its_own_console(world, client_for, action):
    # given brand B's staff in brand B's console
    client = client_for(world["users"]["staff_of_b"])

    # when they aim at brand A's store order, parcel or after-sales request
    response, _ok, changed = _request(client, action, world, slug="brand-b")

    # then not found, and nothing changed
    assert response.status_code == 404
    assert changed is None or changed() is False


@pytest.mark.parametrize("action", ["view_orders", "view_refunds", "view_stock"])
def test_brand_b_lists_show_nothing_of_brand_a(world, client_for, action):
    response, _ok, _changed = _request(
        client_for(world["users"]["staff_of_b"]), action, world, slug="brand-b"
    )

    assert response.status_code == 200
    assert len(response.context["page"]) == 0
