"""Stores: create (not for content stations), edit, deactivate."""

from django.urls import reverse
from tests.factories import BrandFactory, MembershipFactory, StoreFactory

from tribe.brands.models import Brand, Store


def test_store_list_shows_only_this_brands_stores(staff_client, store_a, brand_b):
    StoreFactory(brand=brand_b, name="乙店")

    response = staff_client.get(reverse("console:stores", args=["brand-a"]))

    assert response.status_code == 200
    assert [s.name for s in response.context["stores"]] == ["甲旗舰店"]


def test_create_store_with_generated_slug(staff_client, brand_a):
    response = staff_client.post(
        reverse("console:stores", args=["brand-a"]), {"name": "甲二店", "slug": "", "description": "上海店"}
    )

    assert response.status_code == 302
    store = Store.objects.get(brand=brand_a)
    assert (store.name, store.description, store.is_active) == ("甲二店", "上海店", True)
    assert store.slug  # generated from the name


def test_create_store_with_taken_slug_is_409(staff_client, brand_a, store_a):
    response = staff_client.post(
        reverse("console:stores", args=["brand-a"]), {"name": "甲二店", "slug": "store-a", "description": ""}
    )

    assert response.status_code == 409
    assert "该网址标识已被占用" in response.content.decode()
    assert Store.objects.filter(brand=brand_a).count() == 1


def test_create_store_with_empty_name_is_422(staff_client, brand_a):
    response = staff_client.post(reverse("console:stores", args=["brand-a"]), {"name": "", "slug": ""})

    assert response.status_code == 422
    assert "此项必填" in response.content.decode()
    assert Store.objects.count() == 0


def test_content_station_cannot_create_a_store(db, client_for):
    # given staff of a content station (a TV series)
    station = BrandFactory(slug="drama", kind=Brand.Kind.CONTENT)
    client = client_for(MembershipFactory(brand=station).user)

    # when they try to open a store
    response = client.post(reverse("console:stores", args=["drama"]), {"name": "剧集小店", "slug": ""})

    # then the service's refusal is shown, and nothing is stored
    assert response.status_code == 422
    body = response.content.decode()
    assert "内容站没有自己的店铺" in body
    assert "a content station has no store of its own" in body
    assert Store.objects.count() == 0


def test_edit_store_renames_and_deactivates(staff_client, store_a):
    response = staff_client.get(reverse("console:store_edit", args=["brand-a", store_a.pk]))
    assert response.status_code == 200

    # when the is_active box is left unticked
    response = staff_client.post(
        reverse("console:store_edit", args=["brand-a", store_a.pk]),
        {"name": "甲旗舰店（新）", "description": "搬家了"},
    )

    assert response.status_code == 302
    store = Store.objects.get(pk=store_a.pk)
    assert (store.name, store.description, store.is_active) == ("甲旗舰店（新）", "搬家了", False)


def test_edit_store_with_too_long_name_is_422_and_unchanged(staff_client, store_a):
    response = staff_client.post(
        reverse("console:store_edit", args=["brand-a", store_a.pk]),
        {"name": "店" * 61, "description": "", "is_active": "on"},
    )

    assert response.status_code == 422
    assert "最多 60 个字符" in response.content.decode()
    assert Store.objects.get(pk=store_a.pk).name == "甲旗舰店"


def test_store_of_another_brand_is_404_through_this_brand(staff_client, brand_a, brand_b):
    other = StoreFactory(brand=brand_b)

    response = staff_client.post(
        reverse("console:store_edit", args=["brand-a", other.pk]), {"name": "抢来的", "description": ""}
    )

    assert response.status_code == 404
    assert Store.objects.get(pk=other.pk).name != "抢来的"
