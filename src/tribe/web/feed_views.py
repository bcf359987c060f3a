"""The home feed page (friends' experiences first, each item saying why it is shown) and keyword rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribe.core.errors import DomainError
from tribe.core.events import record_event
from tribe.feed import selectors, services
from tribe.feed.models import KeywordRule

from .listing import bad_request, pager

PER_PAGE = 20
MAX_PAGE = 50


@login_required
@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("page", "1") or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        return bad_request(request, _("页码：请填写 1 到 %(max)s 之间的整数") % {"max": MAX_PAGE})
    page = selectors.decorate(selectors.build(request.user, page=int(raw), page_size=PER_PAGE), request.user)
    record_event("feed_view", request, props={"page": page.page, "items": len(page.cards),
                                              "promotions": page.promotions_shown})
    return render(request, "web/feed/feed.html", {
        "page": page, "pager": pager(request, page.page, page.pages, page.count),
    })


@login_required
@require_http_methods(["GET", "POST"])
def keywords(request: HttpRequest) -> HttpResponse:
    status, error = 200, ""
    if request.method == "POST":
        try:
            services.set_keyword(request.user, request.POST.get("word", ""), mute=request.POST.get("mute") == "1")
        except DomainError as exc:
            status, error = exc.status, exc.message
        else:
            messages.success(request, _("已保存"))
            return redirect("web:feed_keywords")
    return render(request, "web/feed/keywords.html", {
        "rules": list(KeywordRule.objects.filter(user=request.user)), "error": error}, status=status)


@login_required
@require_POST
def keyword_remove(request: HttpRequest) -> HttpResponse:
    try:
        services.remove_keyword(request.user, request.POST.get("word", ""))
    except DomainError as exc:
        return render(request, "web/feed/keywords.html", {
            "rules": list(KeywordRule.objects.filter(user=request.user)), "error": exc.message}, status=exc.status)
    messages.success(request, _("已删除"))
    return redirect("web:feed_keywords")
