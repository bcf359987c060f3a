"""The search page: Chinese matching, filters, sorts, pagination, HTMX swaps, bad input, events."""

import re
from decimal import Decimal

import pytest

from tests.factories import ProductFactory
from tribe.core.models import Event

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def card_names(html: str) -> list[str]:
    return re.findall(r'<div class="name">(.*?)</div>', html)


@pytest.mark.parametrize(("query", "expected"), [
    ("奶粉", "婴儿配方奶粉"),
    ("防辐射服", "孕妇防辐射服 银纤维"),
])
def test_search_finds_chinese_words_inside_product_names(client, shop, query, expected):
    # when
    response = client.get("/search/", {"q": query})

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert expected in card_names(html)
    product = shop["formula"] if expected == "婴儿配方奶粉" else shop["suit"]
    assert f'href="/p/{product.id}/?src=search"' in html


def test_search_shows_result_count_and_keeps_the_query_in_the_search_box(client, shop):
    html = text_of(client.get("/search/", {"q": "防辐射服"}))
    assert "共 1 件商品" in html
    assert 'name="q" value="防辐射服"' in html
    assert "“防辐射服”的搜索结果" in html


def test_search_empty_state(client, shop):
    response = client.get("/search/", {"q": "潜水艇"})
    html = text_of(response)
    assert response.status_code == 200
    assert "共 0 件商品" in html
    assert "没有找到与“潜水艇”相关的商品" in html


def test_search_filters_category_brand_price_and_stock(client, shop):
    def names(**params):
        return sorted(card_names(text_of(client.get("/search/", params)).split('id="results"')[1]))

    assert names(category="baby") == ["婴儿连体衣", "婴儿配方奶粉", "孕妇防辐射服 银纤维"]
    assert names(category="maternity") == ["婴儿连体衣", "孕妇防辐射服 银纤维"]
    assert names(brand="bele-kids") == ["婴儿连体衣"]
    # a group brand covers its sub-brands
    assert names(brand="bele-group") == ["婴儿连体衣", "婴儿配方奶粉", "孕妇防辐射服 银纤维"]
    assert names(min_price="100", max_price="268") == ["婴儿配方奶粉", "孕妇防辐射服 银纤维"]
    assert names(category="baby", in_stock="1") == ["婴儿配方奶粉", "孕妇防辐射服 银纤维"]


def test_search_sorts_by_price_both_ways(client, shop):
    up = card_names(text_of(client.get("/search/", {"sort": "price"})).split('id="results"')[1])
    down = card_names(text_of(client.get("/search/", {"sort": "-price"})).split('id="results"')[1])
    assert up == ["婴儿连体衣", "孕妇防辐射服 银纤维", "婴儿配方奶粉", "羊毛毯"]
    assert down == list(reversed(up))


def test_search_paginates_and_links_keep_the_filters(client, shop):
    # given 25 matching products
    for i in range(25):
        ProductFactory(name=f"测试抱枕{i}", skus=[{"price": Decimal("10.00"), "stock": 1}])

    # when
    first = text_of(client.get("/search/", {"q": "抱枕", "sort": "newest"}))
    second = text_of(client.get("/search/", {"q": "抱枕", "sort": "newest", "page": "2"}))

    # then
    assert "共 25 件商品" in first
    assert len(card_names(first.split('id="results"')[1])) == 20
    assert len(card_names(second.split('id="results"')[1])) == 5
    assert 'href="/search/?q=%E6%8A%B1%E6%9E%95&amp;sort=newest&amp;page=2"' in first
    assert 'href="/search/?q=%E6%8A%B1%E6%9E%95&amp;sort=newest" hx-get' in second


@pytest.mark.parametrize(("params", "message"), [
    ({"min_price": "abc"}, "最低价"),
    ({"max_price": "-5"}, "最高价"),
    ({"min_price": "300", "max_price": "100"}, "最高价不能低于最低价"),
    ({"page": "-1"}, "页码"),
    ({"page": "abc"}, "页码"),
    ({"category": "no-such-category"}, "没有这个分类：no-such-category"),
    ({"brand": "no-such-brand"}, "没有这个品牌：no-such-brand"),
    ({"sort": "price; drop table"}, "排序"),
    ({"in_stock": "maybe"}, "仅看有货"),
    ({"q": "奶" * 101}, "关键词"),
])
def test_bad_filter_input_is_a_400_page_with_a_clear_message(client, shop, params, message):
    # when
    response = client.get("/search/", params)

    # then
    assert response.status_code == 400
    html = text_of(response)
    assert 'data-testid="error-400"' in html
    assert message in html
    assert not Event.objects.filter(name="search").exists()


def test_htmx_filter_change_returns_only_the_results_fragment(client, shop):
    # when
    response = client.get("/search/", {"q": "奶粉", "sort": "price"}, HTTP_HX_REQUEST="true")

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert "<html" not in html and 'data-testid="filters"' not in html
    assert html.lstrip().startswith('<p class="muted result-count"')
    assert card_names(html) == ["孕妇防辐射服 银纤维", "婴儿配方奶粉"]
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_full_page(client, shop):
    response = client.get("/search/", {"q": "奶粉"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in text_of(response)


def test_filter_form_is_wired_for_htmx_with_a_plain_get_fallback(client, shop):
    html = text_of(client.get("/search/", {"q": "奶粉"}))
    form = re.search(r'<form class="filters"[^>]*>', html).group(0)
    assert 'action="/search/" method="get"' in form
    assert 'hx-get="/search/"' in form and 'hx-target="#results"' in form and 'hx-push-url="true"' in form
    assert '<section class="section" id="results"' in html


def test_search_records_query_and_result_count(client, shop):
    # when
    client.get("/search/", {"q": "防辐射服"})
    client.get("/search/", {"q": "潜水艇"})

    # then
    assert list(Event.objects.filter(name="search").order_by("id").values_list("props", flat=True)) == [
        {"query": "防辐射服", "result_count": 1},
        {"query": "潜水艇", "result_count": 0},
    ]


def test_product_view_from_a_search_result_link_has_source_search(client, shop):
    # given the link a search result carries, followed from a page of this site
    product = shop["suit"]

    # when
    client.get(f"/p/{product.id}/?src=search", HTTP_HOST="testserver",
               HTTP_REFERER="http://testserver/search/?q=%E9%98%B2")

    # then
    event = Event.objects.get(name="product_view")
    assert (event.source, event.brand_id, event.object_id) == ("search", product.brand_id, product.id)


def test_product_view_without_referrer_is_direct_even_with_src(client, shop):
    # a forged ?src on a link pasted from elsewhere does not count as in-site search
    client.get(f"/p/{shop['suit'].id}/?src=search")
    assert Event.objects.get(name="product_view").source == "direct"


def test_other_page_events(client, shop):
    # when
    client.get("/s/bele-mall/")
    client.get("/c/milk/")

    # then
    store_visit = Event.objects.get(name="store_visit")
    assert (store_visit.object_type, store_visit.object_id, store_visit.brand_id) == (
        "store", shop["hub_store"].id, shop["hub"].id)
    category_view = Event.objects.get(name="category_view")
    assert (category_view.object_type, category_view.object_id) == ("category", shop["categories"]["milk"].id)


def test_bundle_view_event(client, shop):
    from tribe.catalog.models import Bundle, BundleItem

    bundle = Bundle.objects.create(name="套装", slug="kit")
    BundleItem.objects.create(bundle=bundle, product=shop["formula"])
    client.get("/bundle/kit/")
    event = Event.objects.get(name="bundle_view")
    assert (event.object_type, event.object_id) == ("bundle", bundle.id)
