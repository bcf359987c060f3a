"""客服 in the brand console: support threads of the brand's stores (unread first), one thread, reply.

Any staff of the brand may read and answer; a reply is shown to the buyer under the store's name. A thread
of another brand's store is a 404 here (the brand gate already refused staff of other brands with 403).
"""

from __future__ import annotations

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tribe.brands.models import Brand
from tribe.core.errors import DomainError
from tribe.messaging import selectors, services
from tribe.messaging.models import Thread

from .console.base import brand_view
from .messaging_views import TextForm, _decorate, describe

PER_PAGE = 30


def _render(request, template: str, brand: Brand, context: dict, status: int = 200):
    return render(request, template, {"brand": brand, "nav": "support", **context}, status=status)


@brand_view
def support_inbox(request, brand: Brand):
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and 1 <= int(raw) <= 10_000 else 1
    paginator = Paginator(selectors.store_inbox(request.user, brand.pk), PER_PAGE)
    try:
        page = paginator.page(number)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return _render(request, "console/support/inbox.html", brand, {"page": page})


def _thread(brand: Brand, thread_id: int) -> Thread:
    thread = (Thread.objects.select_related("store", "store__brand", "created_by", "product", "order")
              .filter(pk=thread_id, kind=Thread.Kind.SUPPORT, store__brand=brand).first())
    if thread is None:
        raise Http404(_("会话不存在"))
    return thread


@brand_view
@require_http_methods(["GET", "POST"])
def support_thread(request, brand: Brand, thread_id: int):
    thread = _thread(brand, thread_id)
    form = TextForm(request.POST or None)
    status, error = 200, ""
    if request.method == "POST":
        try:
            services.send(request.user, thread, request.POST.get("text", ""), request=request)
        except DomainError as exc:
            status, error = exc.status, describe(exc)
        else:
            return redirect("console:support_thread", brand.slug, thread.pk)
    messages = _decorate(selectors.thread_messages(thread), thread, request.user)
    if messages and status == 200:
        services.mark_seen(request.user, thread, messages[-1].pk)
    return _render(request, "console/support/thread.html", brand, {
        "thread": thread, "messages": messages, "form": form, "error": error}, status=status)
