"""Storefront pages render what they promise: home, store, category, product, bundles, error pages."""

import json
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from tests.factories import CategoryFactory, MembershipFactory, ProductFactory, StoreFactory, UserFactory
from tests.web.conftest import png_bytes
from tribe.catalog.models import Bundle, BundleItem, ProductImage, Sku

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def sku_data(response) -> dict:
    pattern = r'<script id="sku-data" type="application/json">(.*?)</script>'
    match = re.search(pattern, text_of(response), re.S)
    return json.loads(match.group(1))


def make_bundle(products_with_qty, **fields) -> Bundle:
    bundle = Bundle.objects.create(name=fields.get("name", "新生儿出院套装"),
                                   slug=fields.get("slug", "newborn"),
                                   scenario=fields.get("scenario", "宝宝出院回家"))
    for i, (product, qty, note) in enumerate(products_with_qty):
        BundleItem.objects.create(bundle=bundle, product=product, quantity=qty, note=note, position=i)
    return bundle


def test_home_shows_stations_of_each_kind_categories_newest_products_and_bundles(client, shop):
    # given a catalogue with the three station kinds and a bundle
    make_bundle([(shop["formula"], 1, "")])

    # when
    response = client.get("/")

    # then
    html = text_of(response)
    assert response.status_code == 200
    for kind, name in [("hub", "贝乐集团"), ("flagship", "暖居"), ("content", "小欢喜")]:
        assert f'data-testid="stations-{kind}"' in html
        assert name in html
    assert 'href="/c/baby/?src=home"' in html and 'href="/c/milk/?src=home"' in html
    assert f'href="/p/{shop["blanket"].id}/?src=home"' in html
    assert "未上架的靠枕" not in html
    assert 'href="/bundle/newborn/"' in html
    assert "1 件商品" in html


def test_store_page_lists_its_published_products_sorted_by_price(client, shop):
    # given a second product in the hub store, cheaper than the others
    cheap = ProductFactory(name="试用装奶粉", store=shop["hub_store"], brand=shop["sub_a"],
                           category=shop["categories"]["milk"], skus=[{"price": Decimal("9.90"), "stock": 1}])

    # when
    response = client.get("/s/bele-mall/?sort=price")

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert "贝乐官方商城" in html
    assert "共 3 件商品" in html
    names = re.findall(r'<div class="name">(.*?)</div>', html)
    assert names == [cheap.name, "孕妇防辐射服 银纤维", "婴儿配方奶粉"]
    assert "羊毛毯" not in html


def test_store_page_paginates(client, shop):
    # given 25 products in one store (20 per page)
    store = StoreFactory(slug="big-store")
    for i in range(25):
        ProductFactory(name=f"大店商品{i}", store=store)

    # when
    first = client.get("/s/big-store/")
    second = client.get("/s/big-store/?page=2")

    # then
    assert len(re.findall('data-testid="product-card"', text_of(first))) == 20
    assert len(re.findall('data-testid="product-card"', text_of(second))) == 5
    assert 'href="/s/big-store/?page=2"' in text_of(first)
    assert "2 / 2" in text_of(second)


def test_unknown_or_inactive_store_is_404(client, shop):
    # given an inactive store
    StoreFactory(slug="closed", is_active=False)

    # then
    assert client.get("/s/closed/").status_code == 404
    assert client.get("/s/nope/").status_code == 404


def test_category_page_includes_descendants_and_breadcrumbs(client, shop):
    # when
    parent = client.get("/c/baby/")
    child = client.get("/c/milk/")

    # then
    assert parent.status_code == 200
    assert "共 3 件商品" in text_of(parent)
    assert 'href="/c/milk/?src=category"' in text_of(parent)
    assert "共 1 件商品" in text_of(child)
    assert "婴儿配方奶粉" in text_of(child)
    assert '<a href="/c/baby/">母婴</a>' in text_of(child)


def test_category_page_filters_by_price_and_stock(client, shop):
    # when: in stock only, and at most 200 yuan
    response = client.get("/c/baby/?in_stock=1&max_price=200")

    # then: the sold-out onesie and the 268 formula drop out
    html = text_of(response)
    assert "共 1 件商品" in html
    assert "孕妇防辐射服 银纤维" in html


def test_unknown_category_is_404_and_bad_filter_is_400(client, shop):
    assert client.get("/c/nope/").status_code == 404
    response = client.get("/c/baby/?min_price=abc")
    assert response.status_code == 400
    assert "最低价" in text_of(response)


def test_product_page_shows_gallery_price_range_skus_and_links(client, shop):
    # given a product with two colours × two sizes, one combination sold out, and two images
    product = ProductFactory(
        name="孕妇连衣裙", store=shop["flagship_store"], category=shop["categories"]["wear"],
        option_names=["颜色", "尺码"],
        skus=[
            {"options": {"颜色": "粉色", "尺码": "M"}, "price": Decimal("129.00"), "stock": 4},
            {"options": {"颜色": "粉色", "尺码": "L"}, "price": Decimal("139.00"), "stock": 0},
            {"options": {"颜色": "蓝色", "尺码": "M"}, "price": Decimal("129.00"), "stock": 2},
            {"options": {"颜色": "蓝色", "尺码": "L"}, "price": Decimal("139.00"), "stock": 1},
        ],
    )
    for i in range(2):
        image = ProductImage(product=product, position=i, width=8, height=8, alt=f"图{i}")
        image.image.save(f"p{i}.jpg", ContentFile(png_bytes()), save=False)
        image.thumb.save(f"p{i}_t.jpg", ContentFile(png_bytes()), save=False)
        image.save()

    # when
    response = client.get(f"/p/{product.id}/")

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert "¥129.00 – ¥139.00" in html
    assert html.count('alt="图') == 2
    assert 'data-option="颜色" data-value="粉色"' in html
    assert f'href="/b/{shop["flagship"].slug}/"' in html and 'href="/s/nuanju-store/"' in html
    data = sku_data(response)
    assert data["names"] == ["颜色", "尺码"]
    assert [(s["options"], s["price"], s["stock"]) for s in data["skus"]] == [
        ({"颜色": "粉色", "尺码": "M"}, "129.00", 4),
        ({"颜色": "粉色", "尺码": "L"}, "139.00", 0),
        ({"颜色": "蓝色", "尺码": "M"}, "129.00", 2),
        ({"颜色": "蓝色", "尺码": "L"}, "139.00", 1),
    ]
    # the buy form posts the SKU and quantity only: the server prices the cart
    assert 'action="/cart/add/"' in html and 'data-testid="add-to-cart"' in html and 'name="price"' not in html


def test_product_page_disables_option_values_with_no_stock_at_all(client, shop):
    # given size XL exists only as a sold-out SKU
    product = ProductFactory(
        store=shop["flagship_store"], option_names=["尺码"],
        skus=[{"options": {"尺码": "M"}, "price": Decimal("10.00"), "stock": 1},
              {"options": {"尺码": "XL"}, "price": Decimal("10.00"), "stock": 0}],
    )

    # when
    html = text_of(client.get(f"/p/{product.id}/"))

    # then
    assert 'data-value="M" aria-pressed="false">' in html
    assert 'data-value="XL" aria-pressed="false" disabled' in html


def test_product_page_lists_bundles_containing_it(client, shop):
    # given
    make_bundle([(shop["formula"], 2, "")], name="新生儿出院套装", slug="newborn")

    # when
    html = text_of(client.get(f"/p/{shop['formula'].id}/"))

    # then
    assert '<a href="/bundle/newborn/">新生儿出院套装</a>' in html


def test_html_in_product_name_and_description_is_escaped(client, shop):
    # given
    product = ProductFactory(name='<script>alert("x")</script>婴儿车', store=shop["flagship_store"],
                             description="第一行<b>粗</b>\n第二行")

    # when
    html = text_of(client.get(f"/p/{product.id}/"))

    # then
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;婴儿车" in html
    assert "第一行&lt;b&gt;粗&lt;/b&gt;<br>第二行" in html


def test_unpublished_product_is_404_for_anonymous_and_strangers(client, shop):
    # given
    url = f"/p/{shop['hidden'].id}/"
    stranger = UserFactory()
    other_staff = MembershipFactory(brand=shop["hub"]).user

    # then
    assert client.get(url).status_code == 404
    for user in (stranger, other_staff):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 404
        assert "未上架的靠枕" not in text_of(response)
        assert 'data-testid="error-404"' in text_of(response)


def test_unpublished_product_is_visible_to_its_brand_staff_with_banner(client, shop):
    # given staff of the product's brand
    staff = MembershipFactory(brand=shop["flagship"]).user
    client.force_login(staff)

    # when
    response = client.get(f"/p/{shop['hidden'].id}/")

    # then
    assert response.status_code == 200
    assert 'data-testid="unpublished-banner"' in text_of(response)
    assert "未上架的靠枕" in text_of(response)


def test_published_product_has_no_banner_and_missing_product_is_404(client, shop):
    assert 'unpublished-banner' not in text_of(client.get(f"/p/{shop['blanket'].id}/"))
    assert client.get("/p/999999/").status_code == 404
    assert client.get("/p/99999999999999999999999/").status_code == 404


def test_product_of_inactive_store_is_404(client, shop):
    # given
    shop["flagship_store"].is_active = False
    shop["flagship_store"].save()

    # then
    assert client.get(f"/p/{shop['blanket'].id}/").status_code == 404


def test_bundle_page_shows_items_notes_and_decimal_total(client, shop):
    # given: 2 × 19.90 + 1 × 268.00 (+ a product pinned to a SKU priced 59.90, × 3)
    wipes = ProductFactory(name="婴儿湿巾", store=shop["hub_store"], brand=shop["sub_a"],
                           skus=[{"price": Decimal("19.90"), "stock": 100}])
    bundle = make_bundle([(wipes, 2, "出院路上擦手"), (shop["formula"], 1, "夜里冲奶")])
    BundleItem.objects.create(bundle=bundle, product=shop["onesie"], quantity=3, note="", position=5,
                                       sku=Sku.objects.get(product=shop["onesie"]))

    # when
    response = client.get("/bundle/newborn/")

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert len(re.findall('data-testid="bundle-item"', html)) == 3
    assert "出院路上擦手" in html and "夜里冲奶" in html
    assert '<span class="price" data-testid="line-total">¥39.80</span>' in html
    assert '<span class="price" data-testid="line-total">¥179.70</span>' in html
    assert '<span class="price big" data-testid="bundle-total">¥487.50</span>' in html
    assert f'href="/p/{wipes.id}/?src=bundle"' in html


def test_bundle_total_leaves_out_unpublished_products(client, shop):
    # given
    make_bundle([(shop["formula"], 1, ""), (shop["hidden"], 1, "")])

    # when
    html = text_of(client.get("/bundle/newborn/"))

    # then
    assert "未上架的靠枕" not in html
    assert 'data-testid="bundle-total">¥268.00<' in html
    assert "另有 1 件商品已下架" in html


def test_bundles_list_and_unknown_or_unpublished_bundle(client, shop):
    # given
    make_bundle([(shop["formula"], 1, "")])
    Bundle.objects.create(name="草稿组合", slug="draft", published=False)

    # when
    response = client.get("/bundles/")

    # then
    assert response.status_code == 200
    assert "新生儿出院套装" in text_of(response)
    assert "草稿组合" not in text_of(response)
    assert client.get("/bundle/draft/").status_code == 404
    assert client.get("/bundle/nope/").status_code == 404
    assert client.get("/bundles/?page=-1").status_code == 400
    assert client.get("/bundles/?page=x").status_code == 400


def test_product_without_image_shows_a_first_character_placeholder(client, shop):
    html = text_of(client.get("/s/nuanju-store/"))
    assert '<div class="thumb placeholder" aria-hidden="true">羊</div>' in html


def test_category_without_products_shows_empty_state(client, db):
    CategoryFactory(slug="empty-cat")
    response = client.get("/c/empty-cat/")
    assert response.status_code == 200
    assert 'data-testid="empty"' in text_of(response)


def test_unknown_url_renders_the_site_404_page(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert 'data-testid="error-404"' in text_of(response)
    assert "部落 Tribe" in text_of(response)


def test_sub_brand_product_links_to_its_own_brand_station(client, shop):
    html = text_of(client.get(f"/p/{shop['formula'].id}/"))
    assert 'href="/b/bele-milk/"' in html
    assert 'href="/s/bele-mall/"' in html


@pytest.mark.parametrize(("handler", "status", "testid"), [
    ("bad_request", 400, "error-400"),
    ("permission_denied", 403, "error-403"),
    ("page_not_found", 404, "error-404"),
])
def test_django_error_handlers_render_the_site_templates(rf, db, handler, status, testid):
    # given Django's default handlers, which load 400.html / 403.html / 404.html
    from django.views import defaults

    request = rf.get("/anything/")

    # when
    response = getattr(defaults, handler)(request, Exception("x"))

    # then
    assert response.status_code == status
    assert f'data-testid="{testid}"' in response.content.decode()


def test_category_htmx_filter_change_is_not_another_visit(client, shop):
    from tribe.core.models import Event

    client.get("/c/baby/")
    response = client.get("/c/baby/?sort=price", HTTP_HX_REQUEST="true")
    assert "<html" not in text_of(response)
    assert Event.objects.filter(name="category_view").count() == 1
