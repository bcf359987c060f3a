"""拼团 in a real browser: user A opens a group from the campaign page and pays; user B opens the group's share
link, joins, pays; the group page shows 已成团 and both orders may now ship."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.groupbuy import services
from tribe.groupbuy.models import Group
from tribe.orders.holds import holds_for
from tribe.orders.models import Address, Order

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


def _pay(page):
    page.wait_for_url("**/pay/")
    page.click("[data-testid=pay]")
    page.wait_for_url("**/pay/dummy/**")
    page.click("[data-testid=dummy-succeed]")
    page.wait_for_url("**/orders/*/")


def test_open_share_join_pay_complete(live_server, browser):
    store = StoreFactory()
    staff = MembershipFactory(brand=store.brand).user
    tea = ProductFactory(name="明前龙井 250g", store=store, skus=[{"price": Decimal("198.00"), "stock": 20,
                                                                   "options": {}}])
    now = timezone.now()
    deal = services.create_deal(staff, store.brand, {
        "title": "龙井两人团", "product_id": tea.pk, "starts_at": now - timedelta(minutes=5),
        "ends_at": now + timedelta(days=3), "group_size": 2, "hours": 24, "per_user_limit": 1, "price": "158.00"})
    services.move_deal(staff, deal, "start")
    a, b = UserFactory(username="tuanzhang_a"), UserFactory(username="tuanyou_b")
    Address.objects.create(user=a, is_default=True, **ADDRESS)

    # A opens a group from the campaign page (saved address) and pays
    ctx, page = _context(browser)
    _login(page, live_server.url, a)
    page.goto(f"{live_server.url}/groupbuy/{deal.pk}/")
    page.click("[data-testid=open-group]")
    page.click("[data-testid=groupbuy-submit]")
    _pay(page)
    group = Group.objects.get(deal=deal)
    page.goto(f"{live_server.url}/groups/{group.pk}/")
    assert "还差 1 人成团" in page.inner_text("[data-testid=seats-left]")
    page.click("[data-testid=share-button]")
    link = page.input_value("[data-testid=share-link]")
    assert f"/groups/{group.pk}/" in link
    ctx.close()

    # B opens the share link, joins with a new address, pays
    ctx, page = _context(browser)
    _login(page, live_server.url, b)
    page.goto(link)
    assert page.locator("[data-testid=group-member]").count() == 1  # only the real leader
    page.click("[data-testid=join-group]")
    page.check("input[name=address][value=new]")
    for name, value in ADDRESS.items():
        page.fill(f"input[name={name}]", value)
    page.click("[data-testid=groupbuy-submit]")
    _pay(page)
    page.goto(f"{live_server.url}/groups/{group.pk}/")
    assert page.inner_text("[data-testid=group-state]") == "已成团"
    assert page.locator("[data-testid=group-member]").count() == 2
    ctx.close()

    orders = list(Order.objects.filter(user__in=[a, b]))
    assert [o.status for o in orders] == ["paid", "paid"]
    assert all(o.total == Decimal("158.00") for o in orders)  # the group price; shipping is free over ¥99
    assert holds_for([o.pk for o in orders]) == {}  # complete: both may ship
