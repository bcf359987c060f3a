"""The buyer's order pages: list with status tabs, detail (parts, shipping, timeline, amounts, actions by
state), expiry on access, cancel and confirm receipt, and after-sales requests. Only the buyer sees them."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.factories import MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import ADDRESS, pay
from tribe.aftersales.models import RefundRequest
from tribe.aftersales.services import request_refund
from tribe.catalog.models import Sku
from tribe.orders.cart import add_to_cart, get_cart
from tribe.orders.checkout import place_order
from tribe.orders.models import Order, OrderLog
from tribe.orders.shipping import ship

pytestmark = pytest.mark.django_db
S = Order.Status


def text_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def shop(db):
    """Two stores with staff: a teapot (128.00, stock 5) in one, tea (35.50, stock 9) in the other."""
    craft, tea_house = StoreFactory(name="手作铺"), StoreFactory(name="茶舍")
    return {
        "craft": craft, "tea_house": tea_house,
        "craft_staff": MembershipFactory(brand=craft.brand).user,
        "teapot": ProductFactory(name="紫砂壶", store=craft, skus=[{"price": Decimal("128.00"), "stock": 5}]),
        "tea": ProductFactory(name="龙井", store=tea_house, skus=[{"price": Decimal("35.50"), "stock": 9}]),
    }


@pytest.fixture
def buyer(client):
    user = UserFactory()
    client.force_login(user)
    return user


_keys = iter(range(10**6))


def order_of(user, *items) -> Order:
    cart = get_cart(user, create=True)
    for product, qty in items:
        add_to_cart(cart, product.skus.get().id, qty)
    return place_order(user, cart, address=ADDRESS, idempotency_key=f"order-key-{next(_keys):06d}")


def paid_order(user, *items) -> Order:
    order = order_of(user, *items)
    pay(user, order)
    order.refresh_from_db()
    return order


def test_orders_need_login(client):
    response = client.get("/orders/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/orders/"


def test_order_list_shows_only_mine_filtered_by_tab(client, shop, buyer):
    # given one pending and one paid order of mine, and someone else's
    pending = order_of(buyer, (shop["tea"], 1))
    paid = paid_order(buyer, (shop["teapot"], 1))
    order_of(UserFactory(), (shop["tea"], 1))

    # when
    everything = text_of(client.get("/orders/"))
    to_pay = text_of(client.get("/orders/?status=pending"))
    to_ship = text_of(client.get("/orders/?status=to_ship"))
    done = text_of(client.get("/orders/?status=done"))

    # then
    assert everything.count('data-testid="order-card"') == 2
    assert pending.number in everything and paid.number in everything
    assert (pending.number in to_pay, paid.number in to_pay) == (True, False)
    assert (pending.number in to_ship, paid.number in to_ship) == (False, True)
    assert 'data-testid="orders-empty"' in done
    assert f'href="/orders/{pending.number}/pay/"' in everything
    assert '<a class="chip active" href="/orders/?status=pending" aria-current="page"' in to_pay


def test_order_list_aftersales_tab_and_pages(client, shop, buyer):
    # given 12 orders, one of them with a refund request
    cups = ProductFactory(store=shop["craft"], skus=[{"price": Decimal("19.90"), "stock": 50}])
    orders = [paid_order(buyer, (shop["tea"], 1)) for _ in range(3)] + [
        order_of(buyer, (cups, 1)) for _ in range(9)]
    line = orders[0].lines.get()
    request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="不想要了")

    # when
    after_sales = text_of(client.get("/orders/?status=aftersales"))
    page_one, page_two = text_of(client.get("/orders/")), text_of(client.get("/orders/?page=2"))

    # then
    assert after_sales.count('data-testid="order-card"') == 1 and orders[0].number in after_sales
    assert page_one.count('data-testid="order-card"') == 10 and page_two.count('data-testid="order-card"') == 2
    assert '<span class="muted">1 / 2</span>' in page_one and 'href="/orders/?page=2"' in page_one


@pytest.mark.parametrize("query", ["status=weird", "page=0", "page=x", "page=99999"])
def test_order_list_refuses_bad_filters(client, buyer, query):
    assert client.get(f"/orders/?{query}").status_code == 400


def test_order_detail_shows_parts_lines_timeline_and_amounts(client, shop, buyer):
    # given a paid two-store order, the teapot's part shipped
    order = paid_order(buyer, (shop["teapot"], 1), (shop["tea"], 2))
    craft_part = order.store_orders.get(store=shop["craft"])
    ship(shop["craft_staff"], craft_part.pk, carrier="顺丰", tracking_number="SF1001")

    # when
    response = client.get(f"/orders/{order.number}/")

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert '<span class="status status-partially_shipped" data-testid="order-status">部分发货</span>' in html
    assert html.count('data-testid="order-part"') == 2 and html.count('data-testid="order-line"') == 2
    assert "顺丰 SF1001" in html and "已发 1 件" in html
    assert "王小明 13800138000" in html and "浙江省杭州市西湖区文三路 100 号" in html
    # 128.00 (free shipping) + 71.00 + 8.00
    assert '<dd class="price" data-testid="order-total">¥207.00</dd>' in html
    assert '<dd data-testid="order-paid">¥207.00</dd>' in html
    times = re.findall(r'<time datetime="([^"]+)">', html)
    assert len(times) == OrderLog.objects.filter(order=order).count() == 3
    assert all(t.endswith("+08:00") for t in times)  # shown in Asia/Shanghai
    assert "<strong>已付款</strong>" in html and "<strong>部分发货</strong>" in html
    assert html.count('data-testid="refund-link"') == 2
    assert 'data-testid="cancel-order"' not in html and 'data-testid="go-pay"' not in html


def test_someone_elses_order_is_not_found(client, shop, buyer):
    # given
    order = paid_order(UserFactory(), (shop["tea"], 1))
    line = order.lines.get()

    # then every page and action of it is a 404, and nothing changes
    for url in (f"/orders/{order.number}/", f"/orders/{order.number}/lines/{line.id}/refund/"):
        assert client.get(url).status_code == 404
    for url in (f"/orders/{order.number}/cancel/", f"/orders/{order.number}/receive/"):
        assert client.post(url).status_code == 404
    assert client.post(f"/orders/{order.number}/lines/{line.id}/refund/", {
        "kind": "refund_only", "quantity": "1", "reason": "x"}).status_code == 404
    assert client.get("/orders/no-such-number/").status_code == 404
    order.refresh_from_db()
    assert order.status == S.PAID and RefundRequest.objects.count() == 0


def test_opening_an_unpaid_order_past_its_deadline_expires_it(client, shop, buyer):
    # given
    order = order_of(buyer, (shop["tea"], 2))
    assert Sku.objects.get(product=shop["tea"]).stock == 7

    # when the buyer opens it 16 minutes later (before any sweep ran)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = client.get(f"/orders/{order.number}/")

    # then
    html = text_of(response)
    order.refresh_from_db()
    assert order.status == S.EXPIRED
    assert '<span class="status status-expired" data-testid="order-status">已过期</span>' in html
    assert 'data-testid="expired-note"' in html and 'data-testid="go-pay"' not in html
    assert Sku.objects.get(product=shop["tea"]).stock == 9


def test_the_list_expires_overdue_orders_before_showing_them(client, shop, buyer):
    order = order_of(buyer, (shop["tea"], 1))
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        html = text_of(client.get("/orders/?status=pending"))
    order.refresh_from_db()
    assert order.status == S.EXPIRED and order.number not in html


def test_cancel_a_pending_order_releases_its_stock(client, shop, buyer):
    # given
    order = order_of(buyer, (shop["tea"], 3))

    # when
    response = client.post(f"/orders/{order.number}/cancel/")

    # then
    order.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.number}/"
    assert order.status == S.CANCELLED
    assert Sku.objects.get(product=shop["tea"]).stock == 9
    assert "订单已取消" in text_of(client.get(response["Location"]))


def test_cancelling_a_paid_order_is_refused_and_changes_nothing(client, shop, buyer):
    # given
    order = paid_order(buyer, (shop["tea"], 3))
    logs = OrderLog.objects.filter(order=order).count()

    # when
    response = client.post(f"/orders/{order.number}/cancel/")

    # then
    order.refresh_from_db()
    assert response.status_code == 409
    assert '<p class="banner error" role="alert" data-testid="order-error">订单已付款，不能进行这个操作</p>' in text_of(
        response)
    assert (order.status, order.paid_total) == (S.PAID, Decimal("106.50"))
    assert OrderLog.objects.filter(order=order).count() == logs
    assert Sku.objects.get(product=shop["tea"]).stock == 6


def test_confirm_receipt_once_shipped(client, shop, buyer):
    # given
    order = paid_order(buyer, (shop["teapot"], 1))
    assert client.post(f"/orders/{order.number}/receive/").status_code == 409  # not shipped yet
    ship(shop["craft_staff"], order.store_orders.get().pk, carrier="顺丰", tracking_number="SF2")
    assert 'data-testid="confirm-receipt"' in text_of(client.get(f"/orders/{order.number}/"))

    # when
    response = client.post(f"/orders/{order.number}/receive/")

    # then
    order.refresh_from_db()
    assert response.status_code == 302 and order.status == S.RECEIVED


def test_refund_form_shows_the_most_that_can_be_refunded_and_files_a_request(client, shop, buyer):
    # given a paid order of 3 × tea (106.50, shipped free)
    order = paid_order(buyer, (shop["tea"], 3))
    line = order.lines.get()
    url = f"/orders/{order.number}/lines/{line.id}/refund/"

    # when
    page = client.get(url)
    response = client.post(url, {"kind": "refund_only", "quantity": "2", "amount": "", "reason": "买多了",
                                 "price": "999"})

    # then the default amount is the proportional share of what was paid for the line
    assert "最多可退 3 件，¥106.50" in text_of(page)
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.number}/"
    req = RefundRequest.objects.get()
    assert (req.kind, req.quantity, req.amount, req.status, req.reason) == (
        "refund_only", 2, Decimal("71.00"), "requested", "买多了")
    html = text_of(client.get(response["Location"]))
    assert '<span class="status" data-testid="refund-status">待处理</span>' in html
    assert "售后申请已提交" in html


def test_refund_with_an_explicit_amount(client, shop, buyer):
    order = paid_order(buyer, (shop["tea"], 3))
    line = order.lines.get()
    client.post(f"/orders/{order.number}/lines/{line.id}/refund/",
                {"kind": "refund_only", "quantity": "1", "amount": "10.05", "reason": "有瑕疵，部分退款"})
    assert RefundRequest.objects.get().amount == Decimal("10.05")


@pytest.mark.parametrize(("data", "status", "field", "message"), [
    ({"quantity": "0"}, 422, "quantity", "至少 1 件"),
    ({"quantity": "-2"}, 422, "quantity", "至少 1 件"),
    ({"quantity": "abc"}, 422, "quantity", "请填写整数件数"),
    ({"quantity": "99999999999999999999"}, 422, "quantity", "件数太多"),
    ({"quantity": "4"}, 422, "quantity", "最多可退 3 件"),
    ({"amount": "106.51"}, 422, "amount", "最多可退 ¥106.50"),
    ({"amount": "-1"}, 422, "amount", "金额必须大于 0"),
    ({"amount": "1.234"}, 422, "amount", "最多两位小数"),
    ({"amount": "abc"}, 422, "amount", "请输入有效金额"),
    ({"reason": ""}, 422, "reason", "请填写原因"),
    ({"reason": "长" * 201}, 422, "reason", "最多 200 个字符"),
    ({"kind": "free_money"}, 422, "kind", "请选择售后类型"),
])
def test_refund_form_errors_write_nothing(client, shop, buyer, data, status, field, message):
    # given
    order = paid_order(buyer, (shop["tea"], 3))
    line = order.lines.get()
    logs = OrderLog.objects.filter(order=order).count()

    # when
    response = client.post(f"/orders/{order.number}/lines/{line.id}/refund/",
                           {"kind": "refund_only", "quantity": "3", "reason": "不想要了", **data})

    # then
    assert response.status_code == status
    assert f'data-testid="error-{field}"><li>{message}</li></ul>' in text_of(response)
    assert RefundRequest.objects.count() == 0
    assert OrderLog.objects.filter(order=order).count() == logs


def test_return_and_refund_needs_the_goods_to_have_shipped(client, shop, buyer):
    order = paid_order(buyer, (shop["tea"], 1))
    line = order.lines.get()
    response = client.post(f"/orders/{order.number}/lines/{line.id}/refund/",
                           {"kind": "return_refund", "quantity": "1", "reason": "不喜欢"})
    assert response.status_code == 422
    assert "商品还没有发货，请选择“仅退款”" in text_of(response)
    assert RefundRequest.objects.count() == 0


def test_an_unpaid_order_cannot_ask_for_after_sales(client, shop, buyer):
    order = order_of(buyer, (shop["tea"], 1))
    line = order.lines.get()
    url = f"/orders/{order.number}/lines/{line.id}/refund/"
    assert 'data-testid="refund-closed"' in text_of(client.get(url))
    response = client.post(url, {"kind": "refund_only", "quantity": "1", "reason": "x"})
    assert response.status_code == 409
    assert "订单当前的状态不能申请售后" in text_of(response)
    assert RefundRequest.objects.count() == 0
    assert client.get(f"/orders/{order.number}/lines/{2**70}/refund/").status_code == 404


def test_cancel_a_refund_request(client, shop, buyer):
    # given
    order = paid_order(buyer, (shop["tea"], 2))
    req = request_refund(buyer, order.lines.get().pk, kind="refund_only", quantity=1, reason="买错了")

    # when
    response = client.post(f"/orders/{order.number}/refunds/{req.id}/cancel/")
    again = client.post(f"/orders/{order.number}/refunds/{req.id}/cancel/")

    # then
    req.refresh_from_db()
    assert response.status_code == 302 and req.status == "cancelled"
    assert again.status_code == 409 and "这个售后申请已不能撤销" in text_of(again)
    other = paid_order(UserFactory(), (shop["tea"], 1))
    theirs = request_refund(other.user, other.lines.get().pk, kind="refund_only", quantity=1, reason="x")
    assert client.post(f"/orders/{order.number}/refunds/{theirs.id}/cancel/").status_code == 404
    assert RefundRequest.objects.get(pk=theirs.pk).status == "requested"


# Queries of the detail page: session, user, order, its store parts (with store), their lines, their
# shipments, refund requests (with line), logs, payments, and the page shell's brand-staff check.
ORDER_DETAIL_QUERIES = 12  # +2 shipping holds of a paid order (拼团 waiting to complete, 预售 balance unpaid)


@pytest.mark.parametrize("n", [2, 8])
def test_order_detail_query_count_does_not_grow_with_lines(client, buyer, django_assert_num_queries, n):
    # given a paid order of n lines over two stores, one refund requested
    stores = [StoreFactory(), StoreFactory()]
    order = paid_order(buyer, *[(ProductFactory(store=stores[i % 2], skus=[{"price": Decimal("10.00"), "stock": 5}]),
                                 1) for i in range(n)])
    request_refund(buyer, order.lines.first().pk, kind="refund_only", quantity=1, reason="x")
    client.get(f"/orders/{order.number}/")

    # when / then
    with django_assert_num_queries(ORDER_DETAIL_QUERIES):
        response = client.get(f"/orders/{order.number}/")
    assert text_of(response).count('data-testid="order-line"') == n
