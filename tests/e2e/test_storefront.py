from decimal import Decimal

import pytest

from tests.factories import BrandFactory, CategoryFactory, ProductFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_search_product_and_language_switch(live_server, page):
    # given a small shop with milk powder and something else
    brand = BrandFactory(name="暖阳宝贝", slug="nuanyang")
    store = StoreFactory(brand=brand, name="暖阳官方旗舰店")
    milk = CategoryFactory(name="奶粉", slug="milk")
    product = ProductFactory(
        name="婴儿配方奶粉 900g", store=store, category=milk,
        skus=[{"price": Decimal("268.00"), "stock": 5, "options": {}}],
    )
    ProductFactory(name="碎花连衣裙", store=store)

    # when a shopper opens the home page and searches 奶粉
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("input[name=q]", "奶粉")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search/**")

    # then the milk powder is found and the dress is not
    results = page.locator(f"a[href*='/p/{product.id}/']")
    assert results.count() >= 1
    assert page.get_by_text("碎花连衣裙").count() == 0

    # when they open the product
    results.first.click()
    page.wait_for_url(f"**/p/{product.id}/**")
    assert page.locator("h1").first.inner_text().strip() == "婴儿配方奶粉 900g"
    assert "268.00" in page.content()

    # and switch the language
    page.locator("[data-testid=lang-switch]").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("input[name=q]").get_attribute("placeholder") == "Search products and brands"
