"""GET /products (and its alias GET /search): Chinese keywords, pinyin, filters, sorts, pages, events."""

from decimal import Decimal

import pytest

from tests.factories import BrandFactory, CategoryFactory, ProductFactory, StoreFactory
from tribe.core.models import Event

from .conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(db):
    baby = CategoryFactory(name="母婴", slug="muying")
    milk = CategoryFactory(name="奶粉", slug="milk-powder", parent=baby)
    wear = CategoryFactory(name="孕妇装", slug="maternity", parent=baby)
    group = BrandFactory(name="贝亲集团", slug="group")
    sub = BrandFactory(name="贝亲奶粉", slug="group-milk", parent=group)
    other = BrandFactory(name="暖阳", slug="nuanyang")
    store = StoreFactory(brand=sub, slug="milk-store")
    other_store = StoreFactory(brand=other, slug="nuanyang-store")
    return {
        "milk": ProductFactory(
            name="婴儿配方奶粉 900g",
            category=milk,
            store=store,
            skus=[{"price": Decimal("268.00"), "stock": 5}],
        ),
        "vest": ProductFactory(
            name="孕妇防辐射服 银纤维",
            category=wear,
            store=other_store,
            skus=[{"price": Decimal("199.00"), "stock": 0}],
        ),
        "goat": ProductFactory(
            name="羊奶粉 3段",
            category=milk,
            store=other_store,
            skus=[{"price": Decimal("318.00"), "stock": 2}],
        ),
        "dress": ProductFactory(
            name="碎花连衣裙", store=other_store, skus=[{"price": Decimal("129.00"), "stock": 9}]
        ),
    }


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_naifen_finds_infant_formula(anon, shelf):
    assert set(names(anon.get("/products", {"q": "奶粉"}))) == {"婴儿配方奶粉 900g", "羊奶粉 3段"}


def test_fangfushefu_is_found_inside_a_longer_name(anon, shelf):
    assert names(anon.get("/products", {"q": "防辐射服"})) == ["孕妇防辐射服 银纤维"]


def test_pinyin_finds_chinese_names(anon, shelf):
    assert set(names(anon.get("/products", {"q": "naifen"}))) == {"婴儿配方奶粉 900g", "羊奶粉 3段"}


def test_search_alias_gives_the_same_page(anon, shelf):
    via_products = anon.get("/products", {"q": "奶粉", "sort": "price"}).json()
    via_search = anon.get("/search", {"q": "奶粉", "sort": "price"}).json()
    assert via_search == via_products
    assert [i["name"] for i in via_search["items"]] == ["婴儿配方奶粉 900g", "羊奶粉 3段"]


def test_a_search_records_query_and_result_count(anon, shelf):
    # when
    anon.get("/products", {"q": " 奶粉 "})
    anon.get("/search", {"q": "不存在的东西"})
    anon.get("/products")  # browsing without a query is not a search
    # then
    events = list(Event.objects.filter(name="search").order_by("id").values_list("props", flat=True))
    assert events == [{"query": "奶粉", "result_count": 2}, {"query": "不存在的东西", "result_count": 0}]


def test_results_carry_prices_as_two_decimal_strings(anon, shelf):
    item = anon.get("/products", {"q": "连衣裙"}).json()["items"][0]
    assert (item["min_price"], item["max_price"]) == ("129.00", "129.00")
    assert item["in_stock"] is True
    assert item["store"]["slug"] == "nuanyang-store"


def test_filters_category_brand_with_sub_brands_store_price_and_stock(anon, shelf):
    assert set(names(anon.get("/products", {"category": "muying"}))) == {
        "婴儿配方奶粉 900g",
        "孕妇防辐射服 银纤维",
        "羊奶粉 3段",
    }
    assert names(anon.get("/products", {"brand": "group"})) == ["婴儿配方奶粉 900g"]
    assert names(anon.get("/products", {"store": "milk-store"})) == ["婴儿配方奶粉 900g"]
    assert names(anon.get("/products", {"min_price": "200", "max_price": "300.00", "sort": "price"})) == [
        "婴儿配方奶粉 900g"
    ]
    assert "孕妇防辐射服 银纤维" not in names(anon.get("/products", {"in_stock": "true"}))


def test_sorts(anon, shelf):
    assert names(anon.get("/products", {"sort": "price"})) == [
        "碎花连衣裙",
        "孕妇防辐射服 银纤维",
        "婴儿配方奶粉 900g",
        "羊奶粉 3段",
    ]
    assert names(anon.get("/products", {"sort": "-price"}))[0] == "羊奶粉 3段"
    assert names(anon.get("/products", {"sort": "newest"}))[0] == "碎花连衣裙"


def test_pages(anon, shelf):
    # when
    response = anon.get("/products", {"sort": "price", "page": 2, "page_size": 3})
    # then
    assert response.json()["count"] == 4
    assert (response.json()["page"], response.json()["page_size"], response.json()["pages"]) == (2, 3, 2)
    assert names(response) == ["羊奶粉 3段"]
    assert names(anon.get("/products", {"page": 9})) == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 61}, "page_size"),
        ({"page": "two"}, "page"),
        ({"sort": "cheapest"}, "sort"),
        ({"min_price": "abc"}, "min_price"),
        ({"min_price": "-1"}, "min_price"),
        ({"max_price": "1.999"}, "max_price"),
        ({"max_price": "NaN"}, "max_price"),
        ({"max_price": "1e30"}, "max_price"),
        ({"q": "奶" * 101}, "q"),
    ],
)
def test_bad_paging_and_filter_input_is_422_with_the_field(anon, shelf, params, field):
    # when
    response = anon.get("/products", params)
    # then
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {field}
    assert not Event.objects.filter(name="search").exists()


@pytest.mark.parametrize(
    "params, field",
    [
        ({"category": "nope"}, "category"),
        ({"brand": "nope"}, "brand"),
        ({"store": "nope"}, "store"),
        ({"brand": "bad slug!"}, "brand"),
        ({"store": "a\x00b"}, "store"),
    ],
)
def test_unknown_filter_references_are_422(anon, shelf, params, field):
    response = anon.get("/products", params)
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {field}


def test_unpublished_products_are_not_found(anon, shelf):
    # given
    shelf["milk"].published = False
    shelf["milk"].save()
    # then
    assert names(anon.get("/products", {"q": "奶粉"})) == ["羊奶粉 3段"]


def test_control_characters_in_the_query_are_dropped(anon, shelf):
    assert set(names(anon.get("/products", {"q": "奶\x00粉\x07"}))) == {"婴儿配方奶粉 900g", "羊奶粉 3段"}
    assert Event.objects.get(name="search").props == {"query": "奶粉", "result_count": 2}
