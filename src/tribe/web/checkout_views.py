"""Checkout, the pay page and the dummy gateway's cashier.

The checkout page shows the server's quote (tribe.orders.checkout.quote — the same pricing path place_order
takes), and posting it places the order with the idempotency key rendered into the page, so a double
submit lands on the one order. The dummy cashier plays the payment provider: its buttons post a signed
notification through payments.services.handle_notification, exactly as a provider's server would.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tribe.core.errors import DomainError, ValidationFailed
from tribe.core.events import record_event
from tribe.orders.cart import get_cart
from tribe.orders.checkout import check_address, place_order, quote, save_address, shipping_fee
from tribe.orders.models import Address, CartLine, Order
from tribe.orders.services import expire_if_due
from tribe.payments.gateways.dummy import signed_body
from tribe.payments.models import Payment
from tribe.payments.services import GATEWAYS, deliver_late, handle_notification, start_payment

from .cart_views import PROBLEM_LABELS, remember_count
from .listing import is_htmx_partial
from .order_forms import GATEWAY_LABELS, CheckoutForm, apply_errors, describe, first_error
from .order_views import my_order

OUTCOME_MESSAGES = {
    "paid": gettext_lazy("支付成功，商家将尽快发货"),
    "failed": gettext_lazy("支付失败，可以重新支付"),
    "duplicate": gettext_lazy("这笔支付已经处理过了"),
    "late_refunded": gettext_lazy("订单已关闭，这笔迟到的付款已原路退回"),
}


def _shipping_choice(data) -> dict[int, str]:
    """`shipping_<store id>` fields → {store id: method code}; the service rejects codes a store lacks."""
    chosen = {}
    for key, value in data.items():
        sid = key.removeprefix("shipping_")
        if key.startswith("shipping_") and sid.isdigit() and len(sid) <= 18:
            chosen[int(sid)] = value
    return chosen


def _deal(request) -> dict:
    """Checkout options from the session: a friend's "buy with friends" code (tribe.referrals.deals)."""
    return {"friend_deal": request.session.get("tribe_friend_deal")}


def _quote_or_none(user, cart, shipping, options=None):
    """The summary to show; falls back to the default methods if the chosen ones are not offered."""
    for choice in (shipping, "standard"):
        try:
            return quote(user, cart, shipping=choice, options=options)
        except ValidationFailed as error:
            if error.code != "unknown_shipping":
                return None
    return None


def _savings(request, params, base) -> tuple[dict, dict]:
    """Coupons and points for the checkout page: (options to price with, what to show).

    Until the buyer touches the coupon list (no `coupon_choice` field yet) the best coupons are picked for them;
    points default to none. `base` is the quote without coupons and points (what best_coupons compares on)."""
    from tribe.coupons.redemption import best_coupons, ids_from_form
    from tribe.loyalty.checkout import points_offer

    user = request.user
    shown = {"coupon_options": [], "chosen_coupons": [], "points_offer": None, "points": 0}
    options = dict(_deal(request))
    if base is None or not base.stores:
        return options, shown
    lines = [ln for part in base.stores for ln in part.lines]
    best = best_coupons(user, lines)
    if params.get("coupon_choice"):
        try:
            chosen = ids_from_form(params.getlist("coupons"))
        except ValidationFailed:
            chosen = []
    else:
        chosen = best["coupons"]
    offer = points_offer(user, sum((ln.payable for ln in lines), Decimal("0.00")))
    raw = str(params.get("points", "")).strip()
    points = int(raw) if raw.isdigit() and len(raw) < 10 else 0
    points = min(points, offer["usable"])
    shown.update(coupon_options=best["options"], chosen_coupons=chosen, points_offer=offer, points=points)
    options.update(coupons=chosen, points=points)
    return options, shown


def _priced(request, user, cart, shipping, params):
    """The quote with the chosen coupons and points; if they no longer apply (a coupon expired meanwhile), the
    quote without them and the reason."""
    base = _quote_or_none(user, cart, shipping, _deal(request))
    options, shown = _savings(request, params, base)
    if base is None or not (options.get("coupons") or options.get("points")):
        return base, shown, options, ""
    try:
        return quote(user, cart, shipping=shipping, options=options), shown, options, ""
    except DomainError as error:
        options.update(coupons=[], points=0)
        shown.update(chosen_coupons=[], points=0)
        return base, shown, options, describe(error)


def _summary(q) -> list[dict]:
    """Per store: the quote's part with each shipping method and the fee it would cost for this part."""
    if q is None:
        return []
    return [
        {
            "part": part,
            "choices": [
                {
                    "method": m,
                    "fee": shipping_fee(m, part.subtotal - part.discount),
                    "checked": m.code == part.method.code,
                }
                for m in part.methods
            ],
        }
        for part in q.stores
    ]


def _render_checkout(request, form, q, *, error: str = "", status: int = 200, shown=None) -> HttpResponse:
    partial = is_htmx_partial(request)
    for row in q.problems if q is not None else []:
        row.problem_label = PROBLEM_LABELS.get(row.problem, row.problem)
    context = {
        "form": form,
        "quote": q,
        "stores": _summary(q),
        "problems": q.problems if q is not None else [],
        "error": error,
        "can_submit": q is not None and bool(q.stores) and not q.problems,
        "partial_total": partial,
        **(shown or {}),
    }
    template = "web/checkout_summary.html" if partial else "web/checkout.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _initial(addresses) -> dict:
    default = next((a for a in addresses if a.is_default), addresses[0] if addresses else None)
    return {"address": str(default.pk) if default else "new", "save_address": True, "idempotency_key": uuid.uuid4().hex}


def _place(request, form: CheckoutForm, cart, shipping, options) -> Order:
    data = form.cleaned_data
    common = {
        "shipping": shipping,
        "idempotency_key": data["idempotency_key"],
        "note": data["note"],
        "request": request,
        # a friend's "buy with friends" link opened in this session, the chosen coupons and points
        "options": options,
    }
    if not form.uses_new_address:
        return place_order(request.user, cart, address_id=form.address_id(), **common)
    address = form.address_data()
    if not data["save_address"]:
        return place_order(request.user, cart, address=address, **common)
    clean = check_address(address)
    with transaction.atomic():  # the address is kept only together with the order it was entered for
        order = place_order(request.user, cart, address=clean, **common)
        if not Address.objects.filter(user=request.user, **clean).exists():
            save_address(request.user, clean, is_default=not form.addresses)
    return order


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    user = request.user
    cart = get_cart(user)
    addresses = list(Address.objects.filter(user=user).order_by("-is_default", "-id"))
    if request.method == "GET":
        shipping = _shipping_choice(request.GET)
        q, shown, _options, saving_error = _priced(request, user, cart, shipping, request.GET)
        if q is None:
            messages.info(request, _("购物车是空的，先去挑点好物吧"))
            if is_htmx_partial(request):  # a re-quote from a page whose cart emptied meanwhile
                return HttpResponse(headers={"HX-Redirect": reverse("web:cart")})
            return redirect("web:cart")
        form = CheckoutForm(initial=_initial(addresses), addresses=addresses)
        error = _("购物车里有已下架、已售罄或库存不足的商品，请先回购物车处理") if q.problems else saving_error
        if not is_htmx_partial(request):  # a shipping change re-quotes; it is not another visit
            record_event(
                "checkout_started",
                request,
                props={"total": str(q.total), "lines": sum(len(p.lines) for p in q.stores), "stores": len(q.stores)},
            )
        return _render_checkout(request, form, q, error=error, shown=shown)

    form = CheckoutForm(request.POST, addresses=addresses)
    shipping = _shipping_choice(request.POST)
    if not form.is_valid():
        q, shown, _options, _err = _priced(request, user, cart, shipping, request.POST)
        return _render_checkout(request, form, q, error=first_error(form), status=422, shown=shown)
    options = dict(_deal(request))
    try:
        from tribe.coupons.redemption import ids_from_form

        options["coupons"] = ids_from_form(request.POST.getlist("coupons"))
        raw = request.POST.get("points", "").strip() or "0"
        if not raw.isdigit() or len(raw) > 9:
            raise ValidationFailed("points: a whole number", code="invalid_points", fields={"points": "invalid"})
        options["points"] = int(raw)
        order = _place(request, form, cart, shipping, options)
    except DomainError as error:
        apply_errors(form, error, summary=False)
        q, shown, _options, _err = _priced(request, user, cart, shipping, request.POST)
        return _render_checkout(request, form, q, error=describe(error), status=error.status, shown=shown)
    remember_count(request, CartLine.objects.filter(cart__user=user).count())
    return redirect("web:order_pay", number=order.number)


def available_gateways() -> list[tuple[str, str]]:
    """The gateways the platform is configured for (settings.TRIBE_PAYMENT_GATEWAYS), in a fixed order."""
    configured = getattr(settings, "TRIBE_PAYMENT_GATEWAYS", {}) or {}
    return [(name, str(GATEWAY_LABELS[name])) for name in GATEWAYS if name in configured]


def _render_pay(request, order: Order, *, error: str = "", status: int = 200) -> HttpResponse:
    seconds = max(0, int((order.expires_at - timezone.now()).total_seconds()))
    gateways = available_gateways()
    return render(
        request,
        "web/pay.html",
        {
            "order": order,
            "seconds": seconds,
            "minutes_left": f"{seconds // 60:02d}:{seconds % 60:02d}",
            "gateways": gateways,
            "chosen": request.POST.get("gateway") or (gateways[0][0] if gateways else ""),
            "error": error,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, number: str) -> HttpResponse:
    order = expire_if_due(my_order(request, number))
    if order.status != Order.Status.PENDING_PAYMENT:
        if request.method == "POST":
            return _render_pay(request, order, error=_("订单已不能支付"), status=409)
        if order.paid_at is not None:
            messages.info(request, _("订单已支付"))
        else:
            messages.info(request, _("订单%(status)s，不能再支付") % {"status": order.get_status_display()})
        return redirect("web:order", number=order.number)
    if request.method == "GET":
        return _render_pay(request, order)
    gateway = request.POST.get("gateway", "")
    if gateway not in dict(available_gateways()):
        return _render_pay(request, order, error=_("请选择支付方式"), status=422)
    try:
        _payment, intent = start_payment(
            request.user,
            order.pk,
            gateway,
            return_url=request.build_absolute_uri(reverse("web:order", args=[order.number])),
        )
    except DomainError as error:
        order.refresh_from_db()
        return _render_pay(request, order, error=describe(error), status=error.status)
    if not intent.pay_url:
        return _render_pay(request, order, error=_("该支付方式暂不支持网页支付"), status=409)
    return redirect(intent.pay_url)


@login_required
@require_http_methods(["GET", "POST"])
def dummy_cashier(request: HttpRequest, out_trade_no: str) -> HttpResponse:
    """The demo's stand-in for a provider's cashier. Only the buyer of the order sees it."""
    if "dummy" not in (getattr(settings, "TRIBE_PAYMENT_GATEWAYS", {}) or {}):
        raise Http404(_("页面不存在"))
    payment = (
        Payment.objects.select_related("order")
        .filter(out_trade_no=out_trade_no[:40], gateway="dummy", order__user=request.user)
        .first()
    )
    if payment is None:
        raise Http404(_("支付单不存在"))
    if request.method == "GET":
        return render(request, "web/pay_dummy.html", {"payment": payment, "order": payment.order})
    action = request.POST.get("action", "")
    if action in {"succeed", "fail"}:
        # exactly what the provider's server would post to our notification endpoint
        body = signed_body(
            payment.out_trade_no, payment.amount, action == "succeed", "DUMMY" + payment.out_trade_no[-12:]
        )
        _status, _ctype, _body, outcome = handle_notification("dummy", {}, body)
    elif action == "late":
        messages.info(request, _("支付结果确认中：到账通知稍后送达"))
        return redirect("web:order", number=payment.order.number)
    elif action == "deliver":
        _status, _ctype, _body, outcome = deliver_late(payment)
    else:
        return render(
            request,
            "web/pay_dummy.html",
            {"payment": payment, "order": payment.order, "error": _("请选择支付结果")},
            status=400,
        )
    text = OUTCOME_MESSAGES.get(outcome, _("支付通知未通过校验"))
    (messages.success if outcome == "paid" else messages.info)(request, text)
    return redirect("web:order", number=payment.order.number)
