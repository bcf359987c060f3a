"""Console of 抽奖: list, create, edit (with prizes, restock, start/pause/resume/end), audit with CSV export."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribe.core.errors import DomainError
from tribe.lottery import odds, selectors, services
from tribe.lottery.models import Lottery, Prize

from .console.base import brand_view, render_console, submit
from .console_forms import ConsoleForm

LOCAL_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class LotteryForm(ConsoleForm):
    title = forms.CharField(label=gettext_lazy("活动名称"), required=False, max_length=200)
    description = forms.CharField(label=gettext_lazy("活动说明"), required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = forms.DateTimeField(label=gettext_lazy("开始时间"), required=False, widget=LOCAL_INPUT)
    ends_at = forms.DateTimeField(label=gettext_lazy("结束时间"), required=False, widget=LOCAL_INPUT)
    odds_mode = forms.ChoiceField(label=gettext_lazy("概率方式"), choices=Lottery.Odds.choices)
    points_cost = forms.IntegerField(label=gettext_lazy("每次消耗积分（0 = 不支持积分抽奖）"), min_value=0, initial=0)
    order_min_amount = forms.CharField(label=gettext_lazy("订单实付满多少元送机会（留空 = 不送）"), required=False,
                                       max_length=20)
    chances_per_order = forms.IntegerField(label=gettext_lazy("每单送几次"), min_value=1, initial=1)
    share_enabled = forms.BooleanField(label=gettext_lazy("分享得机会（每天一次）"), required=False)
    daily_limit = forms.IntegerField(label=gettext_lazy("每人每天最多抽（0 = 不限）"), min_value=0, initial=0)
    total_limit = forms.IntegerField(label=gettext_lazy("每人累计最多抽（0 = 不限）"), min_value=0, initial=0)
    claim_days = forms.IntegerField(label=gettext_lazy("实物奖品领取期限（天）"), min_value=1, initial=7)


class PrizeForm(ConsoleForm):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=Prize.Kind.choices)
    name = forms.CharField(label=gettext_lazy("奖品名称"), required=False, max_length=200)
    weight = forms.IntegerField(label=gettext_lazy("权重 / 千分比"), min_value=1)
    stock = forms.IntegerField(label=gettext_lazy("数量（谢谢参与不填）"), min_value=0, required=False)
    points = forms.IntegerField(label=gettext_lazy("积分数（积分奖品）"), min_value=0, required=False)
    coupon_template_id = forms.IntegerField(label=gettext_lazy("优惠券模板 ID（优惠券奖品）"), min_value=1,
                                            required=False)
    sku_id = forms.IntegerField(label=gettext_lazy("SKU ID（实物奖品）"), min_value=1, required=False)


def _lottery(brand, pk: int) -> Lottery:
    lottery = Lottery.objects.filter(pk=min(pk, 2**63 - 1), brand=brand).first()
    if lottery is None:
        raise Http404
    return lottery


def _initial(lottery: Lottery) -> dict:
    data = {f: getattr(lottery, f) for f in services.LOTTERY_FIELDS}
    data["order_min_amount"] = "" if lottery.order_min_amount is None else str(lottery.order_min_amount)
    return data


def _lottery_data(cleaned: dict) -> dict:
    return {k: v for k, v in cleaned.items() if k in services.LOTTERY_FIELDS}


def _prize_data(cleaned: dict) -> dict:
    return {k: v for k, v in cleaned.items() if v is not None}


@brand_view
@require_GET
def lottery_list(request: HttpRequest, brand) -> HttpResponse:
    qs = Lottery.objects.filter(brand=brand).prefetch_related("prizes")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render_console(request, "console/lottery/list.html", brand, {"page": page})


@brand_view
@require_http_methods(["GET", "POST"])
def lottery_new(request: HttpRequest, brand) -> HttpResponse:
    form = LotteryForm(request.POST or None)

    def failure(status):
        return render_console(request, "console/lottery/new.html", brand, {"form": form}, status=status)

    if request.method == "GET":
        return failure(200)
    return submit(request, form, lambda data: services.create_lottery(request.user, brand, **_lottery_data(data)),
                  success_url=lambda lottery: reverse("console:lottery_edit", args=[brand.slug, lottery.pk]),
                  message=_("抽奖已创建（草稿）：添加奖品后开始"), failure=failure)


def _edit_page(request, brand, lottery, form=None, prize_form=None, status=200):
    lottery.refresh_from_db()
    prizes = list(lottery.prizes.select_related("sku"))
    return render_console(request, "console/lottery/edit.html", brand, {
        "lottery": lottery, "form": form or LotteryForm(initial=_initial(lottery)),
        "prize_form": prize_form or PrizeForm(initial={"kind": "goods", "weight": 1}), "prizes": prizes,
        "odds": odds.published(lottery, prizes), "total": odds.odds_total(lottery, prizes),
        "public_url": reverse("web:lottery", args=[lottery.pk])}, status=status)


@brand_view
@require_http_methods(["GET", "POST"])
def lottery_edit(request: HttpRequest, brand, pk: int) -> HttpResponse:
    lottery = _lottery(brand, pk)
    if request.method == "GET":
        return _edit_page(request, brand, lottery)
    form = LotteryForm(request.POST)
    return submit(request, form, lambda data: services.update_lottery(request.user, lottery, **_lottery_data(data)),
                  success_url=reverse("console:lottery_edit", args=[brand.slug, lottery.pk]), message=_("已保存"),
                  failure=lambda status: _edit_page(request, brand, lottery, form=form, status=status))


@brand_view
@require_POST
def lottery_prize_add(request: HttpRequest, brand, pk: int) -> HttpResponse:
    lottery = _lottery(brand, pk)
    form = PrizeForm(request.POST)
    return submit(request, form, lambda data: services.add_prize(request.user, lottery, **_prize_data(data)),
                  success_url=reverse("console:lottery_edit", args=[brand.slug, lottery.pk]), message=_("奖品已添加"),
                  failure=lambda status: _edit_page(request, brand, lottery, prize_form=form, status=status))


def _prize(lottery: Lottery, prize_id: int) -> Prize:
    prize = Prize.objects.select_related("lottery").filter(pk=min(prize_id, 2**63 - 1), lottery=lottery).first()
    if prize is None:
        raise Http404
    return prize


@brand_view
@require_POST
def lottery_prize_delete(request: HttpRequest, brand, pk: int, prize_id: int) -> HttpResponse:
    lottery = _lottery(brand, pk)
    try:
        services.delete_prize(request.user, _prize(lottery, prize_id))
        messages.success(request, _("奖品已删除"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("console:lottery_edit", args=[brand.slug, lottery.pk]))


@brand_view
@require_POST
def lottery_prize_restock(request: HttpRequest, brand, pk: int, prize_id: int) -> HttpResponse:
    lottery = _lottery(brand, pk)
    try:
        services.restock(request.user, _prize(lottery, prize_id), request.POST.get("quantity", ""))
        messages.success(request, _("已补充库存"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("console:lottery_edit", args=[brand.slug, lottery.pk]))


@brand_view
@require_POST
def lottery_move(request: HttpRequest, brand, pk: int, action: str) -> HttpResponse:
    lottery = _lottery(brand, pk)
    if action not in ("start", "pause", "resume", "end"):
        raise Http404
    try:
        services.move(request.user, lottery, action, request=request)
        messages.success(request, _("活动状态已更新"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("console:lottery_edit", args=[brand.slug, lottery.pk]))


@brand_view
@require_GET
def lottery_audit(request: HttpRequest, brand, pk: int) -> HttpResponse:
    lottery = _lottery(brand, pk)
    page = Paginator(selectors.audit_rows(lottery), 50).get_page(request.GET.get("page"))
    return render_console(request, "console/lottery/audit.html", brand, {
        "lottery": lottery, "audit": selectors.audit(lottery), "page": page})


class _Echo:
    def write(self, value):
        return value


@brand_view
@require_GET
def lottery_audit_csv(request: HttpRequest, brand, pk: int) -> StreamingHttpResponse:
    """Every draw as CSV, streamed in id order (iterator: memory stays flat for a big lottery)."""
    lottery = _lottery(brand, pk)
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # so Excel opens the Chinese text as UTF-8
        yield writer.writerow(selectors.CSV_HEADER)
        for d in selectors.audit_rows(lottery).iterator(chunk_size=2000):
            yield writer.writerow(selectors.csv_row(d))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lottery-{lottery.pk}-draws.csv"'
    return response

