"""Album endpoints: CRUD, visibility (404), permissions (403), bad input (422, nothing stored)."""

from __future__ import annotations

import pytest

from tests.api.conftest import error_of
from tribe.curation import services
from tribe.curation.models import Album, AlbumItem
from tribe.posts.models import Like


def test_create_add_and_read_an_album(world, api_as):
    api = api_as(world.curator)
    created = api.post("/albums", {"title": "待产包", "description": "过来人的清单"})
    assert created.status_code == 201
    album_id = created.json()["id"]

    added = api.post(f"/albums/{album_id}/items", {"product": world.products[0].pk, "note": "必备"})
    assert added.status_code == 201
    assert added.json()["product"] == {"id": world.products[0].pk, "name": "好物0", "min_price": "99.00",
                                       "image_url": None}

    body = api_as(None).get(f"/albums/{album_id}").json()
    assert body["title"] == "待产包"
    assert body["owner"]["username"] == "curator"
    assert body["can_edit"] is False
    assert [(i["product"]["id"], i["note"]) for i in body["items"]] == [(world.products[0].pk, "必备")]
    assert body["item_count"] == 1 and body["like_count"] == 0


def test_private_album_is_404_for_others(world, api_as):
    album = services.create_album(world.curator, title="私藏", is_public=False)

    assert api_as(world.curator).get(f"/albums/{album.pk}").status_code == 200
    for viewer in (None, world.stranger):
        response = api_as(viewer).get(f"/albums/{album.pk}")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"
    response = api_as(world.stranger).post(f"/albums/{album.pk}/items", {"product": world.products[0].pk})
    assert response.status_code == 404
    assert AlbumItem.objects.count() == 0


def test_brand_album_editing_by_staff_of_another_brand_is_403(world, api_as):
    album = services.create_album(world.staff_a, title="春季新品", brand_id=world.brand_a.pk)

    response = api_as(world.staff_b).post(f"/albums/{album.pk}/items", {"product": world.products[0].pk})
    assert response.status_code == 403
    assert error_of(response)["code"] == "not_brand_staff"
    assert api_as(world.staff_b).patch(f"/albums/{album.pk}", {"title": "x"}).status_code == 403
    assert api_as(world.staff_b).delete(f"/albums/{album.pk}").status_code == 403
    assert AlbumItem.objects.count() == 0
    assert Album.objects.get(pk=album.pk).title == "春季新品"

    assert api_as(world.staff_a).post(f"/albums/{album.pk}/items",
                                      {"product": world.products[0].pk}).status_code == 201


def test_brand_album_creation_by_other_brand_staff_is_403(world, api_as):
    response = api_as(world.staff_b).post("/albums", {"title": "冒名", "brand": world.brand_a.pk})
    assert response.status_code == 403
    assert Album.objects.count() == 0


@pytest.mark.parametrize("body,field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 61}, "title"),
    ({"title": "ok", "description": "x" * 1001}, "description"),
    ({"title": 5}, "title"),
    ({"title": "ok", "surprise": 1}, "surprise"),
])
def test_bad_album_input_is_422_and_nothing_stored(world, api_as, body, field):
    response = api_as(world.curator).post("/albums", body)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert Album.objects.count() == 0


@pytest.mark.parametrize("product_key", ["hidden", "unknown"])
def test_adding_unpublished_or_unknown_product_is_422(world, api_as, product_key):
    album = services.create_album(world.curator, title="清单")
    pid = world.hidden.pk if product_key == "hidden" else 10**9
    response = api_as(world.curator).post(f"/albums/{album.pk}/items", {"product": pid})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"product": "unknown product"}
    assert AlbumItem.objects.count() == 0


def test_double_add_is_409(world, api_as):
    album = services.create_album(world.curator, title="清单")
    api = api_as(world.curator)
    assert api.post(f"/albums/{album.pk}/items", {"product": world.products[0].pk}).status_code == 201
    response = api.post(f"/albums/{album.pk}/items", {"product": world.products[0].pk})
    assert response.status_code == 409
    assert error_of(response)["code"] == "already_in_album"


def test_patch_reorder_note_remove_delete(world, api_as):
    album = services.create_album(world.curator, title="清单")
    api = api_as(world.curator)
    ids = [p.pk for p in world.products[:3]]
    for pid in ids:
        api.post(f"/albums/{album.pk}/items", {"product": pid})

    assert api.patch(f"/albums/{album.pk}", {"is_public": False}).json()["is_public"] is False
    order = api.post(f"/albums/{album.pk}/order", {"products": ids[::-1]}).json()
    assert [i["product"]["id"] for i in order["items"]] == ids[::-1]
    assert api.post(f"/albums/{album.pk}/order", {"products": ids[:1]}).status_code == 422
    assert api.patch(f"/albums/{album.pk}/items/{ids[0]}", {"note": "改了"}).status_code == 200
    assert AlbumItem.objects.get(album=album, product_id=ids[0]).note == "改了"
    assert api.delete(f"/albums/{album.pk}/items/{ids[0]}").status_code == 200
    assert api.delete(f"/albums/{album.pk}/items/{ids[0]}").status_code == 404
    assert api.delete(f"/albums/{album.pk}").status_code == 200
    assert not Album.objects.filter(pk=album.pk).exists()


def test_lists_brand_user_popular_and_mine(world, api_as):
    brand_album = services.create_album(world.staff_a, title="品牌街", brand_id=world.brand_a.pk)
    mine = services.create_album(world.curator, title="我的清单")
    services.add_item(world.curator, mine, product_id=world.products[0].pk)
    empty = services.create_album(world.curator, title="空的")
    private = services.create_album(world.curator, title="私藏", is_public=False)
    Like.objects.create(target_kind="album", target_id=mine.pk, user=world.stranger)

    anon = api_as(None)
    assert [a["id"] for a in anon.get("/albums", {"brand": "nuanyang"}).json()["items"]] == [brand_album.pk]
    assert anon.get("/albums", {"brand": "no-such"}).json()["items"] == []
    popular = anon.get("/albums").json()["items"]
    assert [(a["id"], a["like_count"], a["item_count"]) for a in popular] == [(mine.pk, 1, 1)]
    by_user = {a["id"] for a in anon.get("/albums", {"owner": "curator"}).json()["items"]}
    assert by_user == {mine.pk, empty.pk}
    assert {a["id"] for a in api_as(world.curator).get("/me/albums").json()["items"]} == {
        mine.pk, empty.pk, private.pk}
    assert anon.get("/me/albums").status_code == 401


ALBUM_API_QUERIES = 4  # fixed: album with owner, brand and counts; items with products; images; ...


def test_album_endpoint_query_count_does_not_grow(world, api_as, django_assert_num_queries):
    album = services.create_album(world.curator, title="清单")
    services.add_item(world.curator, album, product_id=world.products[0].pk)
    api = api_as(None)
    api.get(f"/albums/{album.pk}")  # warm-up

    with django_assert_num_queries(ALBUM_API_QUERIES):
        assert len(api.get(f"/albums/{album.pk}").json()["items"]) == 1
    for product in world.products[1:]:
        services.add_item(world.curator, album, product_id=product.pk)
    with django_assert_num_queries(ALBUM_API_QUERIES):
        assert len(api.get(f"/albums/{album.pk}").json()["items"]) == 4
