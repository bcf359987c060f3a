"""The brand console's data pages in a real browser: pick a date range, the ECharts charts render (sources and
funnel), and the CSV export downloads."""

from datetime import datetime

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tribe.core.models import Event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_console_funnel_chart_renders_for_a_date_range_and_exports_csv(live_server, page):
    store = StoreFactory()
    ProductFactory(store=store)
    staff = MembershipFactory(brand=store.brand).user
    tz = timezone.get_current_timezone()
    for i in range(3):
        visitor = UserFactory()
        base = timezone.make_aware(datetime(2026, 11, 5, 10 + i), tz)
        Event.objects.create(name="product_view", created_at=base, actor=visitor, brand_id=store.brand_id,
                             channel="wechat")
        if i < 2:
            Event.objects.create(name="add_to_cart", created_at=base.replace(minute=5), actor=visitor,
                                 brand_id=store.brand_id, channel="wechat")
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=username]", staff.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    page.goto(live_server.url + f"/console/{store.brand.slug}/analytics/")
    page.fill("input[name=start]", "2026-11-01")
    page.fill("input[name=end]", "2026-11-10")
    page.click("[data-testid=range-form] button[type=submit]")
    page.wait_for_selector("[data-testid=sources-chart][data-rendered='1']")
    assert page.locator("[data-testid=total-visits]").inner_text() == "3"
    page.click("[data-testid=funnel-tab]")
    page.fill("input[name=steps]", "pv,cart")
    page.fill("input[name=start]", "2026-11-01")
    page.fill("input[name=end]", "2026-11-10")
    page.click("[data-testid=funnel-form] button[type=submit]")
    page.wait_for_selector("[data-testid=funnel-chart][data-rendered='1']")
    assert page.locator("[data-testid=funnel-chart] canvas").count() >= 1
    with page.expect_download() as info:
        page.click("[data-testid=funnel-csv]")
    content = open(info.value.path(), encoding="utf-8-sig").read()
    assert "all,product_view,3" in content and "all,add_to_cart,2" in content
