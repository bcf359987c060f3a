"""Console of 砍价: list and create campaigns; per campaign edit, start/pause/resume/end, and its figures —
bargains started, reached, bought, paid, helps, conversion — with the bargains and the latest helps."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tribe.bargain import selectors, services
from tribe.bargain.models import Bargain, BargainCampaign, BargainHelp
from tribe.catalog.models import Sku
from tribe.core.errors import DomainError

from .console.base import brand_view, render_console, submit
from .console_forms import ConsoleForm

MAX_ID = 2**63 - 1
ACTIONS = ("start", "pause", "resume", "end")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _text(label, **attrs):
    return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs=attrs))


class CampaignForm(ConsoleForm):
    """Parses what the browser sends; every rule (floor below price, a fen per help, limits) is the service's."""

    title = _text(gettext_lazy("活动名称"), maxlength=80, required="required")
    description = forms.CharField(label=gettext_lazy("活动说明"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500}))
    sku = forms.ChoiceField(label=gettext_lazy("商品 SKU"))
    floor_price = _text(gettext_lazy("底价（元）"), inputmode="decimal")
    helps_needed = _text(gettext_lazy("需要好友助力次数"), inputmode="numeric")
    hours = _text(gettext_lazy("每次砍价时限（小时）"), inputmode="numeric")
    buy_rule = forms.ChoiceField(label=gettext_lazy("购买规则"), choices=BargainCampaign.BuyRule.choices)
    new_user_weight = _text(gettext_lazy("新用户助力权重（1.00 为不加权）"), inputmode="decimal")
    new_user_days = _text(gettext_lazy("新用户：注册天数内（0 为不按注册时间）"), inputmode="numeric")
    new_user_no_order = forms.BooleanField(label=gettext_lazy("从未付款下单的用户也算新用户"), required=False)
    per_user_limit = _text(gettext_lazy("每人可发起次数"), inputmode="numeric")
    helper_daily_limit = _text(gettext_lazy("每人每天可助力次数"), inputmode="numeric")
    stock = _text(gettext_lazy("可发起砍价总数（留空不限）"), inputmode="numeric")
    starts_at = forms.DateTimeField(label=gettext_lazy("开始时间"), widget=DATETIME, required=False)
    ends_at = forms.DateTimeField(label=gettext_lazy("结束时间"), widget=DATETIME, required=False)
    service_fields = {"sku_id": "sku"}

    def __init__(self, *args, brand, **kwargs):
        super().__init__(*args, **kwargs)
        skus = (Sku.objects.filter(Q(product__store__brand=brand) | Q(product__brand=brand), is_active=True)
                .select_related("product").order_by("product_id", "id")[:500])
        self.fields["sku"].choices = [(str(s.pk), f"{s.product.name} {s.label} · ¥{s.price}") for s in skus]

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        data["sku_id"] = data.pop("sku")
        return data


def _initial(campaign: BargainCampaign | None) -> dict:
    if campaign is None:
        now = timezone.localtime().replace(second=0, microsecond=0)
        return {"hours": 24, "helps_needed": 5, "buy_rule": "floor", "new_user_weight": "1.50", "new_user_days": 7,
                "new_user_no_order": True, "per_user_limit": 1, "helper_daily_limit": 5,
                "starts_at": now, "ends_at": now + timedelta(days=7)}
    fields = ["title", "description", "floor_price", "helps_needed", "hours", "buy_rule", "new_user_weight",
              "new_user_days", "new_user_no_order", "per_user_limit", "helper_daily_limit", "stock"]
    data = {f: getattr(campaign, f) for f in fields}
    data.update(sku=str(campaign.sku_id), starts_at=timezone.localtime(campaign.starts_at),
                ends_at=timezone.localtime(campaign.ends_at))
    return data


def _campaign_or_404(brand, campaign_id: int) -> BargainCampaign:
    campaign = (selectors.campaign_queryset().filter(brand=brand, pk=campaign_id).first()
                if 1 <= campaign_id <= MAX_ID else None)
    if campaign is None:
        raise Http404
    return campaign


@brand_view
@require_http_methods(["GET", "POST"])
def campaigns(request: HttpRequest, brand) -> HttpResponse:
    form = CampaignForm(request.POST or None, brand=brand, initial=_initial(None))
    page = Paginator(selectors.campaign_queryset().filter(brand=brand), 20).get_page(request.GET.get("page"))

    def failure(status):
        return render_console(request, "console/bargain/campaigns.html", brand,
                              {"form": form, "page": page}, status=status)

    if request.method == "GET":
        return failure(200)
    return submit(request, form,
                  lambda data: services.save_campaign(request.user, brand, form.data_for_service(), request=request),
                  success_url=lambda c: reverse("console:bargain_edit", args=[brand.slug, c.pk]),
                  message=_("砍价活动已创建（草稿），确认后点击“开始”"), failure=failure)


@brand_view
@require_http_methods(["GET", "POST"])
def campaign(request: HttpRequest, brand, campaign_id: int) -> HttpResponse:
    campaign = _campaign_or_404(brand, campaign_id)
    form = CampaignForm(request.POST or None, brand=brand, initial=_initial(campaign))

    def failure(status):
        bargains = Paginator(Bargain.objects.filter(campaign=campaign).select_related("initiator", "order"), 30)
        helps = (BargainHelp.objects.filter(bargain__campaign=campaign).select_related("helper", "bargain")
                 .order_by("-id")[:30])
        return render_console(request, "console/bargain/campaign.html", brand, {
            "campaign": campaign, "form": form, "stats": selectors.campaign_stats(campaign),
            "bargains": bargains.get_page(request.GET.get("page")), "helps": helps,
            "actions": [a for a in ACTIONS if _allowed(campaign.status, a)],
            "public_url": reverse("web:bargain_campaign", args=[campaign.pk]),
        }, status=status)

    if request.method == "GET":
        return failure(200)
    return submit(request, form,
                  lambda data: services.save_campaign(request.user, brand, form.data_for_service(), campaign=campaign,
                                                      request=request),
                  success_url=reverse("console:bargain_edit", args=[brand.slug, campaign.pk]),
                  message=_("已保存"), failure=failure)


def _allowed(status: str, action: str) -> bool:
    from tribe.campaigns.services import MOVES

    return status in MOVES[action][0]


@brand_view
@require_POST
def move(request: HttpRequest, brand, campaign_id: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    campaign = _campaign_or_404(brand, campaign_id)
    try:
        services.move_campaign(request.user, campaign, action, request=request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("活动状态已更新"))
    return redirect(reverse("console:bargain_edit", args=[brand.slug, campaign.pk]))
