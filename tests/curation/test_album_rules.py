"""Album service rules: who may create and edit, visibility, limits, published products only."""

from __future__ import annotations

import pytest

from tribe.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from tribe.core.models import Event
from tribe.curation import selectors, services
from tribe.curation.models import Album, AlbumItem


def test_create_album_records_the_album_event(world):
    album = services.create_album(world.curator, title="  宝宝好物  ", description="我家在用的")

    assert (album.title, album.owner, album.brand, album.is_public) == ("宝宝好物", world.curator, None, True)
    assert Event.objects.filter(name="album", object_id=album.pk, actor=world.curator).count() == 1


@pytest.mark.parametrize("title", ["", "   ", "长" * 61, None])
def test_bad_title_is_refused_and_nothing_stored(world, title):
    with pytest.raises(ValidationFailed) as exc:
        services.create_album(world.curator, title=title)
    assert "title" in exc.value.fields
    assert Album.objects.count() == 0


def test_only_brand_staff_create_brand_albums(world):
    with pytest.raises(PermissionDenied):
        services.create_album(world.staff_b, title="别人家的", brand_id=world.brand_a.pk)
    with pytest.raises(ValidationFailed):
        services.create_album(world.staff_a, title="没这个品牌", brand_id=10**9)
    album = services.create_album(world.staff_a, title="春季新品", brand_id=world.brand_a.pk)
    assert album.brand == world.brand_a
    assert Album.objects.count() == 1


def test_anonymous_cannot_create(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAuthenticated):
        services.create_album(AnonymousUser(), title="x")


# who × album kind → may edit
EDIT_TABLE = [
    ("curator", "personal", True),
    ("stranger", "personal", False),
    ("staff_a", "personal", False),
    ("staff_a", "brand", True),
    ("staff_b", "brand", False),
    ("curator", "brand", False),
]


@pytest.mark.parametrize("who,kind,allowed", EDIT_TABLE)
def test_edit_permission_table(world, who, kind, allowed):
    if kind == "personal":
        album = services.create_album(world.curator, title="我的")
    else:
        album = services.create_album(world.staff_a, title="品牌的", brand_id=world.brand_a.pk)
    actor = getattr(world, who)

    if allowed:
        services.add_item(actor, album, product_id=world.products[0].pk, note="好用")
        services.update_album(actor, album, title="改名")
        assert AlbumItem.objects.filter(album=album).count() == 1
        assert Album.objects.get(pk=album.pk).title == "改名"
    else:
        with pytest.raises(PermissionDenied):
            services.add_item(actor, album, product_id=world.products[0].pk)
        with pytest.raises(PermissionDenied):
            services.update_album(actor, album, title="改名")
        with pytest.raises(PermissionDenied):
            services.delete_album(actor, album)
        assert AlbumItem.objects.filter(album=album).count() == 0
        assert Album.objects.get(pk=album.pk).title != "改名"


def test_brand_album_is_editable_by_any_staff_of_that_brand(world):
    from tests.factories import MembershipFactory

    album = services.create_album(world.staff_a, title="品牌的", brand_id=world.brand_a.pk)
    colleague = MembershipFactory(brand=world.brand_a).user
    services.add_item(colleague, album, product_id=world.products[1].pk)
    assert album.items.count() == 1


def test_private_album_is_visible_to_owner_only(world):
    album = services.create_album(world.curator, title="私藏", is_public=False)

    assert selectors.find_album(world.curator, album.pk) == album
    assert selectors.find_album(world.stranger, album.pk) is None
    assert selectors.find_album(None, album.pk) is None
    assert album not in selectors.popular_albums()


def test_private_brand_album_is_visible_to_its_staff(world):
    album = services.create_album(world.staff_a, title="内部", brand_id=world.brand_a.pk, is_public=False)
    assert selectors.find_album(world.staff_a, album.pk) == album
    assert selectors.find_album(world.staff_b, album.pk) is None


def test_only_published_products_can_be_added(world):
    album = services.create_album(world.curator, title="清单")
    for bad in (world.hidden.pk, 10**9, 0, -1, 2**63):
        with pytest.raises(ValidationFailed):
            services.add_item(world.curator, album, product_id=bad)
    assert album.items.count() == 0


def test_note_length_and_duplicates(world):
    album = services.create_album(world.curator, title="清单")
    with pytest.raises(ValidationFailed):
        services.add_item(world.curator, album, product_id=world.products[0].pk, note="长" * 201)
    services.add_item(world.curator, album, product_id=world.products[0].pk, note="长" * 200)
    with pytest.raises(Conflict) as exc:
        services.add_item(world.curator, album, product_id=world.products[0].pk)
    assert exc.value.code == "already_in_album"
    assert album.items.count() == 1


def test_album_holds_at_most_the_limit(world, monkeypatch):
    monkeypatch.setattr(services, "MAX_ALBUM_ITEMS", 3)
    album = services.create_album(world.curator, title="清单")
    for product in world.products[:3]:
        services.add_item(world.curator, album, product_id=product.pk)
    with pytest.raises(Conflict) as exc:
        services.add_item(world.curator, album, product_id=world.products[3].pk)
    assert exc.value.code == "album_full"
    assert album.items.count() == 3


def test_reorder_and_move(world):
    album = services.create_album(world.curator, title="清单")
    ids = [p.pk for p in world.products[:3]]
    for pid in ids:
        services.add_item(world.curator, album, product_id=pid)

    services.reorder_items(world.curator, album, [ids[2], ids[0], ids[1]])
    assert list(album.items.order_by("position").values_list("product_id", flat=True)) == [ids[2], ids[0], ids[1]]

    services.move_item(world.curator, album, ids[1], up=True)
    assert list(album.items.order_by("position").values_list("product_id", flat=True)) == [ids[2], ids[1], ids[0]]

    with pytest.raises(ValidationFailed):
        services.reorder_items(world.curator, album, [ids[0], ids[0], ids[1]])
    with pytest.raises(ValidationFailed):
        services.reorder_items(world.curator, album, [ids[0]])


def test_unpublished_products_are_hidden_on_display_but_kept(world):
    album = services.create_album(world.curator, title="清单")
    for product in world.products[:2]:
        services.add_item(world.curator, album, product_id=product.pk)
    world.products[0].published = False
    world.products[0].save()

    shown = selectors.album_for_page(None, album.pk).shown_items
    assert [i.product_id for i in shown] == [world.products[1].pk]
    assert [i.product_id for i in selectors.hidden_items(album)] == [world.products[0].pk]
    assert album.items.count() == 2


def test_remove_item(world):
    album = services.create_album(world.curator, title="清单")
    services.add_item(world.curator, album, product_id=world.products[0].pk)
    services.remove_item(world.curator, album, world.products[0].pk)
    assert album.items.count() == 0
    from tribe.core.errors import NotFound

    with pytest.raises(NotFound):
        services.remove_item(world.curator, album, world.products[0].pk)
