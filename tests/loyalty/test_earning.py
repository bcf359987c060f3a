"""Earning outside orders: daily sign-in (once a Shanghai day, streaks), reviews with photos, answers; caps."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import ProductFactory, UserFactory
from tests.social.purchases import bought
from tribe.content.models import Review, ReviewImage
from tribe.core.errors import Conflict
from tribe.core.models import Event
from tribe.loyalty import services
from tribe.loyalty.models import PointsEntry, SignIn
from tribe.qa.services import answer_question, ask_question

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_sign_in_once_a_day_then_409(user):
    with time_machine.travel(datetime(2026, 5, 1, 8, 0, tzinfo=SH), tick=False):
        row = services.sign_in(user)
        with pytest.raises(Conflict) as err:
            services.sign_in(user)
    assert err.value.code == "already_signed_in" and err.value.status == 409
    assert (row.streak, row.points) == (1, 5)
    assert services.balance(user) == 5 and SignIn.objects.count() == 1
    assert Event.objects.filter(name="sign_in").count() == 1


def test_the_day_is_the_shanghai_day(user):
    with time_machine.travel(datetime(2026, 5, 1, 23, 30, tzinfo=SH), tick=False):
        services.sign_in(user)
    with time_machine.travel(datetime(2026, 5, 2, 0, 30, tzinfo=SH), tick=False):  # 16:30 UTC, same UTC day
        row = services.sign_in(user)
    assert row.day.isoformat() == "2026-05-02" and row.streak == 2


def test_every_seventh_day_in_a_row_earns_a_bonus_and_a_gap_resets_the_streak(user):
    start = datetime(2026, 5, 1, 9, 0, tzinfo=SH)
    for d in range(7):
        with time_machine.travel(start + timedelta(days=d), tick=False):
            last = services.sign_in(user)
    assert (last.streak, last.points) == (7, 25)
    with time_machine.travel(start + timedelta(days=9), tick=False):
        assert services.sign_in(user).streak == 1
    assert services.balance(user) == 6 * 5 + 25 + 5


def _review(user):
    product = ProductFactory()
    order = bought(user, product)
    return Review.objects.create(product=product, author=user, order_line=order.lines.get(), rating=5,
                                 text="很好用推荐")


def _photo(review, position=0):
    return ReviewImage.objects.create(review=review, image=f"reviews/{position}.jpg", thumb=f"reviews/t{position}.jpg",
                                      width=10, height=10, position=position)


def test_a_review_with_photos_earns_once_per_review(user):
    review = _review(user)
    assert services.balance(user) == 0  # no photo yet
    _photo(review, 0)
    _photo(review, 1)
    assert services.balance(user) == 20
    assert PointsEntry.objects.get().ref == f"review:{review.pk}"


def test_review_points_stop_at_the_daily_cap_and_start_again_the_next_day(user, settings):
    settings.TRIBE_POINTS_REVIEW_DAILY_CAP = 2
    with time_machine.travel(datetime(2026, 5, 1, 10, 0, tzinfo=SH), tick=False):
        for _ in range(3):
            _photo(_review(user))
        assert services.balance(user) == 40
    with time_machine.travel(datetime(2026, 5, 2, 10, 0, tzinfo=SH), tick=False):
        _photo(_review(user))
        assert services.balance(user) == 60


def test_an_answer_earns_points_within_the_cap(settings):
    settings.TRIBE_POINTS_ANSWER_DAILY_CAP = 1
    asker, answerer = UserFactory(), UserFactory()
    q1 = ask_question(asker, ProductFactory().pk, text="这个好用吗？值得买吗")
    q2 = ask_question(asker, ProductFactory().pk, text="尺码偏大还是偏小呢")
    answer = answer_question(answerer, q1.pk, text="挺好用的，推荐购买")
    answer_question(answerer, q2.pk, text="尺码正常，按平时买")
    assert services.balance(answerer) == 5
    assert PointsEntry.objects.get(user=answerer).ref == f"answer:{answer.pk}"
