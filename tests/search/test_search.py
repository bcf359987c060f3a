from decimal import Decimal

import pytest

from tests.factories import BrandFactory, CategoryFactory, MembershipFactory, ProductFactory, StoreFactory
from tribe.catalog.services import update_product, update_sku
from tribe.search.services import SearchParams, search_products
from tribe.search.tokenizer import index_terms, query_groups


def names(result):
    return [p.name for p in result.items]


@pytest.fixture
def shelf(db):
    baby = CategoryFactory(name="母婴", slug="muying")
    milk = CategoryFactory(name="奶粉", slug="naifen-cat", parent=baby)
    wear = CategoryFactory(name="孕妇装", slug="yunfu", parent=baby)
    brand = BrandFactory(name="暖阳")
    store = StoreFactory(brand=brand)
    products = {
        "milk": ProductFactory(name="婴儿配方奶粉 900g", category=milk, store=store,
                               skus=[{"price": Decimal("268.00"), "stock": 5}]),
        "vest": ProductFactory(name="孕妇防辐射服 银纤维", category=wear, store=store,
                               skus=[{"price": Decimal("199.00"), "stock": 0}]),
        "goat": ProductFactory(name="羊奶粉 3段", category=milk, skus=[{"price": Decimal("318.00"), "stock": 2}]),
        "dress": ProductFactory(name="碎花连衣裙", skus=[{"price": Decimal("129.00"), "stock": 9}]),
    }
    return {"brand": brand, "store": store, "milk_cat": milk, "baby_cat": baby, **products}


def test_tokenizer_index_has_words_bigrams_and_pinyin():
    terms = index_terms("孕妇防辐射服 银纤维")
    assert {"孕妇", "防辐射服", "防辐射", "辐射", "射服", "服", "纤维"} <= set(terms)
    assert "yunfu" in terms
    # the commerce user dictionary keeps 防辐射服 whole; its bigrams are the fallback
    assert query_groups("防辐射服") == [["防辐射服", "防辐", "辐射", "射服"]]
    assert query_groups("婴儿 奶粉") == [["婴儿", "婴儿"], ["奶粉", "奶粉"]]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("奶粉", {"婴儿配方奶粉 900g", "羊奶粉 3段"}),
        ("防辐射服", {"孕妇防辐射服 银纤维"}),
        ("配方奶粉", {"婴儿配方奶粉 900g"}),
        ("ＮＡＩＦＥＮ", {"婴儿配方奶粉 900g", "羊奶粉 3段"}),  # full-width pinyin folds to naifen
        ("naif", {"婴儿配方奶粉 900g", "羊奶粉 3段"}),  # pinyin prefix
        ("暖阳 孕妇", {"孕妇防辐射服 银纤维"}),  # brand + word, AND-ed
        ("连衣裙", {"碎花连衣裙"}),
        ("母婴", {"婴儿配方奶粉 900g", "孕妇防辐射服 银纤维", "羊奶粉 3段"}),  # parent category name
        ("手机", set()),
    ],
)
def test_chinese_search_cases(shelf, query, expected):
    assert set(names(search_products(SearchParams(q=query)))) == expected


def test_whole_word_hit_ranks_above_scattered_characters(shelf):
    ProductFactory(name="奶茶粉丝 组合")  # has 奶 and 粉 but not the word 奶粉
    result = search_products(SearchParams(q="奶粉"))
    assert "奶茶粉丝 组合" not in names(result)[:2]


def test_filters_and_sorts(shelf):
    by_price = search_products(SearchParams(q="奶粉", sort="price"))
    assert names(by_price) == ["婴儿配方奶粉 900g", "羊奶粉 3段"]
    assert names(search_products(SearchParams(q="奶粉", sort="-price"))) == ["羊奶粉 3段", "婴儿配方奶粉 900g"]
    assert names(search_products(SearchParams(category=shelf["baby_cat"], in_stock=True, sort="price"))) == [
        "婴儿配方奶粉 900g", "羊奶粉 3段",
    ]
    assert names(search_products(SearchParams(brand_ids=[shelf["brand"].id], sort="price"))) == [
        "孕妇防辐射服 银纤维", "婴儿配方奶粉 900g",
    ]
    ranged = search_products(SearchParams(min_price=Decimal("150"), max_price=Decimal("300"), sort="price"))
    assert names(ranged) == ["孕妇防辐射服 银纤维", "婴儿配方奶粉 900g"]
    newest = search_products(SearchParams(sort="newest"))
    assert names(newest)[0] == "碎花连衣裙"


def test_pagination(shelf):
    page2 = search_products(SearchParams(sort="price", page=2, page_size=3))
    assert (page2.count, page2.pages, names(page2)) == (4, 2, ["羊奶粉 3段"])


def test_index_follows_product_changes_and_unpublish(shelf):
    staff = MembershipFactory(brand=shelf["brand"]).user
    update_product(staff, shelf["milk"], name="婴儿米粉")
    assert names(search_products(SearchParams(q="米粉"))) == ["婴儿米粉"]
    assert names(search_products(SearchParams(q="配方"))) == []  # the old name is gone from the index
    update_product(staff, shelf["milk"], published=False)
    assert names(search_products(SearchParams(q="米粉"))) == []
    update_sku(staff, shelf["vest"].skus.first(), stock=4)
    assert "孕妇防辐射服 银纤维" in names(search_products(SearchParams(in_stock=True)))


def test_query_of_only_punctuation_finds_nothing(shelf):
    assert search_products(SearchParams(q="！！ ***")).count == 0


def test_search_query_count_is_constant(shelf, django_assert_num_queries):
    # match + candidate keys + page rows + page images, however many products match
    with django_assert_num_queries(4):
        first = search_products(SearchParams(q="奶粉"))
    for i in range(10):
        ProductFactory(name=f"有机奶粉 {i}段", category=shelf["milk_cat"])
    with django_assert_num_queries(4):
        more = search_products(SearchParams(q="奶粉"))
    assert (first.count, more.count) == (2, 12)
