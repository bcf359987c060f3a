"""API: product Q&A (问大家). Asking invites up to 10 recent buyers of the product; answers carry `bought`
("已购买"), computed from the answerer's orders when shown. Questions about an unpublished product are 404."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema, Status

from tribe.core.errors import NotFound
from tribe.qa import selectors, services
from tribe.qa.models import Question

from .auth import OPTIONAL, REQUIRED
from .pagination import Page, PageQuery, paginate
from .schemas import In, OkOut

router = Router(tags=["qa"])


class QaUserRef(Schema):
    id: int
    name: str


class QaProductRef(Schema):
    id: int
    name: str


class AnswerOut(Schema):
    id: int
    author: QaUserRef
    text: str = Field(description="plain text as written; escape it when rendering HTML")
    bought: bool = Field(description="已购买: the author bought the product (paid, not refunded in full)")
    like_count: int
    created_at: datetime


class QuestionOut(Schema):
    id: int
    product: QaProductRef
    author: QaUserRef
    text: str
    answer_count: int
    top_answer: AnswerOut | None = Field(description="the most liked answer, then the earliest")
    created_at: datetime


class AskedOut(QuestionOut):
    invited: int = Field(description="recent buyers invited to answer")


class QuestionThreadOut(Schema):
    id: int
    product: QaProductRef
    author: QaUserRef
    text: str
    created_at: datetime
    answers: list[AnswerOut] = Field(description="most liked first, then earliest")


class InviteOut(Schema):
    question: QuestionOut
    invited_at: datetime


class QuestionIn(In):
    text: str = Field(description="5–300 characters")


class AnswerIn(In):
    text: str = Field(description="2–1000 characters")


def _user(u) -> dict:
    return {"id": u.pk, "name": u.display_name}


def _answer(a) -> dict:
    return {"id": a.pk, "author": _user(a.author), "text": a.text, "bought": bool(getattr(a, "bought", False)),
            "like_count": getattr(a, "like_count", 0), "created_at": a.created_at}


def _question(q: Question, product) -> dict:
    top = getattr(q, "top_answer", None)
    return {"id": q.pk, "product": {"id": product.pk, "name": product.name}, "author": _user(q.author),
            "text": q.text, "answer_count": getattr(q, "answer_count", 0),
            "top_answer": _answer(top) if top is not None else None, "created_at": q.created_at}


@router.get("/products/{int:product_id}/questions", response=Page[QuestionOut], auth=OPTIONAL,
            summary="A product's questions, newest first, with answer counts and the top answer")
def list_questions(request, product_id: int, params: Query[PageQuery]):
    product = services.published_product(product_id)
    page = paginate(selectors.product_questions(product.pk), params)
    questions = selectors.attach_top_answers(page["items"], product.pk)
    page["items"] = [_question(q, product) for q in questions]
    return page


@router.post("/products/{int:product_id}/questions", response={201: AskedOut}, auth=REQUIRED,
             summary="Ask about a product; up to 10 recent buyers are invited to answer")
def ask(request, product_id: int, payload: QuestionIn):
    question = services.ask_question(request.user, product_id, text=payload.text, request=request)
    out = _question(question, question.product)
    out["invited"] = question.invited_count
    return Status(201, out)


@router.get("/questions/{int:question_id}", response=QuestionThreadOut, auth=OPTIONAL,
            summary="A question with all its answers")
def get_question(request, question_id: int):
    question = selectors.find_question(question_id)
    if question is None:
        raise NotFound(f"question {question_id} not found")
    return {"id": question.pk, "product": {"id": question.product.pk, "name": question.product.name},
            "author": _user(question.author), "text": question.text, "created_at": question.created_at,
            "answers": [_answer(a) for a in selectors.thread_answers(question)]}


@router.delete("/questions/{int:question_id}", response=OkOut, auth=REQUIRED,
               summary="Remove a question (the asker, or staff of the product's brand)")
def remove_question(request, question_id: int):
    services.remove_question(request.user, question_id)
    return {"ok": True}


@router.post("/questions/{int:question_id}/answers", response={201: AnswerOut}, auth=REQUIRED,
             summary="Answer a question (once per user)")
def answer(request, question_id: int, payload: AnswerIn):
    created = services.answer_question(request.user, question_id, text=payload.text, request=request)
    return Status(201, _answer(created))


@router.delete("/answers/{int:answer_id}", response=OkOut, auth=REQUIRED,
               summary="Remove an answer (its author, or staff of the product's brand)")
def remove_answer(request, answer_id: int):
    services.remove_answer(request.user, answer_id)
    return {"ok": True}


@router.get("/me/answer-invites", response=Page[InviteOut], auth=REQUIRED,
            summary="待我回答: questions I was invited to answer and have not answered yet")
def my_invites(request, params: Query[PageQuery]):
    page = paginate(selectors.my_invites(request.user), params)
    items = []
    for inv in page["items"]:
        inv.question.answer_count = inv.answer_count
        items.append({"question": _question(inv.question, inv.question.product), "invited_at": inv.created_at})
    page["items"] = items
    return page
