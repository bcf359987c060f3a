"""我的积分 (/me/points/): balance, tier and progress, points expiring soon, history, the sign-in button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tribe.core.errors import DomainError
from tribe.loyalty import conf, selectors, services, tiers


@login_required
@require_GET
def my_points(request: HttpRequest) -> HttpResponse:
    user = request.user
    page = Paginator(selectors.history(user), 20).get_page(request.GET.get("page"))
    return render(request, "web/loyalty/points.html", {
        "balance": services.balance(user),
        "status": tiers.member_status(user),
        "tiers": tiers.active_tiers(),
        "expiring": selectors.expiring_soon(user),
        "signed_in": services.signed_in_today(user),
        "page": page,
        "rate": conf.redeem_rate(),
        "max_percent": conf.max_percent(),
    })


@login_required
@require_POST
def sign_in(request: HttpRequest) -> HttpResponse:
    try:
        row = services.sign_in(request.user, request=request)
    except DomainError as exc:
        messages.info(request, _("今天已经签到过了，明天再来") if exc.code == "already_signed_in" else exc.message)
        return redirect("web:loyalty_points")
    messages.success(request, _("签到成功，获得 %(n)s 积分（连续 %(d)s 天）") % {"n": row.points, "d": row.streak})
    return redirect("web:loyalty_points")
