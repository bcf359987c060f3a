"""Store orders of a brand: the list with status tabs, one store order's page, shipping and delivery.

A brand sees the part of each order its stores sell (StoreOrder), never the other stores' parts of the same
checkout. Shipping goes through tribe.orders.shipping, which locks the order and checks every quantity.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tribe.aftersales.models import RefundRequest
from tribe.brands.models import Brand
from tribe.core.errors import DomainError
from tribe.orders import shipping
from tribe.orders.models import Order, OrderLine, Shipment, ShipmentLine, StoreOrder
from tribe.web.console_forms import ConsoleForm

from .base import brand_view, describe_detail, forbidden, is_htmx, render_console, show_error

PAGE_SIZE = 20
SO = StoreOrder.Status

# The list's tabs. "to_ship" is not a tab: it is what the dashboard's 待发货 links to (nothing shipped yet, or
# only part of it). Cancelled (unpaid, then cancelled or expired) and closed (refunded in full) are one tab.
STATUS_GROUPS: dict[str, list[str]] = {
    "awaiting_payment": [SO.AWAITING_PAYMENT],
    "awaiting_shipment": [SO.AWAITING_SHIPMENT],
    "partially_shipped": [SO.PARTIALLY_SHIPPED],
    "shipped": [SO.SHIPPED],
    "received": [SO.RECEIVED],
    "closed": [SO.CLOSED, SO.CANCELLED],
    "to_ship": [SO.AWAITING_SHIPMENT, SO.PARTIALLY_SHIPPED],
}
TABS = [
    ("", _("全部")),
    ("awaiting_payment", _("待付款")),
    ("awaiting_shipment", _("待发货")),
    ("partially_shipped", _("部分发货")),
    ("shipped", _("已发货")),
    ("received", _("已收货")),
    ("closed", _("已关闭")),
]
REFUNDS_OPEN = [RefundRequest.Status.REQUESTED, RefundRequest.Status.APPROVED]

# What is stored in Shipment.carrier is the carrier's Chinese name (it is printed on labels and looked up
# by customer service); the label is translated for the English console.
CARRIERS = [
    ("顺丰速运", _("顺丰速运")),
    ("中通快递", _("中通快递")),
    ("圆通速递", _("圆通速递")),
    ("韵达快递", _("韵达快递")),
    ("申通快递", _("申通快递")),
    ("EMS", _("EMS")),
    ("京东物流", _("京东物流")),
    ("other", _("其他")),
]

SHIP_MESSAGES = {
    "not_shippable": _("该订单当前不能发货（未付款、已全部发出或已关闭）。"),
    "nothing_to_ship": _("没有要发出的商品：请至少为一件商品填写发货数量。"),
    "invalid_transition": _("订单状态刚刚发生了变化，请刷新页面后重试。"),
}
LINE_LIMIT_RE = re.compile(r"^line (\d+): 1–(\d+)$")
LINE_FIELD_RE = re.compile(r"^line_(\d+)$")


# --- scoping ---------------------------------------------------------------------------------------------


def store_q(brand: Brand, prefix: str = "store") -> Q:
    """Rows whose store belongs to the brand or, for a group (hub), to one of its sub-brands: the stores
    tribe.brands.selectors.station_stores sells through, closed ones included (orders outlive them)."""
    return Q(**{f"{prefix}__brand": brand}) | Q(**{f"{prefix}__brand__parent": brand})


def brand_store_orders(brand: Brand):
    return StoreOrder.objects.filter(store_q(brand))


def get_store_order(brand: Brand, store_order_id: int) -> StoreOrder:
    qs = brand_store_orders(brand).select_related("order__user", "store")
    return get_object_or_404(qs, pk=store_order_id)


def order_counts(brand: Brand) -> dict[str, int]:
    """The dashboard's work queue: store orders still to ship, after-sales requests waiting for the store."""
    counts = brand_store_orders(brand).aggregate(
        to_ship_count=Count("id", filter=Q(status__in=STATUS_GROUPS["to_ship"]))
    )
    counts["refunds_open_count"] = RefundRequest.objects.filter(
        store_q(brand, "line__store_order__store"), status__in=REFUNDS_OPEN
    ).count()
    return counts


# --- forms -----------------------------------------------------------------------------------------------


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[*TABS, ("to_ship", _("待发货（含部分发货）"))], widget=forms.HiddenInput
    )
    q = forms.CharField(
        label=_("订单号"),
        required=False,
        max_length=24,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("搜索订单号"), "aria-label": _("订单号")}
        ),
    )

    def apply(self, store_orders):
        """Narrow by the valid filters; an invalid value is simply not applied."""
        if not self.is_bound:
            return store_orders
        self.is_valid()
        data = self.cleaned_data
        if data.get("status"):
            store_orders = store_orders.filter(status__in=STATUS_GROUPS[data["status"]])
        if data.get("q"):
            store_orders = store_orders.filter(order__number__icontains=data["q"].strip())
        return store_orders


class ShipForm(ConsoleForm):
    """Carrier, tracking number and a quantity per line (default: everything left to ship). The limits are
    the service's: it refuses more than is left, and lines that are not this store order's."""

    carrier = forms.ChoiceField(label=_("快递公司"), choices=CARRIERS)
    carrier_other = forms.CharField(
        label=_("其他快递公司名称（选择“其他”时填写）"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 40}),
    )
    tracking_number = forms.CharField(
        label=_("运单号"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 40, "required": "required"}),
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.line_names: list[str] = []
        for line in lines:
            left = line.quantity - line.shipped_quantity - line.refunded_quantity
            if left <= 0:
                continue
            label = f"{line.product_name} {line.sku_label}".strip()
            self._add_line_field(line.pk, _("%(name)s（待发 %(n)d 件）") % {"name": label, "n": left}, left)
        # Quantities the browser sent for lines not on this form (another store's line, a stale page) are
        # parsed too and handed to the service, which refuses them: never silently shipped or dropped.
        for key in self.data if self.is_bound else ():
            match = LINE_FIELD_RE.match(key)
            if match and key not in self.fields:
                self._add_line_field(int(match.group(1)), key, None)

    def _add_line_field(self, line_id: int, label, left: int | None) -> None:
        name = f"line_{line_id}"
        attrs = {"min": 0, "max": left} if left is not None else {}
        self.fields[name] = forms.IntegerField(
            label=label, required=False, initial=left, widget=forms.NumberInput(attrs=attrs)
        )
        self.line_names.append(name)

    def field_for(self, service_field: str) -> str | None:
        if service_field == "carrier":
            return "carrier_other" if self.data.get("carrier") == "other" else "carrier"
        return super().field_for(service_field)

    def ship_kwargs(self) -> dict:
        d = self.cleaned_data
        carrier = d["carrier_other"] if d["carrier"] == "other" else d["carrier"]
        sent = [name for name in self.line_names if name in self.data]
        # No quantity sent at all (a plain "ship" button): everything left, as the service defaults.
        lines = None
        if sent:
            lines = {int(name[5:]): d[name] for name in sent if d.get(name)}
        return {"carrier": carrier, "tracking_number": d["tracking_number"], "lines": lines}


# --- errors and the write shape --------------------------------------------------------------------------


def show_domain_error(form, error: DomainError, code_messages: dict) -> None:
    """show_error, with this page's own wording for the codes it knows (their `fields` still go on the
    matching inputs; a field the form does not have is covered by the summary)."""
    summary = code_messages.get(error.code)
    if summary is None:
        show_error(form, error)
        return
    form.domain_error = error
    for field, detail in error.fields.items():
        target = form.field_for(field)
        if target is not None:
            form.add_error(target, describe_detail(detail))
    form.add_error(None, str(summary))


def show_ship_error(form: ShipForm, error: DomainError) -> None:
    detail = str(error.fields.get("lines", ""))
    if not detail:
        show_domain_error(form, error, SHIP_MESSAGES)
        return
    form.domain_error = error
    match = LINE_LIMIT_RE.match(detail)
    name = f"line_{match.group(1)}" if match else ""
    if match and name in form.fields:
        left = int(match.group(2))
        form.add_error(name, _("可发 1 到 %(n)d 件") % {"n": left} if left else _("这件商品已没有可发的数量"))
        form.add_error(None, str(_("发货数量超出了可发数量，未发货。")))
    else:
        form.add_error(None, str(_("发货单中有不属于该店铺订单的商品，未发货。")))


def submit_with(request, form, call, *, show, success_url, message, failure):
    """base.submit with this page's error wording: a valid form → one service call → redirect with a
    message; an invalid form (422) or a DomainError (its status) → `failure(status)` with the errors shown.
    `message` may be a callable taking what the service returned."""
    if not form.is_valid():
        return failure(422)
    try:
        result = call(form.cleaned_data)
    except DomainError as error:
        show(form, error)
        return failure(error.status)
    messages.success(request, message(result) if callable(message) else message)
    return redirect(success_url(result) if callable(success_url) else success_url)


# --- views -----------------------------------------------------------------------------------------------


def _page_query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@brand_view
def order_list(request, brand: Brand):
    """One page of store orders: tab counts, count, rows (with order and buyer), lines — a fixed number of
    queries whatever the page holds."""
    filters = OrderFilterForm(request.GET or None)
    scoped = brand_store_orders(brand)
    searched = scoped
    if filters.is_bound and filters.is_valid() and filters.cleaned_data.get("q"):
        searched = scoped.filter(order__number__icontains=filters.cleaned_data["q"].strip())
    tab_counts = searched.aggregate(
        all=Count("id"),
        **{key: Count("id", filter=Q(status__in=STATUS_GROUPS[key])) for key, _label in TABS if key},
    )
    store_orders = (
        filters.apply(scoped)
        .select_related("order__user", "store")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.only(
                    "id", "store_order_id", "product_name", "sku_label", "quantity"
                ),
            )
        )
        .order_by("-order__created_at", "-id")
    )
    page = Paginator(store_orders, PAGE_SIZE).get_page(request.GET.get("page"))
    current = filters.cleaned_data.get("status", "") if filters.is_bound else ""
    tabs = [(key, label, tab_counts[key or "all"]) for key, label in TABS]
    context = {
        "filters": filters,
        "page": page,
        "tabs": tabs,
        "current_status": current,
        "q": filters.cleaned_data.get("q", "") if filters.is_bound else "",
        "query": _page_query(request),
        "nav": "orders",
    }
    return render_console(request, "console/orders.html", brand, context)


def _timeline(order: Order, store_id: int) -> list[dict]:
    """Order-level steps and this store's own; another store's shipping and after-sales stay theirs."""
    labels = dict(Order.Status.choices)
    return [
        {
            "at": log.at,
            "from": labels.get(log.from_status, log.from_status),
            "to": labels.get(log.to_status, log.to_status),
            "actor": log.actor,
            "message": log.message,
        }
        for log in order.logs.filter(Q(store__isnull=True) | Q(store_id=store_id)).select_related("actor")
    ]


def _shipments(so: StoreOrder):
    return so.shipments.prefetch_related(
        Prefetch("lines", queryset=ShipmentLine.objects.select_related("line").order_by("id"))
    )


def detail_page(request, brand: Brand, so: StoreOrder, *, status: int = 200, ship_form=None):
    """The store order's page: address, lines, shipments, after-sales, timeline and the ship form."""
    lines = list(so.lines.all())
    for line in lines:
        line.left_to_ship = max(0, line.quantity - line.shipped_quantity - line.refunded_quantity)
    can_ship = so.status in shipping.SHIPPABLE
    hold = None
    if can_ship:
        from tribe.orders.holds import holds_for

        hold = holds_for([so.order_id]).get(so.order_id)
        can_ship = hold is None
    if can_ship and ship_form is None:
        ship_form = ShipForm(lines=lines)
    context = {
        "so": so,
        "order": so.order,
        "lines": lines,
        "shipments": _shipments(so),
        "refunds": RefundRequest.objects.filter(line__store_order=so).select_related("line"),
        "timeline": _timeline(so.order, so.store_id),
        "can_ship": can_ship,
        "hold": hold,
        "ship_form": ship_form,
        "nav": "orders",
    }
    return render_console(request, "console/order_detail.html", brand, context, status=status)


def _detail_url(brand: Brand, store_order_id: int) -> str:
    return reverse("console:order_detail", args=[brand.slug, store_order_id])


@brand_view
def order_detail(request, brand: Brand, store_order_id: int):
    return detail_page(request, brand, get_store_order(brand, store_order_id))


@brand_view
@require_POST
def order_ship(request, brand: Brand, store_order_id: int):
    so = get_store_order(brand, store_order_id)
    form = ShipForm(request.POST, lines=list(so.lines.all()))
    return submit_with(
        request,
        form,
        lambda d: shipping.ship(request.user, so.pk, request=request, **form.ship_kwargs()),
        show=show_ship_error,
        success_url=_detail_url(brand, so.pk),
        message=lambda shipment: (
            _("已发货：%(carrier)s %(number)s")
            % {"carrier": shipment.carrier, "number": shipment.tracking_number}
        ),
        # the page as it is now (another tab may have shipped meanwhile), with this form and its errors
        failure=lambda status: detail_page(
            request, brand, get_store_order(brand, so.pk), status=status, ship_form=form
        ),
    )


@brand_view
@require_POST
def shipment_deliver(request, brand: Brand, shipment_id: int):
    """Mark a parcel delivered. From htmx the answer is the shipment's table row alone."""
    qs = Shipment.objects.filter(store_q(brand, "store_order__store")).select_related("store_order")
    shipment = get_object_or_404(qs, pk=shipment_id)
    try:
        shipping.confirm_delivery(request.user, shipment.pk)
    except DomainError as error:  # only a permission change between the gate and the service
        return forbidden(request, error.message)
    if is_htmx(request):
        shipment = _shipments(shipment.store_order).get(pk=shipment.pk)
        context = {"shipment": shipment, "so": shipment.store_order, "saved": True}
        return render_console(request, "console/order_shipment_row.html", brand, context)
    messages.success(request, _("已标记为已送达"))
    return redirect(_detail_url(brand, shipment.store_order_id))
