"""抽奖 pages: the lottery (grid of prizes, HTMX draw, my chances, my prizes, published odds, share card), the
daily share chance, my prizes, and claiming a goods prize with an address. Thin: each calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribe.core.errors import DomainError
from tribe.lottery import draws, odds, selectors
from tribe.lottery.models import Draw
from tribe.sharing.services import share_link

from .console.base import is_htmx, login_redirect

# Chinese wording for the errors a player meets; anything else shows the service's message.
MESSAGES = {
    "no_chances": gettext_lazy("没有可用的抽奖机会了"),
    "insufficient_points": gettext_lazy("积分不足"),
    "draw_limit_daily": gettext_lazy("今天的抽奖次数已用完，明天再来"),
    "draw_limit_total": gettext_lazy("你的抽奖次数已用完"),
    "entry_not_offered": gettext_lazy("本活动不支持这种参与方式"),
    "entry_unavailable": gettext_lazy("积分暂不可用"),
    "campaign_paused": gettext_lazy("活动已暂停"),
    "campaign_ended": gettext_lazy("活动已结束"),
    "campaign_upcoming": gettext_lazy("活动还没开始"),
    "claim_expired": gettext_lazy("领奖期限已过"),
    "already_claimed": gettext_lazy("奖品已领取"),
    "nothing_to_claim": gettext_lazy("这次抽奖没有需要领取的奖品"),
}
ENTRY_LABELS = {"points": gettext_lazy("用积分抽"), "order": gettext_lazy("用下单机会抽"),
                "share": gettext_lazy("用分享机会抽")}


def _say(error: DomainError) -> str:
    return str(MESSAGES.get(error.code, error.message))


def _lottery_or_404(pk: int):
    try:
        return draws.public_lottery(pk)
    except DomainError:
        raise Http404(_("没有这个抽奖活动")) from None


def _context(request: HttpRequest, lottery) -> dict:
    prizes = list(lottery.prizes.all())
    user = request.user if request.user.is_authenticated else None
    mine = list(selectors.my_draws(user, lottery).filter(prize__isnull=False)[:20]) if user else []
    return {"lottery": lottery, "prizes": prizes, "odds": odds.published(lottery, prizes),
            "chances": draws.chances(user, lottery) if user else None, "my_prizes": mine,
            "entries": [(e, ENTRY_LABELS[e]) for e in lottery.entries],
            "share_url": reverse("web:share", args=["lottery", lottery.pk]),
            "qr_url": reverse("web:share_qr", args=["lottery", lottery.pk])}


@require_GET
def lottery_page(request: HttpRequest, pk: int) -> HttpResponse:
    lottery = _lottery_or_404(pk)
    return render(request, "web/lottery/page.html", _context(request, lottery))


@require_POST
def lottery_draw(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return login_redirect(request)
    lottery = _lottery_or_404(pk)
    record, error = None, None
    try:
        record = draws.draw(request.user, lottery.pk, request.POST.get("entry", ""), request=request)
    except DomainError as exc:
        error = exc
    if not is_htmx(request):
        if error is not None:
            messages.error(request, _say(error))
        elif record.prize_id:
            messages.success(request, _("恭喜！你抽中了 %(p)s") % {"p": record.prize.name})
        else:
            messages.info(request, _("谢谢参与，下次好运"))
        return redirect("web:lottery", pk=lottery.pk)
    lottery.refresh_from_db()
    context = _context(request, lottery)
    context.update({"record": record, "error": _say(error) if error else ""})
    return render(request, "web/lottery/_result.html", context, status=error.status if error else 200)


@require_POST
def lottery_share(request: HttpRequest, pk: int) -> HttpResponse:
    """The player shares: the link (with their share code) and today's chance."""
    if not request.user.is_authenticated:
        return login_redirect(request)
    lottery = _lottery_or_404(pk)
    try:
        granted = draws.share(request.user, lottery.pk, request=request)
    except DomainError as exc:
        messages.error(request, _say(exc))
        return redirect("web:lottery", pk=lottery.pk)
    link = share_link("lottery", lottery, request.user, "link", base_url=request.build_absolute_uri("/"))
    if granted:
        messages.success(request, _("分享成功，获得 1 次抽奖机会。把链接发给朋友：%(l)s") % {"l": link})
    else:
        messages.info(request, _("今天已经领过分享机会了。分享链接：%(l)s") % {"l": link})
    return redirect("web:lottery", pk=lottery.pk)


@login_required
@require_GET
def my_prizes(request: HttpRequest) -> HttpResponse:
    rows = selectors.my_draws(request.user).filter(prize__isnull=False)[:100]
    return render(request, "web/lottery/prizes.html", {"rows": rows})


ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "detail")


@login_required
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest, draw_id: int) -> HttpResponse:
    record = Draw.objects.select_related("lottery", "prize").filter(pk=min(draw_id, 2**63 - 1),
                                                                    user=request.user).first()
    if record is None:
        raise Http404(_("没有这条中奖记录"))
    saved = list(request.user.addresses.order_by("-is_default", "-id")[:10])
    form = {k: request.POST.get(k, "") for k in ADDRESS_FIELDS}
    error, status = "", 200
    if request.method == "POST":
        chosen = request.POST.get("address_id", "")
        try:
            if chosen.isdigit():
                draws.claim(request.user, record.pk, address_id=int(chosen), request=request)
            else:
                draws.claim(request.user, record.pk, address=form, request=request)
        except DomainError as exc:
            error, status = _say(exc), exc.status
        else:
            record.refresh_from_db()
            messages.success(request, _("领奖成功，奖品订单已生成"))
            return redirect("web:order", record.order.number)
    return render(request, "web/lottery/claim.html", {"record": record, "saved": saved, "form": form,
                                                      "error": error}, status=status)

