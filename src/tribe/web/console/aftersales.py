"""售后 in the brand console: the brand's refund requests, one request's page, approve / reject / returned.

The store decides; tribe.aftersales.services moves the request (guarded, so a second click is a clear 409)
and sends the money back through the payment gateway. The page shows both the request's state and the
gateway refund's (payments.Refund), because "approved" and "money returned" are not the same moment.
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from tribe.aftersales import services
from tribe.aftersales.models import RefundRequest
from tribe.brands.models import Brand
from tribe.core.errors import DomainError
from tribe.payments.models import Refund
from tribe.web.console_forms import ConsoleForm

from .base import brand_view, is_htmx, render_console
from .orders import REFUNDS_OPEN, show_domain_error, store_q, submit_with

PAGE_SIZE = 30
R = RefundRequest.Status

STATUS_FILTERS = [
    ("", _("全部")),
    ("open", _("需处理")),  # the dashboard's 售后待处理: waiting for the store's decision or for the goods
    (R.REQUESTED, _("待处理")),
    (R.APPROVED, _("待退货")),
    (R.REFUNDING, _("退款中")),
    (R.REFUNDED, _("已退款")),
    (R.REJECTED, _("已拒绝")),
    (R.CANCELLED, _("已撤销")),
]

REFUND_MESSAGES = {
    "invalid_transition": _("该售后申请已不是可以执行此操作的状态（可能已被处理），请查看当前状态。"),
    "not_found": _("找不到该售后申请。"),
    "no_payment": _("该订单没有可退回的支付记录。"),
    "refund_exceeds_paid": _("退款金额超过了该商品的实付金额。"),
}


class RefundFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=STATUS_FILTERS, widget=forms.HiddenInput)

    def apply(self, requests):
        if not self.is_bound or not self.is_valid():
            return requests
        status = self.cleaned_data.get("status")
        if status == "open":
            return requests.filter(status__in=REFUNDS_OPEN)
        return requests.filter(status=status) if status else requests


class ApproveForm(ConsoleForm):
    """No input: a form all the same, so a refused approval shows its message where the button is."""


class RejectForm(ConsoleForm):
    reason = forms.CharField(
        label=_("拒绝理由（买家可见）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 200, "required": "required"}),
    )


class ReturnedForm(ConsoleForm):
    restock = forms.BooleanField(label=_("退回的商品完好，重新入库上架"), required=False, initial=True)


def brand_refunds(brand: Brand):
    return RefundRequest.objects.filter(store_q(brand, "line__store_order__store"))


def get_refund(brand: Brand, request_id: int) -> RefundRequest:
    qs = brand_refunds(brand).select_related("line__store_order__store", "order__user")
    return get_object_or_404(qs, pk=request_id)


def attach_refunds(requests) -> None:
    """Give each request its gateway refund (`.refund`, or None): one query for the whole page."""
    requests = list(requests)
    by_id = Refund.objects.in_bulk([r.refund_id for r in requests if r.refund_id])
    for req in requests:
        req.refund = by_id.get(req.refund_id)


def _detail_url(brand: Brand, request_id: int) -> str:
    return reverse("console:refund_detail", args=[brand.slug, request_id])


@brand_view
def refund_list(request, brand: Brand):
    """One page of requests: count, rows (with line, order and buyer), their gateway refunds — fixed."""
    filters = RefundFilterForm(request.GET or None)
    requests = filters.apply(brand_refunds(brand)).select_related("line__store_order", "order__user")
    page = Paginator(requests.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    attach_refunds(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "tabs": STATUS_FILTERS,
        "current_status": filters.cleaned_data.get("status", "") if filters.is_bound else "",
        "query": query.urlencode(),
        "nav": "refunds",
    }
    return render_console(request, "console/refunds.html", brand, context)


def detail_page(request, brand: Brand, req: RefundRequest, *, status: int = 200, **bound):
    """The request's page: what was bought and paid, what is asked and why, and the store's actions."""
    attach_refunds([req])
    forms_ = {"approve_form": ApproveForm(), "reject_form": RejectForm(), "returned_form": ReturnedForm()}
    forms_.update(bound)
    context = {
        "req": req,
        "line": req.line,
        "so": req.line.store_order,
        "order": req.order,
        "nav": "refunds",
        **forms_,
    }
    return render_console(request, "console/refund_detail.html", brand, context, status=status)


def _row(request, brand: Brand, req: RefundRequest, *, status: int = 200, error_form=None, saved=False):
    req = get_refund(brand, req.pk)
    attach_refunds([req])
    context = {"req": req, "error_form": error_form, "saved": saved}
    return render_console(request, "console/refund_row.html", brand, context, status=status)


def _act(request, brand: Brand, request_id: int, form, call, *, form_name: str, message):
    """One store decision. htmx (the list's row buttons): the request's row, with the error inside on
    failure. Otherwise: redirect to the request's page, or that page again with the error (4xx)."""
    req = get_refund(brand, request_id)
    if is_htmx(request):
        if not form.is_valid():
            return _row(request, brand, req, status=422, error_form=form)
        try:
            call(req, form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error, REFUND_MESSAGES)
            return _row(request, brand, req, status=error.status, error_form=form)
        return _row(request, brand, req, saved=True)
    return submit_with(
        request,
        form,
        lambda d: call(req, d),
        show=lambda f, error: show_domain_error(f, error, REFUND_MESSAGES),
        success_url=_detail_url(brand, req.pk),
        message=lambda done: message % {"status": done.get_status_display()},
        # the page as it is now (the request may have moved meanwhile), with the failed form
        failure=lambda status: detail_page(
            request, brand, get_refund(brand, req.pk), status=status, **{form_name: form}
        ),
    )


@brand_view
def refund_detail(request, brand: Brand, request_id: int):
    return detail_page(request, brand, get_refund(brand, request_id))


@brand_view
@require_POST
def refund_approve(request, brand: Brand, request_id: int):
    return _act(
        request,
        brand,
        request_id,
        ApproveForm(request.POST),
        lambda req, d: services.approve_refund(request.user, req.pk),
        form_name="approve_form",
        message=_("已同意售后申请，当前状态：%(status)s"),
    )


@brand_view
@require_POST
def refund_reject(request, brand: Brand, request_id: int):
    return _act(
        request,
        brand,
        request_id,
        RejectForm(request.POST),
        lambda req, d: services.reject_refund(request.user, req.pk, reason=d["reason"]),
        form_name="reject_form",
        message=_("已拒绝售后申请，当前状态：%(status)s"),
    )


@brand_view
@require_POST
def refund_returned(request, brand: Brand, request_id: int):
    return _act(
        request,
        brand,
        request_id,
        ReturnedForm(request.POST),
        lambda req, d: services.mark_returned(request.user, req.pk, restock=d["restock"]),
        form_name="returned_form",
        message=_("已确认收到退货，当前状态：%(status)s"),
    )
