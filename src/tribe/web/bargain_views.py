"""砍价 pages: the campaign page (start a bargain, countdown) and the bargain page (progress, helpers and their
cuts, help, buy, share). Thin: each POST calls one service and redirects; errors come back as a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from tribe.bargain import selectors, services
from tribe.bargain.models import Bargain, BargainCampaign
from tribe.campaigns.models import PlayStatus
from tribe.core.errors import DomainError
from tribe.orders.checkout import check_address, save_address
from tribe.orders.models import Address

from .checkout_views import _initial
from .order_forms import CheckoutForm, apply_errors, describe

MAX_ID = 2**63 - 1
ERRORS = {
    "already_helped": gettext_lazy("你已经帮 TA 砍过了，每人只能砍一次"),
    "own_bargain": gettext_lazy("不能给自己砍价，快分享给好友吧"),
    "bargain_reached": gettext_lazy("已经砍到底价啦，不需要再砍了"),
    "bargain_closed": gettext_lazy("这个砍价已经下单了"),
    "bargain_expired": gettext_lazy("这个砍价已过期"),
    "help_limit": gettext_lazy("今天的助力次数用完了，明天再来吧"),
    "rate_limited": gettext_lazy("操作太频繁了，请稍后再试"),
    "floor_not_reached": gettext_lazy("还没砍到底价，邀请更多好友帮忙吧"),
    "price_changed": gettext_lazy("刚刚又有好友帮你砍了一刀，价格已更新，请确认后再下单"),
    "bargain_active": gettext_lazy("你在这个活动里已经有一个进行中的砍价"),
    "initiation_limit": gettext_lazy("你在这个活动的发起次数已用完"),
    "bargain_sold_out": gettext_lazy("砍价名额已被抢光"),
    "bargain_unavailable": gettext_lazy("商品暂时不能参加砍价"),
    "not_your_bargain": gettext_lazy("只有发起人可以购买"),
    "campaign_upcoming": gettext_lazy("活动还没开始"),
    "campaign_paused": gettext_lazy("活动已暂停"),
    "campaign_ended": gettext_lazy("活动已结束"),
}


def _say(error: DomainError) -> str:
    return str(ERRORS.get(error.code) or describe(error))


def _id(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise Http404
    return value


def _campaign_or_404(campaign_id: int) -> BargainCampaign:
    campaign = selectors.campaign_queryset().exclude(status=PlayStatus.DRAFT).filter(pk=_id(campaign_id)).first()
    if campaign is None:
        raise Http404(_("砍价活动不存在"))
    return campaign


def _bargain_or_404(bargain_id: int) -> Bargain:
    bargain = (selectors.bargain_queryset().select_related("order").exclude(campaign__status=PlayStatus.DRAFT)
               .filter(pk=_id(bargain_id)).first())
    if bargain is None:
        raise Http404(_("砍价不存在"))
    return bargain


def _seconds_until(when) -> int:
    return max(0, int((when - timezone.now()).total_seconds()))


@require_GET
def campaign_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign_or_404(campaign_id)
    mine = None
    if request.user.is_authenticated:
        mine = Bargain.objects.filter(campaign=campaign, initiator=request.user).order_by("-id").first()
    phase = campaign.phase
    return render(request, "web/bargain/campaign.html", {
        "campaign": campaign, "product": campaign.sku.product, "sku": campaign.sku, "phase": phase,
        "mine": mine, "to_start": _seconds_until(campaign.starts_at), "to_end": _seconds_until(campaign.ends_at),
        "sold_out": campaign.stock is not None and campaign.started >= campaign.stock,
        "cut_total": campaign.sku.price - campaign.floor_price,
    })


@login_required
@require_POST
def start(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign_or_404(campaign_id)
    try:
        bargain = services.start_bargain(request.user, campaign.pk, request=request)
    except DomainError as exc:
        if exc.code == "bargain_active":
            messages.info(request, _say(exc))
            return redirect("web:bargain", bargain_id=exc.fields["bargain"])
        messages.error(request, _say(exc))
        return redirect("web:bargain_campaign", campaign_id=campaign.pk)
    messages.success(request, _("砍价已发起，分享给好友帮你砍一刀吧"))
    return redirect("web:bargain", bargain_id=bargain.pk)


def _bargain_context(request: HttpRequest, bargain: Bargain, form=None) -> dict:
    user = request.user
    helps = selectors.helps_of(bargain)
    mine = user.is_authenticated and bargain.initiator_id == user.pk
    state = bargain.shown_state
    campaign = bargain.campaign
    open_ = state in (Bargain.State.OPEN, Bargain.State.REACHED)
    can_buy = mine and open_ and (campaign.buy_rule == "any" or state == Bargain.State.REACHED)
    if can_buy and form is None:
        addresses = list(Address.objects.filter(user=user))
        form = CheckoutForm(initial=_initial(addresses), addresses=addresses)
    return {
        "bargain": bargain, "campaign": campaign, "product": campaign.sku.product, "sku": campaign.sku,
        "helps": helps, "state": state, "mine": mine, "can_buy": can_buy, "form": form,
        "helped": user.is_authenticated and any(h.helper_id == user.pk for h in helps),
        "can_help": not mine and state == Bargain.State.OPEN and campaign.phase == "live",
        "seconds_left": _seconds_until(bargain.deadline),
        "login_url": f"{reverse('web:login')}?next={reverse('web:bargain', args=[bargain.pk])}",
        "share_url": reverse("web:share", args=["bargain", bargain.pk]),
        "qr_url": reverse("web:share_qr", args=["bargain", bargain.pk]),
    }


@require_GET
def bargain_page(request: HttpRequest, bargain_id: int) -> HttpResponse:
    bargain = _bargain_or_404(bargain_id)
    return render(request, "web/bargain/bargain.html", _bargain_context(request, bargain))


@login_required
@require_POST
def help_(request: HttpRequest, bargain_id: int) -> HttpResponse:
    bargain = _bargain_or_404(bargain_id)
    try:
        done = services.help_bargain(request.user, bargain.pk, request=request)
    except DomainError as exc:
        messages.error(request, _say(exc))
    else:
        messages.success(request, _("你帮 TA 砍掉了 ¥%(amount)s") % {"amount": done.amount})
    return redirect("web:bargain", bargain_id=bargain.pk)


def _buy(request, bargain: Bargain, form: CheckoutForm):
    common = {"idempotency_key": form.cleaned_data["idempotency_key"], "request": request}
    if not form.uses_new_address:
        return services.buy_bargain(request.user, bargain.pk, address_id=form.address_id(), **common)
    address = form.address_data()
    if not form.cleaned_data["save_address"]:
        return services.buy_bargain(request.user, bargain.pk, address=address, **common)
    clean = check_address(address)
    with transaction.atomic():  # the address is kept only together with the order it was entered for
        order = services.buy_bargain(request.user, bargain.pk, address=clean, **common)
        if not Address.objects.filter(user=request.user, **clean).exists():
            save_address(request.user, clean, is_default=not form.addresses)
    return order


@login_required
@require_POST
def buy(request: HttpRequest, bargain_id: int) -> HttpResponse:
    bargain = _bargain_or_404(bargain_id)
    form = CheckoutForm(request.POST, addresses=list(Address.objects.filter(user=request.user)))
    if not form.is_valid():
        return render(request, "web/bargain/bargain.html", _bargain_context(request, bargain, form), status=422)
    try:
        order = _buy(request, bargain, form)
    except DomainError as exc:
        if any(field in form.fields for field in exc.fields):
            apply_errors(form, exc)
            return render(request, "web/bargain/bargain.html", _bargain_context(request, bargain, form),
                          status=exc.status)
        messages.error(request, _say(exc))
        return redirect("web:bargain", bargain_id=bargain.pk)
    return redirect("web:order_pay", number=order.number)
