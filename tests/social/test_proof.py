"""“N 位好友买过”: only friends (mutual follows) who allow it, only real purchases, distinct people."""

from __future__ import annotations

import pytest

from tests.factories import ProductFactory, UserFactory
from tests.social.purchases import NOT_PURCHASES, PAID_OR_LATER, bought
from tribe.social.proof import friends_bought
from tribe.social.services import follow_user

pytestmark = pytest.mark.django_db

# The product page for a signed-in viewer, no reviews: session, product, images, SKUs, user, “N 位好友买过”
# (exactly ONE, whatever the number of friends), 口碑 summary (2), product_view event (3: savepoint, insert,
# release), staff-brands lookup, bundles, more from the store.
SIGNED_IN_PRODUCT_QUERIES = 16  # +2: posts tagging the product, early-access lookup


def befriend(a, b):
    follow_user(a, b)
    follow_user(b, a)


def friend(viewer, *, allow=True, **kwargs):
    other = UserFactory(show_purchases_to_friends=allow, **kwargs)
    befriend(viewer, other)
    return other


def test_counts_only_friends_who_allow_it():
    # given: a consenting friend, a friend who keeps purchases private, a one-way follow and a stranger,
    # all of whom bought the product
    viewer, product = UserFactory(), ProductFactory()
    allowing = friend(viewer, nickname="愿意说")
    private = friend(viewer, allow=False, nickname="不愿说")
    one_way = UserFactory(show_purchases_to_friends=True)
    follow_user(viewer, one_way)
    stranger = UserFactory(show_purchases_to_friends=True)
    for buyer in (allowing, private, one_way, stranger):
        bought(buyer, product)

    # when
    proof = friends_bought(viewer, product)

    # then
    assert proof.count == 1
    assert [f.pk for f in proof.friends] == [allowing.pk]


def test_counts_only_real_purchases():
    # given: one consenting friend per order status, plus one whose line was fully refunded in a live order
    viewer, product = UserFactory(), ProductFactory()
    real = {status: friend(viewer) for status in PAID_OR_LATER}
    unreal = {status: friend(viewer) for status in NOT_PURCHASES}
    for status, buyer in {**real, **unreal}.items():
        bought(buyer, product, status=status)
    refunded = friend(viewer)
    bought(refunded, product, status="received", quantity=2, refunded_quantity=2)
    partly = friend(viewer)
    bought(partly, product, status="received", quantity=2, refunded_quantity=1)

    # when
    proof = friends_bought(viewer, product)

    # then: paid, partially shipped, shipped, received, completed and the partly refunded line
    assert proof.count == 6
    assert {f.pk for f in proof.friends} < {b.pk for b in real.values()} | {partly.pk}


def test_counts_distinct_people_and_other_products_do_not_count():
    # given: a friend who bought the product three times, and another who bought only something else
    viewer, product, other = UserFactory(), ProductFactory(), ProductFactory()
    keen = friend(viewer)
    for _ in range(3):
        bought(keen, product)
    bought(friend(viewer), other)

    # when / then
    assert friends_bought(viewer, product).count == 1


def test_shows_at_most_five_and_counts_all_in_one_query(django_assert_num_queries):
    # given 7 consenting friends who bought it
    viewer, product = UserFactory(), ProductFactory()
    for i in range(7):
        bought(friend(viewer, username=f"f{i}"), product)

    # when
    with django_assert_num_queries(1):
        proof = friends_bought(viewer, product)
        names = [f.username for f in proof.friends]

    # then
    assert proof.count == 7
    assert names == ["f0", "f1", "f2", "f3", "f4"]


def test_anonymous_viewer_gets_nothing_without_a_query(django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    product = ProductFactory()
    with django_assert_num_queries(0):
        proof = friends_bought(AnonymousUser(), product)
    assert (proof.count, proof.friends) == (0, [])


def test_product_page_shows_friends_who_bought_and_hides_private_ones(client):
    # given
    viewer, product = UserFactory(), ProductFactory()
    bought(friend(viewer, nickname="晒单达人"), product)
    bought(friend(viewer, allow=False, nickname="隐身好友"), product)
    client.force_login(viewer)

    # when
    html = client.get(f"/p/{product.id}/").content.decode()

    # then
    assert "1 位好友买过" in html
    assert html.count('data-testid="friend-buyer"') == 1
    assert "晒单达人" in html and "隐身好友" not in html


def test_product_page_has_no_section_when_no_friend_bought_or_anonymous(client):
    viewer, product = UserFactory(), ProductFactory()
    bought(friend(viewer, allow=False), product)
    assert 'data-testid="friends-bought"' not in client.get(f"/p/{product.id}/").content.decode()
    client.force_login(viewer)
    assert 'data-testid="friends-bought"' not in client.get(f"/p/{product.id}/").content.decode()


@pytest.mark.parametrize("n", [1, 7])
def test_signed_in_product_page_query_count_does_not_grow_with_friends(client, django_assert_num_queries, n):
    # given n consenting friends who bought it
    viewer, product = UserFactory(), ProductFactory()
    for _ in range(n):
        bought(friend(viewer), product)
    client.force_login(viewer)
    client.get(f"/p/{product.id}/")

    # when / then
    with django_assert_num_queries(SIGNED_IN_PRODUCT_QUERIES):
        html = client.get(f"/p/{product.id}/").content.decode()
    assert html.count('data-testid="friend-buyer"') == min(n, 5)
    assert f"{n} 位好友买过" in html


def test_api_friends_bought(api_as):
    # given
    viewer, product = UserFactory(), ProductFactory()
    buyer = friend(viewer, nickname="好友甲")
    bought(buyer, product)
    bought(friend(viewer, allow=False), product)

    # when
    body = api_as(viewer).get(f"/products/{product.id}/friends-bought").json()

    # then
    assert body == {"count": 1, "friends": [
        {"username": buyer.username, "display_name": "好友甲", "avatar_url": None}]}


def test_api_friends_bought_needs_sign_in_and_a_published_product(anon, api_as):
    product = ProductFactory(published=False)
    assert anon.get(f"/products/{product.id}/friends-bought").status_code == 401
    assert api_as(UserFactory()).get(f"/products/{product.id}/friends-bought").status_code == 404
