"""Console of 秒杀: list and create sales, edit a draft's slot and items, start/pause/resume/end, and per sale the
figures that matter in the rush: sold, left, live orders."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribe.catalog.models import Sku
from tribe.core.errors import DomainError
from tribe.flashsale import services
from tribe.flashsale.models import FlashItem, FlashPurchase, FlashSale

from .console.base import brand_view

ACTIONS = {"start": services.start_sale, "pause": services.pause_sale, "resume": services.resume_sale,
           "end": services.end_sale}


def _when(raw: str) -> datetime | None:
    """A datetime-local value ("2026-11-23T10:00") in the shop's time zone."""
    try:
        value = datetime.fromisoformat(raw.strip()) if raw and len(raw) <= 32 else None
    except ValueError:
        return None
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _int(raw, default=None):
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else default


def _sale(brand, sale_id: int) -> FlashSale:
    return get_object_or_404(FlashSale, pk=min(sale_id, 2**63 - 1), brand=brand)


def _orders_by_sale(sale_ids) -> dict[int, int]:
    rows = (FlashPurchase.objects.filter(item__sale_id__in=list(sale_ids), state=FlashPurchase.State.LIVE)
            .values("item__sale_id").annotate(n=Count("order_id", distinct=True)))
    return {r["item__sale_id"]: r["n"] for r in rows}


@brand_view
@require_http_methods(["GET", "POST"])
def sale_list(request: HttpRequest, brand) -> HttpResponse:
    if request.method == "POST":
        try:
            sale = services.create_sale(request.user, brand, title=request.POST.get("title", ""),
                                        description=request.POST.get("description", ""),
                                        starts_at=_when(request.POST.get("starts_at", "")),
                                        ends_at=_when(request.POST.get("ends_at", "")))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("console:flashsale", brand_slug=brand.slug)
        messages.success(request, _("已创建秒杀场次，请添加商品后开始"))
        return redirect("console:flashsale_sale", brand_slug=brand.slug, sale_id=sale.pk)
    sales = list(FlashSale.objects.filter(brand=brand).annotate(
        n_items=Count("items"), total=Sum("items__quantity"), sold=Sum("items__sold"), left=Sum("items__left"),
    ).order_by("-starts_at", "-pk")[:200])
    orders = _orders_by_sale(s.pk for s in sales)
    for s in sales:
        s.orders = orders.get(s.pk, 0)
    return render(request, "console/flashsale/list.html", {"brand": brand, "sales": sales})


@brand_view
@require_GET
def sale_detail(request: HttpRequest, brand, sale_id: int) -> HttpResponse:
    sale = _sale(brand, sale_id)
    items = list(FlashItem.objects.filter(sale=sale).select_related("sku__product").annotate(
        orders=Count("purchases", filter=Q(purchases__state=FlashPurchase.State.LIVE))))
    skus = []
    if sale.status == "draft":
        taken = {i.sku_id for i in items}
        skus = [s for s in Sku.objects.filter(product__store__brand=brand, is_active=True)
                .select_related("product").order_by("product_id", "pk")[:300] if s.pk not in taken]
    return render(request, "console/flashsale/detail.html", {
        "brand": brand, "sale": sale, "items": items, "skus": skus,
        "starts_local": timezone.localtime(sale.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_local": timezone.localtime(sale.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "totals": {"quantity": sum(i.quantity for i in items), "sold": sum(i.sold for i in items),
                   "left": sum(i.left for i in items), "orders": _orders_by_sale([sale.pk]).get(sale.pk, 0)},
    })


def _back(brand, sale) -> HttpResponse:
    return redirect("console:flashsale_sale", brand_slug=brand.slug, sale_id=sale.pk)


@brand_view
@require_POST
def sale_edit(request: HttpRequest, brand, sale_id: int) -> HttpResponse:
    sale = _sale(brand, sale_id)
    window = {}
    if sale.status == "draft":
        window = {"starts_at": _when(request.POST.get("starts_at", "")),
                  "ends_at": _when(request.POST.get("ends_at", ""))}
    try:
        services.update_sale(request.user, sale, title=request.POST.get("title", ""),
                             description=request.POST.get("description", ""), **window)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(brand, sale)
    messages.success(request, _("已保存"))
    return _back(brand, sale)


@brand_view
@require_POST
def sale_move(request: HttpRequest, brand, sale_id: int, action: str) -> HttpResponse:
    sale = _sale(brand, sale_id)
    if action not in ACTIONS:
        raise Http404
    try:
        ACTIONS[action](request.user, sale, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(brand, sale)
    messages.success(request, _("已更新活动状态"))
    return _back(brand, sale)


@brand_view
@require_POST
def item_add(request: HttpRequest, brand, sale_id: int) -> HttpResponse:
    sale = _sale(brand, sale_id)
    try:
        services.add_item(request.user, sale, sku_id=_int(request.POST.get("sku_id")),
                          flash_price=request.POST.get("flash_price", ""),
                          quantity=_int(request.POST.get("quantity"), -1),
                          per_user_limit=_int(request.POST.get("per_user_limit"), -1))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(brand, sale)
    messages.success(request, _("已添加商品"))
    return _back(brand, sale)


def _item(sale, item_id: int) -> FlashItem:
    return get_object_or_404(FlashItem.objects.select_related("sale", "sku"), pk=min(item_id, 2**63 - 1), sale=sale)


@brand_view
@require_POST
def item_edit(request: HttpRequest, brand, sale_id: int, item_id: int) -> HttpResponse:
    sale = _sale(brand, sale_id)
    item = _item(sale, item_id)
    try:
        services.update_item(request.user, item, flash_price=request.POST.get("flash_price") or None,
                             quantity=_int(request.POST.get("quantity"), -1) if request.POST.get("quantity") else None,
                             per_user_limit=_int(request.POST.get("per_user_limit"), -1)
                             if request.POST.get("per_user_limit") else None)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(brand, sale)
    messages.success(request, _("已保存"))
    return _back(brand, sale)


@brand_view
@require_POST
def item_remove(request: HttpRequest, brand, sale_id: int, item_id: int) -> HttpResponse:
    sale = _sale(brand, sale_id)
    try:
        services.remove_item(request.user, _item(sale, item_id))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back(brand, sale)
    messages.success(request, _("已移除商品"))
    return _back(brand, sale)
