"""Brand stations: storytelling plus the selling section of each kind (hub, flagship, content)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from tests.factories import CategoryFactory, ProductFactory, StoreFactory
from tests.web.conftest import png_bytes
from tribe.brands.models import BrandMedia, BrandNews
from tribe.core.models import Event

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return response.content.decode()


def card_names(html: str) -> list[str]:
    return re.findall(r'<div class="name">(.*?)</div>', html)


def test_station_shows_story_media_videos_and_news(client, shop):
    # given
    brand = shop["hub"]
    media = BrandMedia(brand=brand, kind=BrandMedia.Kind.IMAGE, caption="工厂实拍")
    media.image.save("m.jpg", ContentFile(png_bytes()), save=True)
    BrandMedia.objects.create(brand=brand, kind=BrandMedia.Kind.VIDEO, url="https://video.example.com/v/1",
                              caption="品牌纪录片")
    now = timezone.now()
    BrandNews.objects.create(brand=brand, title="新品发布会", body="欢迎参加", published_at=now)
    BrandNews.objects.create(brand=brand, title="旧闻", published_at=now - timedelta(days=30))

    # when
    html = text_of(client.get("/b/bele-group/"))

    # then
    assert "陪伴每个家庭" in html
    assert "<p>1998 年创立。<br>专注母婴。</p>" in html
    assert 'alt="工厂实拍"' in html
    assert ('<a href="https://video.example.com/v/1" target="_blank" rel="noopener noreferrer nofollow">'
            "品牌纪录片</a>") in html
    assert html.index("新品发布会") < html.index("旧闻")


def test_hub_station_navigates_by_sub_brand_with_the_stores_that_carry_each(client, shop):
    # given a multi-brand store outside the group that also carries the kids brand
    outside = StoreFactory(name="母婴优选集合店", slug="mall-select")
    ProductFactory(name="贝乐童袜", store=outside, brand=shop["sub_b"])

    # when
    response = client.get("/b/bele-group/")

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert 'data-testid="station-hub"' in html
    assert '<a class="chip" href="/b/bele-group/?brand=bele-milk">贝乐奶粉</a>' in html
    assert '<a class="chip" href="/b/bele-group/?brand=bele-kids">贝乐童装</a>' in html
    sections = html.split('data-testid="sub-brand-section"')[1:]
    assert len(sections) == 2
    milk, kids = sections
    assert "贝乐奶粉" in milk and 'href="/s/bele-mall/?src=station"' in milk
    assert set(card_names(milk)) == {"婴儿配方奶粉", "孕妇防辐射服 银纤维"}
    assert 'href="/s/bele-kids-shop/?src=station"' in kids and 'href="/s/mall-select/?src=station"' in kids
    assert set(card_names(kids.split('data-testid="station-stores"')[0])) == {"婴儿连体衣", "贝乐童袜"}
    stores = html.split('data-testid="station-stores"')[1]
    assert "贝乐官方商城" in stores and "贝乐童装店" in stores and "母婴优选集合店" not in stores


def test_hub_station_overview_shows_at_most_four_products_per_sub_brand(client, shop):
    # given 6 more milk products
    for i in range(6):
        ProductFactory(name=f"奶粉{i}", store=shop["hub_store"], brand=shop["sub_a"])

    # when
    html = text_of(client.get("/b/bele-group/"))

    # then
    milk = html.split('data-testid="sub-brand-section"')[1]
    assert card_names(milk) == ["奶粉5", "奶粉4", "奶粉3", "奶粉2"]


def test_hub_station_filtered_by_sub_brand(client, shop):
    # when
    response = client.get("/b/bele-group/?brand=bele-kids")

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert '<a class="chip active" href="/b/bele-group/?brand=bele-kids">' in html
    assert 'data-testid="sub-brand-selected"' in html
    results = html.split('id="results"')[1]
    assert card_names(results) == ["婴儿连体衣"]
    assert '<input type="hidden" name="brand" value="bele-kids">' in html


def test_hub_station_unknown_sub_brand_is_400(client, shop):
    # a brand that exists but is not a child of this hub is refused too
    for slug in ("nope", "nuanju"):
        response = client.get(f"/b/bele-group/?brand={slug}")
        assert response.status_code == 400
        assert "贝乐集团 旗下没有" in text_of(response)


def test_flagship_station_is_its_store_with_category_filter(client, shop):
    # given another flagship product in a second category
    kitchen = CategoryFactory(name="厨具", slug="kitchen")
    ProductFactory(name="铸铁锅", store=shop["flagship_store"], category=kitchen,
                   skus=[{"price": Decimal("599.00"), "stock": 2}])

    # when
    everything = client.get("/b/nuanju/")
    kitchen_only = client.get("/b/nuanju/?category=kitchen")

    # then
    html = text_of(everything)
    assert 'data-testid="station-flagship"' in html
    assert 'href="/s/nuanju-store/?src=station"' in html
    assert '<option value="kitchen">厨具</option>' in html
    assert '<option value="home-living">家居</option>' in html
    assert set(card_names(html.split('id="results"')[1])) == {"羊毛毯", "铸铁锅"}
    assert "未上架的靠枕" not in html
    assert card_names(text_of(kitchen_only).split('id="results"')[1]) == ["铸铁锅"]


def test_flagship_station_htmx_request_returns_only_the_results(client, shop):
    response = client.get("/b/nuanju/?sort=price", HTTP_HX_REQUEST="true")
    html = text_of(response)
    assert response.status_code == 200
    assert "<html" not in html
    assert card_names(html) == ["羊毛毯"]


def test_content_station_lists_placements_with_notes_and_store_links(client, shop):
    # when
    response = client.get("/b/xiao-huanxi/")

    # then
    html = text_of(response)
    assert response.status_code == 200
    assert 'data-testid="station-content"' in html
    assert "第 3 集客厅沙发上" in html
    assert card_names(html) == ["羊毛毯"]
    assert ('<a class="buy-at" href="/s/nuanju-store/?src=station" data-testid="placement-store">'
            "去「暖居旗舰店」购买") in html
    assert "不该出现" not in html and "未上架的靠枕" not in html


def test_station_visit_event_carries_the_brand(client, shop):
    # when
    client.get("/b/xiao-huanxi/")

    # then
    event = Event.objects.get(name="station_visit")
    content = shop["content"]
    assert (event.brand_id, event.object_type, event.object_id) == (content.id, "brand", content.id)


def test_unknown_or_inactive_station_is_404(client, shop):
    shop["flagship"].is_active = False
    shop["flagship"].save()
    assert client.get("/b/nuanju/").status_code == 404
    assert client.get("/b/nope/").status_code == 404
    assert not Event.objects.filter(name="station_visit").exists()


def test_flagship_station_bad_filter_is_400(client, shop):
    response = client.get("/b/nuanju/?category=no-such-category")
    assert response.status_code == 400
    assert "没有这个分类：no-such-category" in text_of(response)
    assert not Event.objects.filter(name="station_visit").exists()
