"""The whole purchase in a real browser: search → product → cart → checkout → dummy pay → paid → after-sales."""

import re
from decimal import Decimal

import pytest

from tests.factories import PASSWORD, BrandFactory, CategoryFactory, ProductFactory, StoreFactory, UserFactory
from tests.orders.conftest import ADDRESS
from tribe.aftersales.models import RefundRequest
from tribe.orders.models import Address, CartLine, Order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_search_buy_pay_and_ask_for_a_refund(live_server, page):
    # given a teapot on sale and a registered shopper
    store = StoreFactory(brand=BrandFactory(name="宜兴壶艺", slug="yixing"), name="宜兴壶艺旗舰店")
    teaware = CategoryFactory(name="茶具", slug="teaware")
    teapot = ProductFactory(name="宜兴紫砂壶 西施壶", store=store, category=teaware,
                            skus=[{"price": Decimal("128.00"), "stock": 5, "options": {}}])
    shopper = UserFactory(username="chayou")

    # when they search for it and open it
    page.goto(live_server.url + "/")
    page.fill("input[name=q]", "紫砂壶")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search/**")
    page.locator(f"a[href*='/p/{teapot.id}/']").first.click()
    page.wait_for_url(f"**/p/{teapot.id}/**")

    # and add it to the cart (an HTMX swap: the page stays, the badge counts the line)
    page.fill("[data-testid=buy-quantity]", "2")
    page.click("[data-testid=add-to-cart]")
    page.wait_for_selector("[data-testid=cart-message]:has-text('已加入购物车')")
    assert page.locator("[data-testid=cart-count]").inner_text() == "1"
    assert f"/p/{teapot.id}/" in page.url

    # then the cart shows the line at the current price
    page.click("[data-testid=cart-link]")
    page.wait_for_url("**/cart/")
    assert page.locator("[data-testid=cart-total]").inner_text() == "¥256.00"

    # when they check out: sign in first, then enter an address
    page.click("[data-testid=checkout]")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", shopper.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/checkout/")
    assert page.locator("[data-testid=checkout-total]").inner_text() == "¥256.00"  # free shipping over 99
    page.fill("input[name=name]", "王小明")
    page.fill("input[name=phone]", "13800138000")
    page.fill("input[name=province]", "浙江省")
    page.fill("input[name=city]", "杭州市")
    page.fill("input[name=district]", "西湖区")
    page.fill("input[name=detail]", "文三路 100 号")
    page.click("[data-testid=place-order]")
    page.wait_for_url("**/pay/")
    assert page.locator("[data-testid=pay-amount]").inner_text() == "¥256.00"

    # and pay with the dummy gateway
    page.click("[data-testid=pay]")
    page.wait_for_url("**/pay/dummy/**")
    page.click("[data-testid=dummy-succeed]")
    page.wait_for_url("**/orders/*/")

    # then the order shows paid
    assert page.locator("[data-testid=order-status]").inner_text() == "已付款"
    order = Order.objects.get(user=shopper)
    assert (order.status, order.paid_total) == (Order.Status.PAID, Decimal("256.00"))

    # when they ask for a refund of one teapot
    page.click("[data-testid=refund-link]")
    page.wait_for_url("**/refund/")
    page.fill("input[name=quantity]", "1")
    page.fill("textarea[name=reason]", "买多了一把")
    page.click("[data-testid=refund-submit]")
    page.wait_for_url(f"**/orders/{order.number}/")

    # then the request shows as waiting for the store
    assert page.locator("[data-testid=refund-status]").inner_text() == "待处理"
    request = RefundRequest.objects.get(order=order)
    assert (request.quantity, request.amount, request.kind) == (1, Decimal("128.00"), "refund_only")


def test_sku_picker_stepper_shipping_requote_and_a_late_dummy_payment(live_server, page):
    # given a T-shirt in two sizes and a shopper with a saved address
    shirt = ProductFactory(name="纯棉T恤", store=StoreFactory(), option_names=["尺码"], skus=[
        {"options": {"尺码": "M"}, "price": Decimal("59.00"), "stock": 3},
        {"options": {"尺码": "L"}, "price": Decimal("69.00"), "stock": 2}])
    shopper = UserFactory()
    saved = Address.objects.create(user=shopper, is_default=True, **ADDRESS)

    # when the shopper adds without picking a size, then picks L and adds
    page.goto(live_server.url + f"/p/{shirt.id}/")
    assert not page.locator("[data-sku-select-label]").is_visible()  # the chips replace the no-script select
    page.click("[data-testid=add-to-cart]")
    page.wait_for_selector("[data-testid=cart-message]:has-text('请选择规格')")
    page.click("button[data-option='尺码'][data-value='L']")
    page.click("[data-testid=add-to-cart]")
    page.wait_for_selector("[data-testid=cart-message]:has-text('已加入购物车')")

    # then the L went into the cart
    assert list(CartLine.objects.values_list("sku__options", "quantity")) == [({"尺码": "L"}, 1)]

    # when "+" is pressed twice in the cart (only 2 in stock), then 1 is typed
    page.goto(live_server.url + "/cart/")
    page.click("[data-testid=stepper] button[value='1']")
    page.wait_for_selector("[data-testid=line-subtotal]:has-text('¥138.00')")
    page.click("[data-testid=stepper] button[value='1']")

    # then the refusal is shown in place and the quantity stays
    page.wait_for_selector("[data-testid=cart-error]:has-text('库存不足，仅剩 2 件')")
    assert page.locator("[data-testid=quantity]").input_value() == "2"
    page.fill("[data-testid=quantity]", "1")
    page.press("[data-testid=quantity]", "Tab")
    page.wait_for_selector("[data-testid=cart-total]:has-text('¥69.00')")

    # when they sign in at checkout and switch to express shipping
    page.goto(live_server.url + "/accounts/login/?next=/checkout/")
    page.fill("input[name=username]", shopper.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/checkout/")
    assert not page.locator("[data-new-address]").is_visible()  # the saved address is chosen
    page.check("input[name=address][value=new]")
    assert page.locator("[data-new-address]").is_visible()
    page.check("input[name^=shipping_][value=express]")

    # then the server re-quotes: 69.00 + 18.00
    page.wait_for_selector("[data-testid=checkout-total]:has-text('¥87.00')")
    assert page.locator("#checkout-total").inner_text() == "¥87.00"

    # when they order to the saved address and pay "late"
    page.check(f"input[name=address][value='{saved.pk}']")
    page.click("[data-testid=place-order]")
    page.wait_for_url("**/pay/")
    assert page.locator("[data-testid=pay-amount]").inner_text() == "¥87.00"
    assert re.fullmatch(r"1[45]:\d\d", page.locator("[data-testid=countdown]").inner_text())
    page.click("[data-testid=pay]")
    page.click("[data-testid=dummy-late]")
    page.wait_for_url("**/orders/*/")

    # then the order still waits for payment, until the late notification is delivered
    assert page.locator("[data-testid=order-status]").inner_text() == "待付款"
    page.click("text=模拟收银台")
    page.click("[data-testid=dummy-deliver]")
    page.wait_for_url("**/orders/*/")
    assert page.locator("[data-testid=order-status]").inner_text() == "已付款"
