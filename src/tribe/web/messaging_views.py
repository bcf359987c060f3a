"""Pages: 私信 — inbox, a thread (polled every 3 s with HTMX, or streamed with server-sent events), new
direct and group chats, "ask friends" from a product, and contacting a store's customer service.

A thread the viewer may not read is a 404 (tribe.messaging.selectors.can_read). Every write calls one service;
a refused write re-renders its form with a Chinese message and the service's 4xx status.
"""

from __future__ import annotations

import json
import time

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribe.brands.models import Store
from tribe.catalog.models import Product
from tribe.circles.models import Circle, Membership
from tribe.core.errors import DomainError
from tribe.messaging import selectors, services
from tribe.messaging.models import TEXT_MAX, Message, Thread
from tribe.orders.models import Order
from tribe.social.selectors import friend_ids

from .listing import pager

User = get_user_model()
PER_PAGE = 30
MAX_ID = 2**63 - 1

FIELD_MESSAGES = {
    "text": gettext_lazy("请输入 1–1000 字的内容。"),
    "title": gettext_lazy("群名最多 60 个字。"),
    "friends": gettext_lazy("请选择 1–20 位好友（互相关注），或者选择一个你所在的圈子。"),
    "members": gettext_lazy("群聊需要选择 2–19 位好友（互相关注）。"),
    "circle": gettext_lazy("你不是这个圈子的成员。"),
    "product": gettext_lazy("这件商品不是这家店铺的。"),
    "order": gettext_lazy("这不是你在这家店铺的订单。"),
    "to": gettext_lazy("不能给自己发私信。"),
}
CODE_MESSAGES = {
    "rate_limited": gettext_lazy("发送太频繁了，请稍后再试。"),
    "blocked": gettext_lazy("你无法给这位用户发私信。"),
    "not_found": gettext_lazy("找不到要发送的对象。"),
}


def describe(exc: DomainError) -> str:
    """A Chinese sentence for a service's error: by field first, then by code, else the service's text."""
    for field in exc.fields:
        if field in FIELD_MESSAGES:
            return str(FIELD_MESSAGES[field])
    return str(CODE_MESSAGES.get(exc.code, exc.message))


class TextForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("内容"), max_length=TEXT_MAX, strip=False, required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}))


def _int(raw, default=None):
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and int(raw) <= MAX_ID else default


def _page(request, qs):
    number = _int(request.GET.get("page"), 1) or 1
    paginator = Paginator(qs, PER_PAGE)
    try:
        page = paginator.page(min(number, 10_000))
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return page, pager(request, page.number, paginator.num_pages, paginator.count)


def readable(request: HttpRequest, pk: int) -> Thread:
    thread = selectors.readable_thread(request.user, pk)
    if thread is None:
        raise Http404(_("会话不存在"))
    return thread


def sender_name(message: Message, thread: Thread) -> str:
    return thread.store.name if message.as_store and thread.store_id else message.sender.display_name


def _decorate(messages: list[Message], thread: Thread, viewer) -> list[Message]:
    for m in messages:
        m.display_sender = sender_name(m, thread)
        m.mine = m.sender_id == viewer.pk
    return messages


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    page, pages = _page(request, selectors.inbox(request.user))
    return render(request, "web/messages/inbox.html", {"seats": page.object_list, "pager": pages})


def _thread_page(request: HttpRequest, thread: Thread, *, form: TextForm | None = None, error: str = "",
                 status: int = 200) -> HttpResponse:
    messages = _decorate(selectors.thread_messages(thread), thread, request.user)
    if messages:
        services.mark_seen(request.user, thread, messages[-1].pk)
    return render(request, "web/messages/thread.html", {
        "thread": thread, "messages": messages, "people": selectors.participants(thread),
        "after": messages[-1].pk if messages else 0, "form": form or TextForm(), "error": error,
    }, status=status)


@login_required
@require_GET
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    return _thread_page(request, readable(request, pk))


@login_required
@require_POST
def thread_send(request: HttpRequest, pk: int) -> HttpResponse:
    thread = readable(request, pk)
    form = TextForm(request.POST)
    if not form.is_valid():
        return _thread_page(request, thread, form=form, error=str(FIELD_MESSAGES["text"]), status=422)
    try:
        services.send(request.user, thread, form.cleaned_data["text"], request=request)
    except DomainError as exc:
        return _thread_page(request, thread, form=form, error=describe(exc), status=exc.status)
    return redirect("web:message_thread", pk=thread.pk)


@login_required
@require_GET
def thread_poll(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX polling: the messages after `after`, appended out of band, and the next poller."""
    thread = readable(request, pk)
    after = _int(request.GET.get("after"))
    if after is None:
        return HttpResponse(_("参数 after 须为消息编号"), status=400)
    messages = _decorate(selectors.thread_messages(thread, after=after, limit=100), thread, request.user)
    if messages:
        services.mark_seen(request.user, thread, messages[-1].pk)
    # no request context: the partial needs none of the page shell's context processors (and their queries)
    return HttpResponse(render_to_string("web/messages/_poll.html", {
        "thread": thread, "messages": messages, "after": messages[-1].pk if messages else after}))


def _event(message: Message, thread: Thread, viewer) -> str:
    data = {"id": message.pk, "sender": sender_name(message, thread), "mine": message.sender_id == viewer.pk,
            "as_store": message.as_store, "text": message.text, "created_at": message.created_at.isoformat(),
            "product": message.product_id, "order": message.order.number if message.order_id else None}
    return f"id: {message.pk}\nevent: message\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@login_required
@require_GET
def thread_stream(request: HttpRequest, pk: int) -> HttpResponse:
    """Server-sent events: new messages as they arrive, one small query per tick. The stream closes after
    TRIBE_SSE_SECONDS (default 25) with a `retry:` hint, so the browser reconnects with Last-Event-ID and a
    worker thread is never held for long; access is checked again on every reconnect."""
    thread = readable(request, pk)
    last = _int(request.headers.get("Last-Event-ID")) or _int(request.GET.get("after"))
    if last is None:
        last = Message.objects.filter(thread=thread).order_by("-id").values_list("id", flat=True).first() or 0
    seconds = float(getattr(settings, "TRIBE_SSE_SECONDS", 25))
    tick = float(getattr(settings, "TRIBE_SSE_TICK", 2))
    viewer = request.user

    def events():
        nonlocal last
        yield ": connected\n\n"
        deadline = time.monotonic() + seconds
        while True:
            new = list(Message.objects.filter(thread_id=thread.pk, id__gt=last)
                       .select_related("sender", "order").order_by("id")[:100])
            for m in new:
                yield _event(m, thread, viewer)
                last = m.pk
            if time.monotonic() >= deadline:
                break
            time.sleep(tick)
        yield "retry: 3000\n\n"

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


class DirectForm(TextForm):
    to = forms.CharField(label=gettext_lazy("对方用户名"), max_length=150)


@login_required
@require_http_methods(["GET", "POST"])
def new_direct(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = DirectForm(data, initial={"to": request.GET.get("to", "")[:150]})
    status, error = 200, ""
    if request.method == "POST":
        if form.is_valid():
            other = User.objects.filter(username=form.cleaned_data["to"], is_active=True).first()
            if other is None:
                status, error = 404, _("用户不存在。")
            else:
                try:
                    thread = services.start_direct(request.user, other, text=form.cleaned_data["text"],
                                                   request=request)
                except DomainError as exc:
                    status, error = exc.status, describe(exc)
                else:
                    return redirect("web:message_thread", pk=thread.pk)
        else:
            status, error = 422, _("请填写对方用户名。")
    return render(request, "web/messages/new_direct.html", {"form": form, "error": error}, status=status)


def _friends(user):
    return User.objects.filter(pk__in=friend_ids(user), is_active=True).order_by("nickname", "id")


def _chosen(request: HttpRequest, name: str) -> list[int]:
    return [int(v) for v in request.POST.getlist(name) if v.isdigit() and int(v) <= MAX_ID][:50]


@login_required
@require_http_methods(["GET", "POST"])
def group_new(request: HttpRequest) -> HttpResponse:
    status, error, chosen = 200, "", []
    title = text = ""
    if request.method == "POST":
        chosen = _chosen(request, "members")
        title, text = request.POST.get("title", ""), request.POST.get("text", "")
        try:
            thread = services.start_group(request.user, chosen, title=title, text=text, request=request)
        except DomainError as exc:
            status, error = exc.status, describe(exc)
        else:
            return redirect("web:message_thread", pk=thread.pk)
    return render(request, "web/messages/group_new.html", {
        "friends": _friends(request.user), "chosen": chosen, "title": title, "text": text, "error": error,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, pk: int) -> HttpResponse:
    product = Product.objects.published().filter(pk=pk).select_related("store", "brand").first()
    if product is None:
        raise Http404(_("商品不存在"))
    circles = Circle.objects.filter(memberships__user=request.user,
                                    memberships__state=Membership.State.ACTIVE).order_by("name")
    status, error, chosen, circle_id, text = 200, "", [], None, ""
    if request.method == "POST":
        chosen = _chosen(request, "friends")
        circle_id = _int(request.POST.get("circle"))
        text = request.POST.get("text", "")
        try:
            thread = services.ask_friends(request.user, product.pk, text=text, friend_ids_=chosen,
                                          circle_id=circle_id, request=request)
        except DomainError as exc:
            status, error = exc.status, describe(exc)
            if exc.fields.get("friends") == "friends or circle":
                error = _("请选择好友，或者选择一个圈子（二选一）。")
        else:
            return redirect("web:message_thread", pk=thread.pk)
    return render(request, "web/messages/ask.html", {
        "product": product, "friends": _friends(request.user), "circles": circles, "chosen": chosen,
        "circle_id": circle_id, "text": text, "error": error,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    store = Store.objects.filter(slug=slug[:60], is_active=True).select_related("brand").first()
    if store is None:
        raise Http404(_("店铺不存在"))
    source = request.POST if request.method == "POST" else request.GET
    product_id = _int(source.get("product"))
    order_number = (source.get("order") or "").strip()[:24] or None
    product = order = None
    status, error, text = 200, "", ""
    if product_id is not None:
        product = Product.objects.published().filter(pk=product_id, store=store).first()
    if order_number:
        order = Order.objects.filter(number=order_number, user=request.user, store_orders__store=store).first()
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            thread = services.contact_store(request.user, store, text=text, product_id=product_id,
                                            order_number=order_number, request=request)
        except DomainError as exc:
            status, error = exc.status, describe(exc)
        else:
            return redirect("web:message_thread", pk=thread.pk)
    elif (product_id is not None and product is None) or (order_number and order is None):
        status = 422
        error = str(FIELD_MESSAGES["product" if product_id is not None and product is None else "order"])
    return render(request, "web/messages/contact.html", {
        "store": store, "product": product, "order": order, "text": text, "error": error,
        "product_id": product_id if product else None, "order_number": order.number if order else None,
    }, status=status)


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The nav's unread-messages badge, loaded by HTMX after the page so pages don't pay for it."""
    count = selectors.unread_total(request.user) if request.user.is_authenticated else 0
    return HttpResponse(render_to_string("web/messages/_badge.html", {"count": count, "testid": "messages-unread"}))
