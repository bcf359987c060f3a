"""Social API: follow / block / mute endpoints, public profile, follower lists, friends."""

from __future__ import annotations

import pytest

from tests.factories import BrandFactory, StoreFactory, UserFactory
from tribe.core.models import Event
from tribe.social import services
from tribe.social.models import Block, Follow, Mute

from .conftest import error_of

pytestmark = pytest.mark.django_db


def test_follow_a_user_twice_answers_the_same_state_and_keeps_one_follow(api_as):
    # given
    alice, bob = UserFactory(), UserFactory(username="bob")
    api = api_as(alice)

    # when
    first = api.post("/users/bob/follow")
    second = api.post("/users/bob/follow")

    # then
    assert (first.status_code, first.json()) == (200, {"following": True, "followers": 1})
    assert (second.status_code, second.json()) == (200, {"following": True, "followers": 1})
    assert Follow.objects.filter(follower=alice, followed_user=bob).count() == 1
    assert Event.objects.filter(name="follow", actor=alice, object_id=bob.id).count() == 1


def test_unfollow_a_user(api_as):
    # given
    alice, bob = UserFactory(), UserFactory(username="bob")
    services.follow_user(alice, bob)

    # when
    response = api_as(alice).delete("/users/bob/follow")

    # then
    assert (response.status_code, response.json()) == (200, {"following": False, "followers": 0})
    assert Follow.objects.count() == 0


def test_follow_and_unfollow_a_brand_and_a_store(api_as):
    # given
    brand = BrandFactory(slug="nuanyang")
    StoreFactory(brand=brand, slug="nuanyang-store")
    api = api_as(UserFactory())

    # when / then
    assert api.post("/brands/nuanyang/follow").json() == {"following": True, "followers": 1}
    assert api.post("/stores/nuanyang-store/follow").json() == {"following": True, "followers": 1}
    assert Follow.objects.count() == 2
    assert api.delete("/brands/nuanyang/follow").json() == {"following": False, "followers": 0}
    assert api.delete("/stores/nuanyang-store/follow").json() == {"following": False, "followers": 0}
    assert Follow.objects.count() == 0


def test_self_follow_is_422(api_as):
    alice = UserFactory(username="alice")
    response = api_as(alice).post("/users/alice/follow")
    assert response.status_code == 422
    assert error_of(response)["code"] == "cannot_follow_self"
    assert Follow.objects.count() == 0


def test_following_someone_who_blocked_you_is_a_neutral_403(api_as):
    # given bob blocked alice
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    services.block_user(bob, alice)

    # when
    response = api_as(alice).post("/users/bob/follow")

    # then the error does not say who blocked whom
    assert response.status_code == 403
    assert error_of(response) == {"code": "cannot_follow", "message": "无法关注该用户", "fields": {}}
    assert Follow.objects.count() == 0


@pytest.mark.parametrize("method, path", [
    ("post", "/users/nobody/follow"), ("delete", "/users/nobody/follow"),
    ("post", "/users/nobody/block"), ("post", "/users/nobody/mute"),
    ("post", "/brands/nobrand/follow"), ("post", "/stores/nostore/follow"), ("post", "/brands/nobrand/mute"),
])
def test_unknown_targets_are_404(api_as, method, path):
    response = getattr(api_as(UserFactory()), method)(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("method, path", [
    ("post", "/users/bob/follow"), ("delete", "/users/bob/follow"), ("post", "/brands/b/follow"),
    ("post", "/stores/s/follow"), ("post", "/users/bob/block"), ("post", "/users/bob/mute"),
    ("post", "/brands/b/mute"), ("get", "/me/friends"),
])
def test_anonymous_writes_and_my_friends_are_401(anon, method, path):
    UserFactory(username="bob")
    BrandFactory(slug="b")
    response = getattr(anon, method)(path)
    assert response.status_code == 401
    assert Follow.objects.count() == 0


def test_block_and_unblock(api_as):
    # given mutual follows
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    services.follow_user(alice, bob)
    services.follow_user(bob, alice)
    api = api_as(alice)

    # when
    blocked = api.post("/users/bob/block")

    # then
    assert (blocked.status_code, blocked.json()) == (200, {"blocked": True})
    assert Follow.objects.count() == 0
    assert api_as(bob).post("/users/alice/follow").status_code == 403

    # when
    unblocked = api.delete("/users/bob/block")

    # then
    assert (unblocked.status_code, unblocked.json()) == (200, {"blocked": False})
    assert Block.objects.count() == 0


def test_mute_and_unmute_a_user_and_a_brand(api_as):
    # given
    alice, bob = UserFactory(), UserFactory(username="bob")
    BrandFactory(slug="b")
    services.follow_user(alice, bob)
    api = api_as(alice)

    # when / then
    assert api.post("/users/bob/mute").json() == {"muted": True}
    assert api.post("/brands/b/mute").json() == {"muted": True}
    assert Mute.objects.filter(user=alice).count() == 2
    assert Follow.objects.filter(follower=alice, followed_user=bob).exists()
    assert api.delete("/users/bob/mute").json() == {"muted": False}
    assert api.delete("/brands/b/mute").json() == {"muted": False}
    assert Mute.objects.count() == 0


def test_public_profile_shows_counts_and_my_relation(api_as, anon):
    # given alice ↔ bob, carol → bob
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob", nickname="小波", city="杭州", is_promoter=True)
    carol = UserFactory()
    services.follow_user(alice, bob)
    services.follow_user(bob, alice)
    services.follow_user(carol, bob)

    # when
    seen_by_alice = api_as(alice).get("/users/bob").json()
    seen_by_anon = anon.get("/users/bob").json()

    # then
    assert seen_by_alice == {
        "username": "bob", "nickname": "小波", "display_name": "小波", "avatar_url": None, "city": "杭州",
        "is_promoter": True, "bio": "", "followers_count": 2, "following_count": 1, "friends_count": 1,
        "i_follow": True, "follows_me": True, "is_friend": True,
    }
    assert (seen_by_anon["followers_count"], seen_by_anon["i_follow"], seen_by_anon["is_friend"]) == (
        2, False, False)


def test_public_profile_of_an_unknown_or_inactive_user_is_404(anon):
    UserFactory(username="gone", is_active=False)
    for name in ["nobody", "gone"]:
        response = anon.get(f"/users/{name}")
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("n", [1, 5])
def test_profile_and_lists_keep_their_query_count(anon, django_assert_num_queries, n):
    # given bob with n followers whom he follows back
    bob = UserFactory(username="bob")
    for _ in range(n):
        fan = UserFactory()
        services.follow_user(fan, bob)
        services.follow_user(bob, fan)
    anon.get("/users/bob")  # the first visit saves the session; measure the steady state

    # when / then
    with django_assert_num_queries(2):  # the session, then the user with every count in one query
        assert anon.get("/users/bob").json()["friends_count"] == n
    with django_assert_num_queries(4):  # the session, the user, the count, the page
        assert len(anon.get("/users/bob/followers").json()["items"]) == n
    with django_assert_num_queries(4):
        assert len(anon.get("/users/bob/following").json()["items"]) == n


def test_followers_and_following_are_paginated_newest_first(anon):
    # given three fans follow bob in order; bob follows the first two
    bob = UserFactory(username="bob")
    fans = [UserFactory(username=f"fan{i}") for i in range(3)]
    for fan in fans:
        services.follow_user(fan, bob)
    services.follow_user(bob, fans[0])
    services.follow_user(bob, fans[1])

    # when
    page1 = anon.get("/users/bob/followers", {"page_size": 2}).json()
    page2 = anon.get("/users/bob/followers", {"page_size": 2, "page": 2}).json()
    following = anon.get("/users/bob/following").json()

    # then
    assert [u["username"] for u in page1["items"]] == ["fan2", "fan1"]
    assert (page1["count"], page1["pages"]) == (3, 2)
    assert [u["username"] for u in page2["items"]] == ["fan0"]
    assert [u["username"] for u in following["items"]] == ["fan1", "fan0"]
    assert anon.get("/users/nobody/followers").status_code == 404


def test_my_friends_lists_mutual_follows_only(api_as):
    # given alice ↔ bob, alice → carol, dave → alice
    alice = UserFactory(username="alice")
    bob, carol, dave = UserFactory(username="bob"), UserFactory(username="carol"), UserFactory(username="dave")
    services.follow_user(alice, bob)
    services.follow_user(bob, alice)
    services.follow_user(alice, carol)
    services.follow_user(dave, alice)

    # when
    response = api_as(alice).get("/me/friends")

    # then
    assert response.status_code == 200
    assert [u["username"] for u in response.json()["items"]] == ["bob"]
    assert response.json()["count"] == 1


def test_me_shows_the_privacy_settings_with_their_defaults(api_as):
    response = api_as(UserFactory()).get("/me")
    body = response.json()
    assert (body["show_purchases_to_friends"], body["show_reviews_to_friends"]) == (False, True)
