"""Pages: 通知 — the list (members-only circle notifications only while still a member), mark all read,
open one (marks it read, then goes to its page), and the nav badge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tribe.notifications import selectors, services

from .listing import pager

PER_PAGE = 30


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and 1 <= int(raw) <= 10_000 else 1
    paginator = Paginator(selectors.visible_notifications(request.user).select_related("actor"), PER_PAGE)
    try:
        page = paginator.page(number)
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    return render(request, "web/notifications/list.html", {
        "items": page.object_list, "pager": pager(request, page.number, paginator.num_pages, paginator.count),
    })


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    services.mark_read(request.user)
    messages.success(request, _("已全部标为已读"))
    return redirect("web:notifications")


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    if pk > 2**63 - 1:
        raise Http404(_("通知不存在"))
    note = selectors.visible_notifications(request.user).filter(pk=pk).first()
    if note is None:
        raise Http404(_("通知不存在"))
    services.mark_read(request.user, [note.pk])
    target = note.url if note.url.startswith("/") and url_has_allowed_host_and_scheme(
        note.url, allowed_hosts={request.get_host()}) else ""
    return redirect(target or "web:notifications")


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    count = selectors.unread_count(request.user) if request.user.is_authenticated else 0
    return HttpResponse(render_to_string("web/messages/_badge.html", {"count": count,
                                                                     "testid": "notifications-unread"}))
