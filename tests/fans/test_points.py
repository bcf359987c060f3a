"""Participation points and tiers are computed from rows: each source, the thresholds, what does not count."""

from __future__ import annotations

import pytest

from tests.factories import BrandFactory, ProductFactory, StoreFactory, UserFactory
from tests.fans.conftest import make_core, make_post, make_review
from tests.social.purchases import bought
from tribe.content.models import Review
from tribe.fans import selectors
from tribe.fans.models import FanMember, Tier

pytestmark = pytest.mark.django_db


def test_new_member_has_zero_points_and_is_regular(fan, community):
    s = selectors.points_of(fan, community)
    assert (s.points, s.tier, s.is_member) == (0, Tier.REGULAR, True)
    assert s.next_tier == Tier.ACTIVE and s.to_next == 10 and s.progress_percent == 0


def test_each_post_tagging_the_brand_counts_once(fan, community, product, store):
    second = ProductFactory(store=store)
    make_post(fan, product, second)  # one post, two of the brand's products: still one post
    make_post(fan, product)
    make_post(fan, product, removed=True)  # removed: does not count
    make_post(fan, ProductFactory())  # another brand's product: does not count
    s = selectors.points_of(fan, community)
    assert s.counts["post"] == 2 and s.points == 10
    assert s.tier == Tier.ACTIVE


def test_real_reviews_count_and_imported_do_not(fan, community, product):
    make_review(fan, product)
    Review.objects.create(product=product, author=fan, rating=4, text="导入的评价", imported_from="ciao")
    s = selectors.points_of(fan, community)
    assert s.counts["review"] == 1
    assert s.counts["purchase"] == 1  # the review's order
    assert s.points == 30 and s.tier == Tier.CORE
    assert s.to_next == 0 and s.progress_percent == 100


@pytest.mark.parametrize("status,refunded,counts", [
    ("paid", 0, 1), ("completed", 0, 1), ("shipped", 0, 1),
    ("pending_payment", 0, 0), ("cancelled", 0, 0), ("closed", 0, 0),
    ("paid", 1, 0),  # fully refunded
])
def test_purchases_count_paid_not_refunded_orders(fan, community, product, status, refunded, counts):
    bought(fan, product, status=status, quantity=1, refunded_quantity=refunded)
    s = selectors.points_of(fan, community)
    assert s.counts["purchase"] == counts and s.points == 20 * counts


def test_partly_refunded_order_still_counts_once(fan, community, product):
    bought(fan, product, quantity=3, refunded_quantity=1)
    assert selectors.points_of(fan, community).counts["purchase"] == 1


def test_sub_brand_products_count_for_the_group_community(fan, community, brand):
    sub = BrandFactory(parent=brand)
    bought(fan, ProductFactory(store=StoreFactory(brand=sub)))
    assert selectors.points_of(fan, community).counts["purchase"] == 1


def test_weights_and_thresholds_come_from_the_community(fan, community, product):
    bought(fan, product)
    community.points_purchase = 7
    community.save()
    s = selectors.points_of(fan, community)
    assert s.points == 7 and s.tier == Tier.REGULAR and s.to_next == 3 and s.progress_percent == 70


def test_tier_of_and_is_core(fan, community, brand, product):
    assert selectors.tier_of(fan, brand) == Tier.REGULAR and not selectors.is_core(fan, brand)
    make_core(fan, product)
    assert selectors.tier_of(fan, brand) == Tier.CORE and selectors.is_core(fan, brand.pk)
    stranger = make_core(UserFactory(), product)  # core points, but not a member
    assert selectors.tier_of(stranger, brand) is None and not selectors.is_core(stranger, brand)


def test_anonymous_has_no_standing(community, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser

    with django_assert_num_queries(0):
        s = selectors.points_of(AnonymousUser(), community)
    assert s.points == 0 and not s.is_member


def test_members_list_is_one_query_whatever_the_number_of_members(community, product, django_assert_num_queries):
    for i in range(6):
        user = UserFactory()
        FanMember.objects.create(community=community, user=user)
        for _ in range(i % 3):
            make_post(user, product)
        if i % 2:
            make_review(user, product)
    with django_assert_num_queries(1):
        rows = list(selectors.members_with_points(community).order_by("-points", "id"))
    assert [r.points for r in rows] == sorted((r.points for r in rows), reverse=True)
    assert {r.tier for r in rows} == {Tier.REGULAR, Tier.ACTIVE, Tier.CORE}
    top = rows[0]
    assert top.points == top.n_post * 5 + top.n_review * 10 + top.n_purchase * 20
