"""Brand console: the fan community's settings, members with computed points and tiers, polls with their
results, and early access for new products. Every view passes the brand gate (brand_view); every write is
one service call through `submit`, so a refused write re-renders the page with the reason and stores nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tribe.brands.models import Brand
from tribe.catalog.models import Product
from tribe.core.errors import DomainError, ValidationFailed
from tribe.fans import selectors, services
from tribe.fans.models import MAX_POINTS_PER_ACTION, MAX_THRESHOLD, EarlyAccess, FanCommunity, Poll

from .console.base import brand_view, forbidden, submit
from .console_forms import ConsoleForm

MEMBERS_PER_PAGE = 30
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _points(label, initial):
    return forms.IntegerField(label=label, min_value=0, max_value=MAX_POINTS_PER_ACTION, initial=initial)


class SettingsForm(ConsoleForm):
    name = forms.CharField(label=_("社区名称"), max_length=60)
    intro = forms.CharField(label=_("社区介绍"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    active_threshold = forms.IntegerField(label=_("活跃粉丝门槛（积分）"), min_value=1, max_value=MAX_THRESHOLD,
                                          initial=50)
    core_threshold = forms.IntegerField(label=_("核心粉丝门槛（积分）"), min_value=1, max_value=MAX_THRESHOLD,
                                        initial=200)
    points_post = _points(_("每篇晒图（标记本品牌商品）积分"), 5)
    points_review = _points(_("每条口碑评价积分"), 10)
    points_answer = _points(_("每个回答积分"), 5)
    points_purchase = _points(_("每笔已支付订单积分"), 20)


class PollForm(ConsoleForm):
    question = forms.CharField(label=_("问题"), max_length=200)
    options = forms.CharField(label=_("选项（每行一个，2–10 个）"), widget=forms.Textarea(attrs={"rows": 5}))
    multiple = forms.BooleanField(label=_("可多选"), required=False)
    core_only = forms.BooleanField(label=_("仅核心粉丝可投"), required=False, initial=True)
    closes_at = forms.DateTimeField(label=_("截止时间（可选）"), required=False, input_formats=DATETIME_FORMATS,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class EarlyAccessForm(ConsoleForm):
    product = forms.IntegerField(label=_("商品编号"), min_value=1, max_value=2**63 - 1)
    public_at = forms.DateTimeField(label=_("公开发售时间"), input_formats=DATETIME_FORMATS,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def _render(request, template: str, brand: Brand, context: dict, status: int = 200):
    return render(request, template, {"brand": brand, "nav": "fans", **context}, status=status)


def _community(brand: Brand) -> FanCommunity | None:
    return FanCommunity.objects.filter(brand=brand).first()


def _settings_page(request, brand: Brand, community, form=None, status: int = 200):
    if form is None:
        initial = {k: getattr(community, k) for k in SettingsForm.base_fields} if community else {
            "name": _("%(brand)s 粉丝社区") % {"brand": brand.name}}
        form = SettingsForm(initial=initial)
    context = {"community": community, "form": form,
               "member_count": selectors.member_count(community) if community else 0}
    return _render(request, "console/fans/settings.html", brand, context, status)


@brand_view
def settings(request, brand: Brand):
    community = _community(brand)
    if request.method != "POST":
        return _settings_page(request, brand, community)
    form = SettingsForm(request.POST)
    return submit(request, form, lambda d: services.save_community(request.user, brand, **d),
                  success_url=reverse("console:fans", args=[brand.slug]), message=_("粉丝社区设置已保存"),
                  failure=lambda status: _settings_page(request, brand, community, form, status))


def _require_community(request, brand: Brand):
    community = _community(brand)
    if community is None:
        messages.info(request, _("请先开通粉丝社区"))
    return community


@brand_view
def members(request, brand: Brand):
    community = _require_community(request, brand)
    if community is None:
        return redirect("console:fans", brand.slug)
    qs = selectors.members_with_points(community).order_by("-points", "joined_at", "id")
    raw = request.GET.get("page", "1")
    number = int(raw) if raw.isdigit() and len(raw) < 6 else 1
    page = Paginator(qs, MEMBERS_PER_PAGE).get_page(number)
    return _render(request, "console/fans/members.html", brand, {"community": community, "page": page})


def _polls_page(request, brand: Brand, community, form=None, status: int = 200):
    polls = selectors.polls_of(community)[:100]
    return _render(request, "console/fans/polls.html", brand,
                   {"community": community, "polls": polls, "form": form or PollForm()}, status)


def _create_poll(user, community, d):
    options = [line.strip() for line in d["options"].splitlines() if line.strip()]
    return services.create_poll(user, community, question=d["question"], options=options,
                                multiple=d["multiple"], core_only=d["core_only"], closes_at=d["closes_at"])


@brand_view
def polls(request, brand: Brand):
    community = _require_community(request, brand)
    if community is None:
        return redirect("console:fans", brand.slug)
    if request.method != "POST":
        return _polls_page(request, brand, community)
    form = PollForm(request.POST)
    return submit(request, form, lambda d: _create_poll(request.user, community, d),
                  success_url=lambda poll: reverse("console:fans_poll", args=[brand.slug, poll.pk]),
                  message=_("投票已发布"),
                  failure=lambda status: _polls_page(request, brand, community, form, status))


def _poll_of(brand: Brand, poll_id: int) -> Poll:
    return get_object_or_404(Poll.objects.select_related("community__brand"), pk=min(poll_id, 2**63 - 1),
                             community__brand=brand)


@brand_view
def poll(request, brand: Brand, poll_id: int):
    the_poll = _poll_of(brand, poll_id)
    return _render(request, "console/fans/poll.html", brand,
                   {"poll": the_poll, "results": selectors.poll_results(the_poll)})


@brand_view
@require_POST
def poll_close(request, brand: Brand, poll_id: int):
    the_poll = _poll_of(brand, poll_id)
    try:
        services.close_poll(request.user, the_poll)
    except DomainError as error:
        return forbidden(request, error.message)
    messages.success(request, _("投票已关闭"))
    return redirect("console:fans_poll", brand.slug, the_poll.pk)


def _brand_products(brand: Brand):
    return Product.objects.filter(Q(brand=brand) | Q(brand__parent=brand))


def _early_page(request, brand: Brand, form=None, status: int = 200):
    rows = (EarlyAccess.objects.filter(product__in=_brand_products(brand)).select_related("product")
            .order_by("-public_at", "-id")[:200])
    products = _brand_products(brand).exclude(early_access__isnull=False).order_by("-created_at", "-id")[:100]
    return _render(request, "console/fans/early_access.html", brand, {
        "rows": rows, "products": products, "form": form or EarlyAccessForm(), "now": timezone.now(),
        "has_community": FanCommunity.objects.filter(brand_id__in=[brand.pk, brand.parent_id or 0]).exists(),
    }, status)


def _set_early(user, brand: Brand, d):
    product = _brand_products(brand).select_related("brand").filter(pk=d["product"]).first()
    if product is None:
        raise ValidationFailed("product: not a product of this brand", fields={"product": "unknown product"})
    return services.set_early_access(user, brand, product, d["public_at"])


@brand_view
def early_access(request, brand: Brand):
    if request.method != "POST":
        return _early_page(request, brand)
    form = EarlyAccessForm(request.POST)
    return submit(request, form, lambda d: _set_early(request.user, brand, d),
                  success_url=reverse("console:fans_early", args=[brand.slug]), message=_("新品抢先购已设置"),
                  failure=lambda status: _early_page(request, brand, form, status))


@brand_view
@require_POST
def early_access_clear(request, brand: Brand, product_id: int):
    product = get_object_or_404(_brand_products(brand), pk=min(product_id, 2**63 - 1))
    services.clear_early_access(request.user, brand, product)
    messages.success(request, _("已结束抢先购，所有人都可以购买"))
    return redirect("console:fans_early", brand.slug)
