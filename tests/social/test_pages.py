"""Pages: the follow button on brand stations (plain form and HTMX) and the public user page /u/<name>/."""

from __future__ import annotations

import pytest

from tests.factories import BrandFactory, UserFactory
from tribe.social import services
from tribe.social.models import Follow

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


@pytest.mark.parametrize("kind", ["hub", "flagship", "content"])
def test_every_station_kind_shows_the_follow_button_with_the_count(client, kind):
    # given
    brand = BrandFactory(slug="nuanyang", kind=kind)
    services.follow_brand(UserFactory(), brand)

    # when
    html = client.get("/b/nuanyang/").content.decode()

    # then an anonymous visitor is sent to sign in first
    assert 'data-testid="brand-follow"' in html
    assert 'href="/accounts/login/?next=/b/nuanyang/"' in html
    assert '<span class="muted" data-testid="brand-follow-count">1 人关注</span>' in html


def test_following_a_brand_with_htmx_swaps_the_button(client, user):
    # given
    brand = BrandFactory(slug="nuanyang")
    client.force_login(user)

    # when
    response = client.post("/b/nuanyang/follow/", {"action": "follow"}, headers=HX)

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert "已关注" in html and 'value="unfollow"' in html and "1 人关注" in html
    assert Follow.objects.filter(follower=user, brand=brand).count() == 1

    # when unfollowed with a plain form post
    response = client.post("/b/nuanyang/follow/", {"action": "unfollow"})

    # then
    assert (response.status_code, response["Location"]) == (302, "/b/nuanyang/")
    assert Follow.objects.count() == 0


def test_following_a_brand_anonymously_asks_to_sign_in_and_stores_nothing(client):
    BrandFactory(slug="nuanyang")
    response = client.post("/b/nuanyang/follow/", {"action": "follow"})
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/b/nuanyang/")
    htmx = client.post("/b/nuanyang/follow/", {"action": "follow"}, headers=HX)
    assert (htmx.status_code, htmx["HX-Redirect"]) == (401, "/accounts/login/?next=/b/nuanyang/")
    assert client.post("/b/unknown/follow/", {"action": "follow"}).status_code == 404
    assert Follow.objects.count() == 0


def test_signed_in_station_shows_my_follow_state(client, user):
    brand = BrandFactory(slug="nuanyang")
    services.follow_brand(user, brand)
    client.force_login(user)
    html = client.get("/b/nuanyang/").content.decode()
    assert 'value="unfollow"' in html and "已关注" in html


def test_user_page_shows_counts_and_the_relation(client):
    # given alice ↔ bob
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob", nickname="小波", city="杭州")
    services.follow_user(alice, bob)
    services.follow_user(bob, alice)
    client.force_login(alice)

    # when
    html = client.get("/u/bob/").content.decode()

    # then
    assert "小波" in html and "杭州" in html
    assert '<span data-testid="followers-count">粉丝 1</span>' in html
    assert '<span data-testid="friends-count">好友 1</span>' in html
    assert 'data-testid="is-friend"' in html
    assert 'value="unfollow"' in html


def test_own_user_page_has_no_follow_button_and_unknown_is_404(client):
    alice = UserFactory(username="alice")
    client.force_login(alice)
    assert 'data-testid="user-follow"' not in client.get("/u/alice/").content.decode()
    assert client.get("/u/nobody/").status_code == 404


def test_follow_user_from_the_user_page_and_refusals(client):
    # given
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    client.force_login(alice)

    # when
    followed = client.post("/u/bob/follow/", {"action": "follow"}, headers=HX)
    own = client.post("/u/alice/follow/", {"action": "follow"}, headers=HX)
    services.block_user(bob, alice)
    blocked = client.post("/u/bob/follow/", {"action": "follow"}, headers=HX)

    # then
    assert followed.status_code == 200 and "已关注" in followed.content.decode()
    assert own.status_code == 422 and "不能关注自己" in own.content.decode()
    assert blocked.status_code == 403 and "无法关注该用户" in blocked.content.decode()
    assert Follow.objects.count() == 0


def test_user_page_escapes_the_nickname(client):
    UserFactory(username="eve", nickname="<script>x</script>")
    html = client.get("/u/eve/").content.decode()
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.parametrize("n", [1, 6])
def test_user_page_query_count_does_not_grow_with_followers(client, django_assert_num_queries, n):
    # given bob with n followers he follows back, seen by a signed-in visitor
    bob = UserFactory(username="bob")
    for _ in range(n):
        fan = UserFactory()
        services.follow_user(fan, bob)
        services.follow_user(bob, fan)
    client.force_login(UserFactory())
    client.get("/u/bob/")

    # when / then: session, visitor, the profile with every count and relation in one query, the page
    # shell's staff-of lookup for the visitor, and the user's visible 晒图 posts (none here)
    with django_assert_num_queries(5):
        html = client.get("/u/bob/").content.decode()
    assert f'<span data-testid="friends-count">好友 {n}</span>' in html
