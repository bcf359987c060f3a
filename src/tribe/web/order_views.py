"""The buyer's orders: list with status tabs, detail with timeline and actions, and after-sales requests.

Only the buyer sees an order: anyone else gets the same 404 as for an order that does not exist. Opening an
unpaid order past its deadline expires it on the spot (orders.services.expire_if_due), so the page never
shows a payable order whose stock was already released. Every action calls one service; a refused action
re-renders the page with the reason and the service's 4xx status.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tribe.aftersales.models import RefundRequest
from tribe.aftersales.services import OPEN, cancel_request, refundable, request_refund
from tribe.content.models import Review
from tribe.content.services import line_is_reviewable
from tribe.core.errors import DomainError
from tribe.orders import pipeline
from tribe.orders.models import Order, OrderLine, Shipment, StoreOrder
from tribe.orders.services import cancel_order, confirm_receipt, expire_if_due, expire_order

from .listing import bad_request, pager
from .order_forms import GATEWAY_LABELS, MAX_ID, RefundForm, apply_errors, describe, first_error

S = Order.Status
ORDERS_PER_PAGE = 10
MAX_PAGE = 500
TABS = [
    ("", gettext_lazy("全部"), None),
    ("pending", gettext_lazy("待付款"), Q(status=S.PENDING_PAYMENT)),
    ("to_ship", gettext_lazy("待发货"), Q(status=S.PAID)),
    ("to_receive", gettext_lazy("待收货"), Q(status__in=[S.PARTIALLY_SHIPPED, S.SHIPPED])),
    ("done", gettext_lazy("已完成"), Q(status__in=[S.RECEIVED, S.COMPLETED])),
    ("aftersales", gettext_lazy("售后"), None),  # orders with a refund request, see _filter
]
CANCELLABLE_REQUESTS = {RefundRequest.Status.REQUESTED, RefundRequest.Status.APPROVED}


def my_order(request: HttpRequest, number: str) -> Order:
    """The signed-in buyer's order with this number, or 404 (also for someone else's)."""
    order = Order.objects.filter(number=number[:24], user=request.user).first()
    if order is None:
        raise Http404(_("订单不存在"))
    return order


def _filter(user, tab: str):
    if tab == "aftersales":
        return Q(pk__in=RefundRequest.objects.filter(order__user=user).values("order_id"))
    return next(q for key, _label, q in TABS if key == tab) or Q()


@login_required
@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status", "")
    if tab not in {key for key, _label, _q in TABS}:
        return bad_request(request, _("没有这个订单分类"))
    raw_page = request.GET.get("page", "1") or "1"
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        return bad_request(request, _("页码：请填写 1 到 %(max)s 之间的整数") % {"max": MAX_PAGE})
    user = request.user
    # the check on access: this buyer's unpaid orders past their deadline are expired before listing
    for order_id in Order.objects.filter(
        user=user, status=S.PENDING_PAYMENT, expires_at__lte=timezone.now()
    ).values_list("pk", flat=True):
        expire_order(order_id)
    qs = (
        Order.objects.filter(Q(user=user) & _filter(user, tab))
        .order_by("-created_at", "-id")
        .prefetch_related(
            Prefetch("store_orders", queryset=StoreOrder.objects.select_related("store")),
            Prefetch(
                "lines", queryset=OrderLine.objects.only("id", "order_id", "product_name", "sku_label", "quantity")
            ),
        )
    )
    paginator = Paginator(qs, ORDERS_PER_PAGE)
    try:
        page = paginator.page(int(raw_page))
    except EmptyPage:
        page = paginator.page(paginator.num_pages)
    tabs = [
        {"key": key, "label": label, "active": key == tab, "url": request.path + (f"?status={key}" if key else "")}
        for key, label, _q in TABS
    ]
    return render(
        request,
        "web/orders.html",
        {
            "orders": page.object_list,
            "tabs": tabs,
            "tab": tab,
            "pager": pager(request, page.number, paginator.num_pages, paginator.count),
        },
    )


def _detail_context(order: Order) -> dict:
    """Everything the detail page shows, in a fixed number of queries whatever the number of lines."""
    parts = list(
        order.store_orders.select_related("store").prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.annotate(reviewed=Exists(
                Review.objects.filter(order_line=OuterRef("pk")))).order_by("id")),
            Prefetch("shipments", queryset=Shipment.objects.order_by("shipped_at", "id")),
        )
    )
    requests = list(order.refund_requests.select_related("line").order_by("-created_at", "-id"))
    open_qty: dict[int, int] = {}
    for req in requests:
        req.can_cancel = req.status in CANCELLABLE_REQUESTS
        if req.status in OPEN:
            open_qty[req.line_id] = open_qty.get(req.line_id, 0) + req.quantity
    logs = list(order.logs.all())
    for log in logs:
        log.status_label = S(log.to_status).label if log.to_status in S.values else ""
    payments = list(order.payments.all())
    for payment in payments:
        payment.gateway_label = GATEWAY_LABELS.get(payment.gateway, payment.gateway)
    after_sales = order.status in pipeline.AFTER_SALES_OPEN
    for part in parts:
        for line in part.lines.all():
            # a hint for the button only: request_refund decides (with the order locked)
            line.left_quantity = line.quantity - line.refunded_quantity - open_qty.get(line.pk, 0)
            line.can_refund = after_sales and line.left_quantity > 0
            line.can_review = not line.reviewed and line_is_reviewable(line, order)
    return {
        "order": order,
        "parts": parts,
        "logs": logs,
        "refund_requests": requests,
        "payments": payments,
        "can_pay": order.status == S.PENDING_PAYMENT,
        "can_cancel": pipeline.can_transition(order.status, S.CANCELLED),
        "can_receive": pipeline.can_transition(order.status, S.RECEIVED),
    }


def _render_detail(request: HttpRequest, order: Order, *, error: str = "", status: int = 200) -> HttpResponse:
    from tribe.orders.holds import holds_for

    context = _detail_context(order)
    context["error"] = error
    context["hold"] = holds_for([order.pk]).get(order.pk) if order.status == Order.Status.PAID else None
    return render(request, "web/order.html", context, status=status)


@login_required
@require_GET
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_detail(request, expire_if_due(my_order(request, number)))


def _act(request: HttpRequest, number: str, action, done: str) -> HttpResponse:
    order = expire_if_due(my_order(request, number))
    try:
        action(request.user, order.pk, request=request)
    except DomainError as error:
        order.refresh_from_db()
        text = describe(error)
        if error.code == "invalid_transition":
            text = _("订单%(status)s，不能进行这个操作") % {"status": order.get_status_display()}
        return _render_detail(request, order, error=text, status=error.status)
    messages.success(request, done)
    return redirect("web:order", number=order.number)


@login_required
@require_POST
def order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, cancel_order, _("订单已取消"))


@login_required
@require_POST
def order_receive(request: HttpRequest, number: str) -> HttpResponse:
    return _act(request, number, confirm_receipt, _("已确认收货，感谢你的购买"))


@login_required
@require_http_methods(["GET", "POST"])
def refund_new(request: HttpRequest, number: str, line_id: int) -> HttpResponse:
    order = expire_if_due(my_order(request, number))
    line = order.lines.filter(pk=line_id).first() if line_id <= MAX_ID else None
    if line is None:
        raise Http404(_("订单里没有这件商品"))
    left_quantity, left_amount = refundable(line)
    allowed = order.status in pipeline.AFTER_SALES_OPEN and left_quantity > 0
    status = 200
    if request.method == "POST":
        form = RefundForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                request_refund(
                    request.user,
                    line.pk,
                    kind=data["kind"],
                    quantity=data["quantity"],
                    reason=data["reason"],
                    amount=data["amount"],
                    request=request,
                )
            except DomainError as error:
                apply_errors(form, error)
                status = error.status
            else:
                messages.success(request, _("售后申请已提交，等待商家处理"))
                return redirect("web:order", number=order.number)
        else:
            status = 422
    else:
        kind = RefundRequest.Kind.RETURN_REFUND if line.shipped_quantity else RefundRequest.Kind.REFUND_ONLY
        form = RefundForm(initial={"kind": kind, "quantity": max(left_quantity, 1)})
    return render(
        request,
        "web/refund_new.html",
        {
            "order": order,
            "line": line,
            "form": form,
            "allowed": allowed,
            "left_quantity": left_quantity,
            "left_amount": left_amount,
            "error": first_error(form) if status != 200 else "",
        },
        status=status,
    )


@login_required
@require_POST
def refund_cancel(request: HttpRequest, number: str, request_id: int) -> HttpResponse:
    order = my_order(request, number)
    if request_id > MAX_ID or not order.refund_requests.filter(pk=request_id).exists():
        raise Http404(_("售后申请不存在"))
    try:
        cancel_request(request.user, request_id)
    except DomainError as error:
        text = _("这个售后申请已不能撤销") if error.code == "invalid_transition" else describe(error)
        return _render_detail(request, expire_if_due(order), error=text, status=error.status)
    messages.success(request, _("售后申请已撤销"))
    return redirect("web:order", number=order.number)
