"""Pinned query counts for the hot storefront pages. Each page is measured with 3 and with 12 products
shown, and both sizes must run the same number of queries: no N+1 as the catalogue grows."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from tests.factories import BrandFactory, CategoryFactory, ProductFactory, StoreFactory
from tests.web.conftest import png_bytes
from tribe.catalog.models import Bundle, BundleItem, ProductImage

pytestmark = pytest.mark.django_db

SIZES = [3, 12]

# Queries per page, anonymous visitor with a session already started (the warm-up request):
# session read + the page's own reads + the event insert (inside its savepoint) where the page records one.
HOME_QUERIES = 7
PRODUCT_QUERIES = 13  # +1 口碑 summary; +1 posts tagging the product; +1 early-access lookup
SEARCH_QUERIES = 10


def add_image(product, position=0):
    image = ProductImage(product=product, position=position, width=8, height=8)
    image.image.save("p.jpg", ContentFile(png_bytes()), save=False)
    image.thumb.save("p_t.jpg", ContentFile(png_bytes()), save=False)
    image.save()


def catalogue(n: int, *, name: str = "羊毛围巾"):
    """n products, each from its own brand, store and category, each with an image, each in a bundle."""
    products = []
    for i in range(n):
        parent = CategoryFactory()
        store = StoreFactory(brand=BrandFactory(kind=["hub", "flagship", "content"][i % 3]))
        product = ProductFactory(name=f"{name}{i}", store=store, category=CategoryFactory(parent=parent),
                                 skus=[{"price": Decimal("10.00") + i, "stock": i}])
        add_image(product)
        bundle = Bundle.objects.create(name=f"组合{i}", slug=f"kit-{i}")
        BundleItem.objects.create(bundle=bundle, product=product)
        products.append(product)
    return products


@pytest.mark.parametrize("n", SIZES)
def test_home_query_count_does_not_grow_with_products(client, django_assert_num_queries, n):
    # given
    catalogue(n)
    client.get("/")  # warm-up: starts the visitor's session

    # when / then
    with django_assert_num_queries(HOME_QUERIES):
        response = client.get("/")
    assert response.content.decode().count('data-testid="product-card"') == n


@pytest.mark.parametrize("n", SIZES)
def test_product_page_query_count_does_not_grow_with_skus_images_bundles_or_store_products(
    client, django_assert_num_queries, n
):
    # given a product with n SKUs, n images, in n bundles, and n other products in its store
    store = StoreFactory()
    product = ProductFactory(
        store=store, option_names=["尺码"],
        skus=[{"options": {"尺码": f"S{i}"}, "price": Decimal("10.00") + i, "stock": i} for i in range(n)],
    )
    for i in range(n):
        add_image(product, position=i)
        bundle = Bundle.objects.create(name=f"组合{i}", slug=f"kit-{i}")
        BundleItem.objects.create(bundle=bundle, product=product)
        add_image(ProductFactory(store=store))
    client.get("/")

    # when / then
    with django_assert_num_queries(PRODUCT_QUERIES):
        response = client.get(f"/p/{product.id}/")
    html = response.content.decode()
    assert html.count('data-testid="product-card"') == min(n, 8)
    assert html.count('<a href="/bundle/kit-') == n
    assert html.count('data-option="尺码"') == n


@pytest.mark.parametrize("n", SIZES)
def test_search_page_query_count_does_not_grow_with_results(client, django_assert_num_queries, n):
    # given
    catalogue(n)
    client.get("/")

    # when / then
    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get("/search/", {"q": "围巾", "in_stock": "1", "sort": "price"})
    html = response.content.decode()
    assert html.count('data-testid="product-card"') == n - 1  # product 0 has no stock


STATION_HUB_QUERIES = 15  # +1 claimable coupons (issue 6); +1 the follow button's follower count (issue 4)
CATEGORY_QUERIES = 11


@pytest.mark.parametrize("n", SIZES)
def test_hub_station_query_count_does_not_grow_with_sub_brands(client, django_assert_num_queries, n):
    # given a hub with n sub-brands, each selling one product (with an image) in its own store
    hub = BrandFactory(kind="hub", slug="group")
    for _ in range(n):
        sub = BrandFactory(parent=hub)
        add_image(ProductFactory(store=StoreFactory(brand=sub), brand=sub))
    client.get("/")

    # when / then
    with django_assert_num_queries(STATION_HUB_QUERIES):
        response = client.get("/b/group/")
    assert response.content.decode().count('data-testid="sub-brand-section"') == n


@pytest.mark.parametrize("n", SIZES)
def test_category_page_query_count_does_not_grow_with_products(client, django_assert_num_queries, n):
    # given n products spread over n sub-categories of one category
    top = CategoryFactory(slug="top")
    for i in range(n):
        product = ProductFactory(category=CategoryFactory(parent=top),
                                 skus=[{"price": Decimal(i + 1), "stock": 1}])
        add_image(product)
    client.get("/")

    # when / then
    with django_assert_num_queries(CATEGORY_QUERIES):
        response = client.get("/c/top/?sort=price")
    assert response.content.decode().count('data-testid="product-card"') == n
