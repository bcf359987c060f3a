"""Pages: 我的佣金 — balances per brand (with debt), the withdraw form, payouts and the ledger entries.

The withdraw form calls the same service as POST /api/v1/me/payouts; a refused request re-renders the page
with the reason and the service's status (422 / 404), and nothing is stored."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tribe.brands.models import Brand
from tribe.commissions import selectors, services
from tribe.core.errors import DomainError

ENTRIES_PER_PAGE = 30

ERRORS = {
    "below_minimum": lambda e: _("提现金额低于最低提现额度。"),
    "insufficient_balance": lambda e: _("提现金额超过可提现余额。"),
    "not_promoter": lambda e: _("你不是该品牌的推广员。"),
    "invalid": lambda e: _("请输入有效金额（最多两位小数）。"),
}


def _page(request: HttpRequest, *, error: str = "", form: dict | None = None, status: int = 200) -> HttpResponse:
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and len(raw) < 6 else 1
    page = Paginator(selectors.entries_of_user(request.user), ENTRIES_PER_PAGE).get_page(number)
    return render(request, "web/commissions/me.html", {
        "rows": selectors.balances_of_user(request.user),
        "in_kind": selectors.in_kind_of_user(request.user),
        "addresses": list(request.user.addresses.order_by("-is_default", "-id")[:10]),
        "payouts": selectors.payouts_of_user(request.user)[:50],
        "page": page, "error": error, "form": form or {},
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def my_commissions(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    slug = request.POST.get("brand", "")
    amount = request.POST.get("amount", "").strip()
    form = {"brand": slug, "amount": amount}
    brand = Brand.objects.filter(slug=slug[:60]).first()
    if brand is None:
        return _page(request, error=_("请选择品牌。"), form=form, status=422)
    try:
        payout = services.request_payout(request.user, brand.pk, amount, request=request)
    except DomainError as error:
        message = ERRORS.get(error.code, lambda e: e.message)(error)
        return _page(request, error=message, form=form, status=error.status)
    messages.success(request, _("已申请提现 ¥%(amount)s，等待品牌审核") % {"amount": payout.amount})
    return redirect("web:commissions")


@login_required
@require_http_methods(["POST"])
def claim_gift(request: HttpRequest) -> HttpResponse:
    """A gift-reward promoter takes the brand's gift to a saved address (a free order, shipped by the store)."""
    brand = Brand.objects.filter(slug=request.POST.get("brand", "")[:60]).first()
    raw = request.POST.get("address_id", "")
    if brand is None or not raw.isdigit():
        return _page(request, error=_("请选择品牌和收货地址。"), status=422)
    try:
        order = services.claim_gift(request.user, brand.pk, address_id=int(raw),
                                    idempotency_key=request.POST.get("idempotency_key", "")[:64], request=request)
    except DomainError as error:
        return _page(request, error=error.message, status=error.status)
    messages.success(request, _("赠品已下单，将由品牌发货"))
    return redirect("web:order", order.number)
