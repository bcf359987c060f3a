"""Pages and API: the program page, the 达人 store page, the console promoter list, and the endpoints."""

import pytest

from tests.api.conftest import Api, error_of
from tests.factories import MembershipFactory, ProductFactory, UserFactory
from tribe.accounts.services import issue_token
from tribe.curation.models import Album, AlbumItem
from tribe.distribution.models import Promoter, ShareClick

S = Promoter.State
# session, profile with counts, roles, albums + preview items + their products, posts (+ prefetches)
DAREN_QUERIES = 7


@pytest.fixture
def api_as(client):
    return lambda user: Api(client, issue_token(user) if user is not None else None)


# ---- pages -------------------------------------------------------------------------------------------------

def test_promote_page_and_join(client, shop):
    user = UserFactory()
    client.force_login(user)
    page = client.get(f"/promote/{shop.brand.slug}/")
    assert page.status_code == 200 and "成为推广员完全免费" in page.content.decode()
    response = client.post(f"/promote/{shop.brand.slug}/")
    assert response.status_code == 302
    assert Promoter.objects.get(user=user).state == S.PENDING  # default policy: apply


def test_promote_invite_only_refuses_with_403_and_stores_nothing(client, shop):
    shop.program.join_policy = "invite"
    shop.program.save()
    user = UserFactory()
    client.force_login(user)
    response = client.post(f"/promote/{shop.brand.slug}/")
    assert response.status_code == 403
    assert "仅限邀请" in response.content.decode()
    assert not Promoter.objects.filter(user=user).exists()


def test_promote_unknown_brand_is_404(client, db):
    assert client.get("/promote/no-such-brand/").status_code == 404


def _albums(owner, n, product):
    for i in range(n):
        album = Album.objects.create(owner=owner, title=f"搭配{i}", is_public=True)
        AlbumItem.objects.create(album=album, product=product, position=0)


def test_daren_page_shows_albums_with_share_links_and_pins_queries(client, shop, django_assert_num_queries):
    user = shop.promoter.user
    _albums(user, 3, shop.product)
    client.get("/")  # the visit's session row exists from here on
    with django_assert_num_queries(DAREN_QUERIES):
        response = client.get(f"/daren/{user.username}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="daren-album"') == 3
    assert "share=" in html and "ch=daren" in html
    # the count does not grow with more albums
    _albums(user, 6, ProductFactory(store=shop.store))
    with django_assert_num_queries(DAREN_QUERIES):
        assert client.get(f"/daren/{user.username}/").status_code == 200


def test_daren_page_404_for_non_promoter_and_frozen(client, shop):
    assert client.get(f"/daren/{UserFactory().username}/").status_code == 404
    Promoter.objects.filter(pk=shop.promoter.pk).update(state=S.FROZEN)
    assert client.get(f"/daren/{shop.promoter.user.username}/").status_code == 404


def test_console_promoters_list_counts_and_pins_queries(client, shop, django_assert_num_queries):
    ShareClick.objects.create(sharer=shop.promoter.user, brand=shop.brand, kind="product")
    ShareClick.objects.create(sharer=shop.promoter.user, brand=shop.brand, kind="product")
    for _ in range(5):
        Promoter.objects.create(brand=shop.brand, user=UserFactory(), state=S.PENDING)
    client.force_login(shop.staff)
    with django_assert_num_queries(11):  # session, user, brand gate, program, count, page, messages…
        response = client.get(f"/console/{shop.brand.slug}/promoters/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="promoter-row"') == 7
    assert '<td data-testid="promoter-clicks">2</td>' in html


def test_console_action_approves(client, shop):
    pending = Promoter.objects.create(brand=shop.brand, user=UserFactory(), state=S.PENDING)
    client.force_login(shop.staff)
    response = client.post(f"/console/{shop.brand.slug}/promoters/{pending.pk}/approve/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == S.ACTIVE


@pytest.mark.parametrize("who, status", [("anon", 302), ("stranger", 403), ("other_staff", 403)])
def test_console_refuses_non_staff(client, shop, who, status):
    if who == "stranger":
        client.force_login(UserFactory())
    elif who == "other_staff":
        client.force_login(MembershipFactory().user)
    assert client.get(f"/console/{shop.brand.slug}/promoters/").status_code == status
    response = client.post(f"/console/{shop.brand.slug}/promoters/{shop.promoter.pk}/ban/")
    assert response.status_code == status
    shop.promoter.refresh_from_db()
    assert shop.promoter.state == S.ACTIVE


def test_console_program_form_refuses_three_promoters(client, shop):
    client.force_login(shop.staff)
    data = {"join_policy": "apply", "binding": "window", "window_days": 30, "default_rate": "0.1",
            "reward_kind": "cash", "max_promoters_per_line": 3, "min_withdrawal": "10"}
    response = client.post(f"/console/{shop.brand.slug}/promoters/", data)
    assert response.status_code == 422
    shop.program.refresh_from_db()
    assert shop.program.max_promoters_per_line == 1


def test_user_page_links_to_daren_page(client, shop):
    user = shop.promoter.user
    user.is_promoter = True
    user.save()
    assert f"/daren/{user.username}/" in client.get(f"/u/{user.username}/").content.decode()


# ---- API -----------------------------------------------------------------------------------------------------

def test_api_program_get_put(api_as, shop):
    api = api_as(shop.staff)
    assert api.get(f"/console/brands/{shop.brand.slug}/promoter-program").json()["default_rate"] == "0.1000"
    response = api.client.put(f"/api/v1/console/brands/{shop.brand.slug}/promoter-program",
                              '{"binding": "first_click", "default_rate": "0.0800"}',
                              content_type="application/json", headers=api.headers)
    assert response.status_code == 200
    assert (response.json()["binding"], response.json()["default_rate"]) == ("first_click", "0.0800")


def test_api_program_refuses_three_promoters_per_line(api_as, shop):
    api = api_as(shop.staff)
    response = api.client.put(f"/api/v1/console/brands/{shop.brand.slug}/promoter-program",
                              '{"max_promoters_per_line": 3}', content_type="application/json",
                              headers=api.headers)
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"max_promoters_per_line": "at most 2"}


@pytest.mark.parametrize("path", ["promoter-program", "promoters"])
def test_api_console_refuses_non_staff(api_as, shop, path):
    response = api_as(UserFactory()).get(f"/console/brands/{shop.brand.slug}/{path}")
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_api_promoter_list_and_action(api_as, shop, django_assert_num_queries):
    api = api_as(shop.staff)
    for _ in range(4):
        Promoter.objects.create(brand=shop.brand, user=UserFactory(), state=S.PENDING)
    with django_assert_num_queries(6):
        body = api.get(f"/console/brands/{shop.brand.slug}/promoters", {"state": "pending"}).json()
    assert body["count"] == 4
    target = body["items"][0]["id"]
    response = api.post(f"/console/brands/{shop.brand.slug}/promoters/{target}/approve")
    assert (response.status_code, response.json()["state"]) == (200, "active")
    again = api.post(f"/console/brands/{shop.brand.slug}/promoters/{target}/approve")
    assert again.status_code == 409
    other_brand = api_as(MembershipFactory().user)
    assert other_brand.post(f"/console/brands/{shop.brand.slug}/promoters/{target}/ban").status_code == 403


def test_api_join_roles_and_daren(api_as, shop):
    shop.program.join_policy = "anyone"
    shop.program.save()
    user = UserFactory()
    api = api_as(user)
    first = api.post(f"/promote/{shop.brand.slug}/join")
    assert (first.status_code, first.json()["state"]) == (201, "active")
    assert api.post(f"/promote/{shop.brand.slug}/join").status_code == 200
    roles = api.get("/me/promoter-roles").json()
    assert [(r["brand_slug"], r["state"]) for r in roles] == [(shop.brand.slug, "active")]
    daren = api_as(None).get(f"/daren/{user.username}").json()
    assert (daren["username"], daren["brands"], daren["albums"]) == (user.username, [shop.brand.slug], [])
    assert api_as(None).get(f"/daren/{UserFactory().username}").status_code == 404
