"""拼团 pages: the campaign page, a group's page (its share link), and the buy flow (choose the SKU and the
address, then the normal pay page). Thin: the services in tribe.groupbuy decide everything."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tribe.core.errors import DomainError
from tribe.groupbuy import groups
from tribe.groupbuy.models import Group, GroupBuy, GroupBuySku, GroupMember
from tribe.groupbuy.sharing import group_queryset
from tribe.orders.models import Address

from .order_forms import CheckoutForm, apply_errors, describe

MAX_ID = 2**63 - 1
ERRORS = {
    "group_full": gettext_lazy("这个团已经满员了"),
    "group_expired": gettext_lazy("这个团已过期未成团"),
    "already_joined": gettext_lazy("你已经在这个团里了"),
    "groupbuy_limit_reached": gettext_lazy("你已达到本活动的限拼份数"),
    "campaign_ended": gettext_lazy("活动已结束"),
    "campaign_paused": gettext_lazy("活动已暂停"),
    "campaign_upcoming": gettext_lazy("活动还没开始"),
    "campaign_draft": gettext_lazy("活动未发布"),
}


def _seconds(until) -> int:
    return max(0, int((until - timezone.now()).total_seconds()))


def _deal_or_404(deal_id: int) -> GroupBuy:
    deal = (GroupBuy.objects.select_related("product__brand").prefetch_related("skus__sku")
            .filter(pk=min(deal_id, MAX_ID)).exclude(status="draft").first())
    if deal is None:
        raise Http404(_("活动不存在"))
    return deal


@require_GET
def deal_page(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = _deal_or_404(deal_id)
    now = timezone.now()
    live = Q(members__state__in=GroupMember.ACTIVE)
    open_groups = (Group.objects.filter(deal=deal, state=Group.State.OPEN, deadline__gt=now)
                   .select_related("leader").annotate(members_n=Count("members", filter=live))
                   .order_by("deadline", "id")[:20])
    rows = [{"group": g, "left": g.size - g.members_n, "seconds": _seconds(g.deadline)}
            for g in open_groups if g.members_n < g.size]
    skus = list(deal.skus.all())
    return render(request, "web/groupbuy/deal.html", {
        "deal": deal, "skus": skus, "groups": rows, "seconds": _seconds(deal.ends_at),
        "starts_in": _seconds(deal.starts_at), "min_price": min((s.price for s in skus), default=None),
    })


@require_GET
def group_page(request: HttpRequest, group_id: int) -> HttpResponse:
    try:
        groups.get_group(min(group_id, MAX_ID))  # the check on access: fails it if past its deadline
    except DomainError:
        raise Http404(_("这个团不存在")) from None
    group = group_queryset().get(pk=group_id)
    members = list(GroupMember.objects.filter(group=group).exclude(state=GroupMember.State.LEFT)
                   .select_related("user").order_by("joined_at", "id"))
    live = [m for m in members if m.state in GroupMember.ACTIVE]
    mine = next((m for m in live if request.user.is_authenticated and m.user_id == request.user.pk), None)
    left = group.size - len(live)
    can_join = group.state == Group.State.OPEN and left > 0 and mine is None and group.deal.is_live()
    return render(request, "web/groupbuy/group.html", {
        "group": group, "deal": group.deal, "members": live, "empty_seats": range(max(0, left)), "left": left,
        "paid": sum(1 for m in live if m.state == GroupMember.State.PAID), "mine": mine, "can_join": can_join,
        "seconds": _seconds(group.deadline), "skus": list(group.deal.skus.all()),
    })


def _buy_page(request, deal: GroupBuy, *, group: Group | None, form, error: str = "", code: str = "",
              status: int = 200) -> HttpResponse:
    skus = list(GroupBuySku.objects.filter(deal=deal).select_related("sku").order_by("id"))
    return render(request, "web/groupbuy/buy.html", {
        "deal": deal, "group": group, "form": form, "skus": skus, "error": error, "code": code,
        "chosen": request.POST.get("sku_id") or (str(skus[0].sku_id) if skus else ""),
    }, status=status)


def _addresses(user) -> list[Address]:
    return list(Address.objects.filter(user=user).order_by("-is_default", "-id"))


def _initial(addresses) -> dict:
    default = next((a for a in addresses if a.is_default), addresses[0] if addresses else None)
    return {"address": str(default.pk) if default else "new", "save_address": True,
            "idempotency_key": uuid.uuid4().hex}


def _buy(request: HttpRequest, deal: GroupBuy, group: Group | None) -> HttpResponse:
    addresses = _addresses(request.user)
    if request.method == "GET":
        return _buy_page(request, deal, group=group, form=CheckoutForm(initial=_initial(addresses),
                                                                         addresses=addresses))
    form = CheckoutForm(request.POST, addresses=addresses)
    if not form.is_valid():
        return _buy_page(request, deal, group=group, form=form, error=_("请检查收货地址"), status=422)
    sku_id = request.POST.get("sku_id", "")
    where = {"address_id": form.address_id()} if not form.uses_new_address else {"address": form.address_data()}
    common = {"sku_id": int(sku_id) if sku_id.isdigit() and len(sku_id) < 19 else -1,
              "idempotency_key": form.cleaned_data["idempotency_key"], "request": request, **where}
    try:
        if group is None:
            order = groups.open_group(request.user, deal.pk, **common)
        else:
            order = groups.join_group(request.user, group.pk, **common)
    except DomainError as error:
        apply_errors(form, error, summary=False)
        return _buy_page(request, deal, group=group, form=form, error=str(ERRORS.get(error.code) or describe(error)),
                         code=error.code, status=error.status)
    if form.uses_new_address and form.cleaned_data.get("save_address"):
        from tribe.orders.checkout import check_address, save_address

        clean = check_address(form.address_data())  # valid: the order was just placed with it
        if not Address.objects.filter(user=request.user, **clean).exists():
            save_address(request.user, clean, is_default=not addresses)
    return redirect("web:order_pay", number=order.number)


@login_required
@require_http_methods(["GET", "POST"])
def open_page(request: HttpRequest, deal_id: int) -> HttpResponse:
    return _buy(request, _deal_or_404(deal_id), None)


@login_required
@require_http_methods(["GET", "POST"])
def join_page(request: HttpRequest, group_id: int) -> HttpResponse:
    group = Group.objects.select_related("deal__product").filter(pk=min(group_id, MAX_ID)).first()
    if group is None:
        raise Http404(_("这个团不存在"))
    if request.method == "GET":
        try:  # say at once that the group cannot be joined (and offer a new one) instead of after the form
            group = groups.get_group(group.pk)
            if group.state != Group.State.OPEN or group.seats_left == 0:
                raise (groups.group_expired(group) if group.state == Group.State.FAILED else groups.group_full(group))
        except DomainError as error:
            form = CheckoutForm(initial=_initial(_addresses(request.user)), addresses=_addresses(request.user))
            return _buy_page(request, group.deal, group=group, form=form, error=str(ERRORS.get(error.code, "")),
                             code=error.code, status=error.status)
    return _buy(request, group.deal, group)
