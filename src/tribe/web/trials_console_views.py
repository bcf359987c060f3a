"""Brand console of 试用 trials: the list, create/edit, start/pause/resume/end, applicants (filter, tick to
select, a recorded random draw with core fans first, reject the rest) and the reports. Every write is one
service call, so a refused write shows the reason and stores nothing."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tribe.brands.models import Brand
from tribe.campaigns.services import move
from tribe.catalog.models import Sku
from tribe.core.errors import DomainError
from tribe.trials import selectors, services
from tribe.trials.models import MAX_REPORT_DAYS, MAX_UNITS, Trial, TrialApplication

from .console.base import brand_view, submit
from .console_forms import ConsoleForm

PER_PAGE = 50
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
MOVES = {"start": _("已开始"), "pause": _("已暂停"), "resume": _("已恢复"), "end": _("已结束")}


def _dt(label, required=True):
    return forms.DateTimeField(label=label, required=required, input_formats=DATETIME_FORMATS,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class TrialForm(ConsoleForm):
    title = forms.CharField(label=_("活动名称"), max_length=80)
    description = forms.CharField(label=_("活动说明"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    sku_id = forms.TypedChoiceField(label=_("试用商品（SKU）"), coerce=int)
    units = forms.IntegerField(label=_("试用份数"), min_value=1, max_value=MAX_UNITS)
    starts_at = _dt(_("申请开始时间"))
    ends_at = _dt(_("申请截止时间"))
    report_days = forms.IntegerField(label=_("收货后几天内提交报告"), min_value=1, max_value=MAX_REPORT_DAYS,
                                     required=False)
    report_deadline = _dt(_("或：统一的报告截止时间"), required=False)
    core_fans_first = forms.BooleanField(label=_("随机抽选时核心粉丝优先"), required=False, initial=True)
    fans_only = forms.BooleanField(label=_("仅粉丝社区成员可申请"), required=False)

    def __init__(self, *args, brand: Brand, **kwargs):
        super().__init__(*args, **kwargs)
        skus = (Sku.objects.filter(is_active=True, product__store__brand=brand).select_related("product")
                .order_by("product__name", "pk")[:500])
        self.fields["sku_id"].choices = [(s.pk, f"{s.product.name} {s.label} ¥{s.price}") for s in skus]


def _page(request, template, brand, context, status=200):
    return render(request, template, {"brand": brand, "nav": "campaigns", **context}, status=status)


def _trial(brand: Brand, trial_id: int) -> Trial:
    return get_object_or_404(selectors.brand_trials(brand).select_related("brand"), pk=min(trial_id, 2**63 - 1))


@brand_view
def trial_list(request, brand: Brand):
    return _page(request, "console/trials/list.html", brand, {"trials": selectors.brand_trials(brand)[:200]})


def _form_page(request, brand, form, trial=None, status=200):
    return _page(request, "console/trials/form.html", brand, {"form": form, "trial": trial}, status)


@brand_view
def trial_new(request, brand: Brand):
    if request.method != "POST":
        now = timezone.localtime()
        return _form_page(request, brand, TrialForm(brand=brand, initial={
            "units": 10, "report_days": 7, "core_fans_first": True, "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + timezone.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")}))
    form = TrialForm(request.POST, brand=brand)
    return submit(request, form, lambda d: services.save_trial(request.user, brand, **d),
                  success_url=lambda t: reverse("console:trial_applicants", args=[brand.slug, t.pk]),
                  message=_("试用活动已创建（草稿），开始后用户即可申请"),
                  failure=lambda status: _form_page(request, brand, form, None, status))


@brand_view
def trial_edit(request, brand: Brand, trial_id: int):
    trial = _trial(brand, trial_id)
    if request.method != "POST":
        initial = {name: getattr(trial, name) for name in TrialForm.base_fields}
        for name in ("starts_at", "ends_at", "report_deadline"):
            if initial[name]:
                initial[name] = timezone.localtime(initial[name]).strftime("%Y-%m-%dT%H:%M")
        return _form_page(request, brand, TrialForm(brand=brand, initial=initial), trial)
    form = TrialForm(request.POST, brand=brand)
    return submit(request, form, lambda d: services.save_trial(request.user, brand, trial=trial, **d),
                  success_url=reverse("console:trial_applicants", args=[brand.slug, trial.pk]),
                  message=_("试用活动已保存"), failure=lambda status: _form_page(request, brand, form, trial, status))


@brand_view
@require_POST
def trial_move(request, brand: Brand, trial_id: int, action: str):
    trial = _trial(brand, trial_id)
    try:
        move(request.user, trial, action, request=request)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, MOVES.get(action, action))
    return redirect("console:trial_applicants", brand.slug, trial.pk)


@brand_view
def applicants(request, brand: Brand, trial_id: int):
    trial = _trial(brand, trial_id)
    state = request.GET.get("state", "")
    state = state if state in TrialApplication.State.values else ""
    raw = request.GET.get("page", "1")
    page = Paginator(selectors.applicants(trial, state or None), PER_PAGE).get_page(
        int(raw) if raw.isdigit() and len(raw) < 6 else 1)
    rows = list(page.object_list)
    tiers = selectors.tiers_of(trial, [a.user_id for a in rows])
    for a in rows:
        a.tier = tiers.get(a.user_id)
    return _page(request, "console/trials/applicants.html", brand, {
        "trial": trial, "page": page, "rows": rows, "state": state, "query": f"state={state}" if state else "",
        "states": TrialApplication.State.choices,
        "draws": trial.draws.select_related("actor")[:10]})


def _ids(request) -> list[int]:
    return [int(v) for v in request.POST.getlist("ids") if v.isdigit() and len(v) < 19]


@brand_view
@require_POST
def select(request, brand: Brand, trial_id: int):
    trial = _trial(brand, trial_id)
    try:
        if request.POST.get("random"):
            raw = request.POST["random"]
            n = int(raw) if raw.isdigit() and len(raw) < 7 else -1
            draw = services.select_random(request.user, trial, n, request=request)
            messages.success(request, _("随机抽选完成：%(n)s 人入选（抽签记录 #%(d)s）") % {"n": len(draw.picked),
                                                                                   "d": draw.pk})
        else:
            chosen = services.select(request.user, trial, _ids(request), request=request)
            messages.success(request, _("已选中 %(n)s 人，0 元试用订单已生成待发货") % {"n": len(chosen)})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("console:trial_applicants", brand.slug, trial.pk)


@brand_view
@require_POST
def reject_rest(request, brand: Brand, trial_id: int):
    trial = _trial(brand, trial_id)
    try:
        n = services.reject(request.user, trial, _ids(request) or None, request=request)
        messages.success(request, _("%(n)s 位申请人标记为未入选") % {"n": n})
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("console:trial_applicants", brand.slug, trial.pk)


@brand_view
def reports(request, brand: Brand, trial_id: int):
    trial = _trial(brand, trial_id)
    return _page(request, "console/trials/reports.html", brand,
                 {"trial": trial, "rows": selectors.reports(trial)[:200]})
