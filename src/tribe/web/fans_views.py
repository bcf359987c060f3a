"""Fan community pages: the community (intro, join, my tier and progress, polls) and a poll (vote, results,
discussion). Every action calls one service; a refused action re-renders the page with the reason and the
service's 4xx status. Results are shown to fans who voted and to the brand's staff."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tribe.brands.models import Brand
from tribe.brands.selectors import can_manage_brand
from tribe.core.errors import DomainError
from tribe.fans import selectors, services
from tribe.fans.models import FanCommunity, Poll

MAX_ID = 2**63 - 1
POLLS_SHOWN = 20


def _community(brand_slug: str) -> FanCommunity:
    community = (FanCommunity.objects.select_related("brand")
                 .filter(brand__slug=brand_slug[:60], brand__is_active=True).first())
    if community is None:
        raise Http404(_("该品牌还没有开通粉丝社区"))
    return community


def _poll(community: FanCommunity, poll_id: int) -> Poll:
    poll = (Poll.objects.filter(community=community, pk=min(poll_id, MAX_ID))
            .select_related("community__brand").prefetch_related("options").first())
    if poll is None:
        raise Http404(_("投票不存在"))
    return poll


def _community_page(request: HttpRequest, community: FanCommunity, *, status: int = 200,
                    error: str = "") -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    standing = selectors.points_of(user, community)
    polls = list(selectors.polls_of(community).filter(closed=False)[:POLLS_SHOWN])
    ballots = selectors.ballots_of(user, polls)
    open_polls = [p for p in polls if p.is_open]
    for p in open_polls:
        p.my_ballot = ballots.get(p.pk)
    return render(request, "web/fans/community.html", {
        "community": community, "brand": community.brand, "standing": standing, "error": error,
        "member_count": selectors.member_count(community), "polls": open_polls,
        "is_staff": bool(user) and can_manage_brand(user, community.brand_id),
    }, status=status)


@require_GET
def community(request: HttpRequest, brand_slug: str) -> HttpResponse:
    try:
        the_community = _community(brand_slug)
    except Http404:
        brand = Brand.objects.filter(slug=brand_slug[:60], is_active=True).first()
        if brand is None:
            raise
        return render(request, "web/fans/none.html", {"brand": brand}, status=404)
    return _community_page(request, the_community)


def _act(request: HttpRequest, community: FanCommunity, action, success: str) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        return _community_page(request, community, status=exc.status, error=_message(exc))
    messages.success(request, success)
    return redirect("web:fans", brand_slug=community.brand.slug)


MESSAGES = {
    "already_member": gettext_lazy("你已经是粉丝社区成员了"),
    "not_member": gettext_lazy("你还不是粉丝社区成员"),
}


def _message(exc: DomainError) -> str:
    return str(MESSAGES[exc.code]) if exc.code in MESSAGES else exc.message


@login_required
@require_POST
def join(request: HttpRequest, brand_slug: str) -> HttpResponse:
    c = _community(brand_slug)
    return _act(request, c, lambda: services.join_fans(request.user, c, request=request), _("已加入粉丝社区"))


@login_required
@require_POST
def leave(request: HttpRequest, brand_slug: str) -> HttpResponse:
    c = _community(brand_slug)
    return _act(request, c, lambda: services.leave_fans(request.user, c), _("已退出粉丝社区"))


def _poll_page(request: HttpRequest, poll: Poll, *, status: int = 200, error: str = "") -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    community = poll.community
    standing = selectors.points_of(user, community) if user else None
    ballot = selectors.my_ballot(user, poll)
    is_staff = bool(user) and can_manage_brand(user, community.brand_id)
    eligible, why = services.may_vote(user, poll, standing)
    context = {
        "poll": poll, "community": community, "brand": community.brand, "error": error,
        "options": list(poll.options.all()), "ballot": ballot, "is_staff": is_staff,
        "my_votes": {v.option_id for v in ballot.votes.all()} if ballot else set(),
        "can_vote": eligible and ballot is None and poll.is_open, "why_not": why,
        "results": selectors.poll_results(poll) if (ballot is not None or is_staff) else None,
        "can_discuss": is_staff or eligible,
    }
    return render(request, "web/fans/poll.html", context, status=status)


@require_GET
def poll(request: HttpRequest, brand_slug: str, poll_id: int) -> HttpResponse:
    return _poll_page(request, _poll(_community(brand_slug), poll_id))


@login_required
@require_POST
def vote(request: HttpRequest, brand_slug: str, poll_id: int) -> HttpResponse:
    the_poll = _poll(_community(brand_slug), poll_id)
    raw = request.POST.getlist("option")
    if not raw or not all(v.isdigit() and len(v) < 19 for v in raw):
        return _poll_page(request, the_poll, status=422, error=_("请选择一个选项"))
    try:
        services.vote(request.user, the_poll, [int(v) for v in raw], request=request)
    except DomainError as exc:
        error = {"unknown_option": _("选项不存在"), "single_choice": _("这个投票只能选一项"),
                 "already_voted": _("你已经投过票了")}.get(exc.code, exc.message)
        return _poll_page(request, the_poll, status=exc.status, error=error)
    messages.success(request, _("投票成功"))
    return redirect("web:fans_poll", brand_slug=the_poll.community.brand.slug, poll_id=the_poll.pk)
