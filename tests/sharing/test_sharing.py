"""Share links, share cards, QR codes, Open Graph tags and the share / share_open events."""

import io
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from tests.factories import BrandFactory, ProductFactory, UserFactory
from tests.web.conftest import png_bytes
from tests.web.test_query_counts import PRODUCT_QUERIES, add_image
from tribe.catalog.models import Bundle
from tribe.core.models import Event
from tribe.core.sharing import decode_sharer, encode_sharer
from tribe.sharing.registry import kinds
from tribe.sharing.services import qr_png, share_link

pytestmark = pytest.mark.django_db


def og(html: str, prop: str) -> str | None:
    marker = f'<meta property="{prop}" content="'
    start = html.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return html[start:html.index('"', start)]


def share_input_value(html: str) -> str:
    marker = 'readonly value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)].replace("&amp;", "&")


# --- registry and links -------------------------------------------------------------------------------

def test_registry_knows_todays_kinds():
    assert {"bundle", "product", "station", "post", "circle", "album", "guide"} <= set(kinds())


def test_share_link_carries_a_code_that_decodes_to_the_sharer():
    # given
    product = ProductFactory()
    sharer = UserFactory()

    # when
    link = share_link("product", product, sharer, "wechat", base_url="https://tribe.example/")

    # then
    parsed = urlparse(link)
    assert f"{parsed.scheme}://{parsed.netloc}{parsed.path}" == f"https://tribe.example/p/{product.pk}/"
    params = parse_qs(parsed.query)
    assert params["ch"] == ["wechat"]
    assert decode_sharer(params["share"][0]) == sharer.pk


def test_share_link_without_sharer_is_plain_and_bad_channels_are_dropped():
    product = ProductFactory()
    assert share_link("product", product, None, "wechat", base_url="http://h") == f"http://h/p/{product.pk}/"
    link = share_link("product", product, UserFactory(), "<script>", base_url="http://h")
    assert "ch=" not in link and "share=" in link


def test_qr_png_is_a_reasonably_sized_image():
    # when
    data = qr_png("https://tribe.example/p/1/?share=1-abcdef0123&ch=qr")

    # then
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert 150 <= image.width <= 600 and image.width == image.height


# --- share card page and QR endpoint -------------------------------------------------------------------

def test_signed_in_user_gets_a_link_with_their_code_and_a_share_event(client):
    # given
    product = ProductFactory(name="羊毛围巾", subtitle="冬天必备")
    sharer = UserFactory()
    client.force_login(sharer)

    # when
    response = client.get(f"/share/product/{product.pk}/?ch=wechat")

    # then
    assert response.status_code == 200
    html = response.content.decode()
    link = share_input_value(html)
    params = parse_qs(urlparse(link).query)
    assert link.startswith(f"http://testserver/p/{product.pk}/?")
    assert decode_sharer(params["share"][0]) == sharer.pk and params["ch"] == ["wechat"]
    assert "羊毛围巾" in html and "冬天必备" in html and "¥99.00" in html
    assert f'src="/share/product/{product.pk}/qr.png"' in html
    event = Event.objects.get(name="share")
    assert (event.actor_id, event.object_type, event.object_id) == (sharer.pk, "product", product.pk)
    assert event.props == {"kind": "product", "channel": "wechat"}


def test_anonymous_user_gets_a_plain_link_and_no_share_event(client):
    product = ProductFactory()
    response = client.get(f"/share/product/{product.pk}/")
    assert share_input_value(response.content.decode()) == f"http://testserver/p/{product.pk}/"
    assert not Event.objects.filter(name="share").exists()


def test_bundle_and_station_cards(client):
    # given
    Bundle.objects.create(name="新生儿出院套装", slug="newborn", scenario="出院回家")
    brand = BrandFactory(name="小米", tagline="为发烧而生")

    # when
    bundle_html = client.get("/share/bundle/newborn/").content.decode()
    station_html = client.get(f"/share/station/{brand.slug}/").content.decode()

    # then
    assert "新生儿出院套装" in bundle_html and "出院回家" in bundle_html
    assert share_input_value(bundle_html) == "http://testserver/bundle/newborn/"
    assert "为发烧而生" in station_html
    assert share_input_value(station_html) == f"http://testserver/b/{brand.slug}/"


def test_qr_endpoint_returns_png_of_the_share_link_with_cache_headers(client):
    # given
    product = ProductFactory()

    # when
    anonymous = client.get(f"/share/product/{product.pk}/qr.png")
    client.force_login(UserFactory())
    signed_in = client.get(f"/share/product/{product.pk}/qr.png")

    # then
    for response in (anonymous, signed_in):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(response.content)).format == "PNG"
    assert "public" in anonymous["Cache-Control"] and "max-age=86400" in anonymous["Cache-Control"]
    assert "private" in signed_in["Cache-Control"]
    assert "Cookie" in signed_in["Vary"]
    # the signed-in QR encodes a longer link (with the share code)
    assert signed_in.content != anonymous.content


@pytest.mark.parametrize("path", [
    "/share/nope/1/", "/share/nope/1/qr.png", "/share/product/999999/", "/share/product/abc/",
    "/share/product/99999999999999999999999/qr.png", "/share/bundle/missing/", "/share/station/missing/qr.png",
])
def test_unknown_kind_or_object_is_404(client, path):
    assert client.get(path).status_code == 404


def test_unpublished_product_bundle_and_inactive_station_are_404(client):
    product = ProductFactory(published=False)
    Bundle.objects.create(name="草稿", slug="draft", published=False)
    brand = BrandFactory(is_active=False)
    assert client.get(f"/share/product/{product.pk}/").status_code == 404
    assert client.get(f"/share/product/{product.pk}/qr.png").status_code == 404
    assert client.get("/share/bundle/draft/").status_code == 404
    assert client.get(f"/share/station/{brand.slug}/").status_code == 404


# --- Open Graph tags and the share button on the object pages ------------------------------------------

def test_product_page_has_open_graph_tags_with_absolute_image_and_price(client):
    # given
    product = ProductFactory(name="羊毛围巾", subtitle="冬天必备")
    add_image(product)

    # when
    html = client.get(f"/p/{product.pk}/").content.decode()

    # then
    assert og(html, "og:type") == "product"
    assert og(html, "og:title") == "羊毛围巾"
    assert og(html, "og:description") == "冬天必备"
    assert og(html, "og:url") == f"http://testserver/p/{product.pk}/"
    assert og(html, "og:image").startswith("http://testserver/media/")
    assert og(html, "og:price:amount") == "99.00"
    assert og(html, "og:price:currency") == "CNY"
    assert f'href="/share/product/{product.pk}/" data-testid="share-button"' in html


def test_bundle_and_station_pages_have_open_graph_tags_and_share_button(client):
    # given
    bundle = Bundle.objects.create(name="露营组合", slug="camp", description="周末露营")
    bundle.cover.save("c.png", ContentFile(png_bytes()))
    brand = BrandFactory(tagline="好牌子")

    # when
    bundle_html = client.get("/bundle/camp/").content.decode()
    station_html = client.get(f"/b/{brand.slug}/").content.decode()

    # then
    assert og(bundle_html, "og:title") == "露营组合" and og(bundle_html, "og:type") == "website"
    assert og(bundle_html, "og:image").startswith("http://testserver/media/bundles/")
    assert og(bundle_html, "og:price:amount") is None
    assert 'href="/share/bundle/camp/" data-testid="share-button"' in bundle_html
    assert og(station_html, "og:url") == f"http://testserver/b/{brand.slug}/"
    assert og(station_html, "og:description") == "好牌子"
    assert f'href="/share/station/{brand.slug}/" data-testid="share-button"' in station_html


def test_product_page_query_count_is_unchanged_by_og_tags(client, django_assert_num_queries):
    # given the scenario of the pinned test in tests/web: an image and another product in the store
    product = ProductFactory()
    add_image(product)
    add_image(ProductFactory(store=product.store))
    client.get("/")

    # when / then: the pinned count from tests/web
    with django_assert_num_queries(PRODUCT_QUERIES):
        html = client.get(f"/p/{product.pk}/").content.decode()
    assert og(html, "og:image").startswith("http://testserver/media/")


# --- opening a share link ------------------------------------------------------------------------------

def test_opening_a_share_link_records_share_open_with_sharer_and_channel_once_per_visit(client):
    # given
    product = ProductFactory()
    sharer = UserFactory()
    url = f"/p/{product.pk}/?share={encode_sharer(sharer.pk)}&ch=wechat"

    # when
    client.get(url)
    client.get(url)

    # then
    event = Event.objects.get(name="share_open")
    assert (event.object_type, event.object_id, event.brand_id) == ("product", product.pk, product.brand_id)
    assert event.props == {"kind": "product", "sharer_id": sharer.pk, "channel": "wechat"}
    assert (event.sharer_id, event.channel, event.source) == (sharer.pk, "wechat", "share")
    view = Event.objects.filter(name="product_view").first()
    assert view.sharer_id == sharer.pk


def test_share_open_on_bundle_and_station_pages(client):
    # given
    Bundle.objects.create(name="露营组合", slug="camp")
    brand = BrandFactory()
    code = encode_sharer(UserFactory().pk)

    # when
    client.get(f"/bundle/camp/?share={code}&ch=moments")
    client.get(f"/b/{brand.slug}/?share={code}&ch=qr")

    # then
    opens = Event.objects.filter(name="share_open").order_by("id")
    assert [(e.object_type, e.props["channel"]) for e in opens] == [("bundle", "moments"), ("brand", "qr")]


def test_tampered_share_code_credits_nobody(client):
    # given
    product = ProductFactory()
    sharer = UserFactory()
    payload, _, mac = encode_sharer(sharer.pk).partition("-")
    forged = f"{format(sharer.pk + 1, 'x')}-{mac}"

    # when
    client.get(f"/p/{product.pk}/?share={forged}&ch=wechat")

    # then
    assert not Event.objects.filter(name="share_open").exists()
    view = Event.objects.get(name="product_view")
    assert view.sharer_id is None and view.source != "share"


def test_signed_in_card_link_opened_by_a_friend_credits_the_sharer(client):
    # given a signed-in user takes a link from their share card
    product = ProductFactory(skus=[{"price": Decimal("12.50"), "stock": 3}])
    sharer = UserFactory()
    client.force_login(sharer)
    link = share_input_value(client.get(f"/share/product/{product.pk}/?ch=wechat").content.decode())
    client.logout()

    # when a friend opens it
    friend = client_class_get(link)

    # then
    assert friend.status_code == 200
    event = Event.objects.get(name="share_open")
    assert event.props["sharer_id"] == sharer.pk and event.props["channel"] == "wechat"


def client_class_get(url: str):
    from django.test import Client

    parsed = urlparse(url)
    return Client().get(f"{parsed.path}?{parsed.query}")
