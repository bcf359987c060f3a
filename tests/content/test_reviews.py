"""口碑 reviews through the services and selectors: the verified-buyer rule, one per line, input bounds,
exact aggregates, helpful votes, the friends' privacy flag."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.content.conftest import bought
from tests.factories import ProductFactory, UserFactory
from tests.web.conftest import png_upload
from tribe.content import selectors, services
from tribe.content.models import HelpfulVote, Review, ReviewImage
from tribe.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tribe.core.models import Event
from tribe.orders.models import Order
from tribe.social.models import Follow

pytestmark = pytest.mark.django_db
S = Order.Status


def review(line, rating=5, text="很好用，推荐", **kwargs):
    return services.create_review(line.order.user, line.order.number, line.pk, rating=rating, text=text, **kwargs)


@pytest.mark.parametrize("status", [S.PAID, S.PARTIALLY_SHIPPED, S.SHIPPED, S.RECEIVED, S.COMPLETED])
def test_a_paid_or_later_line_can_be_reviewed(status):
    # given
    line = bought(UserFactory(), ProductFactory(), status=status)
    # when
    made = review(line, rating=4, text="质量不错，物流快")
    # then
    assert (made.product_id, made.author_id, made.order_line_id, made.rating, made.text) == (
        line.product_id, line.order.user_id, line.pk, 4, "质量不错，物流快")
    assert Event.objects.filter(name="review").count() == 1


@pytest.mark.parametrize("status", [S.PENDING_PAYMENT, S.CANCELLED, S.EXPIRED, S.CLOSED])
def test_an_unpaid_or_cancelled_order_cannot_be_reviewed(status):
    line = bought(UserFactory(), ProductFactory(), status=status)
    with pytest.raises(PermissionDenied) as caught:
        review(line)
    assert caught.value.code == "not_verified_buyer"
    assert Review.objects.count() == 0


def test_a_fully_refunded_line_cannot_be_reviewed_but_a_partly_refunded_one_can():
    product = ProductFactory()
    full = bought(UserFactory(), product, quantity=2, refunded=2)
    part = bought(UserFactory(), product, quantity=2, refunded=1)
    with pytest.raises(PermissionDenied):
        review(full)
    assert review(part).order_line_id == part.pk
    assert Review.objects.count() == 1


def test_someone_elses_line_is_not_found():
    line = bought(UserFactory(), ProductFactory())
    with pytest.raises(NotFound):
        services.create_review(UserFactory(), line.order.number, line.pk, rating=5, text="我也想评价")
    assert Review.objects.count() == 0


def test_one_review_per_line():
    line = bought(UserFactory(), ProductFactory())
    review(line)
    with pytest.raises(Conflict) as caught:
        review(line, text="再评一次试试")
    assert caught.value.code == "already_reviewed"
    assert Review.objects.count() == 1


@pytest.mark.parametrize("rating,text,field", [
    (0, "很好用，推荐", "rating"), (6, "很好用，推荐", "rating"), (True, "很好用，推荐", "rating"),
    (5, "", "text"), (5, "好", "text"), (5, "    好用  ", "text"), (5, "长" * 2001, "text"),
])
def test_bad_input_is_422_and_nothing_is_stored(rating, text, field):
    line = bought(UserFactory(), ProductFactory())
    with pytest.raises(ValidationFailed) as caught:
        review(line, rating=rating, text=text)
    assert list(caught.value.fields) == [field]
    assert Review.objects.count() == 0


def test_images_are_checked_before_anything_is_stored():
    line = bought(UserFactory(), ProductFactory())
    bad = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationFailed) as caught:
        review(line, images=[png_upload(), bad])
    assert caught.value.code == "invalid_image"
    with pytest.raises(ValidationFailed) as caught:
        review(line, images=[png_upload() for _ in range(10)])
    assert caught.value.code == "too_many_images"
    assert (Review.objects.count(), ReviewImage.objects.count()) == (0, 0)


def test_images_are_stored_with_thumbnails_and_capped_at_nine_per_review():
    line = bought(UserFactory(), ProductFactory())
    made = review(line, images=[png_upload() for _ in range(7)])
    services.add_review_images(line.order.user, made.pk, [png_upload(), png_upload()])
    with pytest.raises(ValidationFailed):
        services.add_review_images(line.order.user, made.pk, [png_upload()])
    images = list(made.images.all())
    assert [i.position for i in images] == list(range(9))
    assert all(i.image.name.endswith(".jpg") and i.thumb.name.endswith("_t.jpg") for i in images)


def test_only_the_author_adds_images():
    line = bought(UserFactory(), ProductFactory())
    made = review(line)
    with pytest.raises(NotFound):
        services.add_review_images(UserFactory(), made.pk, [png_upload()])
    assert ReviewImage.objects.count() == 0


def test_summary_is_computed_exactly():
    # given ratings 5, 5, 4, 2 on one product and a 1 on another
    product = ProductFactory()
    for rating in [5, 5, 4, 2]:
        review(bought(UserFactory(), product), rating=rating)
    review(bought(UserFactory(), ProductFactory()), rating=1)
    # when
    result = selectors.summary(product.pk)
    # then 16 / 4 = 4.0
    assert result == {"count": 4, "average": Decimal("4.0"), "distribution": {1: 0, 2: 1, 3: 0, 4: 1, 5: 2}}


def test_summary_rounds_half_up_to_one_place_and_is_empty_without_reviews():
    product = ProductFactory()
    assert selectors.summary(product.pk) == {"count": 0, "average": None,
                                             "distribution": {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}}
    for rating in [5, 4, 4, 4]:  # 4.25 → 4.3
        review(bought(UserFactory(), product), rating=rating)
    assert selectors.summary(product.pk)["average"] == Decimal("4.3")


def test_helpful_votes_are_idempotent_and_not_on_own_review():
    line = bought(UserFactory(), ProductFactory())
    made = review(line)
    voter = UserFactory()
    services.vote_helpful(voter, made.pk)
    services.vote_helpful(voter, made.pk)
    assert HelpfulVote.objects.filter(review=made).count() == 1
    with pytest.raises(PermissionDenied):
        services.vote_helpful(line.order.user, made.pk)
    services.unvote_helpful(voter, made.pk)
    services.unvote_helpful(voter, made.pk)
    assert HelpfulVote.objects.count() == 0


def friends(a, b):
    Follow.objects.create(follower=a, followed_user=b)
    Follow.objects.create(follower=b, followed_user=a)


def test_friend_reviews_respect_the_privacy_flag():
    # given me, two friends who reviewed (one hides reviews from friends) and a one-way follow who reviewed
    me, open_friend, shy_friend, followed = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    shy_friend.show_reviews_to_friends = False
    shy_friend.save()
    friends(me, open_friend)
    friends(me, shy_friend)
    Follow.objects.create(follower=me, followed_user=followed)
    product = ProductFactory()
    for author in [open_friend, shy_friend, followed]:
        review(bought(author, product))
    review(bought(open_friend, ProductFactory()))  # another product
    # when / then
    assert [r.author_id for r in selectors.friend_reviews(me, product)] == [open_friend.pk]
    assert selectors.friend_reviewer_count(me, product) == 1
    assert list(selectors.friend_reviews(None, product)) == []
