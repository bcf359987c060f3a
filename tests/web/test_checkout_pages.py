"""Checkout, the pay page and the dummy cashier: the server's quote, placing the order idempotently, the
errors that write nothing, and paying through the dummy gateway as a provider would notify."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.factories import ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import ADDRESS
from tribe.catalog.models import Sku
from tribe.core.models import Event
from tribe.orders import checkout as checkout_module
from tribe.orders.cart import add_to_cart, get_cart
from tribe.orders.checkout import place_order
from tribe.orders.models import Address, CartLine, Order
from tribe.payments.models import Payment
from tribe.payments.services import start_payment

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def text_of(response) -> str:
    return response.content.decode()


def sku_of(product) -> Sku:
    return product.skus.get()


@pytest.fixture
def shop(db):
    """Two stores: a teapot (128.00, stock 5) and cups (19.90, stock 20) in one, tea (35.50) in the other."""
    craft, tea_house = StoreFactory(name="手作铺"), StoreFactory(name="茶舍")
    return {
        "craft": craft, "tea_house": tea_house,
        "teapot": ProductFactory(name="紫砂壶", store=craft, skus=[{"price": Decimal("128.00"), "stock": 5}]),
        "cups": ProductFactory(name="品茗杯", store=craft, skus=[{"price": Decimal("19.90"), "stock": 20}]),
        "tea": ProductFactory(name="龙井", store=tea_house, skus=[{"price": Decimal("35.50"), "stock": 9}]),
    }


@pytest.fixture
def buyer(client):
    user = UserFactory()
    client.force_login(user)
    return user


def fill(user, *items):
    cart = get_cart(user, create=True)
    for product, qty in items:
        add_to_cart(cart, sku_of(product).id, qty)
    return cart


def key_of(response) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', text_of(response)).group(1)


def new_address(**changes) -> dict:
    return {"address": "new", "save_address": "on", **ADDRESS, **changes}


def test_checkout_needs_login(client, shop):
    response = client.get("/checkout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/checkout/"


def test_checkout_page_shows_the_servers_quote_per_store_and_records_checkout_started(client, shop, buyer):
    # given a cart over two stores: 128.00 + 2 × 19.90 (free standard shipping over 99) and 35.50 (+8.00)
    fill(buyer, (shop["teapot"], 1), (shop["cups"], 2), (shop["tea"], 1))

    # when
    response = client.get("/checkout/")

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert html.count('data-testid="checkout-store"') == 2
    assert re.findall(r'data-testid="store-subtotal">¥([\d.]+)<', html) == ["167.80", "35.50"]
    assert re.findall(r'data-testid="store-shipping">¥([\d.]+)<', html) == ["0.00", "8.00"]
    assert '<dd class="price big" data-testid="checkout-total">¥211.30</dd>' in html
    assert "满 ¥99.00 包邮" in html and "顺丰速运 · ¥18.00" in html
    assert re.fullmatch(r"[0-9a-f]{32}", key_of(response))
    assert Event.objects.filter(name="checkout_started", actor=buyer).count() == 1
    assert Order.objects.count() == 0


def test_changing_the_shipping_method_requotes_without_counting_another_checkout_visit(client, shop, buyer):
    # given
    fill(buyer, (shop["tea"], 1))
    client.get("/checkout/")

    # when express is picked for the tea house (35.50 is under its 299 threshold: 18.00)
    response = client.get(f"/checkout/?shipping_{shop['tea_house'].pk}=express", **HTMX)

    # then only the summary comes back, with the new total, and no second checkout_started
    html = text_of(response)
    assert response.status_code == 200 and "<html" not in html
    assert '<dd class="price big" data-testid="checkout-total">¥53.50</dd>' in html
    assert f'name="shipping_{shop["tea_house"].pk}" value="express" checked' in html
    assert Event.objects.filter(name="checkout_started").count() == 1


def test_an_empty_cart_sends_checkout_back_to_the_cart(client, buyer):
    response = client.get("/checkout/")
    assert response.status_code == 302 and response["Location"] == "/cart/"


def test_placing_an_order_with_a_new_address_saves_it_and_goes_to_the_pay_page(client, shop, buyer):
    # given
    fill(buyer, (shop["teapot"], 1), (shop["tea"], 2))
    key = key_of(client.get("/checkout/"))

    # when the form is posted with forged price and total fields and express for the tea house
    response = client.post("/checkout/", {
        **new_address(), "idempotency_key": key, f"shipping_{shop['tea_house'].pk}": "express",
        "note": "请周末送货", "price": "0.01", "total": "0.01", "unit_price": "1",
    })

    # then the order holds the server's prices: 128.00 (free) + 71.00 + 18.00 express
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.number}/pay/"
    assert (order.total, order.shipping_total, order.note, order.idempotency_key) == (
        Decimal("217.00"), Decimal("18.00"), "请周末送货", key)
    assert (order.ship_name, order.ship_phone, order.ship_city) == ("王小明", "13800138000", "杭州市")
    assert sorted(order.store_orders.values_list("shipping_method", flat=True)) == ["普通快递", "顺丰速运"]
    address = Address.objects.get(user=buyer)
    assert (address.name, address.detail, address.is_default) == ("王小明", "文三路 100 号", True)
    assert CartLine.objects.count() == 0
    assert Sku.objects.get(pk=sku_of(shop["tea"]).pk).stock == 7  # reserved
    assert '<span class="badge" data-testid="cart-count">0</span>' in text_of(client.get(response["Location"]))


def test_placing_an_order_with_a_saved_address(client, shop, buyer):
    # given
    saved = Address.objects.create(user=buyer, is_default=True, **{**ADDRESS, "name": "李雷"})
    fill(buyer, (shop["cups"], 1))
    page = client.get("/checkout/")
    assert f'value="{saved.pk}" id="id_address_0" required checked>' in text_of(page)

    # when
    response = client.post("/checkout/", {"address": str(saved.pk), "idempotency_key": key_of(page)})

    # then
    order = Order.objects.get()
    assert response.status_code == 302
    assert (order.ship_name, order.total) == ("李雷", Decimal("27.90"))
    assert Address.objects.filter(user=buyer).count() == 1


def test_a_double_submit_lands_on_the_same_order(client, shop, buyer):
    # given
    fill(buyer, (shop["tea"], 1))
    data = {**new_address(), "idempotency_key": key_of(client.get("/checkout/"))}

    # when the same form is posted twice
    first = client.post("/checkout/", data)
    second = client.post("/checkout/", data)

    # then
    order = Order.objects.get()
    assert first["Location"] == second["Location"] == f"/orders/{order.number}/pay/"
    assert Address.objects.filter(user=buyer).count() == 1
    assert Sku.objects.get(pk=sku_of(shop["tea"]).pk).stock == 8


def assert_nothing_written(buyer, shop, lines):
    assert Order.objects.count() == 0
    assert Address.objects.filter(user=buyer).count() == 0
    assert CartLine.objects.filter(cart__user=buyer).count() == lines
    assert Sku.objects.get(pk=sku_of(shop["tea"]).pk).stock == 9


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"phone": "12345"}, "phone", "请填写 11 位手机号码"),
    ({"phone": "138001380001"}, "phone", "请填写 11 位手机号码"),
    ({"name": ""}, "name", "此项必填"),
    ({"detail": "   "}, "detail", "此项必填"),
    ({"district": "区" * 21}, "district", "最多 20 个字符"),
    ({"province": "浙江\x00省"}, "province", "包含无法识别的字符"),
])
def test_a_bad_address_rerenders_the_page_with_the_error_and_writes_nothing(client, shop, buyer, changes, field,
                                                                            message):
    # given
    fill(buyer, (shop["tea"], 1))
    key = key_of(client.get("/checkout/"))

    # when
    response = client.post("/checkout/", {**new_address(**changes), "idempotency_key": key})

    # then
    html = text_of(response)
    assert response.status_code == 422
    assert f'<ul class="errorlist" data-testid="error-{field}"><li>{message}</li></ul>' in html
    assert f'value="{key}"' in html  # the same key: fixing the address and resubmitting places one order
    assert_nothing_written(buyer, shop, 1)


def test_someone_elses_saved_address_cannot_be_used(client, shop, buyer):
    fill(buyer, (shop["tea"], 1))
    other = Address.objects.create(user=UserFactory(), **ADDRESS)
    key = key_of(client.get("/checkout/"))
    response = client.post("/checkout/", {"address": str(other.pk), "idempotency_key": key})
    assert response.status_code == 422
    assert '<ul class="errorlist" data-testid="error-address"><li>收货地址不存在</li></ul>' in text_of(response)
    assert_nothing_written(buyer, shop, 1)


@pytest.mark.parametrize("key", ["", "short", "bad key with spaces", "x" * 65])
def test_a_missing_or_malformed_idempotency_key_is_refused(client, shop, buyer, key):
    fill(buyer, (shop["tea"], 1))
    response = client.post("/checkout/", {**new_address(), "idempotency_key": key})
    assert response.status_code == 422
    assert "页面已过期，请刷新后重新提交" in text_of(response)
    assert_nothing_written(buyer, shop, 1)


def test_an_unknown_shipping_method_is_refused(client, shop, buyer):
    fill(buyer, (shop["tea"], 1))
    response = client.post("/checkout/", {**new_address(), "idempotency_key": key_of(client.get("/checkout/")),
                                          f"shipping_{shop['tea_house'].pk}": "teleport"})
    assert response.status_code == 422
    assert "请选择有效的配送方式" in text_of(response)
    assert_nothing_written(buyer, shop, 1)


def test_an_empty_cart_cannot_be_checked_out(client, shop, buyer):
    response = client.post("/checkout/", {**new_address(), "idempotency_key": "a" * 32})
    assert response.status_code == 422
    assert "购物车是空的" in text_of(response)
    assert_nothing_written(buyer, shop, 0)


def test_flagged_lines_block_checkout_and_are_named(client, shop, buyer):
    # given the tea sold out after it was put in the cart
    fill(buyer, (shop["teapot"], 1), (shop["tea"], 2))
    Sku.objects.filter(pk=sku_of(shop["tea"]).pk).update(stock=1)

    # when
    page = client.get("/checkout/")
    response = client.post("/checkout/", {**new_address(), "idempotency_key": key_of(page)})

    # then the page names the line, the submit button is off, and a post anyway is refused
    html = text_of(page)
    assert 'data-testid="checkout-problems"' in html and "龙井" in html and "库存不足" in html
    assert 'data-testid="place-order" disabled' in html
    assert response.status_code == 422
    assert "购物车里有已下架、已售罄或库存不足的商品" in text_of(response)
    assert Order.objects.count() == 0 and CartLine.objects.count() == 2


def test_stock_gone_at_the_last_moment_is_a_conflict_and_nothing_is_written(client, shop, buyer, monkeypatch):
    # given the cart looks fine when read, but another buyer takes the stock right after
    fill(buyer, (shop["teapot"], 1), (shop["tea"], 2))
    key = key_of(client.get("/checkout/"))
    real_rows = checkout_module.cart_rows

    def rows_then_sold_out(cart):
        rows = real_rows(cart)
        Sku.objects.filter(pk=sku_of(shop["tea"]).pk).update(stock=1)
        return rows

    monkeypatch.setattr(checkout_module, "cart_rows", rows_then_sold_out)

    # when
    response = client.post("/checkout/", {**new_address(), "idempotency_key": key})

    # then
    assert response.status_code == 409
    assert "库存不足：刚刚有人买走了最后几件" in text_of(response)
    assert Order.objects.count() == 0 and Address.objects.count() == 0
    assert CartLine.objects.count() == 2
    assert Sku.objects.get(pk=sku_of(shop["teapot"]).pk).stock == 5  # its decrement was rolled back too


# Queries of a checkout post with a new address to keep: session, user, cart, saved addresses; place_order's
# key lookup, cart rows and their images, shipping methods, then the order, its parts, its lines, the stock
# lock, the guarded stock update, product totals, reservations, cart lines, log and event; the address
# (exists? then default reset and insert); the badge count; plus savepoints — the same for 2 and 8 lines.
# +1 the member's tier prices (loyalty); +1 purchase guards (early access); +1 promoter bindings;
# +1 friend-deal reservation check
CHECKOUT_POST_QUERIES = 34


@pytest.mark.parametrize("n", [2, 8])
def test_checkout_post_query_count_does_not_grow_with_lines(client, buyer, django_assert_num_queries, n):
    # given n lines from two stores
    stores = [StoreFactory(), StoreFactory()]
    fill(buyer, *[(ProductFactory(store=stores[i % 2], skus=[{"price": Decimal("10.00"), "stock": 5}]), 1)
                  for i in range(n)])
    data = {**new_address(), "idempotency_key": key_of(client.get("/checkout/"))}

    # when / then
    with django_assert_num_queries(CHECKOUT_POST_QUERIES):
        response = client.post("/checkout/", data)
    assert response.status_code == 302
    assert Order.objects.get().lines.count() == n


def place(user, shop, key="page-order-1"):
    return place_order(user, fill(user, (shop["tea"], 2)), address=ADDRESS, idempotency_key=key)


def test_pay_page_shows_amount_deadline_and_the_configured_gateways(client, shop, buyer, settings):
    # given
    order = place(buyer, shop)
    settings.TRIBE_PAYMENT_GATEWAYS = {"dummy": {}, "wechat": {"mchid": "1"}}

    # when
    response = client.get(f"/orders/{order.number}/pay/")

    # then 2 × 35.50 + 8.00 shipping; 15 minutes to pay
    html = text_of(response)
    assert response.status_code == 200
    assert '<span class="price big" data-testid="pay-amount">¥79.00</span>' in html
    assert re.search(r'data-seconds="(8\d\d|9\d\d)"', html)
    assert 'value="dummy" checked' in html and 'value="wechat"' in html and 'value="alipay"' not in html


def test_pay_with_the_dummy_gateway_succeeds_through_a_signed_notification(client, shop, buyer):
    # given
    order = place(buyer, shop)

    # when the buyer picks the dummy gateway, and presses 支付成功 at its cashier
    response = client.post(f"/orders/{order.number}/pay/", {"gateway": "dummy"})
    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/pay/dummy/{payment.out_trade_no}/"
    cashier = client.get(response["Location"])
    assert '<span class="price big" data-testid="dummy-amount">¥79.00</span>' in text_of(cashier)
    response = client.post(f"/pay/dummy/{payment.out_trade_no}/", {"action": "succeed"})

    # then
    order.refresh_from_db()
    payment.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.number}/"
    assert (order.status, order.paid_total, payment.status) == (Order.Status.PAID, Decimal("79.00"), "succeeded")
    assert "支付成功，商家将尽快发货" in text_of(client.get(response["Location"]))
    # a second press is a duplicate notification: nothing changes
    client.post(f"/pay/dummy/{payment.out_trade_no}/", {"action": "succeed"})
    order.refresh_from_db()
    assert (order.status, order.paid_total) == (Order.Status.PAID, Decimal("79.00"))


def test_a_failed_dummy_payment_leaves_the_order_payable(client, shop, buyer):
    order = place(buyer, shop)
    payment, _ = start_payment(buyer, order.pk, "dummy")
    response = client.post(f"/pay/dummy/{payment.out_trade_no}/", {"action": "fail"})
    order.refresh_from_db()
    payment.refresh_from_db()
    assert response.status_code == 302
    assert (order.status, payment.status) == (Order.Status.PENDING_PAYMENT, "failed")
    assert 'data-testid="go-pay"' in text_of(client.get(f"/orders/{order.number}/"))


def test_a_late_dummy_payment_stays_pending_until_the_notification_arrives(client, shop, buyer):
    # given
    order = place(buyer, shop)
    payment, _ = start_payment(buyer, order.pk, "dummy")

    # when 稍后到账 is pressed
    response = client.post(f"/pay/dummy/{payment.out_trade_no}/", {"action": "late"})

    # then nothing is paid yet
    order.refresh_from_db()
    assert response.status_code == 302
    assert (order.status, Payment.objects.get().status) == (Order.Status.PENDING_PAYMENT, "created")

    # when the late notification is delivered from the cashier page
    client.post(f"/pay/dummy/{payment.out_trade_no}/", {"action": "deliver"})

    # then
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_a_late_notification_after_expiry_is_refunded(client, shop, buyer):
    # given a payment left pending past the order's deadline
    order = place(buyer, shop)
    payment, _ = start_payment(buyer, order.pk, "dummy")

    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        # when the buyer opens the order (the check on access expires it), then the late notification arrives
        assert "超时未支付，订单已关闭" in text_of(client.get(f"/orders/{order.number}/"))
        response = client.post(f"/pay/dummy/{payment.out_trade_no}/", {"action": "deliver"}, follow=True)

    # then the order expired (the units went back) and the money is returned
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (Order.Status.EXPIRED, "refunded")
    assert "这笔迟到的付款已原路退回" in text_of(response)
    assert Sku.objects.get(pk=sku_of(shop["tea"]).pk).stock == 9


def test_pay_refuses_unknown_or_unconfigured_gateways(client, shop, buyer):
    order = place(buyer, shop)
    for gateway in ("", "paypal", "alipay"):
        response = client.post(f"/orders/{order.number}/pay/", {"gateway": gateway})
        assert response.status_code == 422
        assert "请选择支付方式" in text_of(response)
    assert Payment.objects.count() == 0


def test_an_expired_order_cannot_be_paid(client, shop, buyer):
    order = place(buyer, shop)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        page = client.get(f"/orders/{order.number}/pay/")
        post = client.post(f"/orders/{order.number}/pay/", {"gateway": "dummy"})
    assert page.status_code == 302 and page["Location"] == f"/orders/{order.number}/"
    assert post.status_code == 409 and "订单已不能支付" in text_of(post)
    order.refresh_from_db()
    assert order.status == Order.Status.EXPIRED and Payment.objects.count() == 0


def test_only_the_buyer_reaches_the_pay_page_and_the_cashier(client, shop, buyer, settings):
    # given another shopper's order and payment
    other = UserFactory()
    order = place(other, shop, key="other-order-1")
    payment, _ = start_payment(other, order.pk, "dummy")

    # then
    assert client.get(f"/orders/{order.number}/pay/").status_code == 404
    assert client.post(f"/orders/{order.number}/pay/", {"gateway": "dummy"}).status_code == 404
    assert client.get(f"/pay/dummy/{payment.out_trade_no}/").status_code == 404
    assert client.post(f"/pay/dummy/{payment.out_trade_no}/", {"action": "succeed"}).status_code == 404
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    # and without the dummy gateway configured, its cashier does not exist at all
    settings.TRIBE_PAYMENT_GATEWAYS = {"alipay": {}}
    client.force_login(other)
    assert client.get(f"/pay/dummy/{payment.out_trade_no}/").status_code == 404
