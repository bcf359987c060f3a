"""The console's htmx parts in a real browser: the inline SKU editor (including its 422 error row, which
htmx only swaps because console/base.html configures responseHandling) and the publish toggle."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from tests.factories import ProductFactory

from tribe.catalog.models import Product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_inline_sku_edit_and_publish_toggle(page, live_server, staff_a, store_a, category):
    # given a published product with one SKU, and staff of its brand signed in
    product = ProductFactory(store=store_a, category=category, name="纯棉连体衣")
    sku = product.skus.get()
    _sign_in(page, live_server, staff_a)
    page.goto(f"{live_server.url}/console/brand-a/products/{product.pk}/")

    # when they edit the SKU row with a price of three decimals
    row = page.locator(f"#sku-{sku.pk}")
    row.get_by_role("link", name="编辑").click()
    page.locator(f"#sku-{sku.pk}.editing input[name=price]").fill("1.234")
    page.locator(f"#sku-{sku.pk}").get_by_role("button", name="保存").click()

    # then the row shows the error in place and nothing is saved
    page.locator(f"#sku-{sku.pk}.editing").get_by_text("最多两位小数").wait_for()
    sku.refresh_from_db()
    assert sku.price == Decimal("99.00")

    # when they correct it and save
    page.locator(f"#sku-{sku.pk} input[name=price]").fill("88.00")
    page.locator(f"#sku-{sku.pk} input[name=stock]").fill("4")
    page.locator(f"#sku-{sku.pk}").get_by_role("button", name="保存").click()

    # then the display row comes back with the new price, and the database has it
    page.locator(f"#sku-{sku.pk}:not(.editing)").get_by_text("¥88.00").wait_for()
    sku.refresh_from_db()
    assert (sku.price, sku.stock) == (Decimal("88.00"), 4)

    # when they press 下架 on the toggle, the button turns into 上架 and the product is unpublished
    page.locator(f"#publish-{product.pk}").get_by_role("button", name="下架").click()
    page.locator(f"#publish-{product.pk}").get_by_role("button", name="上架").wait_for()
    assert Product.objects.get(pk=product.pk).published is False

    # and the page fits a phone screen without horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
