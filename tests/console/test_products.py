"""Products: create with first SKUs, edit, publish toggle, the filtered list and its query count."""

from decimal import Decimal

import pytest
from django.urls import reverse
from tests.factories import CategoryFactory, ProductFactory, StoreFactory

from tribe.catalog.models import Product, ProductImage, Sku


def _create(client, **fields):
    data = {"name": "婴儿连体衣", "subtitle": "", "description": "", "option_names": "", "skus": "", **fields}
    return client.post(reverse("console:product_new", args=["brand-a"]), data)


def test_create_form_offers_only_this_brands_stores_and_the_category_tree(staff_client, store_a, brand_b):
    # given another brand's store and a two-level category tree
    StoreFactory(brand=brand_b, name="乙店")
    parent = CategoryFactory(name="母婴")
    CategoryFactory(name="奶粉", parent=parent)

    response = staff_client.get(reverse("console:product_new", args=["brand-a"]))

    assert response.status_code == 200
    form = response.context["form"]
    assert [s.name for s in form.fields["store"].queryset] == ["甲旗舰店"]
    assert [label for _, label in form.fields["category"].choices] == ["---------", "母婴", "\u3000奶粉"]


def test_create_product_with_options_and_first_skus(staff_client, store_a, category):
    # when staff create a product with two options and two SKUs
    response = _create(
        staff_client,
        store=store_a.pk,
        category=category.pk,
        subtitle="A 类纯棉",
        option_names="颜色，尺码",
        skus="粉色,66,99.00,10\n蓝色, 73, 109.50, 0\n",
    )

    # then one unpublished product exists with exactly those SKUs and a summary that matches them
    product = Product.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("console:product", args=["brand-a", product.pk])
    assert (product.name, product.subtitle, product.store, product.brand_id, product.category) == (
        "婴儿连体衣",
        "A 类纯棉",
        store_a,
        store_a.brand_id,
        category,
    )
    assert product.option_names == ["颜色", "尺码"]
    assert product.published is False
    assert [(s.options, s.price, s.stock) for s in product.skus.order_by("id")] == [
        ({"颜色": "粉色", "尺码": "66"}, Decimal("99.00"), 10),
        ({"颜色": "蓝色", "尺码": "73"}, Decimal("109.50"), 0),
    ]
    assert (product.min_price, product.max_price, product.total_stock) == (
        Decimal("99.00"),
        Decimal("109.50"),
        10,
    )


def test_create_published_product_without_options(staff_client, store_a, category):
    response = _create(staff_client, store=store_a.pk, category=category.pk, skus="59.90,5", published="on")

    assert response.status_code == 302
    product = Product.objects.get()
    assert product.published is True
    assert [(s.options, s.price, s.stock) for s in product.skus.all()] == [({}, Decimal("59.90"), 5)]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "此项必填"),
        ({"name": "   "}, "name: required"),
        ({"skus": "-1.00,5"}, "price: must be positive"),
        ({"skus": "9.999,5"}, "price: at most two decimal places"),
        ({"skus": "abc,5"}, "price: not a valid amount"),
        ({"skus": "9.90,-1"}, "stock: a whole number from 0 to 1000000"),
        ({"skus": "9.90,1000001"}, "请输入 0 到 1000000 之间的整数"),
        ({"skus": "9.90,99999999999999999999"}, "stock: a whole number from 0 to 1000000"),
        ({"skus": "9.90,many"}, "第 1 行的库存须为整数"),
        ({"skus": "9.90"}, "第 1 行应有 2 项"),
        ({"published": "on"}, "上架的商品至少需要一个在售的 SKU"),
        ({"name": "衣" * 121}, "最多 120 个字符"),
    ],
    ids=[
        "empty-name",
        "blank-name",
        "negative-price",
        "three-decimals",
        "not-a-price",
        "stock-minus-one",
        "stock-too-big",
        "stock-huge",
        "stock-not-a-number",
        "short-line",
        "published-without-sku",
        "long-name",
    ],
)
def test_create_product_bad_input_is_422_and_stores_nothing(staff_client, store_a, category, fields, message):
    response = _create(staff_client, **{"store": store_a.pk, "category": category.pk, **fields})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert Product.objects.count() == 0
    assert Sku.objects.count() == 0


def test_create_product_in_another_brands_store_is_refused(staff_client, brand_a, brand_b, category):
    other = StoreFactory(brand=brand_b)

    response = _create(staff_client, store=other.pk, category=category.pk, skus="9.90,1")

    assert response.status_code == 422
    assert list(response.context["form"].errors) == ["store"]
    assert Product.objects.count() == 0


def test_product_name_with_html_is_stored_as_text_and_shown_escaped(staff_client, store_a, category):
    name = '<img src=x onerror="alert(1)">连体衣'

    _create(staff_client, store=store_a.pk, category=category.pk, name=name, skus="9.90,1")

    product = Product.objects.get()
    assert product.name == name
    for url in (
        reverse("console:products", args=["brand-a"]),
        reverse("console:product", args=["brand-a", product.pk]),
    ):
        body = staff_client.get(url).content.decode()
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;连体衣" in body
        assert "<img src=x" not in body


def test_edit_product_fields(staff_client, product_a):
    new_category = CategoryFactory(name="睡袋")

    response = staff_client.post(
        reverse("console:product", args=["brand-a", product_a.pk]),
        {
            "name": "纯棉连体衣（新款）",
            "subtitle": "新疆长绒棉",
            "description": "两件装",
            "category": new_category.pk,
        },
    )

    assert response.status_code == 302
    product = Product.objects.get(pk=product_a.pk)
    assert (product.name, product.subtitle, product.description, product.category) == (
        "纯棉连体衣（新款）",
        "新疆长绒棉",
        "两件装",
        new_category,
    )


def test_edit_product_with_empty_name_is_422_and_unchanged(staff_client, product_a):
    response = staff_client.post(
        reverse("console:product", args=["brand-a", product_a.pk]),
        {"name": "", "subtitle": "新卖点", "description": "", "category": product_a.category_id},
    )

    assert response.status_code == 422
    assert "此项必填" in response.content.decode()
    product = Product.objects.get(pk=product_a.pk)
    assert (product.name, product.subtitle) == ("纯棉连体衣", "")


def test_product_of_another_brand_is_404_through_this_brand(staff_client, brand_a, category):
    other = ProductFactory(category=category, name="别人的商品")

    assert staff_client.get(reverse("console:product", args=["brand-a", other.pk])).status_code == 404
    response = staff_client.post(
        reverse("console:product_publish", args=["brand-a", other.pk]), {"published": "0"}
    )
    assert response.status_code == 404
    assert Product.objects.get(pk=other.pk).published is True


def test_publish_toggle_with_htmx_answers_with_the_button(staff_client, product_a):
    url = reverse("console:product_publish", args=["brand-a", product_a.pk])

    # when staff unpublish through the htmx toggle
    response = staff_client.post(url, {"published": "0"}, HTTP_HX_REQUEST="true")

    # then the product is unpublished and the answer is the toggle alone, now offering "上架"
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<form class="inline publish-toggle"')
    assert 'value="1"' in body and "上架" in body
    assert Product.objects.get(pk=product_a.pk).published is False

    # and publishing again works the same way
    response = staff_client.post(url, {"published": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Product.objects.get(pk=product_a.pk).published is True


def test_publishing_a_product_without_active_sku_is_422_with_the_reason(staff_client, store_a, category):
    product = ProductFactory(store=store_a, category=category, published=False, skus=[])

    response = staff_client.post(
        reverse("console:product_publish", args=["brand-a", product.pk]),
        {"published": "1"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 422
    assert "上架的商品至少需要一个在售的 SKU" in response.content.decode()
    assert Product.objects.get(pk=product.pk).published is False


def test_publish_without_htmx_redirects_to_the_product(staff_client, product_a):
    response = staff_client.post(
        reverse("console:product_publish", args=["brand-a", product_a.pk]), {"published": "0"}
    )

    assert response.status_code == 302
    assert response.url == reverse("console:product", args=["brand-a", product_a.pk])
    assert Product.objects.get(pk=product_a.pk).published is False


@pytest.fixture
def catalogue(store_a, category):
    """Two stores of brand A, products in every state, and one product of another brand."""
    second = StoreFactory(brand=store_a.brand, name="甲二店")
    return {
        "published": ProductFactory(store=store_a, category=category, name="有货上架奶瓶"),
        "hidden": ProductFactory(store=store_a, category=category, name="未上架奶瓶", published=False),
        "sold_out": ProductFactory(
            store=second, category=category, name="缺货围兜", skus=[{"price": "9.00", "stock": 0}]
        ),
        "mixed": ProductFactory(
            store=store_a,
            category=category,
            name="一个尺码缺货的袜子",
            skus=[{"price": "5.00", "stock": 0}, {"price": "6.00", "stock": 2}],
        ),
        "foreign": ProductFactory(category=category, name="别家奶瓶"),
        "second": second,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["mixed", "sold_out", "hidden", "published"]),
        ("?q=奶瓶", ["hidden", "published"]),
        ("?published=1", ["mixed", "sold_out", "published"]),
        ("?published=0", ["hidden"]),
        ("?stock=out", ["sold_out"]),
        ("?stock=in", ["mixed", "hidden", "published"]),
        ("?stock=sku_out", ["mixed", "sold_out"]),
        ("?store=SECOND", ["sold_out"]),
        ("?q=奶瓶&published=0", ["hidden"]),
        ("?published=maybe&stock=none", ["mixed", "sold_out", "hidden", "published"]),
    ],
)
def test_product_list_filters(staff_client, catalogue, query, expected):
    url = reverse("console:products", args=["brand-a"]) + query.replace("SECOND", str(catalogue["second"].pk))

    response = staff_client.get(url)

    assert response.status_code == 200
    assert [p.pk for p in response.context["page"]] == [catalogue[k].pk for k in expected]


def _brand_a_products(n, store, category):
    for i in range(n):
        product = ProductFactory(store=store, category=category, name=f"商品{i}", published=i % 2 == 0)
        ProductImage.objects.create(product=product, image=f"products/{i}.jpg", thumb=f"products/{i}_t.jpg")


@pytest.mark.parametrize("n", [3, 12])
def test_product_list_query_count_does_not_grow_with_products(
    staff_client, store_a, category, n, django_assert_num_queries
):
    # given n products of brand A, each with a cover image
    _brand_a_products(n, store_a, category)
    url = reverse("console:products", args=["brand-a"])
    staff_client.get(url)  # the first request of a session also writes its visit; measure the steady state

    # when the list is rendered: session, user, brand, memberships, sub-brands, count, stores (filter),
    # products with store and category, images
    with django_assert_num_queries(9):
        response = staff_client.get(url)

    # then every product is on the page
    assert response.status_code == 200
    assert len(response.context["page"]) == n
