"""砍价 in a real browser: A starts a bargain from the campaign page; an anonymous visitor is sent to sign in;
two friends help from the bargain link; A sees the floor reached and buys with a saved address, then pays."""

from decimal import Decimal

import pytest

from tests.factories import PASSWORD, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.bargain.models import Bargain, BargainHelp
from tribe.orders.models import Address, Order

from .conftest import ADDRESS, make_campaign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _context(browser):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.set_default_timeout(15000)
    return ctx, page


def _login(page, base, user):
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def test_start_help_buy_pay(live_server, browser):
    store = StoreFactory()
    shop = {"brand": store.brand, "staff": MembershipFactory(brand=store.brand).user}
    product = ProductFactory(name="手冲咖啡壶", store=store, skus=[{"price": Decimal("120.00"), "stock": 5}])
    shop["sku"] = product.skus.get()
    campaign = make_campaign(shop, floor_price="60.00", helps_needed=2)
    a = UserFactory(username="kanjia_a")
    Address.objects.create(user=a, is_default=True, **ADDRESS)
    friends = [UserFactory(username=f"haoyou_{i}") for i in range(2)]

    ctx, page = _context(browser)
    _login(page, live_server.url, a)
    page.goto(f"{live_server.url}/bargain/{campaign.pk}/")
    page.click("[data-testid=bargain-start]")
    page.wait_for_url("**/bargains/*/")
    bargain = Bargain.objects.get(initiator=a)
    link = page.url
    assert "¥120.00" in page.inner_text("[data-testid=bargain-price]")
    assert page.locator("[data-testid=buy-locked]").count() == 1
    ctx.close()

    ctx, page = _context(browser)  # an anonymous visitor must sign in to help
    page.goto(link)
    page.click("[data-testid=login-to-help]")
    page.wait_for_url("**/accounts/login/**")
    assert f"next=/bargains/{bargain.pk}/" in page.url.replace("%2F", "/")
    ctx.close()

    for friend in friends:
        ctx, page = _context(browser)
        _login(page, live_server.url, friend)
        page.goto(link)
        page.click("[data-testid=bargain-help]")
        page.wait_for_selector("[data-testid=already-helped]")
        ctx.close()
    assert BargainHelp.objects.filter(bargain=bargain).count() == 2

    ctx, page = _context(browser)
    _login(page, live_server.url, a)
    page.goto(link)
    assert "¥60.00" in page.inner_text("[data-testid=bargain-price]")
    assert page.locator("[data-testid=helper]").count() == 2
    page.click("[data-testid=bargain-buy-button]")
    page.wait_for_url("**/pay/")
    page.click("[data-testid=pay]")
    page.wait_for_url("**/pay/dummy/**")
    page.click("[data-testid=dummy-succeed]")
    page.wait_for_url("**/orders/*/")
    ctx.close()
    order = Order.objects.get(user=a)
    assert order.status == Order.Status.PAID
    assert order.subtotal - order.discount_total == Decimal("60.00")
    bargain.refresh_from_db()
    assert (bargain.state, bargain.order_id) == (Bargain.State.BOUGHT, order.pk)
