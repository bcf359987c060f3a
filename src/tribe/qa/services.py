"""Writes for product Q&A. Asking invites up to 10 recent buyers (selectors.recent_buyer_ids) and notifies
them; answering notifies the asker. One answer per user per question, enforced by a unique constraint so
two concurrent submissions cannot both land."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext

from tribe.brands.selectors import can_manage_brand
from tribe.catalog.models import Product
from tribe.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from tribe.core.events import record_event
from tribe.core.text import clean_text
from tribe.notifications.services import notify

from . import selectors
from .models import ANSWER_MAX, ANSWER_MIN, QUESTION_MAX, QUESTION_MIN, Answer, AnswerInvite, Question

MAX_ID = 2**63 - 1


def _signed_in(user) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated("sign in first")


def _text(value, field: str, low: int, high: int) -> str:
    text = clean_text(value, field, max_length=high, required=True)
    if len(text) < low:
        raise ValidationFailed(f"{field}: at least {low} characters", fields={field: f"min {low}"})
    return text


def published_product(product_id: int) -> Product:
    product = (Product.objects.published().filter(pk=product_id).first()
               if isinstance(product_id, int) and 1 <= product_id <= MAX_ID else None)
    if product is None:
        raise NotFound(f"product {product_id} not found")
    return product


@transaction.atomic
def ask_question(user, product_id: int, *, text: str, request=None) -> Question:
    _signed_in(user)
    product = published_product(product_id)
    text = _text(text, "text", QUESTION_MIN, QUESTION_MAX)
    question = Question.objects.create(product=product, author=user, text=text)
    invitees = selectors.recent_buyer_ids(product.pk, exclude_user_id=user.pk)
    AnswerInvite.objects.bulk_create([AnswerInvite(question=question, user_id=uid) for uid in invitees])
    url = reverse("web:question", args=[question.pk])
    message = gettext("有人在问你买过的「%(product)s」：%(text)s") % {"product": product.name[:40], "text": text[:60]}
    for uid in invitees:
        notify(uid, "answer_invite", text=message, actor=user, url=url, target_kind="question",
               target_id=question.pk)
    record_event("question", request, actor=user, obj=question, brand_id=product.brand_id,
                 props={"product_id": product.pk, "invited": len(invitees)})
    question.invited_count = len(invitees)
    return question


@transaction.atomic
def answer_question(user, question_id: int, *, text: str, request=None) -> Answer:
    _signed_in(user)
    question = selectors.find_question(question_id)
    if question is None:
        raise NotFound(f"question {question_id} not found")
    text = _text(text, "text", ANSWER_MIN, ANSWER_MAX)
    if Answer.objects.filter(question=question, author=user).exists():
        raise Conflict("you have already answered this question", code="already_answered")
    try:
        with transaction.atomic():
            answer = Answer.objects.create(question=question, author=user, text=text)
    except IntegrityError:  # a concurrent answer by the same user won
        raise Conflict("you have already answered this question", code="already_answered") from None
    notify(question.author_id, "answer", text=gettext("你的问题有了新回答：%(text)s") % {"text": text[:60]},
           actor=user, url=reverse("web:question", args=[question.pk]), target_kind="question",
           target_id=question.pk)
    record_event("answer", request, actor=user, obj=answer, brand_id=question.product.brand_id,
                 props={"question_id": question.pk, "product_id": question.product_id})
    answer.bought = bool(selectors.buyer_ids(question.product_id, [user.pk]))
    return answer


def _may_remove(user, author_id: int, product: Product) -> bool:
    return user.pk == author_id or can_manage_brand(user, product.brand_id)


@transaction.atomic
def remove_question(user, question_id: int) -> None:
    """The asker, or staff of the product's brand, may take a question down (its answers go with it)."""
    _signed_in(user)
    question = selectors.find_question(question_id)
    if question is None:
        raise NotFound(f"question {question_id} not found")
    if not _may_remove(user, question.author_id, question.product):
        raise PermissionDenied("only the asker or the brand's staff may remove this question")
    Question.objects.filter(pk=question.pk).update(removed=True)


@transaction.atomic
def remove_answer(user, answer_id: int) -> None:
    _signed_in(user)
    answer = selectors.find_answer(user, answer_id)
    if answer is None:
        raise NotFound(f"answer {answer_id} not found")
    if not _may_remove(user, answer.author_id, answer.question.product):
        raise PermissionDenied("only the author or the brand's staff may remove this answer")
    Answer.objects.filter(pk=answer.pk).update(removed=True)
