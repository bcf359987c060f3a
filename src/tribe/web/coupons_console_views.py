"""Brand console of 优惠券: templates with redemption stats (computed from the coupon rows), create/edit,
start/pause/resume/end (tribe.campaigns.services.move) and pushing a coupon to a target set. Every write is one
service call through `submit`, so a refused write re-renders the page with the reason and stores nothing."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tribe.catalog.models import Category
from tribe.core.errors import DomainError
from tribe.coupons import selectors, services
from tribe.coupons.models import Benefit, CouponTemplate, Scope

from .console.base import brand_view, render_console, show_error, submit
from .console_forms import ConsoleForm

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
FLAGS = ("claimable", "stackable", "with_play_price", "exclusive", "return_on_refund")


def _when(label, required=True):
    return forms.DateTimeField(label=label, required=required, input_formats=DATETIME_FORMATS,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1},
                                                         format="%Y-%m-%dT%H:%M:%S"))


class TemplateForm(ConsoleForm):
    title = forms.CharField(label=_("名称"), max_length=80)
    description = forms.CharField(label=_("说明"), max_length=500, required=False)
    starts_at = _when(_("领取开始"))
    ends_at = _when(_("领取结束"))
    benefit = forms.ChoiceField(label=_("优惠方式"), choices=Benefit.choices)
    threshold = forms.CharField(label=_("门槛：适用商品满（元，0 为无门槛）"), initial="0", max_length=14)
    amount = forms.CharField(label=_("减免金额 / 一口价（元）"), initial="0", max_length=14, required=False)
    percent_off = forms.IntegerField(label=_("减免百分比（折扣券、第N件）"), min_value=0, max_value=100, initial=0)
    max_discount = forms.CharField(label=_("最高优惠（元，可空）"), max_length=14, required=False)
    nth = forms.IntegerField(label=_("第 N 件"), min_value=2, max_value=10, initial=2)
    scope = forms.ChoiceField(label=_("适用范围"), choices=Scope.choices)
    scope_store = forms.IntegerField(label=_("店铺编号"), required=False, min_value=1, max_value=2**63 - 1)
    scope_category = forms.ModelChoiceField(label=_("类目（含子类目）"), queryset=Category.objects.all(),
                                            required=False)
    scope_products = forms.CharField(label=_("商品编号（逗号分隔）"), required=False, max_length=2000)
    total_quantity = forms.IntegerField(label=_("发行总量（空为不限）"), required=False, min_value=1,
                                        max_value=10_000_000)
    per_user_limit = forms.IntegerField(label=_("每人限领"), min_value=1, max_value=100, initial=1)
    claimable = forms.BooleanField(label=_("公开领取"), required=False, initial=True)
    stackable = forms.BooleanField(label=_("可与其他券叠加"), required=False)
    with_play_price = forms.BooleanField(label=_("可与活动价同享"), required=False)
    exclusive = forms.BooleanField(label=_("独享"), required=False)
    return_on_refund = forms.BooleanField(label=_("全额退款后退券"), required=False, initial=True)
    priority = forms.IntegerField(label=_("优先级（大者先算）"), min_value=-100, max_value=100, initial=0)
    valid_days = forms.IntegerField(label=_("领取后有效天数（与固定时段二选一）"), required=False, min_value=1,
                                    max_value=3650)
    use_from = _when(_("使用开始"), required=False)
    use_until = _when(_("使用截止"), required=False)

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("threshold", "amount"):
            data[key] = data[key] or "0"
        data["max_discount"] = data["max_discount"] or None
        data["scope_category"] = data["scope_category"].pk if data["scope_category"] else None
        raw = data.pop("scope_products") or ""
        ids = [p for p in raw.replace("，", ",").split(",") if p.strip()]
        if data["scope"] == Scope.PRODUCTS:
            try:
                data["scope_products"] = [int(p) for p in ids]
            except ValueError:
                data["scope_products"] = None
        return data


class GrantForm(ConsoleForm):
    segment = forms.ChoiceField(label=_("发放对象"), choices=[
        ("followers", _("关注品牌的用户")), ("fans", _("粉丝社区成员")), ("buyers", _("近 N 天的购买者")),
        ("usernames", _("指定用户名单"))])
    days = forms.IntegerField(label=_("N 天（购买者）"), required=False, min_value=1, max_value=3650)
    usernames = forms.CharField(label=_("用户名（每行一个）"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                max_length=200_000)
    batch = forms.CharField(widget=forms.HiddenInput, max_length=40)


def _initial(t: CouponTemplate) -> dict:
    data = {name: getattr(t, name) for name in TemplateForm.base_fields
            if name not in ("scope_store", "scope_category", "scope_products")}
    data.update(scope_store=t.scope_store_id, scope_category=t.scope_category_id,
                scope_products=",".join(str(p.pk) for p in t.scope_products.all()))
    return data


@brand_view
def index(request: HttpRequest, brand) -> HttpResponse:
    qs = CouponTemplate.objects.filter(brand=brand)
    status = request.GET.get("status", "")
    if status in ("draft", "running", "paused", "ended"):
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    st = selectors.stats(list(page))
    rows = [{"t": t, **st[t.pk]} for t in page]
    return render_console(request, "console/coupons/index.html", brand,
                          {"page": page, "rows": rows, "status": status, "nav": "campaigns"})


def _form_page(request, brand, form, template=None, status=200, grant_form=None):
    context = {"form": form, "t": template, "nav": "campaigns"}
    if template is not None:
        context["stats"] = selectors.stats([template])[template.pk]
        context["grant_form"] = grant_form or GrantForm(initial={"segment": "followers",
                                                                 "batch": secrets.token_hex(8)})
    return render_console(request, "console/coupons/form.html", brand, context, status=status)


@brand_view
def create(request: HttpRequest, brand) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, brand, TemplateForm(initial={"claimable": True, "return_on_refund": True}))
    form = TemplateForm(request.POST)
    return submit(request, form, lambda d: services.create_template(request.user, brand, form.data_for_service()),
                  success_url=lambda t: reverse("console:coupons_edit", args=[brand.slug, t.pk]),
                  message=_("已创建（草稿）：点击“开始”后开放领取"),
                  failure=lambda status: _form_page(request, brand, form, status=status))


def _owned(brand, template_id: int) -> CouponTemplate:
    if template_id > 2**63 - 1:
        raise Http404
    return get_object_or_404(CouponTemplate.objects.prefetch_related("scope_products"), pk=template_id, brand=brand)


@brand_view
def edit(request: HttpRequest, brand, template_id: int) -> HttpResponse:
    t = _owned(brand, template_id)
    if request.method != "POST":
        return _form_page(request, brand, TemplateForm(initial=_initial(t)), t)
    form = TemplateForm(request.POST)
    return submit(request, form, lambda d: services.update_template(request.user, t, form.data_for_service()),
                  success_url=reverse("console:coupons_edit", args=[brand.slug, t.pk]), message=_("已保存"),
                  failure=lambda status: _form_page(request, brand, form, t, status=status))


@brand_view
@require_POST
def move(request: HttpRequest, brand, template_id: int, action: str) -> HttpResponse:
    t = _owned(brand, template_id)
    if action not in ("start", "pause", "resume", "end"):
        raise Http404
    try:
        services.move_template(request.user, t, action, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已更新状态"))
    return redirect(reverse("console:coupons_edit", args=[brand.slug, t.pk]))


@brand_view
@require_POST
def grant(request: HttpRequest, brand, template_id: int) -> HttpResponse:
    t = _owned(brand, template_id)
    form = GrantForm(request.POST)
    if not form.is_valid():
        return _form_page(request, brand, TemplateForm(initial=_initial(t)), t, status=422, grant_form=form)
    d = form.cleaned_data
    try:
        result = services.grant_segment(request.user, t, d["segment"], days=d["days"], usernames=d["usernames"],
                                        batch=d["batch"], request=request)
    except DomainError as exc:
        show_error(form, exc)
        return _form_page(request, brand, TemplateForm(initial=_initial(t)), t, status=exc.status, grant_form=form)
    messages.success(request, _("发放完成：对象 %(targets)s 人（仅含接收推广的用户），新发 %(granted)s 张，"
                                "此前已发 %(already)s，超出限领 %(limit)s，库存不足未发 %(out_of_stock)s。") % result)
    return redirect(reverse("console:coupons_edit", args=[brand.slug, t.pk]))
