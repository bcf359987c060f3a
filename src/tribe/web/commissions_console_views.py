"""Brand console: 提现审核 — the payout queue (filter by state), approve (the dummy method pays at once) or
reject, and the CSV export for finance. Every view passes the brand gate; a payout of another brand is 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tribe.api.commissions_api import payouts_csv
from tribe.brands.models import Brand
from tribe.commissions import selectors, services
from tribe.commissions.models import Payout
from tribe.core.errors import DomainError

from .console.base import brand_view

PER_PAGE = 30
STATES = [s for s, _label in Payout.State.choices]


def _state(request) -> str:
    state = request.GET.get("state", "requested")
    return state if state in STATES or state == "all" else "requested"


def _queue(request, brand: Brand, *, error: str = "", status: int = 200):
    state = _state(request)
    qs = selectors.payouts_of_brand(brand.pk, None if state == "all" else state)
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and len(raw) < 6 else 1
    page = Paginator(qs, PER_PAGE).get_page(number)
    return render(request, "console/commissions/payouts.html", {
        "brand": brand, "nav": "payouts", "page": page, "state": state, "states": Payout.State.choices,
        "query": f"state={state}", "error": error,
    }, status=status)


@brand_view
@require_GET
def payouts(request, brand: Brand):
    return _queue(request, brand)


def _decide(request, brand: Brand, payout_id: int, call, done: str):
    try:
        call(request.user, min(payout_id, 2**63 - 1), brand_id=brand.pk, request=request)
    except DomainError as error:
        message = {"already_decided": _("该提现申请已处理过。"), "not_found": _("提现申请不存在。")}.get(
            error.code, error.message)
        return _queue(request, brand, error=message, status=error.status)
    messages.success(request, done)
    return redirect("console:payouts", brand.slug)


@brand_view
@require_POST
def payout_approve(request, brand: Brand, payout_id: int):
    return _decide(request, brand, payout_id, services.approve_payout, _("已批准并打款（模拟）"))


@brand_view
@require_POST
def payout_reject(request, brand: Brand, payout_id: int):
    note = request.POST.get("note", "")

    def call(user, pid, **kwargs):
        return services.reject_payout(user, pid, note=note, **kwargs)

    return _decide(request, brand, payout_id, call, _("已拒绝，金额已退回推广员可提现余额"))


@brand_view
@require_GET
def payouts_export(request, brand: Brand):
    return payouts_csv(brand)
