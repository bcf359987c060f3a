"""The reviews API: status codes of the verified-buyer rule, uploads, helpful votes, the summary."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import Api
from tests.content.conftest import bought
from tests.factories import ProductFactory, UserFactory
from tests.web.conftest import png_upload
from tribe.accounts.services import issue_token
from tribe.content import services
from tribe.content.models import Review, ReviewImage
from tribe.orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    return lambda user: Api(client, issue_token(user))


def path(line):
    return f"/orders/{line.order.number}/lines/{line.pk}/review"


def test_a_verified_buyer_reviews_a_line(as_user):
    line = bought(UserFactory(nickname="小王"), ProductFactory())
    response = as_user(line.order.user).post(path(line), {"rating": 5, "text": "<b>好用</b><script>x()</script>"})
    assert response.status_code == 201
    body = response.json()
    assert (body["rating"], body["text"], body["author_nickname"], body["helpful_count"], body["images"]) == (
        5, "<b>好用</b><script>x()</script>", "小王", 0, [])


@pytest.mark.parametrize("status,code", [
    (Order.Status.PENDING_PAYMENT, 403), (Order.Status.CANCELLED, 403), (Order.Status.EXPIRED, 403),
])
def test_no_purchase_is_403(as_user, status, code):
    line = bought(UserFactory(), ProductFactory(), status=status)
    response = as_user(line.order.user).post(path(line), {"rating": 5, "text": "还没付款就想评价"})
    assert response.status_code == code
    assert response.json()["error"]["code"] == "not_verified_buyer"
    assert Review.objects.count() == 0


def test_fully_refunded_is_403_someone_elses_is_404_second_is_409_anonymous_is_401(as_user, client):
    product = ProductFactory()
    refunded = bought(UserFactory(), product, refunded=1)
    line = bought(UserFactory(), product)
    body = {"rating": 4, "text": "不错不错不错"}
    assert as_user(refunded.order.user).post(path(refunded), body).status_code == 403
    assert as_user(UserFactory()).post(path(line), body).status_code == 404
    assert Api(client).post(path(line), body).status_code == 401
    assert as_user(line.order.user).post(path(line), body).status_code == 201
    second = as_user(line.order.user).post(path(line), body)
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "already_reviewed"
    assert Review.objects.count() == 1


@pytest.mark.parametrize("body", [{"rating": 0, "text": "不错不错不错"}, {"rating": 6, "text": "不错不错不错"},
                                  {"rating": 5, "text": "好"}, {"rating": 5}, {"rating": "5", "text": "不错不错"}])
def test_bad_rating_or_text_is_422(as_user, body):
    line = bought(UserFactory(), ProductFactory())
    assert as_user(line.order.user).post(path(line), body).status_code == 422
    assert Review.objects.count() == 0


def test_images_upload_non_image_and_more_than_nine_are_422(as_user):
    line = bought(UserFactory(), ProductFactory())
    api = as_user(line.order.user)
    review_id = api.post(path(line), {"rating": 5, "text": "有图有真相"}).json()["id"]
    bad = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    assert api.upload(f"/reviews/{review_id}/images", images=[png_upload(), bad]).status_code == 422
    assert api.upload(f"/reviews/{review_id}/images", images=[png_upload() for _ in range(10)]).status_code == 422
    ok = api.upload(f"/reviews/{review_id}/images", images=[png_upload(), png_upload()])
    assert ok.status_code == 201
    assert len(ok.json()["images"]) == 2
    assert ok.json()["images"][0]["thumb_url"].startswith("http://testserver/")
    assert as_user(UserFactory()).upload(f"/reviews/{review_id}/images", images=[png_upload()]).status_code == 404
    assert ReviewImage.objects.count() == 2


def test_helpful_votes(as_user):
    line = bought(UserFactory(), ProductFactory())
    review = services.create_review(line.order.user, line.order.number, line.pk, rating=5, text="很好用，推荐")
    voter = as_user(UserFactory())
    assert voter.post(f"/reviews/{review.pk}/helpful").json() == {"voted": True, "helpful_count": 1}
    assert voter.post(f"/reviews/{review.pk}/helpful").json() == {"voted": True, "helpful_count": 1}
    own = as_user(line.order.user).post(f"/reviews/{review.pk}/helpful")
    assert own.status_code == 403
    assert voter.delete(f"/reviews/{review.pk}/helpful").json() == {"voted": False, "helpful_count": 0}
    assert voter.post("/reviews/999999/helpful").status_code == 404


def test_list_with_summary_newest_first(as_user, client, django_assert_num_queries):
    product = ProductFactory()
    for rating in [3, 5, 4]:
        line = bought(UserFactory(), product)
        services.create_review(line.order.user, line.order.number, line.pk, rating=rating, text="用了一周了")
    client.get("/")  # warm-up: starts the visitor's session
    with django_assert_num_queries(6):  # session, product, count, page, images prefetch, summary
        response = Api(client).get(f"/products/{product.pk}/reviews", {"page_size": 2})
    body = response.json()
    assert [r["rating"] for r in body["items"]] == [4, 5]
    assert (body["count"], body["pages"]) == (3, 2)
    assert body["summary"] == {"count": 3, "average": "4.0", "distribution": {"1": 0, "2": 0, "3": 1, "4": 1,
                                                                            "5": 1}}
    assert Api(client).get("/products/999999/reviews").status_code == 404


def test_review_images_are_documented_as_multipart_under_the_reviews_tag(client):
    doc = client.get("/api/v1/openapi.json").json()
    op = doc["paths"]["/api/v1/reviews/{review_id}/images"]["post"]
    assert set(op["requestBody"]["content"]) == {"multipart/form-data"}
    assert op["tags"] == ["reviews"]
