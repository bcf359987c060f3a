"""Q&A rules: who is invited, 已购买, one answer per user, bad input stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.social.purchases import bought
from tribe.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tribe.core.models import Event
from tribe.notifications.models import Notification
from tribe.qa import selectors, services
from tribe.qa.models import Answer, AnswerInvite, Question


def test_asking_invites_recent_buyers_only_and_notifies_them(world):
    question = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")

    invited = set(AnswerInvite.objects.filter(question=question).values_list("user_id", flat=True))
    assert invited == {world.buyer.pk}  # not: the asker, a 200-day-old buyer, a full refund, an unpaid order,
    # a buyer of another product, a stranger
    note = Notification.objects.get(user=world.buyer)
    assert (note.kind, note.target_kind, note.target_id) == ("answer_invite", "question", question.pk)
    assert note.url == f"/questions/{question.pk}/"
    assert question.invited_count == 1
    assert Event.objects.filter(name="question", object_id=question.pk).count() == 1


def test_partial_refund_still_counts_as_a_buyer(world):
    partial = UserFactory()
    bought(partial, world.product, status="shipped", quantity=2, refunded_quantity=1)
    assert partial.pk in selectors.recent_buyer_ids(world.product.pk)


def test_at_most_ten_invites_most_recent_first_distinct(world):
    now = timezone.now()
    buyers = [UserFactory() for _ in range(12)]
    for i, user in enumerate(buyers):
        bought(user, world.product, status="paid", paid_at=now - timedelta(hours=i + 1))
        bought(user, world.product, status="paid", paid_at=now - timedelta(days=20))  # same user twice
    ids = selectors.recent_buyer_ids(world.product.pk, exclude_user_id=world.asker.pk)
    assert len(ids) == 10 and len(set(ids)) == 10
    assert ids == [u.pk for u in buyers[:10]]


@pytest.mark.parametrize("text", ["", "    ", "短", "四个字啊", "长" * 301, None])
def test_bad_question_text_stores_nothing(world, text):
    with pytest.raises(ValidationFailed):
        services.ask_question(world.asker, world.product.pk, text=text)
    assert Question.objects.count() == AnswerInvite.objects.count() == Notification.objects.count() == 0


@pytest.mark.parametrize("product", ["hidden", "unknown"])
def test_questions_about_unpublished_or_unknown_products_are_404(world, product):
    pid = world.hidden.pk if product == "hidden" else 10**9
    with pytest.raises(NotFound):
        services.ask_question(world.asker, pid, text="这个好用吗？")
    assert Question.objects.count() == 0


def test_answer_notifies_asker_and_is_marked_bought(world):
    question = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")

    answer = services.answer_question(world.buyer, question.pk, text="可以，折叠后很小")
    services.answer_question(world.stranger, question.pk, text="应该可以吧")

    assert answer.bought is True
    flags = {a.author_id: a.bought for a in selectors.thread_answers(question)}
    assert flags == {world.buyer.pk: True, world.stranger.pk: False}
    assert Notification.objects.filter(user=world.asker, kind="answer").count() == 2
    assert Event.objects.filter(name="answer").count() == 2


def test_refunded_buyer_is_not_marked_bought(world):
    question = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    services.answer_question(world.refunded, question.pk, text="退了，不好用")
    assert [a.bought for a in selectors.thread_answers(question)] == [False]


def test_one_answer_per_user(world):
    question = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    services.answer_question(world.buyer, question.pk, text="可以")
    with pytest.raises(Conflict) as exc:
        services.answer_question(world.buyer, question.pk, text="再说一次")
    assert exc.value.code == "already_answered"
    assert Answer.objects.count() == 1


@pytest.mark.parametrize("text", ["", "一", "长" * 1001])
def test_bad_answer_text_stores_nothing(world, text):
    question = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    with pytest.raises(ValidationFailed):
        services.answer_question(world.buyer, question.pk, text=text)
    assert Answer.objects.count() == 0


def test_answering_a_question_of_an_unpublished_product_is_404(world):
    question = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    world.product.published = False
    world.product.save()
    with pytest.raises(NotFound):
        services.answer_question(world.buyer, question.pk, text="可以的")
    assert Answer.objects.count() == 0


def test_invites_list_drops_answered_questions(world):
    question = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    assert [i.question_id for i in selectors.my_invites(world.buyer)] == [question.pk]
    services.answer_question(world.buyer, question.pk, text="可以的")
    assert list(selectors.my_invites(world.buyer)) == []


def test_remove_question_by_asker_or_brand_staff_only(world):
    question = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    with pytest.raises(PermissionDenied):
        services.remove_question(world.stranger, question.pk)
    services.remove_question(world.staff, question.pk)
    assert Question.objects.get(pk=question.pk).removed is True
    assert list(selectors.product_questions(world.product.pk)) == []


def test_top_answer_is_the_most_liked(world):
    from tribe.posts.models import Like

    question = services.ask_question(world.asker, world.product.pk, text="推车能上飞机吗？")
    first = services.answer_question(world.stranger, question.pk, text="第一个回答")
    second = services.answer_question(world.buyer, question.pk, text="第二个回答")
    [row] = selectors.attach_top_answers(list(selectors.product_questions(world.product.pk)), world.product.pk)
    assert row.top_answer.pk == first.pk and row.answer_count == 2

    Like.objects.create(target_kind="answer", target_id=second.pk, user=world.asker)
    [row] = selectors.attach_top_answers(list(selectors.product_questions(world.product.pk)), world.product.pk)
    assert row.top_answer.pk == second.pk and row.top_answer.bought is True and row.top_answer.like_count == 1
