"""Brand console of 拼团: list / create / edit / start / pause / end campaigns; per campaign its groups with
state and members, and the completion rate (computed from the groups). Every write is one service call."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tribe.brands.models import Brand
from tribe.catalog.models import Product, Sku
from tribe.core.errors import DomainError
from tribe.groupbuy import selectors, services
from tribe.groupbuy.models import GroupBuy, GroupBuySku, GroupMember

from .console.base import brand_view, render_console, submit
from .console_forms import ConsoleForm

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
MAX_ID = 2**63 - 1


def _when(label):
    return forms.DateTimeField(label=label, input_formats=DATETIME_FORMATS,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


class DealForm(ConsoleForm):
    title = forms.CharField(label=_("活动名称"), max_length=80)
    description = forms.CharField(label=_("活动说明"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = _when(_("开始时间"))
    ends_at = _when(_("结束时间"))
    group_size = forms.IntegerField(label=_("成团人数"), min_value=2, max_value=50, initial=2)
    hours = forms.IntegerField(label=_("成团时限（小时）"), min_value=1, max_value=720, initial=24)
    per_user_limit = forms.IntegerField(label=_("每人限拼（份）"), min_value=1, max_value=99, initial=1)


class NewDealForm(DealForm):
    product_id = forms.ChoiceField(label=_("商品"))
    price = forms.CharField(label=_("拼团价（所有规格）"), max_length=14)
    leader_price = forms.CharField(label=_("团长价（可选，不高于拼团价）"), max_length=14, required=False)
    service_fields = {"skus": "price"}

    def field_for(self, service_field: str) -> str | None:
        # one price for every SKU here: a SKU's price error (price_<id> / leader_<id>) belongs on that input
        if service_field.startswith("price_"):
            return "price"
        if service_field.startswith("leader_"):
            return "leader_price"
        return super().field_for(service_field)

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product_id"].choices = [(str(p.pk), f"#{p.pk} {p.name}") for p in products]


class EditDealForm(DealForm):
    """The deal's fields plus, per active SKU of the product, price_<id> and leader_<id> (empty = not offered)."""

    def __init__(self, *args, skus=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.skus = list(skus)
        for sku in self.skus:
            self.fields[f"price_{sku.pk}"] = forms.CharField(
                label=_("%(sku)s 拼团价（原价 ¥%(p)s，留空不参加）") % {"sku": sku.label or sku.code, "p": sku.price},
                max_length=14, required=False)
            self.fields[f"leader_{sku.pk}"] = forms.CharField(label=_("%(sku)s 团长价（可选）") % {
                "sku": sku.label or sku.code}, max_length=14, required=False)

    def prices(self) -> dict:
        return {s.pk: (self.cleaned_data[f"price_{s.pk}"], self.cleaned_data[f"leader_{s.pk}"]) for s in self.skus
                if self.cleaned_data.get(f"price_{s.pk}")}


def _products(brand: Brand):
    return list(Product.objects.filter(Q(store__brand=brand) | Q(brand=brand), published=True).order_by("-id")[:200])


def _deal(brand: Brand, deal_id: int) -> GroupBuy:
    return get_object_or_404(GroupBuy.objects.select_related("product"), pk=min(deal_id, MAX_ID), brand=brand)


@brand_view
def deal_list(request: HttpRequest, brand: Brand) -> HttpResponse:
    deals = list(GroupBuy.objects.filter(brand=brand).select_related("product")[:100])
    rows = [{"deal": d, "stats": selectors.deal_stats(d)} for d in deals]
    return render_console(request, "console/groupbuy/list.html", brand, {"rows": rows, "nav": "groupbuy"})


def _new_page(request, brand, form, status=200):
    return render_console(request, "console/groupbuy/new.html", brand, {"form": form, "nav": "groupbuy"},
                          status=status)


@brand_view
def deal_new(request: HttpRequest, brand: Brand) -> HttpResponse:
    products = _products(brand)
    if request.method != "POST":
        return _new_page(request, brand, NewDealForm(products=products))
    form = NewDealForm(request.POST, products=products)
    return submit(request, form, lambda d: services.create_deal(request.user, brand, d),
                  success_url=lambda deal: reverse("console:groupbuy_detail", args=[brand.slug, deal.pk]),
                  message=_("拼团活动已创建（草稿），确认价格后点击“开始”"),
                  failure=lambda status: _new_page(request, brand, form, status))


def _detail_page(request, brand, deal, form=None, status=200):
    skus = list(Sku.objects.filter(product=deal.product, is_active=True).order_by("id"))
    if form is None:
        prices = {s.sku_id: s for s in GroupBuySku.objects.filter(deal=deal)}
        initial = {k: getattr(deal, k) for k in DealForm.base_fields}
        for sku in skus:
            row = prices.get(sku.pk)
            initial[f"price_{sku.pk}"] = row.price if row else ""
            initial[f"leader_{sku.pk}"] = row.leader_price if row and row.leader_price is not None else ""
        form = EditDealForm(initial=initial, skus=skus)
    members = Prefetch("members", queryset=GroupMember.objects.select_related("user", "order").order_by("id"))
    groups = selectors.groups_with_counts(deal)
    by_id = {g.pk: g for g in deal.groups.filter(pk__in=[g.pk for g in groups]).prefetch_related(members)}
    rows = [{"group": g, "members": list(by_id[g.pk].members.all())} for g in groups]
    return render_console(request, "console/groupbuy/detail.html", brand, {
        "deal": deal, "form": form, "rows": rows, "stats": selectors.deal_stats(deal), "nav": "groupbuy",
        "public_url": reverse("web:groupbuy", args=[deal.pk])}, status=status)


@brand_view
def deal_detail(request: HttpRequest, brand: Brand, deal_id: int) -> HttpResponse:
    deal = _deal(brand, deal_id)
    if request.method != "POST":
        return _detail_page(request, brand, deal)
    skus = list(Sku.objects.filter(product=deal.product, is_active=True).order_by("id"))
    form = EditDealForm(request.POST, skus=skus)

    def save(d):
        return services.update_deal(request.user, deal, {**d, "prices": form.prices()})

    return submit(request, form, save, success_url=reverse("console:groupbuy_detail", args=[brand.slug, deal.pk]),
                  message=_("已保存"), failure=lambda status: _detail_page(request, brand, deal, form, status))


@brand_view
@require_POST
def deal_move(request: HttpRequest, brand: Brand, deal_id: int, action: str) -> HttpResponse:
    deal = _deal(brand, deal_id)
    target = reverse("console:groupbuy_detail", args=[brand.slug, deal.pk])
    try:
        services.move_deal(request.user, deal, action, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(target)
    messages.success(request, {"start": _("活动已开始"), "pause": _("活动已暂停"), "resume": _("活动已恢复"),
                               "end": _("活动已结束，未成团的团已自动退款")}.get(action, _("已处理")))
    return redirect(target)
