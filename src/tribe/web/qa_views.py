"""Product Q&A pages (问大家): the product page's section (loaded lazily with HTMX so the product page keeps
its pinned query count), the full list, a question's thread, and 待我回答 (my invitations).

Questions about an unpublished product are 404, like the product itself. Every write calls one service in
tribe.qa.services; a refused write re-renders the page with the reason and the service's 4xx status.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tribe.brands.selectors import can_manage_brand
from tribe.catalog.models import Product
from tribe.core.errors import DomainError
from tribe.posts.models import Like
from tribe.qa import selectors, services
from tribe.qa.models import ANSWER_MAX, QUESTION_MAX, Question

from .listing import bad_request, pager

SECTION_QUESTIONS = 3
PER_PAGE = 20
MAX_PAGE = 500
MAX_ID = 2**63 - 1


class QuestionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("向买过的人提问"), max_length=QUESTION_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "placeholder": gettext_lazy("5–300 字")}))


class AnswerForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("你的回答"), max_length=ANSWER_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


def _product(pk: int) -> Product:
    product = (Product.objects.published().select_related("brand").filter(pk=pk).first()
               if pk <= MAX_ID else None)
    if product is None:
        raise Http404(_("商品不存在"))
    return product


def _question(pk: int) -> Question:
    question = selectors.find_question(min(pk, MAX_ID))
    if question is None:
        raise Http404(_("问题不存在"))
    return question


@require_GET
def question_section(request: HttpRequest, pk: int) -> HttpResponse:
    """The product page's 问大家 block: the latest questions with answer counts and top answers."""
    product = _product(pk)
    qs = selectors.product_questions(product.pk)
    questions = selectors.attach_top_answers(list(qs[:SECTION_QUESTIONS]), product.pk)
    return render(request, "web/qa/_section.html", {
        "product": product, "questions": questions, "total": qs.count() if len(questions) == SECTION_QUESTIONS
        else len(questions), "form": QuestionForm(),
    })


def _list_page(request: HttpRequest, product: Product, *, form: QuestionForm | None = None, status: int = 200,
               error: str = "") -> HttpResponse:
    raw = request.GET.get("page", "1") or "1"
    number = int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_PAGE else None
    if number is None:
        return bad_request(request, _("页码：请填写 1 到 %(max)s 之间的整数") % {"max": MAX_PAGE})
    paginator = Paginator(selectors.product_questions(product.pk), PER_PAGE)
    try:
        page = paginator.page(number)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return render(request, "web/qa/list.html", {
        "product": product,
        "questions": selectors.attach_top_answers(list(page.object_list), product.pk),
        "pager": pager(request, page.number, paginator.num_pages, paginator.count),
        "form": form or QuestionForm(), "error": error,
    }, status=status)


@require_GET
def product_questions(request: HttpRequest, pk: int) -> HttpResponse:
    return _list_page(request, _product(pk))


@login_required
@require_POST
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    product = _product(pk)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return _list_page(request, product, form=form, status=422, error=_("问题最多 %(n)s 字") % {"n": QUESTION_MAX})
    try:
        question = services.ask_question(request.user, product.pk, text=form.cleaned_data["text"],
                                         request=request)
    except DomainError as exc:
        return _list_page(request, product, form=form, status=exc.status, error=_question_error(exc))
    if question.invited_count:
        messages.success(request, _("已提问，已邀请 %(n)s 位买过的人来回答") % {"n": question.invited_count})
    else:
        messages.success(request, _("已提问"))
    return redirect("web:question", pk=question.pk)


def _question_error(exc: DomainError) -> str:
    if exc.fields.get("text", "").startswith("min"):
        return _("问题至少 5 个字")
    if exc.fields.get("text") == "required":
        return _("请填写问题")
    return exc.message


def _answer_error(exc: DomainError) -> str:
    if exc.code == "already_answered":
        return _("你已经回答过这个问题了")
    if exc.fields.get("text", "").startswith("min"):
        return _("回答至少 2 个字")
    if exc.fields.get("text") == "required":
        return _("请填写回答")
    return exc.message


def _thread(request: HttpRequest, question: Question, *, form: AnswerForm | None = None, status: int = 200,
            error: str = "") -> HttpResponse:
    answers = selectors.thread_answers(question)
    user = request.user
    mine = user.is_authenticated and any(a.author_id == user.pk for a in answers)
    invited = user.is_authenticated and question.invites.filter(user=user).exists()
    liked = set(Like.objects.filter(target_kind="answer", target_id__in=[a.pk for a in answers], user=user)
                .values_list("target_id", flat=True)) if user.is_authenticated and answers else set()
    for a in answers:
        a.liked = a.pk in liked
    return render(request, "web/qa/question.html", {
        "question": question, "product": question.product, "answers": answers, "answered": mine,
        "invited": invited, "form": form or AnswerForm(), "error": error,
        "moderator": user.is_authenticated and can_manage_brand(user, question.product.brand_id),
    }, status=status)


@require_GET
def question(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread(request, _question(pk))


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _thread(request, question, form=form, status=422, error=_("回答最多 %(n)s 字") % {"n": ANSWER_MAX})
    try:
        services.answer_question(request.user, question.pk, text=form.cleaned_data["text"], request=request)
    except DomainError as exc:
        return _thread(request, question, form=form, status=exc.status, error=_answer_error(exc))
    messages.success(request, _("已回答，谢谢你的分享"))
    return redirect("web:question", pk=question.pk)


@login_required
@require_POST
def question_remove(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(pk)
    try:
        services.remove_question(request.user, question.pk)
    except DomainError as exc:
        return _thread(request, question, status=exc.status, error=exc.message)
    messages.success(request, _("问题已删除"))
    return redirect("web:product_questions", pk=question.product_id)


@login_required
@require_POST
def answer_remove(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.find_answer(request.user, min(pk, MAX_ID))
    if found is None:
        raise Http404(_("回答不存在"))
    try:
        services.remove_answer(request.user, found.pk)
    except DomainError as exc:
        return _thread(request, _question(found.question_id), status=exc.status, error=exc.message)
    messages.success(request, _("回答已删除"))
    return redirect("web:question", pk=found.question_id)


@login_required
@require_GET
def my_questions(request: HttpRequest) -> HttpResponse:
    invites = list(selectors.my_invites(request.user)[:100])
    asked = list(Question.objects.filter(author=request.user, removed=False).select_related("product")
                 .order_by("-created_at", "-id")[:100])
    return render(request, "web/qa/mine.html", {"invites": invites, "asked": asked})
