"""Invite links (邀请好友), my invitations and rewards, and the brand console's review queue for held rewards."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tribe.core.errors import DomainError
from tribe.referrals import deals, services
from tribe.referrals.models import FriendDeal, FriendDealPolicy, Referral, Reward
from tribe.sharing.services import absolute

from .console.base import brand_view

DEVICE_COOKIE_AGE = 2 * 365 * 24 * 3600


@require_GET
def invite_landing(request: HttpRequest, code: str) -> HttpResponse:
    try:
        inviter = services.remember_invite(request, code[:40])
    except DomainError:
        raise Http404(_("邀请链接无效")) from None
    if request.user.is_authenticated:
        request.session.pop(services.SESSION_KEY, None)  # only a new account can be invited
    response = render(request, "web/referrals/landing.html", {"inviter": inviter})
    if services.DEVICE_COOKIE not in request.COOKIES:
        response.set_cookie(services.DEVICE_COOKIE, secrets.token_hex(12), max_age=DEVICE_COOKIE_AGE,
                            httponly=True, samesite="Lax")
    return response


@login_required
@require_GET
def my_invite(request: HttpRequest) -> HttpResponse:
    services.note_sighting(request.user, request)
    link = absolute(reverse("web:invite", args=[services.invite_code(request.user)]),
                    request.build_absolute_uri("/"))
    return render(request, "web/referrals/mine.html", {
        "link": link,
        "referrals": Referral.objects.filter(inviter=request.user).select_related("invitee").order_by("-id")[:100],
        "rewards": Reward.objects.filter(beneficiary=request.user).select_related("order")[:100],
    })


@require_GET
def deal_landing(request: HttpRequest, code: str) -> HttpResponse:
    """A friend's buy-with-friends link: remember the deal for this session's checkout, show the product."""
    try:
        deal = deals.open_deal(request, code[:20])
    except DomainError as exc:
        return render(request, "web/referrals/deal_expired.html", {"error": exc.message}, status=404)
    messages.success(request, _("好友同款优惠已领取：结算时这件商品立减 %(p)s%%（%(until)s 前有效）") % {
        "p": int(deal.percent * 100), "until": timezone.localtime(deal.expires_at).strftime("%m-%d %H:%M")})
    return redirect("web:product", pk=deal.product_id)


@login_required
@require_GET
def my_deals(request: HttpRequest) -> HttpResponse:
    rows = FriendDeal.objects.filter(owner=request.user).select_related("product", "order").annotate(
        used=Count("uses")).order_by("-id")[:50]
    base = request.build_absolute_uri("/")
    items = [{"deal": d, "link": absolute(reverse("web:deal", args=[d.code]), base), "pct": int(d.percent * 100)}
             for d in rows]
    return render(request, "web/referrals/deals.html", {"items": items, "now": timezone.now()})


@brand_view
def console_rewards(request: HttpRequest, brand) -> HttpResponse:
    state = request.GET.get("state", "held")
    qs = Reward.objects.filter(brand=brand).select_related("beneficiary", "order")
    if state in Reward.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    policy = FriendDealPolicy.objects.filter(brand=brand).first() or FriendDealPolicy(brand=brand)
    from tribe.coupons.models import CouponTemplate
    from tribe.referrals.models import RewardPolicy

    reward_policy = RewardPolicy.objects.filter(brand=brand).first() or RewardPolicy(brand=brand)
    templates = CouponTemplate.objects.filter(brand=brand).exclude(status="ended").order_by("-pk")[:50]
    return render(request, "console/referrals/rewards.html", {"brand": brand, "page": page, "state": state,
                                                              "states": Reward.State.choices, "policy": policy,
                                                              "reward_policy": reward_policy,
                                                              "coupon_templates": templates, "nav": "rewards"})


@brand_view
@require_POST
def console_reward_policy(request: HttpRequest, brand) -> HttpResponse:
    raw = request.POST.get("coupon_template_id", "")
    try:
        services.save_reward_policy(request.user, brand, benefit=request.POST.get("benefit", ""),
                                    coupon_template_id=int(raw) if raw.isdigit() else None)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("console:rewards", args=[brand.slug]))
    messages.success(request, _("已保存"))
    return redirect(reverse("console:rewards", args=[brand.slug]))


@brand_view
@require_POST
def console_friend_deal_policy(request: HttpRequest, brand) -> HttpResponse:
    try:
        services.save_friend_deal_policy(
            request.user, brand, enabled=request.POST.get("enabled") == "1",
            percent=request.POST.get("percent", ""), hours=request.POST.get("hours", ""),
            max_uses=request.POST.get("max_uses", ""), reward_points=request.POST.get("reward_points", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("console:rewards", args=[brand.slug]))
    messages.success(request, _("已保存"))
    return redirect(reverse("console:rewards", args=[brand.slug]))


@brand_view
@require_POST
def console_reward_decide(request: HttpRequest, brand, reward_id: int, action: str) -> HttpResponse:
    if action not in ("approve", "reject") or not Reward.objects.filter(pk=min(reward_id, 2**63 - 1),
                                                                        brand=brand).exists():
        raise Http404
    try:
        services.decide(request.user, reward_id, approve=action == "approve")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("console:rewards", args=[brand.slug]), status=exc.status)
    messages.success(request, _("已处理"))
    return redirect(reverse("console:rewards", args=[brand.slug]))
