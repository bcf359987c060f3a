"""The social graph services and selectors: follows of each target kind, blocks, mutes, friends, counts."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from tests.factories import BrandFactory, StoreFactory, UserFactory
from tribe.core.errors import PermissionDenied, ValidationFailed
from tribe.core.models import Event
from tribe.social import selectors, services
from tribe.social.models import Block, Follow, Mute

pytestmark = pytest.mark.django_db


def test_follow_user_creates_one_follow_and_records_the_event():
    # given
    alice, bob = UserFactory(), UserFactory(is_promoter=True)

    # when
    follow = services.follow_user(alice, bob)

    # then
    assert (follow.follower_id, follow.followed_user_id, follow.brand_id, follow.store_id) == (
        alice.id, bob.id, None, None)
    event = Event.objects.get(name="follow")
    assert (event.actor_id, event.object_type, event.object_id, event.props) == (
        alice.id, "user", bob.id, {"target": "user"})


def test_following_twice_keeps_one_row_and_one_event():
    # given
    alice, bob = UserFactory(), UserFactory()
    first = services.follow_user(alice, bob)

    # when
    second = services.follow_user(alice, bob)

    # then
    assert second.pk == first.pk
    assert Follow.objects.count() == 1
    assert Event.objects.filter(name="follow").count() == 1


def test_follow_and_unfollow_a_brand_and_a_store():
    # given
    user = UserFactory()
    brand = BrandFactory()
    store = StoreFactory(brand=brand)

    # when
    services.follow_brand(user, brand)
    services.follow_brand(user, brand)
    services.follow_store(user, store)

    # then
    assert selectors.follow_state(user, brand=brand) == {"following": True, "followers": 1}
    assert selectors.follow_state(user, store=store) == {"following": True, "followers": 1}
    assert list(Event.objects.filter(name="follow").order_by("id").values_list("object_type", "brand_id")) == [
        ("brand", brand.id), ("store", brand.id)]

    # when unfollowed (twice: the second is a no-op)
    assert services.unfollow_brand(user, brand) is True
    assert services.unfollow_brand(user, brand) is False
    assert services.unfollow_store(user, store) is True

    # then
    assert Follow.objects.count() == 0
    assert selectors.follow_state(user, brand=brand) == {"following": False, "followers": 0}


def test_unfollow_user_removes_only_that_follow():
    # given
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    services.follow_user(alice, bob)
    services.follow_user(alice, carol)

    # when
    removed = services.unfollow_user(alice, bob)

    # then
    assert removed is True
    assert list(Follow.objects.values_list("followed_user_id", flat=True)) == [carol.id]


def test_self_follow_is_refused_by_the_service_and_the_database():
    # given
    alice = UserFactory()

    # when / then
    with pytest.raises(ValidationFailed) as error:
        services.follow_user(alice, alice)
    assert error.value.code == "cannot_follow_self"
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower=alice, followed_user=alice)
    assert Follow.objects.count() == 0


def test_a_follow_must_have_exactly_one_target():
    # given
    alice, bob = UserFactory(), UserFactory()
    brand = BrandFactory()

    # when / then
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower=alice)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower=alice, followed_user=bob, brand=brand)
    assert Follow.objects.count() == 0


def test_block_removes_follows_both_ways_and_prevents_following_either_way():
    # given friends
    alice, bob = UserFactory(), UserFactory()
    services.follow_user(alice, bob)
    services.follow_user(bob, alice)

    # when alice blocks bob
    services.block_user(alice, bob)

    # then
    assert Follow.objects.count() == 0
    assert selectors.are_friends(alice, bob) is False
    for follower, target in [(bob, alice), (alice, bob)]:
        with pytest.raises(PermissionDenied) as error:
            services.follow_user(follower, target)
        # the same neutral message whichever side blocked
        assert (error.value.code, error.value.message) == ("cannot_follow", "无法关注该用户")
    assert Follow.objects.count() == 0


def test_unblock_allows_following_again_but_restores_nothing():
    # given
    alice, bob = UserFactory(), UserFactory()
    services.follow_user(bob, alice)
    services.block_user(alice, bob)
    services.block_user(alice, bob)  # idempotent
    assert Block.objects.count() == 1

    # when
    assert services.unblock_user(alice, bob) is True

    # then
    assert Follow.objects.count() == 0
    services.follow_user(bob, alice)
    assert selectors.follow_state(bob, user=alice) == {"following": True, "followers": 1}


def test_self_block_and_self_mute_are_refused():
    alice = UserFactory()
    with pytest.raises(ValidationFailed):
        services.block_user(alice, alice)
    with pytest.raises(ValidationFailed):
        services.mute_user(alice, alice)
    assert (Block.objects.count(), Mute.objects.count()) == (0, 0)


def test_mute_keeps_the_follow_and_lists_the_muted():
    # given
    alice, bob = UserFactory(), UserFactory()
    brand = BrandFactory()
    services.follow_user(alice, bob)
    services.follow_brand(alice, brand)

    # when
    services.mute_user(alice, bob)
    services.mute_user(alice, bob)
    services.mute_brand(alice, brand)

    # then
    assert Follow.objects.filter(follower=alice).count() == 2
    assert Mute.objects.count() == 2
    assert selectors.muted_user_ids(alice) == {bob.id}
    assert selectors.muted_brand_ids(alice) == {brand.id}

    # when unmuted
    assert services.unmute_user(alice, bob) is True
    assert services.unmute_brand(alice, brand) is True

    # then
    assert (selectors.muted_user_ids(alice), selectors.muted_brand_ids(alice)) == (set(), set())


def test_friends_are_mutual_follows_only(django_assert_num_queries):
    # given alice ↔ bob, alice ↔ carol, alice → dave, erin → alice
    alice, bob, carol, dave, erin = (UserFactory() for _ in range(5))
    for a, b in [(alice, bob), (bob, alice), (alice, carol), (carol, alice), (alice, dave), (erin, alice)]:
        services.follow_user(a, b)

    # when / then
    with django_assert_num_queries(1):
        ids = selectors.friend_ids(alice)
    assert ids == {bob.id, carol.id}
    assert selectors.friend_ids(dave) == set()
    assert selectors.are_friends(alice, bob) is True
    assert selectors.are_friends(bob, alice) is True
    assert selectors.are_friends(alice, dave) is False
    assert selectors.are_friends(erin, alice) is False


def test_counts_are_computed_in_one_query():
    # given bob follows alice and a brand; alice follows bob and carol; carol follows no one
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    services.follow_user(bob, alice)
    services.follow_brand(bob, BrandFactory())
    services.follow_user(alice, bob)
    services.follow_user(alice, carol)

    # when
    profile = selectors.public_user(alice.username, viewer=bob)

    # then
    assert (profile.followers_count, profile.following_count, profile.friends_count) == (1, 2, 1)
    assert (profile.i_follow, profile.follows_me) == (True, True)
    carol_seen_by_bob = selectors.public_user(carol.username, viewer=bob)
    assert (carol_seen_by_bob.followers_count, carol_seen_by_bob.following_count,
            carol_seen_by_bob.friends_count) == (1, 0, 0)
    assert (carol_seen_by_bob.i_follow, carol_seen_by_bob.follows_me) == (False, False)
    bob_profile = selectors.public_user(bob.username)
    assert (bob_profile.followers_count, bob_profile.following_count, bob_profile.friends_count) == (1, 2, 1)
