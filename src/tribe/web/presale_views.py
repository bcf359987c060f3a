"""预售 pages: the campaign page (terms up front, countdowns, pay the deposit) and my presale purchases (pay the
balance in its window)."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tribe.campaigns.services import play_event
from tribe.core.errors import DomainError
from tribe.orders.models import Address
from tribe.presale import selectors, services

ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "detail")


class DepositForm(forms.Form):
    quantity = forms.IntegerField(label=gettext_lazy("数量"), min_value=1, max_value=999, initial=1)
    address_id = forms.IntegerField(required=False, min_value=1)
    name = forms.CharField(label=gettext_lazy("收货人"), max_length=40, required=False)
    phone = forms.CharField(label=gettext_lazy("手机号"), max_length=20, required=False)
    province = forms.CharField(label=gettext_lazy("省"), max_length=20, required=False)
    city = forms.CharField(label=gettext_lazy("市"), max_length=20, required=False)
    district = forms.CharField(label=gettext_lazy("区/县"), max_length=20, required=False)
    detail = forms.CharField(label=gettext_lazy("详细地址"), max_length=200, required=False)
    key = forms.CharField(max_length=64)


def _seconds(until) -> int:
    return max(0, int((until - timezone.now()).total_seconds()))


def _context(request, presale, form=None, error="") -> dict:
    now = timezone.now()
    addresses = list(Address.objects.filter(user=request.user).order_by("-is_default", "-id")[:10]) \
        if request.user.is_authenticated else []
    return {
        "presale": presale, "product": presale.sku.product, "phase": presale.phase,
        "balance_phase": presale.balance_phase(now), "inflated": presale.deposit_value > presale.deposit,
        "to_start": _seconds(presale.starts_at), "to_end": _seconds(presale.ends_at),
        "to_balance": _seconds(presale.balance_starts_at), "to_balance_end": _seconds(presale.balance_ends_at),
        "addresses": addresses, "form": form or DepositForm(initial={"key": "presale-" + secrets.token_hex(8)}),
        "error": error,
    }


@require_http_methods(["GET", "POST"])
def presale_page(request: HttpRequest, pk: int) -> HttpResponse:
    presale = selectors.public_presale(pk)
    if presale is None:
        raise Http404(_("预售不存在"))
    if request.method == "GET":
        play_event("presale_view", request, presale,
                   actor=request.user if request.user.is_authenticated else None)
        return render(request, "web/presale/detail.html", _context(request, presale))
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = DepositForm(request.POST)
    if not form.is_valid():
        return render(request, "web/presale/detail.html",
                      _context(request, presale, form, _("请填写数量和收货地址")), status=422)
    data = form.cleaned_data
    address = None if data["address_id"] else {f: data[f] for f in ADDRESS_FIELDS}
    try:
        order = services.place_deposit(request.user, presale.pk, data["quantity"], address=address,
                                       address_id=data["address_id"], idempotency_key=data["key"], request=request)
    except DomainError as exc:
        return render(request, "web/presale/detail.html", _context(request, presale, form, exc.message),
                      status=exc.status)
    return redirect("web:order_pay", number=order.number)


@login_required
@require_http_methods(["GET"])
def my_presales(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [{"p": p, "balance_phase": p.presale.balance_phase(now),
             "balance_pending": p.balance_order is not None and p.balance_order.status == "pending_payment"}
            for p in selectors.my_purchases(request.user)[:100]]
    return render(request, "web/presale/mine.html", {"rows": rows})


@login_required
@require_POST
def pay_balance(request: HttpRequest, purchase_id: int) -> HttpResponse:
    key = request.POST.get("key") or f"presale-bal-{purchase_id}-{secrets.token_hex(6)}"
    try:
        order = services.place_balance(request.user, purchase_id, idempotency_key=key[:64], request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:my_presales")
    return redirect("web:order_pay", number=order.number)
