"""Album pages: list (品牌街 + popular), detail, create/edit/add/remove/move, share card and OG tags, the lazy
sections on station and profile pages, and pinned query counts."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from tests.web.conftest import png_bytes
from tribe.catalog.models import ProductImage
from tribe.curation import services
from tribe.curation.models import Album, AlbumItem

pytestmark = pytest.mark.django_db


def add_image(product):
    image = ProductImage(product=product, position=0, width=8, height=8)
    image.image.save("p.jpg", ContentFile(png_bytes()), save=False)
    image.thumb.save("p_t.jpg", ContentFile(png_bytes()), save=False)
    image.save()


def test_list_shows_brand_street_and_popular_albums_but_not_private_ones(world, client):
    services.create_album(world.staff_a, title="暖阳春季街", brand_id=world.brand_a.pk)
    mine = services.create_album(world.curator, title="达人清单")
    services.add_item(world.curator, mine, product_id=world.products[0].pk)
    services.create_album(world.curator, title="私藏清单", is_public=False)

    html = client.get("/albums/").content.decode()

    assert 'data-testid="brand-street"' in html and "暖阳春季街" in html
    assert "达人清单" in html
    assert "私藏清单" not in html


def test_album_page_shows_items_notes_and_html_is_escaped(world, client):
    album = services.create_album(world.curator, title="<b>清单</b>")
    services.add_item(world.curator, album, product_id=world.products[0].pk, note="<script>x</script>")

    response = client.get(f"/albums/{album.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="album-item"') == 1
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html
    assert "&lt;b&gt;清单&lt;/b&gt;" in html
    assert 'data-testid="album-add"' not in html  # not the owner


@pytest.mark.parametrize("viewer,status", [(None, 404), ("stranger", 404), ("curator", 200)])
def test_private_album_page(world, client, viewer, status):
    album = services.create_album(world.curator, title="私藏", is_public=False)
    if viewer:
        client.force_login(getattr(world, viewer))
    assert client.get(f"/albums/{album.pk}/").status_code == status


def test_create_album_page_then_add_move_remove(world, client):
    client.force_login(world.curator)
    response = client.post("/albums/new/", {"title": "宝宝出行", "description": "", "is_public": "on"})
    album = Album.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/albums/{album.pk}/"

    p0, p1 = world.products[:2]
    assert client.post(f"/albums/{album.pk}/items/", {"product": str(p0.pk), "note": "推车"}).status_code == 302
    link = f"https://tribe.example/p/{p1.pk}/?src=home"
    assert client.post(f"/albums/{album.pk}/items/", {"product": link}).status_code == 302
    assert list(album.items.order_by("position").values_list("product_id", flat=True)) == [p0.pk, p1.pk]

    client.post(f"/albums/{album.pk}/items/{p1.pk}/move/", {"direction": "up"})
    assert list(album.items.order_by("position").values_list("product_id", flat=True)) == [p1.pk, p0.pk]
    client.post(f"/albums/{album.pk}/items/{p0.pk}/note/", {"note": "新推荐语"})
    assert album.items.get(product=p0).note == "新推荐语"
    client.post(f"/albums/{album.pk}/items/{p1.pk}/remove/")
    assert list(album.items.values_list("product_id", flat=True)) == [p0.pk]


@pytest.mark.parametrize("product", ["", "abc", "hidden", "0"])
def test_bad_item_input_rerenders_with_4xx_and_stores_nothing(world, client, product):
    album = services.create_album(world.curator, title="清单")
    client.force_login(world.curator)
    value = str(world.hidden.pk) if product == "hidden" else product

    response = client.post(f"/albums/{album.pk}/items/", {"product": value})

    assert response.status_code == 422
    assert 'data-testid="album-error"' in response.content.decode()
    assert AlbumItem.objects.count() == 0


def test_other_brand_staff_cannot_edit_brand_album_page(world, client):
    album = services.create_album(world.staff_a, title="春季", brand_id=world.brand_a.pk)
    client.force_login(world.staff_b)

    assert client.get(f"/albums/{album.pk}/edit/").status_code == 403
    response = client.post(f"/albums/{album.pk}/items/", {"product": str(world.products[0].pk)})
    assert response.status_code == 403
    assert client.post(f"/albums/{album.pk}/delete/").status_code == 403
    assert AlbumItem.objects.count() == 0 and Album.objects.filter(pk=album.pk).exists()


def test_brand_staff_create_brand_album_from_page(world, client):
    client.force_login(world.staff_a)
    response = client.post("/albums/new/", {"title": "品牌街专辑", "is_public": "on", "brand": str(world.brand_a.pk)})
    assert response.status_code == 302
    assert Album.objects.get().brand == world.brand_a
    # a brand the user does not manage is not even a choice
    response = client.post("/albums/new/", {"title": "冒名", "brand": str(world.brand_b.pk)})
    assert response.status_code == 422
    assert Album.objects.count() == 1


def test_anonymous_is_sent_to_login(world, client):
    response = client.get("/albums/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_share_card_and_og_tags_for_album(world, client):
    album = services.create_album(world.curator, title="待产包清单", description="过来人整理")
    add_image(world.products[1])
    services.add_item(world.curator, album, product_id=world.products[1].pk)

    page = client.get(f"/albums/{album.pk}/").content.decode()
    assert '<meta property="og:title" content="待产包清单">' in page
    assert '<meta property="og:price:amount" content="99.00">' in page
    assert 'property="og:image" content="http://testserver/media/' in page

    card = client.get(f"/share/album/{album.pk}/")
    html = card.content.decode()
    assert card.status_code == 200
    assert 'data-testid="share-title"' in html and "待产包清单" in html
    assert 'data-testid="share-price">¥99.00' in html
    assert 'data-testid="share-image"' in html
    qr = client.get(f"/share/album/{album.pk}/qr.png")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png"


def test_private_album_has_no_share_card(world, client):
    album = services.create_album(world.curator, title="私藏", is_public=False)
    assert client.get(f"/share/album/{album.pk}/").status_code == 404
    assert client.get("/share/album/abc/").status_code == 404


def test_station_and_profile_sections(world, client):
    services.create_album(world.staff_a, title="暖阳街", brand_id=world.brand_a.pk)
    mine = services.create_album(world.curator, title="小红的清单")
    services.create_album(world.curator, title="私藏", is_public=False)

    station = client.get("/b/nuanyang/").content.decode()
    assert 'data-testid="brand-albums-lazy"' in station
    fragment = client.get("/albums/brand/nuanyang/", headers={"HX-Request": "true"}).content.decode()
    assert "暖阳街" in fragment and "<html" not in fragment

    profile = client.get("/u/curator/").content.decode()
    assert 'data-testid="user-albums-lazy"' in profile
    listing = client.get("/albums/by/curator/").content.decode()
    assert mine.title in listing and "私藏" not in listing
    assert client.get("/albums/by/nobody/").status_code == 404
    assert client.get("/albums/brand/nobody/").status_code == 404


# session, album (+owner, brand, counts), items (+products), images, likes panel (find, 2 counts, comments)
ALBUM_PAGE_QUERIES = 8


def test_album_page_query_count_does_not_grow_with_items(world, client, django_assert_num_queries):
    album = services.create_album(world.curator, title="清单")
    services.add_item(world.curator, album, product_id=world.products[0].pk)
    add_image(world.products[0])
    client.get("/")  # starts the session

    with django_assert_num_queries(ALBUM_PAGE_QUERIES):
        response = client.get(f"/albums/{album.pk}/")
    assert response.content.decode().count('data-testid="album-item"') == 1
    for product in world.products[1:]:
        add_image(product)
        services.add_item(world.curator, album, product_id=product.pk)
    with django_assert_num_queries(ALBUM_PAGE_QUERIES):
        response = client.get(f"/albums/{album.pk}/")
    assert response.content.decode().count('data-testid="album-item"') == 4


# session; popular: count, page, preview items; 品牌街 albums, their preview items; images (brand albums are empty)
ALBUM_LIST_QUERIES = 7


def test_album_list_query_count_does_not_grow(world, client, django_assert_num_queries):
    def make(n):
        for i in range(n):
            services.create_album(world.staff_a, title=f"街{i}", brand_id=world.brand_a.pk)
            album = services.create_album(world.curator, title=f"单{i}")
            for product in world.products:
                services.add_item(world.curator, album, product_id=product.pk)
    client.get("/")
    make(1)
    with django_assert_num_queries(ALBUM_LIST_QUERIES):
        client.get("/albums/")
    make(4)
    with django_assert_num_queries(ALBUM_LIST_QUERIES):
        html = client.get("/albums/").content.decode()
    assert html.count('data-testid="album-card"') == 10
