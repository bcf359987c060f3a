"""SKUs: inline edit (htmx row swap and the no-script page) and adding a SKU."""

from decimal import Decimal

import pytest
from django.urls import reverse
from tests.factories import ProductFactory

from tribe.catalog.models import Product, Sku


@pytest.fixture
def sku(product_a):
    return product_a.skus.get()


def _edit(client, sku, htmx=True, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("console:sku_edit", args=["brand-a", sku.pk]), data, **headers)


def test_inline_edit_row_is_served_to_htmx(staff_client, sku):
    response = staff_client.get(reverse("console:sku_edit", args=["brand-a", sku.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<tr id="sku-{sku.pk}" class="editing">')
    assert 'name="price" value="99.00"' in body


def test_inline_edit_saves_price_stock_and_active_and_returns_the_row(staff_client, product_a, sku):
    # when staff save new price and stock through the htmx row
    response = _edit(staff_client, sku, price="88.80", stock="3", is_active="on")

    # then the SKU and the product summary change, and the answer is the display row
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<tr id="sku-{sku.pk}">')
    assert "¥88.80" in body and "已保存" in body
    sku.refresh_from_db()
    assert (sku.price, sku.stock, sku.is_active) == (Decimal("88.80"), 3, True)
    product = Product.objects.get(pk=product_a.pk)
    assert (product.min_price, product.max_price, product.total_stock) == (
        Decimal("88.80"),
        Decimal("88.80"),
        3,
    )


def test_inline_edit_can_take_a_sku_off_sale(staff_client, product_a, sku):
    response = _edit(staff_client, sku, price="99.00", stock="10")  # the "在售" box unticked

    assert response.status_code == 200
    sku.refresh_from_db()
    assert sku.is_active is False
    assert Product.objects.get(pk=product_a.pk).total_stock == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"price": "-1", "stock": "5"}, "不能为负数"),
        ({"price": "12.345", "stock": "5"}, "最多两位小数"),
        ({"price": "", "stock": "5"}, "这个字段是必填项"),
        ({"price": "10.00", "stock": "-1"}, "请输入 0 到 1000000 之间的整数"),
        ({"price": "10.00", "stock": "1000001"}, "stock: a whole number from 0 to 1000000"),
        ({"price": "10.00", "stock": "2.5"}, "输入整数"),
    ],
    ids=["negative-price", "three-decimals", "no-price", "stock-minus-one", "stock-huge", "stock-fraction"],
)
def test_inline_edit_bad_input_is_422_row_with_message_and_nothing_changes(staff_client, sku, data, message):
    response = _edit(staff_client, sku, is_active="on", **data)

    assert response.status_code == 422
    body = response.content.decode()
    assert body.startswith(f'<tr id="sku-{sku.pk}" class="editing">')
    assert message in body
    sku.refresh_from_db()
    assert (sku.price, sku.stock, sku.is_active) == (Decimal("99.00"), 10, True)


def test_sku_edit_without_htmx_uses_a_page_and_redirects(staff_client, product_a, sku):
    assert staff_client.get(reverse("console:sku_edit", args=["brand-a", sku.pk])).status_code == 200

    response = _edit(staff_client, sku, htmx=False, price="77.00", stock="4", is_active="on")

    assert response.status_code == 302
    assert response.url == reverse("console:product", args=["brand-a", product_a.pk])
    sku.refresh_from_db()
    assert (sku.price, sku.stock) == (Decimal("77.00"), 4)


def test_sku_edit_without_htmx_bad_price_is_422_page(staff_client, sku):
    response = _edit(staff_client, sku, htmx=False, price="1.001", stock="4", is_active="on")

    assert response.status_code == 422
    assert "price: at most two decimal places" in response.content.decode()
    sku.refresh_from_db()
    assert sku.price == Decimal("99.00")


def test_cancel_returns_the_display_row(staff_client, sku):
    response = staff_client.get(reverse("console:sku_row", args=["brand-a", sku.pk]), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.content.decode().startswith(f'<tr id="sku-{sku.pk}">')


def test_sku_of_another_brand_is_404_through_this_brand(staff_client, brand_a, category):
    other = ProductFactory(category=category).skus.get()

    response = _edit(staff_client, other, price="1.00", stock="1", is_active="on")

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.price == Decimal("99.00")


def test_add_sku_with_options(staff_client, store_a, category):
    product = ProductFactory(
        store=store_a,
        category=category,
        option_names=["颜色", "尺码"],
        skus=[{"price": "50.00", "stock": 1, "options": {"颜色": "粉", "尺码": "S"}}],
    )

    response = staff_client.post(
        reverse("console:sku_add", args=["brand-a", product.pk]),
        {"option_0": "蓝", "option_1": "M", "price": "55.00", "stock": "6", "code": ""},
    )

    assert response.status_code == 302
    new = product.skus.order_by("-id").first()
    assert (new.options, new.price, new.stock, new.is_active) == (
        {"颜色": "蓝", "尺码": "M"},
        Decimal("55.00"),
        6,
        True,
    )
    product.refresh_from_db()
    assert (product.min_price, product.max_price, product.total_stock) == (
        Decimal("50.00"),
        Decimal("55.00"),
        7,
    )


def test_add_duplicate_sku_is_409(staff_client, store_a, category):
    product = ProductFactory(
        store=store_a,
        category=category,
        option_names=["颜色"],
        skus=[{"price": "50.00", "stock": 1, "options": {"颜色": "粉"}}],
    )

    response = staff_client.post(
        reverse("console:sku_add", args=["brand-a", product.pk]),
        {"option_0": "粉", "price": "60.00", "stock": "1", "code": ""},
    )

    assert response.status_code == 409
    assert "已存在相同规格的 SKU" in response.content.decode()
    assert product.skus.count() == 1


def test_add_sku_with_bad_price_is_422(staff_client, store_a, category):
    product = ProductFactory(
        store=store_a,
        category=category,
        option_names=["颜色"],
        skus=[{"price": "50.00", "stock": 1, "options": {"颜色": "粉"}}],
    )

    response = staff_client.post(
        reverse("console:sku_add", args=["brand-a", product.pk]),
        {"option_0": "蓝", "price": "5.555", "stock": "1", "code": ""},
    )

    assert response.status_code == 422
    assert "最多两位小数" in response.content.decode()
    assert Sku.objects.filter(product=product).count() == 1
