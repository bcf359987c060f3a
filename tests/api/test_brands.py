"""Brand stations and stores through the API: the three station kinds, station content, stores."""

from decimal import Decimal

import pytest

from tests.factories import BrandFactory, MembershipFactory, ProductFactory, StoreFactory
from tests.images import png_upload
from tribe.brands.models import Brand, BrandMedia, BrandNews, Store
from tribe.catalog.models import Placement
from tribe.core.models import Event

from .conftest import error_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def stations(db):
    group = BrandFactory(name="贝亲集团", slug="group", kind=Brand.Kind.HUB, tagline="陪伴每一次成长")
    milk = BrandFactory(name="贝亲奶粉", slug="group-milk", parent=group)
    wear = BrandFactory(name="贝亲童装", slug="group-wear", parent=group)
    milk_store = StoreFactory(brand=milk, slug="milk-store", name="奶粉专营店")
    wear_store = StoreFactory(brand=wear, slug="wear-store", name="童装店")
    flagship = BrandFactory(name="暖阳", slug="nuanyang", kind=Brand.Kind.FLAGSHIP)
    flagship_store = StoreFactory(brand=flagship, slug="nuanyang-store")
    series = BrandFactory(name="小欢喜", slug="xiaohuanxi", kind=Brand.Kind.CONTENT, story="一部关于成长的剧")
    placed = ProductFactory(
        store=wear_store, name="剧中同款卫衣", skus=[{"price": Decimal("159.00"), "stock": 3}]
    )
    Placement.objects.create(station=series, product=placed, note="第3集 主角穿着")
    hidden = ProductFactory(store=wear_store, name="已下架同款", published=False)
    Placement.objects.create(station=series, product=hidden, position=1)
    return {
        "group": group,
        "milk": milk,
        "wear": wear,
        "milk_store": milk_store,
        "wear_store": wear_store,
        "flagship": flagship,
        "flagship_store": flagship_store,
        "series": series,
        "placed": placed,
    }


def test_list_brands_is_paged_and_filters_by_kind(anon, stations):
    # when
    everything = anon.get("/brands", {"page_size": 2})
    hubs = anon.get("/brands", {"kind": "hub"})
    # then
    assert everything.status_code == 200
    assert everything.json()["count"] == 5
    assert everything.json()["pages"] == 3
    assert [b["slug"] for b in everything.json()["items"]] == ["group", "group-milk"]
    assert everything.json()["items"][1]["parent"]["slug"] == "group"
    assert [b["slug"] for b in hubs.json()["items"]] == ["group"]


def test_list_brands_with_an_unknown_kind_is_422(anon, stations):
    response = anon.get("/brands", {"kind": "shop"})
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"kind"}


def test_hub_station_lists_sub_brands_and_their_stores_and_records_the_visit(anon, stations):
    # when
    response = anon.get("/brands/group")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "hub"
    assert body["tagline"] == "陪伴每一次成长"
    assert [b["slug"] for b in body["sub_brands"]] == ["group-milk", "group-wear"]
    assert [s["slug"] for s in body["stores"]] == ["milk-store", "wear-store"]
    assert body["stores"][0]["brand"]["slug"] == "group-milk"
    assert body["placements"] == []
    event = Event.objects.get(name="station_visit")
    assert (event.object_type, event.object_id, event.brand_id) == (
        "brand",
        stations["group"].id,
        stations["group"].id,
    )


def test_flagship_station_is_its_own_store(anon, stations):
    response = anon.get("/brands/nuanyang")
    assert response.status_code == 200
    assert response.json()["kind"] == "flagship"
    assert [s["slug"] for s in response.json()["stores"]] == ["nuanyang-store"]


def test_content_station_lists_published_placements_with_the_store_that_sells_each(anon, stations):
    # when
    body = anon.get("/brands/xiaohuanxi").json()
    # then
    assert body["kind"] == "content"
    assert body["story"] == "一部关于成长的剧"
    assert body["stores"] == []
    assert len(body["placements"]) == 1
    placement = body["placements"][0]
    assert placement["note"] == "第3集 主角穿着"
    assert placement["product"]["name"] == "剧中同款卫衣"
    assert placement["product"]["min_price"] == "159.00"
    assert placement["product"]["store"] == {
        "id": stations["wear_store"].id,
        "slug": "wear-store",
        "name": "童装店",
    }
    assert placement["product"]["brand"]["slug"] == "group-wear"


def test_station_shows_media_and_news_newest_first(api_as, anon, stations):
    # given
    staff = api_as(MembershipFactory(brand=stations["flagship"]).user)
    staff.post("/brands/nuanyang/news", {"title": "旧闻"})
    staff.post("/brands/nuanyang/news", {"title": "新品上市", "body": "春季系列"})
    staff.post("/brands/nuanyang/videos", {"url": "https://v.example.com/1.mp4", "caption": "品牌片"})
    staff.upload("/brands/nuanyang/images", file=png_upload(), caption="门店")
    # when
    body = anon.get("/brands/nuanyang").json()
    # then
    assert [n["title"] for n in body["news"]] == ["新品上市", "旧闻"]
    assert [(m["kind"], m["caption"]) for m in body["media"]] == [("video", "品牌片"), ("image", "门店")]
    assert body["media"][0]["url"] == "https://v.example.com/1.mp4"
    assert body["media"][1]["url"].startswith("http://testserver/media/brands/media/")


def test_unknown_and_inactive_brands_are_404(anon, stations):
    # given
    Brand.objects.filter(slug="nuanyang").update(is_active=False)
    # then
    assert error_of(anon.get("/brands/nope"))["code"] == "not_found"
    assert anon.get("/brands/nope").status_code == 404
    assert anon.get("/brands/nuanyang").status_code == 404
    assert not Event.objects.filter(name="station_visit").exists()


def test_inactive_brand_is_visible_to_its_staff(api_as, stations):
    # given
    Brand.objects.filter(slug="nuanyang").update(is_active=False)
    staff = api_as(MembershipFactory(brand=stations["flagship"]).user)
    # then
    assert staff.get("/brands/nuanyang").status_code == 200


def test_staff_edit_the_station_text(api_as, stations):
    # given
    staff = api_as(MembershipFactory(brand=stations["flagship"]).user)
    # when
    response = staff.patch("/brands/nuanyang", {"tagline": "温暖每个家", "story": "始于1998"})
    # then
    assert response.status_code == 200
    assert (response.json()["tagline"], response.json()["story"]) == ("温暖每个家", "始于1998")
    stations["flagship"].refresh_from_db()
    assert stations["flagship"].tagline == "温暖每个家"
    assert not Event.objects.filter(name="station_visit").exists()


def test_hub_staff_manage_their_sub_brands(api_as, stations):
    # given
    staff = api_as(MembershipFactory(brand=stations["group"]).user)
    # when
    response = staff.patch("/brands/group-milk", {"tagline": "集团统一口号"})
    # then
    assert response.status_code == 200
    assert Brand.objects.get(slug="group-milk").tagline == "集团统一口号"


def test_news_delete_and_media_delete(api_as, stations):
    # given
    staff = api_as(MembershipFactory(brand=stations["flagship"]).user)
    news_id = staff.post("/brands/nuanyang/news", {"title": "活动"}).json()["id"]
    media_id = staff.post("/brands/nuanyang/videos", {"url": "https://v.example.com/2.mp4"}).json()["id"]
    # when
    deleted_news = staff.delete(f"/news/{news_id}")
    deleted_media = staff.delete(f"/media/{media_id}")
    # then
    assert (deleted_news.status_code, deleted_media.status_code) == (204, 204)
    assert not BrandNews.objects.exists()
    assert not BrandMedia.objects.exists()
    assert staff.delete(f"/news/{news_id}").status_code == 404


def test_other_brand_staff_cannot_delete_news(api_as, stations):
    # given
    news_id = (
        api_as(MembershipFactory(brand=stations["flagship"]).user)
        .post("/brands/nuanyang/news", {"title": "活动"})
        .json()["id"]
    )
    # when
    response = api_as(MembershipFactory(brand=stations["series"]).user).delete(f"/news/{news_id}")
    # then
    assert response.status_code == 403
    assert BrandNews.objects.count() == 1


def test_video_link_must_be_http(api_as, stations):
    # given
    staff = api_as(MembershipFactory(brand=stations["flagship"]).user)
    # when
    response = staff.post("/brands/nuanyang/videos", {"url": "javascript:alert(1)"})
    # then
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"url"}
    assert not BrandMedia.objects.exists()


def test_logo_and_cover_uploads(api_as, stations):
    # given
    staff = api_as(MembershipFactory(brand=stations["flagship"]).user)
    # when
    logo = staff.upload("/brands/nuanyang/logo", file=png_upload())
    cover = staff.upload("/brands/nuanyang/cover", file=png_upload(size=(300, 100)))
    # then
    assert (logo.status_code, cover.status_code) == (200, 200)
    stations["flagship"].refresh_from_db()
    assert cover.json()["logo_url"] == "http://testserver" + stations["flagship"].logo.url
    assert cover.json()["cover_url"] == "http://testserver" + stations["flagship"].cover.url


def test_content_station_staff_place_a_product_and_remove_it(api_as, stations):
    # given
    other = ProductFactory(store=stations["milk_store"], name="剧中同款奶瓶")
    staff = api_as(MembershipFactory(brand=stations["series"]).user)
    # when
    placed = staff.post("/brands/xiaohuanxi/placements", {"product_id": other.id, "note": "第5集"})
    # then
    assert placed.status_code == 201
    assert placed.json()["product"]["store"]["slug"] == "milk-store"
    assert Placement.objects.filter(station=stations["series"], product=other, note="第5集").exists()
    # and when
    removed = staff.delete(f"/placements/{placed.json()['id']}")
    # then
    assert removed.status_code == 204
    assert not Placement.objects.filter(product=other).exists()


def test_placing_into_a_non_content_station_or_an_unknown_product_is_422(api_as, stations):
    # given
    staff = api_as(MembershipFactory(brand=stations["flagship"]).user)
    before = Placement.objects.count()
    # when
    wrong_kind = staff.post("/brands/nuanyang/placements", {"product_id": stations["placed"].id})
    unknown = api_as(MembershipFactory(brand=stations["series"]).user).post(
        "/brands/xiaohuanxi/placements", {"product_id": 999999}
    )
    # then
    assert (wrong_kind.status_code, error_of(wrong_kind)["code"]) == (422, "not_content_station")
    assert (unknown.status_code, error_of(unknown)["fields"]) == (422, {"product_id": "unknown product"})
    assert Placement.objects.count() == before


# ---- stores -----------------------------------------------------------------------------------------------


def test_list_stores_filters_by_station_including_sub_brands(anon, stations):
    # when
    everything = anon.get("/stores")
    group = anon.get("/stores", {"brand": "group"})
    # then
    assert everything.json()["count"] == 3
    assert [s["slug"] for s in group.json()["items"]] == ["milk-store", "wear-store"]


def test_list_stores_with_an_unknown_brand_is_422(anon, stations):
    response = anon.get("/stores", {"brand": "nope"})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"brand": "unknown brand"}


def test_store_detail_records_the_visit(anon, stations):
    # when
    response = anon.get("/stores/milk-store")
    # then
    assert response.status_code == 200
    assert response.json()["name"] == "奶粉专营店"
    assert response.json()["brand"]["slug"] == "group-milk"
    event = Event.objects.get(name="store_visit")
    assert (event.object_id, event.brand_id) == (stations["milk_store"].id, stations["milk"].id)


def test_inactive_store_is_404_for_the_public(anon, stations):
    Store.objects.filter(slug="milk-store").update(is_active=False)
    assert anon.get("/stores/milk-store").status_code == 404


def test_staff_open_and_edit_a_store(api_as, stations):
    # given
    staff = api_as(MembershipFactory(brand=stations["flagship"]).user)
    # when
    created = staff.post("/brands/nuanyang/stores", {"name": "暖阳母婴二店", "slug": "nuanyang-2"})
    edited = staff.patch("/stores/nuanyang-2", {"description": "<b>包邮</b>", "is_active": False})
    # then
    assert created.status_code == 201
    assert created.json()["brand"]["slug"] == "nuanyang"
    assert edited.status_code == 200
    assert edited.json()["description"] == "<b>包邮</b>"
    store = Store.objects.get(slug="nuanyang-2")
    assert (store.description, store.is_active) == ("<b>包邮</b>", False)


def test_content_station_cannot_open_a_store_and_a_taken_slug_is_409(api_as, stations):
    # given
    series_staff = api_as(MembershipFactory(brand=stations["series"]).user)
    flagship_staff = api_as(MembershipFactory(brand=stations["flagship"]).user)
    before = Store.objects.count()
    # when
    content = series_staff.post("/brands/xiaohuanxi/stores", {"name": "剧集店"})
    taken = flagship_staff.post("/brands/nuanyang/stores", {"name": "重复", "slug": "milk-store"})
    # then
    assert (content.status_code, error_of(content)["code"]) == (422, "content_station_has_no_store")
    assert (taken.status_code, error_of(taken)["code"]) == (409, "slug_taken")
    assert Store.objects.count() == before
