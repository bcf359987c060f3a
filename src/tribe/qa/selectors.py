"""Reads for product Q&A: recent buyers to invite, "已购买" flags, and page-shaped question lists.

Every list here costs a fixed number of queries: counts and the top answer are subqueries, and the
"已购买" flags for a whole page of answers are one query.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tribe.orders.models import Order, OrderLine
from tribe.posts.models import Like

from .models import INVITE_WINDOW_DAYS, MAX_INVITES, Answer, AnswerInvite, Question

S = Order.Status
# Paid or later. Cancelled/expired orders were never paid; a closed order was refunded in full.
BOUGHT_STATUSES = (S.PAID, S.PARTIALLY_SHIPPED, S.SHIPPED, S.RECEIVED, S.COMPLETED)
MAX_ID = 2**63 - 1


def _bought_lines(product_id: int) -> QuerySet:
    """Lines of this product that were paid for and not refunded in full."""
    return OrderLine.objects.filter(product_id=product_id, order__status__in=BOUGHT_STATUSES,
                                    refunded_quantity__lt=F("quantity"))


def recent_buyer_ids(product_id: int, *, exclude_user_id: int | None = None, limit: int = MAX_INVITES,
                     days: int = INVITE_WINDOW_DAYS) -> list[int]:
    """Distinct users who bought the product in the last `days` days, most recent purchase first."""
    since = timezone.now() - timedelta(days=days)
    qs = _bought_lines(product_id).filter(order__paid_at__gte=since)
    if exclude_user_id is not None:
        qs = qs.exclude(order__user_id=exclude_user_id)
    rows = (qs.values("order__user_id").annotate(last=Max("order__paid_at"))
            .order_by("-last", "-order__user_id")[:limit])
    return [row["order__user_id"] for row in rows]


def buyer_ids(product_id: int, user_ids) -> set[int]:
    """Which of `user_ids` bought the product (paid, not refunded in full). One query."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    return set(_bought_lines(product_id).filter(order__user_id__in=user_ids)
               .values_list("order__user_id", flat=True).distinct())


def _answer_likes():
    likes = (Like.objects.filter(target_kind="answer", target_id=OuterRef("pk")).order_by()
             .values("target_kind").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(likes, output_field=IntegerField()), Value(0))


def product_questions(product_id: int) -> QuerySet:
    """A product's questions, newest first, with answer counts and the id of the top answer (most liked,
    then earliest)."""
    top = (Answer.objects.filter(question=OuterRef("pk"), removed=False)
           .annotate(likes=_answer_likes()).order_by("-likes", "created_at", "id").values("pk")[:1])
    return (Question.objects.filter(product_id=product_id, removed=False).select_related("author")
            .annotate(answer_count=Count("answers", filter=Q(answers__removed=False)),
                      top_answer_id=Subquery(top))
            .order_by("-created_at", "-id"))


def attach_top_answers(questions: list[Question], product_id: int) -> list[Question]:
    """Set `top_answer` (with author, like_count, bought) on each question: two queries for the whole list."""
    ids = [q.top_answer_id for q in questions if q.top_answer_id]
    answers = {a.pk: a for a in Answer.objects.filter(pk__in=ids).select_related("author")
               .annotate(like_count=_answer_likes())} if ids else {}
    bought = buyer_ids(product_id, [a.author_id for a in answers.values()])
    for question in questions:
        answer = answers.get(question.top_answer_id)
        if answer is not None:
            answer.bought = answer.author_id in bought
        question.top_answer = answer
    return questions


def find_question(pk: int) -> Question | None:
    """A question that is shown: not removed, about a product on sale."""
    if not 1 <= pk <= MAX_ID:
        return None
    return (Question.objects.filter(pk=pk, removed=False, product__published=True,
                                    product__store__is_active=True)
            .select_related("author", "product__brand", "product__store").first())


def thread_answers(question: Question) -> list[Answer]:
    """All shown answers, most liked first, each with `like_count` and `bought`. Two queries."""
    answers = list(question.answers.filter(removed=False).select_related("author")
                   .annotate(like_count=_answer_likes()).order_by("-like_count", "created_at", "id"))
    bought = buyer_ids(question.product_id, [a.author_id for a in answers])
    for answer in answers:
        answer.bought = answer.author_id in bought
    return answers


def find_answer(viewer, pk: int) -> Answer | None:
    """An answer shown to everyone (for likes on answers)."""
    if not 1 <= pk <= MAX_ID:
        return None
    return (Answer.objects.filter(pk=pk, removed=False, question__removed=False,
                                  question__product__published=True, question__product__store__is_active=True)
            .select_related("question").first())


def my_invites(user) -> QuerySet:
    """待我回答: invitations to questions I have not answered yet, on products still on sale, newest first."""
    return (AnswerInvite.objects.filter(user=user, question__removed=False, question__product__published=True,
                                        question__product__store__is_active=True)
            .exclude(question__in=Answer.objects.filter(author=user).values("question"))
            .select_related("question__product", "question__author")
            .annotate(answer_count=Count("question__answers", filter=Q(question__answers__removed=False)))
            .order_by("-created_at", "-id"))
