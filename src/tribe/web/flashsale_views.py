"""秒杀 pages: today's slots (场次) with countdowns, a sale's items with progress, buy → address → pay."""

from __future__ import annotations

import secrets

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tribe.campaigns.services import play_event
from tribe.core.errors import DomainError
from tribe.flashsale import selectors, services
from tribe.orders.models import Address

ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "detail")


def _slot(sale, now) -> dict:
    return {"sale": sale, "phase": sale.phase, "starts_in": selectors.seconds_until(sale.starts_at, now),
            "ends_in": selectors.seconds_until(sale.ends_at, now), "items": list(sale.items.all())}


@require_GET
def today(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    slots = [_slot(s, now) for s in selectors.today_sales(now)]
    return render(request, "web/flashsale/today.html", {"slots": slots, "now": now})


@require_GET
def sale_page(request: HttpRequest, sale_id: int) -> HttpResponse:
    sale = selectors.public_sale(sale_id)
    if sale is None:
        raise Http404
    play_event("flash_view", request, sale, actor=request.user if request.user.is_authenticated else None)
    share = request.build_absolute_uri(reverse("web:share", args=["flashsale", sale.pk]))
    return render(request, "web/flashsale/sale.html", {**_slot(sale, timezone.now()), "share_url": share})


@login_required
@require_http_methods(["GET", "POST"])
def buy_page(request: HttpRequest, sale_id: int, item_id: int) -> HttpResponse:
    sale = selectors.public_sale(sale_id)
    item = next((i for i in sale.items.all() if i.pk == item_id), None) if sale is not None else None
    if item is None:
        raise Http404
    addresses = list(Address.objects.filter(user=request.user).order_by("-is_default", "-pk")[:20])
    context = {"sale": sale, "item": item, "addresses": addresses, "phase": sale.phase,
               "key": request.POST.get("idempotency_key") or "flash-" + secrets.token_hex(12),
               "form": {f: request.POST.get(f, "") for f in ADDRESS_FIELDS}, "quantity": 1}
    if request.method == "GET":
        return render(request, "web/flashsale/buy.html", context)
    try:
        quantity = int(request.POST.get("quantity", "1"))
    except ValueError:
        quantity = 0
    context["quantity"] = quantity
    raw_id = request.POST.get("address_id", "")
    address_id = int(raw_id) if raw_id.isdigit() and len(raw_id) < 18 else None
    address = None if address_id else {f: request.POST.get(f, "") for f in ADDRESS_FIELDS}
    try:
        order = services.buy(request.user, sale.pk, item.pk, quantity=quantity, address=address,
                             address_id=address_id, idempotency_key=context["key"], request=request)
    except DomainError as exc:
        context["error"] = exc
        response = render(request, "web/flashsale/buy.html", context, status=exc.status)
        if exc.status == 429:
            response["Retry-After"] = str(getattr(exc, "retry_after", 1))
        return response
    return redirect("web:order_pay", number=order.number)
