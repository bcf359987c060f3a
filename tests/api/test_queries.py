"""Hot API paths run a fixed number of SQL statements, whatever the number of products, SKUs or images.

Counts are for a returning anonymous client (its session row exists): session read 1, then
search: match 1 + candidate keys 1 + page rows 1 + page images 1; product: product 1 + images 1 + SKUs 1 +
category path 1; each then records its event (savepoint, insert, release = 3).
"""

from decimal import Decimal

import pytest

from tests.factories import BrandFactory, CategoryFactory, ProductFactory, StoreFactory
from tests.images import png_upload
from tribe.brands.models import Brand
from tribe.catalog.models import Placement
from tribe.catalog.services import add_product_image, create_bundle

pytestmark = pytest.mark.django_db

SEARCH_QUERIES = 8
PRODUCT_QUERIES = 8
# session 1, brand 1, sub-brands 1, media 1, news 1, station stores 2, placements 1 + their images 1, event 3
STATION_QUERIES = 12
# session 1, bundle 1, items with products/brands/stores/SKUs 1 + images 1, event 3
BUNDLE_QUERIES = 7


def shelf(n: int, operator) -> list:
    """n products in a two-level category, each with n SKUs and two images."""
    category = CategoryFactory(parent=CategoryFactory())
    store = StoreFactory()
    products = []
    for i in range(n):
        product = ProductFactory(
            store=store,
            category=category,
            name=f"婴儿配方奶粉 {i}号",
            option_names=["规格"],
            skus=[
                {"options": {"规格": f"{j}罐"}, "price": Decimal("99.00") + j, "stock": 1} for j in range(n)
            ],
        )
        add_product_image(operator, product, png_upload())
        add_product_image(operator, product, png_upload())
        products.append(product)
    return products


@pytest.mark.parametrize("n", [3, 12])
def test_search_query_count_does_not_grow_with_results(anon, operator, django_assert_num_queries, n):
    # given
    shelf(n, operator)
    anon.get("/products")  # a returning client: the visit's session exists
    # when
    with django_assert_num_queries(SEARCH_QUERIES):
        response = anon.get("/products", {"q": "奶粉", "page_size": 60})
    # then
    assert response.json()["count"] == n
    assert all(len(item["cover"]["url"]) > 0 for item in response.json()["items"])


@pytest.mark.parametrize("n", [3, 12])
def test_product_query_count_does_not_grow_with_skus_or_images(anon, operator, django_assert_num_queries, n):
    # given
    product = shelf(n, operator)[0]
    anon.get("/products")
    # when
    with django_assert_num_queries(PRODUCT_QUERIES):
        response = anon.get(f"/products/{product.id}")
    # then
    assert len(response.json()["skus"]) == n
    assert len(response.json()["images"]) == 2
    assert len(response.json()["category_path"]) == 2


@pytest.mark.parametrize("n", [3, 12])
def test_content_station_query_count_does_not_grow_with_placements(
    anon, operator, django_assert_num_queries, n
):
    # given
    series = BrandFactory(kind=Brand.Kind.CONTENT, slug="series")
    for i, product in enumerate(shelf(n, operator)):
        Placement.objects.create(station=series, product=product, position=i)
    anon.get("/products")
    # when
    with django_assert_num_queries(STATION_QUERIES):
        response = anon.get("/brands/series")
    # then
    assert len(response.json()["placements"]) == n


@pytest.mark.parametrize("n", [3, 12])
def test_bundle_query_count_does_not_grow_with_items(anon, operator, django_assert_num_queries, n):
    # given
    products = shelf(n, operator)
    create_bundle(
        operator, name="出院套装", slug="going-home", items=[{"product_id": p.id} for p in products]
    )
    anon.get("/products")
    # when
    with django_assert_num_queries(BUNDLE_QUERIES):
        response = anon.get("/bundles/going-home")
    # then
    assert len(response.json()["items"]) == n
    assert response.json()["total_price"] == f"{99 * n:.2f}"
