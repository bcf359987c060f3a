"""口碑 on pages: the product page section (pinned queries, escaped text, HTMX more, helpful button, friends
who reviewed), the order page's 写评价 link and the review form."""

import pytest

from tests.content.conftest import bought
from tests.factories import ProductFactory, UserFactory
from tests.web.conftest import png_upload
from tribe.content import services
from tribe.content.models import HelpfulVote, Review
from tribe.orders.models import Order
from tribe.social.models import Follow

pytestmark = pytest.mark.django_db

# A product with no other store products and no bundles (so fewer queries than PRODUCT_QUERIES, which the
# storefront test pins with those): session, product, SKUs, bundles, store products, review summary, event.
# With reviews: + the page of reviews + its image prefetch, whatever their number.
PRODUCT_NO_REVIEWS_QUERIES = 12  # +2: posts tagging the product, early-access lookup
PRODUCT_WITH_REVIEWS_QUERIES = PRODUCT_NO_REVIEWS_QUERIES + 3  # +1 which reviews are trial reports (试用报告)


def reviewed(product, rating=5, text="很好用，推荐", author=None, images=None):
    line = bought(author or UserFactory(), product)
    return services.create_review(line.order.user, line.order.number, line.pk, rating=rating, text=text,
                                  images=images)


@pytest.mark.parametrize("n", [0, 3, 12])
def test_product_page_queries_do_not_grow_with_reviews(client, django_assert_num_queries, n):
    # given n reviews, each with an image and a helpful vote
    product = ProductFactory()
    for i in range(n):
        review = reviewed(product, rating=1 + i % 5, images=[png_upload()])
        HelpfulVote.objects.create(review=review, user=UserFactory())
    client.get("/")
    # when / then
    with django_assert_num_queries(PRODUCT_WITH_REVIEWS_QUERIES if n else PRODUCT_NO_REVIEWS_QUERIES):
        response = client.get(f"/p/{product.pk}/")
    html = response.content.decode()
    assert html.count('data-testid="review"') == min(n, 5)
    assert html.count('class="review-images"') == min(n, 5)
    assert ('data-testid="reviews-more"' in html) is (n > 5)


def test_product_page_summary_and_escaped_text(client):
    product = ProductFactory()
    for rating in [5, 4]:
        reviewed(product, rating=rating)
    reviewed(product, rating=3, text='<script>alert("x")</script>好')
    html = client.get(f"/p/{product.pk}/").content.decode()
    assert '<strong class="price" data-testid="review-average">4.0</strong>' in html
    assert "3 条评价" in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;好" in html


def test_product_page_without_reviews_says_so(client):
    html = client.get(f"/p/{ProductFactory().pk}/").content.decode()
    assert 'data-testid="no-reviews"' in html


def test_htmx_more_gives_the_next_page(client):
    product = ProductFactory()
    for i in range(7):
        reviewed(product, text=f"第{i}条评价内容")
    html = client.get(f"/p/{product.pk}/reviews/?page=2", headers={"HX-Request": "true"}).content.decode()
    assert html.count('data-testid="review"') == 2
    assert "第1条评价内容" in html and "第0条评价内容" in html
    assert 'data-testid="reviews-more"' not in html
    assert client.get("/p/999999/reviews/?page=2").status_code == 404


def test_helpful_button_votes_once_and_not_on_own(client):
    product = ProductFactory()
    review = reviewed(product)
    client.force_login(UserFactory())
    for _ in range(2):
        response = client.post(f"/reviews/{review.pk}/helpful/", headers={"HX-Request": "true"})
        assert '<span data-testid="helpful-count">1</span>' in response.content.decode()
    client.force_login(review.author)
    assert client.post(f"/reviews/{review.pk}/helpful/").status_code == 403
    assert HelpfulVote.objects.count() == 1


def test_signed_in_visitor_sees_how_many_friends_reviewed(client):
    me, friend = UserFactory(), UserFactory()
    Follow.objects.create(follower=me, followed_user=friend)
    Follow.objects.create(follower=friend, followed_user=me)
    product = ProductFactory()
    reviewed(product, author=friend)
    client.force_login(me)
    assert "1 位好友评价过" in client.get(f"/p/{product.pk}/").content.decode()
    friend.show_reviews_to_friends = False
    friend.save()
    assert "好友评价过" not in client.get(f"/p/{product.pk}/").content.decode()


def test_order_page_links_reviewable_lines_and_the_form_creates_a_review(client):
    buyer = UserFactory()
    line = bought(buyer, ProductFactory())
    unpaid = bought(buyer, ProductFactory(), status=Order.Status.PENDING_PAYMENT)
    client.force_login(buyer)
    assert 'data-testid="review-link"' in client.get(f"/orders/{line.order.number}/").content.decode()
    assert 'data-testid="review-link"' not in client.get(f"/orders/{unpaid.order.number}/").content.decode()
    url = f"/orders/{line.order.number}/lines/{line.pk}/review/"
    assert client.post(url, {"rating": "9", "text": "很好用，推荐"}).status_code == 422
    response = client.post(url, {"rating": "4", "text": "很好用，推荐", "images": [png_upload()]})
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.rating, review.images.count()) == (4, 1)
    assert 'data-testid="review-link"' not in client.get(f"/orders/{line.order.number}/").content.decode()
    assert "已经评价过了" in client.get(url).content.decode()
    assert client.post(url, {"rating": "4", "text": "再来一次评价"}).status_code == 409


def test_review_page_of_someone_elses_line_is_404(client):
    line = bought(UserFactory(), ProductFactory())
    client.force_login(UserFactory())
    assert client.get(f"/orders/{line.order.number}/lines/{line.pk}/review/").status_code == 404
