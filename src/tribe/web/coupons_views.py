"""优惠券 pages: the coupons anyone can claim (领券中心), one coupon (its share page target), the claim button,
and my coupons by state."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from tribe.brands.models import Brand
from tribe.core.errors import DomainError
from tribe.coupons import selectors, services
from tribe.coupons.models import UserCoupon

from .console.base import is_htmx

PER_PAGE = 20
CLAIM_MESSAGES = {
    "coupon_out_of_stock": _l("来晚了，优惠券已被领完"),
    "coupon_limit": _l("已达到每人限领数量"),
    "campaign_upcoming": _l("领券还没开始"),
    "campaign_ended": _l("领券已结束"),
    "campaign_paused": _l("领券已暂停"),
}


@require_GET
def claimable(request: HttpRequest) -> HttpResponse:
    qs = selectors.claimable()
    brand = None
    slug = request.GET.get("brand", "")[:60]
    if slug:
        brand = Brand.objects.filter(slug=slug, is_active=True).first()
        if brand is None:
            raise Http404
        qs = qs.filter(brand=brand)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    held = selectors.held_counts(request.user, list(page))
    rows = [{"t": t, "held": held.get(t.pk, 0)} for t in page]
    return render(request, "web/coupons/index.html", {"page": page, "rows": rows, "brand": brand})


@require_GET
def detail(request: HttpRequest, template_id: int) -> HttpResponse:
    t = selectors.find_shared_template(str(template_id))
    if t is None:
        raise Http404
    held = selectors.held_counts(request.user, [t]).get(t.pk, 0)
    return render(request, "web/coupons/detail.html", {"t": t, "held": held})


def _back(request: HttpRequest, template_id: int) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return f"/coupons/{template_id}/"


@require_POST
def claim(request: HttpRequest, template_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        from .console.base import login_redirect

        return login_redirect(request)
    status, error = 201, ""
    try:
        services.claim(request.user, template_id, request=request)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404 from None
        status, error = exc.status, str(CLAIM_MESSAGES.get(exc.code, exc.message))
    if is_htmx(request):
        t = selectors.find_shared_template(str(template_id))
        held = selectors.held_counts(request.user, [t]).get(t.pk, 0) if t else 0
        return render(request, "web/coupons/_claim.html", {"t": t, "held": held, "error": error,
                                                           "claimed": not error}, status=200 if not error else status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("领取成功，可在“我的优惠券”查看"))
    return redirect(_back(request, template_id))


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "available")
    if state not in UserCoupon.State.values:
        state = "available"
    page = Paginator(selectors.wallet(request.user, state), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "web/coupons/mine.html", {"page": page, "state": state,
                                                     "states": UserCoupon.State.choices})
