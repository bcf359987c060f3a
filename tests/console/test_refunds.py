"""Brand console after-sales: the list (filter, constant queries), a request's page, approve / reject /
mark returned (with and without restock), htmx row swaps, and refusals with a clear message."""

from decimal import Decimal

import pytest
from django.urls import reverse
from tests.factories import ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import checkout, pay

from tribe.aftersales.models import RefundRequest
from tribe.aftersales.services import approve_refund, reject_refund, request_refund
from tribe.catalog.models import Sku
from tribe.orders.models import Order, OrderLine
from tribe.orders.shipping import ship
from tribe.payments.gateways.dummy import DummyGateway
from tribe.payments.models import Refund

R = RefundRequest.Status


@pytest.fixture
def buyer(db):
    return UserFactory(nickname="小红")


@pytest.fixture
def line(buyer, product_a):
    """A paid line of 3 units (99.00 each) of brand A's product, not shipped yet."""
    order = checkout(buyer, [(product_a.skus.get(), 3)], key="refund-order-01")
    pay(buyer, order)
    return OrderLine.objects.get(order=order)


@pytest.fixture
def shipped_line(line, staff_a):
    ship(staff_a, line.store_order_id, carrier="顺丰速运", tracking_number="SF1")
    line.refresh_from_db()
    return line


@pytest.fixture
def refund_only(buyer, line):
    return request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="拍多了一件")


@pytest.fixture
def return_refund(buyer, shipped_line):
    return request_refund(buyer, shipped_line.pk, kind="return_refund", quantity=2, reason="尺码不合适")


def _post(client, action, req, htmx=False, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse(f"console:refund_{action}", args=["brand-a", req.pk]), data, **headers)


def _state(req):
    """Everything an action could change."""
    req = RefundRequest.objects.get(pk=req.pk)
    line = OrderLine.objects.get(pk=req.line_id)
    return (
        req.status,
        req.reject_reason,
        req.refund_id,
        Refund.objects.count(),
        line.refunded_quantity,
        line.refunded_amount,
        Sku.objects.get(pk=line.sku_id).stock,
    )


# --- the list -----------------------------------------------------------------------------------------------


def test_list_shows_the_brands_requests_only(staff_client, refund_only, buyer):
    # given a request on another brand's order
    other = ProductFactory(store=StoreFactory(), name="别家的商品")
    order = checkout(buyer, [(other.skus.get(), 1)], key="refund-order-02")
    pay(buyer, order)
    request_refund(buyer, order.lines.get().pk, kind="refund_only", quantity=1, reason="别家的")

    response = staff_client.get(reverse("console:refunds", args=["brand-a"]))

    assert response.status_code == 200
    assert [r.pk for r in response.context["page"]] == [refund_only.pk]
    body = response.content.decode()
    assert "纯棉连体衣" in body and "拍多了一件" in body and "¥99.00" in body and "仅退款" in body
    assert "别家的" not in body
    assert f'<tr id="refund-{refund_only.pk}">' in body and "同意退款" in body


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("", ["rejected", "approved", "requested"]),
        ("open", ["approved", "requested"]),
        ("requested", ["requested"]),
        ("approved", ["approved"]),
        ("rejected", ["rejected"]),
        ("refunded", []),
        ("nonsense", ["rejected", "approved", "requested"]),
    ],
)
def test_status_filter(staff_client, buyer, shipped_line, staff_a, status, expected):
    # given one request in each of three states (newest last)
    made = {}
    for name in ("requested", "approved", "rejected"):
        made[name] = request_refund(buyer, shipped_line.pk, kind="return_refund", quantity=1, reason=name)
    approve_refund(staff_a, made["approved"].pk)
    reject_refund(staff_a, made["rejected"].pk, reason="已超出退货期")

    response = staff_client.get(reverse("console:refunds", args=["brand-a"]), {"status": status})

    assert [r.pk for r in response.context["page"]] == [made[k].pk for k in expected]


@pytest.mark.parametrize("n", [2, 8])
def test_refund_list_query_count_does_not_grow(staff_client, store_a, staff_a, n, django_assert_num_queries):
    # given n approved refund-only requests (each with its gateway refund) on n orders
    product = ProductFactory(store=store_a, skus=[{"price": Decimal("10.00"), "stock": 100}])
    buyer = UserFactory()
    for i in range(n):
        order = checkout(buyer, [(product.skus.get(), 2)], key=f"refund-count-{i:04d}")
        pay(buyer, order)
        req = request_refund(buyer, order.lines.get().pk, kind="refund_only", quantity=1, reason="多拍")
        approve_refund(staff_a, req.pk)
    url = reverse("console:refunds", args=["brand-a"])
    staff_client.get(url)

    # when listed: session, user, brand, memberships, sub-brands, count, requests with line, order and
    # buyer, their gateway refunds
    with django_assert_num_queries(8):
        response = staff_client.get(url)

    assert len(response.context["page"]) == n
    assert response.content.decode().count("原路退款：退款成功") == n


# --- the request's page -------------------------------------------------------------------------------------


def test_detail_shows_line_amount_reason_and_actions(staff_client, refund_only, line):
    response = staff_client.get(reverse("console:refund_detail", args=["brand-a", refund_only.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "纯棉连体衣" in body and "3 件，实付 ¥297.00，已发货 0 件" in body
    assert '<dd class="price" data-amount>¥99.00</dd>' in body
    assert "拍多了一件" in body and "待处理" in body
    assert "同意退款" in body and "拒绝申请" in body
    assert "确认收到退货" not in body


def test_detail_of_another_brands_request_is_404(staff_client, buyer):
    other = ProductFactory(store=StoreFactory())
    order = checkout(buyer, [(other.skus.get(), 1)], key="refund-order-03")
    pay(buyer, order)
    req = request_refund(buyer, order.lines.get().pk, kind="refund_only", quantity=1, reason="x")

    assert staff_client.get(reverse("console:refund_detail", args=["brand-a", req.pk])).status_code == 404
    assert _post(staff_client, "approve", req).status_code == 404
    assert RefundRequest.objects.get(pk=req.pk).status == R.REQUESTED


# --- approve ------------------------------------------------------------------------------------------------


def test_approve_refund_only_returns_the_money_and_restocks_unshipped_units(staff_client, refund_only, line):
    stock_before = Sku.objects.get(pk=line.sku_id).stock

    response = _post(staff_client, "approve", refund_only)

    # then: back to the request's page, which says it is refunded and shows the gateway refund
    assert response.status_code == 302
    assert response.url == reverse("console:refund_detail", args=["brand-a", refund_only.pk])
    req = RefundRequest.objects.get(pk=refund_only.pk)
    assert req.status == R.REFUNDED
    refund = Refund.objects.get(pk=req.refund_id)
    assert (refund.status, refund.amount) == (Refund.Status.SUCCEEDED, Decimal("99.00"))
    line.refresh_from_db()
    assert (line.refunded_quantity, line.refunded_amount) == (1, Decimal("99.00"))
    assert Sku.objects.get(pk=line.sku_id).stock == stock_before + 1  # never shipped: back on sale
    page = staff_client.get(response.url).content.decode()
    assert "已同意售后申请，当前状态：已退款" in page
    assert 'data-payment-refund="succeeded"' in page and "原路退款：退款成功 ¥99.00" in page


def test_approve_from_the_list_swaps_the_row(staff_client, refund_only):
    response = _post(staff_client, "approve", refund_only, htmx=True)

    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<tr id="refund-{refund_only.pk}">')
    assert 'data-refund-status="refunded"' in body and "已处理" in body and "同意退款" not in body


def test_approve_return_refund_waits_for_the_goods(staff_client, return_refund):
    response = _post(staff_client, "approve", return_refund)

    assert response.status_code == 302
    req = RefundRequest.objects.get(pk=return_refund.pk)
    assert (req.status, req.refund_id) == (R.APPROVED, None)
    page = staff_client.get(response.url).content.decode()
    assert "已同意售后申请，当前状态：已同意，待退货" in page
    assert "确认收到退货并退款" in page and 'name="restock"' in page


def test_approving_twice_is_409_with_the_message_and_refunds_once(staff_client, refund_only):
    assert _post(staff_client, "approve", refund_only).status_code == 302
    before = _state(refund_only)

    response = _post(staff_client, "approve", refund_only)

    assert response.status_code == 409
    body = response.content.decode()
    assert "该售后申请已不是可以执行此操作的状态（可能已被处理），请查看当前状态。" in body
    assert 'data-refund-status="refunded"' in body
    assert _state(refund_only) == before
    assert Refund.objects.count() == 1


def test_approving_twice_from_the_list_shows_the_error_in_the_row(staff_client, refund_only):
    _post(staff_client, "approve", refund_only, htmx=True)

    response = _post(staff_client, "approve", refund_only, htmx=True)

    assert response.status_code == 409
    body = response.content.decode()
    assert body.startswith(f'<tr id="refund-{refund_only.pk}">')
    assert 'role="alert"' in body and "可能已被处理" in body
    assert Refund.objects.count() == 1


def test_a_failed_gateway_refund_is_shown(staff_client, refund_only, monkeypatch):
    # given the provider refuses refunds for now
    def broken(self, **kwargs):
        raise ConnectionError("provider down")

    monkeypatch.setattr(DummyGateway, "refund", broken)

    response = _post(staff_client, "approve", refund_only)

    # then the request waits in 退款中 and the page says the gateway refund failed (and will be retried)
    assert response.status_code == 302
    assert RefundRequest.objects.get(pk=refund_only.pk).status == R.REFUNDING
    page = staff_client.get(response.url).content.decode()
    assert "当前状态：退款中" in page
    assert 'data-payment-refund="failed"' in page and "退款失败" in page and "系统会自动重试" in page


# --- mark returned ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("restock", "back_on_sale"), [(True, 2), (False, 0)])
def test_mark_returned_refunds_and_restocks_if_asked(
    staff_client, staff_a, return_refund, restock, back_on_sale
):
    approve_refund(staff_a, return_refund.pk)
    sku = Sku.objects.get(pk=return_refund.line.sku_id)
    stock_before = sku.stock

    response = _post(staff_client, "returned", return_refund, **({"restock": "on"} if restock else {}))

    assert response.status_code == 302
    req = RefundRequest.objects.get(pk=return_refund.pk)
    assert (req.status, req.restock_quantity) == (R.REFUNDED, back_on_sale)
    assert Sku.objects.get(pk=sku.pk).stock == stock_before + back_on_sale
    assert Refund.objects.get(pk=req.refund_id).status == Refund.Status.SUCCEEDED
    assert OrderLine.objects.get(pk=req.line_id).refunded_amount == Decimal("198.00")
    assert "已确认收到退货，当前状态：已退款" in staff_client.get(response.url).content.decode()


def test_mark_returned_from_the_list_swaps_the_row(staff_client, staff_a, return_refund):
    approve_refund(staff_a, return_refund.pk)
    listing = staff_client.get(reverse("console:refunds", args=["brand-a"])).content.decode()
    assert "确认收到退货" in listing and 'name="restock" checked' in listing

    response = _post(staff_client, "returned", return_refund, htmx=True, restock="on")

    assert response.status_code == 200
    assert response.content.decode().startswith(f'<tr id="refund-{return_refund.pk}">')
    assert 'data-refund-status="refunded"' in response.content.decode()


def test_mark_returned_before_approval_is_409(staff_client, return_refund):
    before = _state(return_refund)

    response = _post(staff_client, "returned", return_refund, restock="on")

    assert response.status_code == 409
    assert "可能已被处理" in response.content.decode()
    assert _state(return_refund) == before


# --- reject -------------------------------------------------------------------------------------------------


def test_reject_with_a_reason(staff_client, staff_a, refund_only):
    response = _post(staff_client, "reject", refund_only, reason="商品已发出，请收货后申请退货")

    assert response.status_code == 302
    req = RefundRequest.objects.get(pk=refund_only.pk)
    assert (req.status, req.reject_reason, req.decided_by_id) == (
        R.REJECTED,
        "商品已发出，请收货后申请退货",
        staff_a.pk,
    )
    page = staff_client.get(response.url).content.decode()
    assert "已拒绝售后申请，当前状态：已拒绝" in page and "商品已发出，请收货后申请退货" in page
    assert Order.objects.get(pk=req.order_id).logs.filter(message__startswith="拒绝售后").count() == 1


def test_reject_an_approved_return(staff_client, staff_a, return_refund):
    approve_refund(staff_a, return_refund.pk)

    response = _post(staff_client, "reject", return_refund, reason="未收到退货")

    assert response.status_code == 302
    assert RefundRequest.objects.get(pk=return_refund.pk).status == R.REJECTED


@pytest.mark.parametrize(
    ("reason", "message"), [("", "此项必填"), ("   ", "此项必填"), ("长" * 201, "最多 200 个字符")]
)
def test_reject_without_a_proper_reason_is_422_and_nothing_changes(
    staff_client, refund_only, reason, message
):
    before = _state(refund_only)

    response = _post(staff_client, "reject", refund_only, reason=reason)

    assert response.status_code == 422
    body = response.content.decode()
    assert message in body and 'id="reject"' in body
    assert _state(refund_only) == before


def test_reject_after_refund_is_409(staff_client, staff_a, refund_only):
    approve_refund(staff_a, refund_only.pk)
    before = _state(refund_only)

    response = _post(staff_client, "reject", refund_only, reason="太晚了")

    assert response.status_code == 409
    assert "可能已被处理" in response.content.decode()
    assert _state(refund_only) == before


def test_actions_are_post_only(staff_client, refund_only):
    for action in ("approve", "reject", "returned"):
        response = staff_client.get(reverse(f"console:refund_{action}", args=["brand-a", refund_only.pk]))
        assert response.status_code == 405
    assert RefundRequest.objects.get(pk=refund_only.pk).status == R.REQUESTED
