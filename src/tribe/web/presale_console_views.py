"""Brand console of 预售: list with purchases by state, create/edit, start/pause/resume/end, and one presale's
purchases filtered by state. Every write is one service call through `submit` (a refusal stores nothing)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tribe.catalog.models import Sku
from tribe.core.errors import DomainError
from tribe.presale import selectors, services
from tribe.presale.models import Presale, PresaleOrder

from .console.base import brand_view, render_console, submit
from .console_forms import ConsoleForm

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
PER_PAGE = 30


def _dt(label):
    return forms.DateTimeField(label=label, input_formats=DATETIME_FORMATS,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class PresaleForm(ConsoleForm):
    title = forms.CharField(label=_("活动名称"), max_length=80)
    description = forms.CharField(label=_("活动说明"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    sku_id = forms.TypedChoiceField(label=_("预售 SKU"), coerce=int)
    price = forms.CharField(label=_("预售价（元）"), max_length=14)
    deposit = forms.CharField(label=_("定金（元/件）"), max_length=14)
    deposit_value = forms.CharField(label=_("定金抵扣（元/件，定金膨胀，≥ 定金）"), max_length=14)
    starts_at = _dt(_("定金开始"))
    ends_at = _dt(_("定金截止"))
    balance_starts_at = _dt(_("尾款开始"))
    balance_ends_at = _dt(_("尾款截止"))
    ship_date = forms.DateField(label=_("发货日期"), widget=forms.DateInput(attrs={"type": "date"}))
    refund_rule = forms.ChoiceField(label=_("定金规则（页面显著展示）"), choices=Presale.RefundRule.choices)
    quantity_cap = forms.IntegerField(label=_("预售总量"), min_value=1, max_value=100000)
    per_user_limit = forms.IntegerField(label=_("每人限购"), min_value=1, max_value=100000, initial=5)

    def __init__(self, *args, brand=None, **kwargs):
        super().__init__(*args, **kwargs)
        skus = Sku.objects.filter(product__store__brand=brand).select_related("product").order_by("product_id", "pk")
        self.fields["sku_id"].choices = [(s.pk, f"{s.product.name} {s.label} ¥{s.price}") for s in skus[:500]]


def _initial(p: Presale) -> dict:
    return {f: getattr(p, f) for f in services.EDITABLE}


@brand_view
def presale_list(request, brand):
    rows = list(Presale.objects.filter(brand=brand).select_related("sku__product")[:200])
    counts = selectors.state_counts([p.pk for p in rows])
    items = [{"p": p, "counts": counts.get(p.pk, {})} for p in rows]
    return render_console(request, "console/presale/list.html", brand,
                          {"items": items, "states": PresaleOrder.State.choices})


@brand_view
def presale_new(request, brand):
    form = PresaleForm(request.POST or None, brand=brand)

    def failure(status):
        return render_console(request, "console/presale/form.html", brand, {"form": form}, status=status)

    if request.method != "POST":
        return failure(200)
    return submit(request, form, lambda data: services.create_presale(request.user, brand, data, request=request),
                  success_url=lambda p: reverse("console:presale_detail", args=[brand.slug, p.pk]),
                  message=_("预售已创建（草稿），开始后买家可以支付定金"), failure=failure)


@brand_view
def presale_edit(request, brand, pk: int):
    presale = get_object_or_404(Presale, pk=pk, brand=brand)
    form = PresaleForm(request.POST or None, brand=brand, initial=_initial(presale))

    def failure(status):
        return render_console(request, "console/presale/form.html", brand, {"form": form, "presale": presale},
                              status=status)

    if request.method != "POST":
        return failure(200)
    return submit(request, form, lambda data: services.update_presale(request.user, presale, data),
                  success_url=reverse("console:presale_detail", args=[brand.slug, presale.pk]),
                  message=_("已保存"), failure=failure)


@brand_view
def presale_detail(request, brand, pk: int):
    presale = get_object_or_404(Presale.objects.select_related("sku__product"), pk=pk, brand=brand)
    state = request.GET.get("state") or ""
    qs = PresaleOrder.objects.filter(presale=presale).select_related("user", "deposit_order", "balance_order")
    if state in PresaleOrder.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render_console(request, "console/presale/detail.html", brand, {
        "presale": presale, "page": page, "state": state, "states": PresaleOrder.State.choices,
        "query": f"state={state}" if state in PresaleOrder.State.values else "",
        "counts": selectors.state_counts([presale.pk])[presale.pk]})


@brand_view
@require_POST
def presale_move(request, brand, pk: int, action: str):
    presale = get_object_or_404(Presale, pk=pk, brand=brand)
    try:
        services.move_presale(request.user, presale, action, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已更新活动状态"))
    return redirect("console:presale_detail", brand.slug, presale.pk)
