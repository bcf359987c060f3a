"""Real threads against PostgreSQL: the same line submitted 8 times at once gives one review, 7 × 409, and
nine images added from racing requests never exceed the cap."""

import threading

import pytest
from django.db import connection

from tests.content.conftest import bought
from tests.factories import ProductFactory, UserFactory
from tests.web.conftest import png_upload
from tribe.content import services
from tribe.content.models import Review, ReviewImage
from tribe.core.errors import DomainError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(n, action) -> list[str]:
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait()
            action(i)
            outcome = "ok"
        except DomainError as error:
            outcome = error.code
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


def test_racing_submissions_of_one_line_give_one_review():
    line = bought(UserFactory(), ProductFactory())
    user, number = line.order.user, line.order.number
    results = race(8, lambda i: services.create_review(user, number, line.pk, rating=5, text=f"第{i}次提交评价"))
    assert results == ["already_reviewed"] * 7 + ["ok"]
    assert Review.objects.count() == 1


def test_racing_image_uploads_never_pass_nine():
    line = bought(UserFactory(), ProductFactory())
    review = services.create_review(line.order.user, line.order.number, line.pk, rating=5, text="有图有真相")
    results = race(5, lambda i: services.add_review_images(line.order.user, review.pk, [png_upload()] * 2))
    assert results == ["ok"] * 4 + ["too_many_images"]
    assert ReviewImage.objects.filter(review=review).count() == 8
