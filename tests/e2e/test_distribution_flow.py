"""Distribution in a real browser: a 达人 builds a look (an album) from the catalogue and shares it, a visitor
opens the link and buys from it, the 达人 sees a pending commission; the order is received, the after-sales
window passes, and the commission becomes available."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.commissions.services import release_due
from tribe.distribution import services as distribution
from tribe.distribution.models import LineAttribution
from tribe.orders.models import Address, Order, StoreOrder
from tribe.orders.shipping import ship

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADDRESS = {"name": "李小姐", "phone": "13900001111", "province": "浙江省", "city": "杭州市", "district": "西湖区",
           "detail": "文二路 8 号"}


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


def test_daren_look_share_buy_commission_pending_then_available(live_server, browser):
    store = StoreFactory()
    staff = MembershipFactory(brand=store.brand).user
    dress = ProductFactory(name="亚麻连衣裙 燕麦色", store=store,
                           skus=[{"price": Decimal("200.00"), "stock": 10, "options": {}}])
    distribution.save_program(staff, store.brand, join_policy="anyone", binding="window", window_days=30,
                              default_rate="0.1000", max_promoters_per_line=1, min_withdrawal="10.00")
    daren = UserFactory(username="daren_xiaoxi")
    distribution.join(daren, store.brand)
    visitor = UserFactory(username="fan_ayu")
    Address.objects.create(user=visitor, is_default=True, **ADDRESS)

    # the 达人 builds a look from the catalogue and takes its share link
    ctx, page = _context(browser)
    _login(page, live_server.url, daren)
    page.goto(live_server.url + "/albums/new/")
    page.fill("input[name=title]", "夏日通勤穿搭")
    page.click("[data-testid=album-form] button[type=submit]")
    page.wait_for_url("**/albums/*/")
    page.fill("[data-testid=album-add] input[name=product]", f"{live_server.url}/p/{dress.pk}/")
    page.fill("[data-testid=album-add] input[name=note]", "通勤也能穿的连衣裙")
    page.click("[data-testid=album-add] button[type=submit]")
    page.wait_for_selector("[data-testid=album-item]")
    page.click("[data-testid=share-button]")
    link = page.input_value("[data-testid=share-link]")
    assert "share=" in link
    ctx.close()

    # a fan opens the link and buys the dress from the look
    ctx, page = _context(browser)
    _login(page, live_server.url, visitor)
    page.goto(link)
    page.locator(f"[data-testid=album-item] a[href*='/p/{dress.pk}/']").first.click()
    page.wait_for_url(f"**/p/{dress.pk}/**")
    page.click("[data-testid=buy-now]")
    page.wait_for_url("**/checkout/")
    page.click("[data-testid=place-order]")
    page.wait_for_url("**/pay/")
    page.click("[data-testid=pay]")
    page.wait_for_url("**/pay/dummy/**")
    page.click("[data-testid=dummy-succeed]")
    page.wait_for_url("**/orders/*/")
    order = Order.objects.get(user=visitor)
    assert order.status == Order.Status.PAID
    attribution = LineAttribution.objects.get(line__order=order)
    assert attribution.promoter.user == daren and attribution.commission == Decimal("20.00")
    ctx.close()

    # the 达人 sees the commission pending
    ctx, page = _context(browser)
    _login(page, live_server.url, daren)
    page.goto(live_server.url + "/me/commissions/")
    assert page.inner_text("[data-bucket=pending]") == "¥20.00"
    assert page.inner_text("[data-bucket=available]") == "¥0.00"

    # the order is shipped and received; the after-sales window passes
    so = StoreOrder.objects.get(order=order)
    ship(staff, so.pk, carrier="顺丰", tracking_number="SF0000000001")
    from tribe.orders.services import confirm_receipt

    confirm_receipt(visitor, order.pk)
    page.reload()
    assert page.inner_text("[data-bucket=frozen]") == "¥20.00"
    release_due(now=timezone.now() + timedelta(days=8))
    page.reload()
    assert page.inner_text("[data-bucket=available]") == "¥20.00"
    assert page.inner_text("[data-bucket=pending]") == "¥0.00"
    ctx.close()
