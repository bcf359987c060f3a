"""Brand console: the promoter program's settings, applicants (approve / reject), promoters (freeze /
unfreeze / ban, invite) with their clicks and attributed orders computed. Every write is one service call."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tribe.brands.models import Brand
from tribe.core.errors import DomainError
from tribe.distribution import selectors, services
from tribe.distribution.models import Promoter, PromoterProgram

from .console.base import brand_view, submit
from .console_forms import ConsoleForm

PER_PAGE = 30
ACTION_MESSAGES = {
    "approve": _("已通过申请"), "reject": _("已拒绝申请"), "freeze": _("已冻结"), "unfreeze": _("已解冻"),
    "ban": _("已封禁"),
}


class ProgramForm(ConsoleForm):
    join_policy = forms.ChoiceField(label=_("加入方式"), choices=PromoterProgram.JoinPolicy.choices)
    binding = forms.ChoiceField(label=_("绑定规则"), choices=PromoterProgram.Binding.choices)
    window_days = forms.IntegerField(label=_("有效天数（N 天规则）"), min_value=1, max_value=services.MAX_WINDOW_DAYS)
    default_rate = forms.DecimalField(label=_("默认佣金比例（如 0.1 = 10%）"), min_value=0, max_digits=5,
                                      decimal_places=4)
    reward_kind = forms.ChoiceField(label=_("奖励形式"), choices=PromoterProgram.RewardKind.choices)
    max_promoters_per_line = forms.IntegerField(label=_("每件商品最多分佣人数（1 或 2，2 = 助攻 7:3 分成）"),
                                                min_value=1, max_value=99)
    min_withdrawal = forms.DecimalField(label=_("最低提现金额"), min_value=0, max_digits=12, decimal_places=2)
    rebate_coupon_id = forms.IntegerField(label=_("返券：优惠券编号（奖励形式为优惠券时，按面值发放本品牌的满减券）"),
                                          required=False, min_value=1)
    gift_sku_id = forms.IntegerField(label=_("赠品：SKU 编号（奖励形式为赠品时）"), required=False, min_value=1)
    gift_value = forms.DecimalField(label=_("赠品所需奖励金额"), required=False, min_value=0, max_digits=12,
                                    decimal_places=2)


class InviteForm(ConsoleForm):
    username = forms.CharField(label=_("邀请用户（用户名）"), max_length=150)


def _page(request, brand: Brand, form=None, invite_form=None, status: int = 200):
    program = services.program_of(brand)
    if form is None:
        form = ProgramForm(initial={k: getattr(program, k) for k in services.PROGRAM_FIELDS})
    state = request.GET.get("state", "")
    state = state if state in Promoter.State.values else ""
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and len(raw) < 6 else 1
    page = Paginator(selectors.promoters_with_counts(brand, state or None), PER_PAGE).get_page(number)
    context = {"brand": brand, "nav": "promoters", "form": form, "invite_form": invite_form or InviteForm(),
               "page": page, "state": state, "query": f"state={state}" if state else "",
               "states": Promoter.State.choices, "actions": services.TRANSITIONS}
    return render(request, "console/distribution/promoters.html", context, status=status)


@brand_view
def promoters(request, brand: Brand):
    if request.method != "POST":
        return _page(request, brand)
    form = ProgramForm(request.POST)
    return submit(request, form, lambda d: services.save_program(request.user, brand, **d),
                  success_url=reverse("console:promoters", args=[brand.slug]), message=_("推广计划已保存"),
                  failure=lambda status: _page(request, brand, form=form, status=status))


@require_POST
@brand_view
def invite(request, brand: Brand):
    form = InviteForm(request.POST)
    return submit(request, form, lambda d: services.invite(request.user, brand, d["username"]),
                  success_url=reverse("console:promoters", args=[brand.slug]), message=_("邀请已发出"),
                  failure=lambda status: _page(request, brand, invite_form=form, status=status))


@require_POST
@brand_view
def promoter_action(request, brand: Brand, promoter_id: int, action: str):
    try:
        services.decide(request.user, brand, promoter_id, action)
    except DomainError as error:
        messages.error(request, error.message)
        return _page(request, brand, status=error.status)
    messages.success(request, ACTION_MESSAGES[action])
    return redirect(reverse("console:promoters", args=[brand.slug]))
