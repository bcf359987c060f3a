"""售后: refund requests per line — refund only, or return and refund — approved or rejected by the store.

Money: a line can never return more than was paid for it (`paid_amount`, after its share of discounts).
Open requests count against what is left, so two requests cannot together exceed it. A partial quantity
returns its proportional share (rounded half up to the fen); the request that takes the last units of a line
takes exactly what is left, so the refunds of a line always sum to what was paid for it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from tribe.brands.selectors import require_store_staff
from tribe.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tribe.core.events import record_event
from tribe.core.money import FEN, to_money
from tribe.core.text import clean_text
from tribe.inventory import services as inventory
from tribe.orders import pipeline
from tribe.orders import signals as order_signals
from tribe.orders.models import Order, OrderLine, OrderLog, StoreOrder
from tribe.orders.services import lock_order
from tribe.payments import services as payments

from .models import RefundRequest

R = RefundRequest.Status
OPEN = [R.REQUESTED, R.APPROVED, R.RETURNED, R.REFUNDING]


def _open_totals(line: OrderLine) -> tuple[int, Decimal]:
    agg = RefundRequest.objects.filter(line=line, status__in=OPEN).aggregate(q=Sum("quantity"), a=Sum("amount"))
    return agg["q"] or 0, agg["a"] or Decimal("0.00")


def refundable(line: OrderLine) -> tuple[int, Decimal]:
    """Units and money of this line still open to a new request."""
    open_qty, open_amount = _open_totals(line)
    return (line.quantity - line.refunded_quantity - open_qty,
            line.paid_amount - line.refunded_amount - open_amount)


def refundable_lines(lines) -> dict[int, tuple[int, Decimal]]:
    """refundable() for many lines (an order page) in one query: {line id: (units, money)}."""
    lines = list(lines)
    held = {
        row["line_id"]: (row["q"], row["a"])
        for row in RefundRequest.objects.filter(line_id__in=[ln.pk for ln in lines], status__in=OPEN)
        .values("line_id").annotate(q=Sum("quantity"), a=Sum("amount"))
    }
    result = {}
    for ln in lines:
        open_qty, open_amount = held.get(ln.pk, (0, Decimal("0.00")))
        result[ln.pk] = (ln.quantity - ln.refunded_quantity - open_qty,
                         ln.paid_amount - ln.refunded_amount - open_amount)
    return result


def request_refund(user, line_id: int, *, kind: str, quantity: int, reason: str, amount=None,
                   request=None) -> RefundRequest:
    if kind not in RefundRequest.Kind.values:
        raise ValidationFailed("kind: refund_only or return_refund", fields={"kind": "unknown"})
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationFailed("quantity: a whole number ≥ 1", fields={"quantity": "invalid"})
    reason = clean_text(reason, "reason", max_length=200, required=True)
    with transaction.atomic():
        line = OrderLine.objects.filter(pk=line_id).first()
        if line is None:
            raise NotFound("no such order line")
        order = lock_order(line.order_id)  # serialises requests on one order
        if order.user_id != user.pk:
            raise PermissionDenied("not your order")
        if order.status not in pipeline.AFTER_SALES_OPEN:
            raise Conflict(f"order is {order.get_status_display()}; after-sales is closed", code="after_sales_closed")
        line.refresh_from_db()
        left_qty, left_amount = refundable(line)
        if quantity > left_qty:
            raise ValidationFailed(f"quantity: at most {left_qty} can be refunded", code="refund_exceeds_paid",
                                   fields={"quantity": f"max {left_qty}"})
        if kind == RefundRequest.Kind.RETURN_REFUND and line.shipped_quantity < 1:
            raise ValidationFailed("nothing was shipped yet: ask for a refund only", code="not_shipped")
        if amount is None:
            if quantity == left_qty:
                amount = left_amount
            else:
                amount = (line.paid_amount * quantity / line.quantity).quantize(FEN, rounding=ROUND_HALF_UP)
                amount = min(amount, left_amount)
        else:
            amount = to_money(amount, field="amount", allow_zero=False)
        if amount <= 0 or amount > left_amount:
            raise ValidationFailed(f"amount: at most {left_amount} can be refunded", code="refund_exceeds_paid",
                                   fields={"amount": f"max {left_amount}"})
        req = RefundRequest.objects.create(line=line, order=order, kind=kind, quantity=quantity, amount=amount,
                                           reason=reason)
        OrderLog.objects.create(order=order, actor=user, store_id=line.store_order.store_id,
                                message=f"申请售后：{line.product_name} ×{quantity} ¥{amount}")
        record_event("refund_requested", request, actor=user, obj=order,
                     props={"line_id": line.pk, "amount": str(amount), "kind": kind})
    return req


def _staff_request(staff, request_id: int) -> RefundRequest:
    req = RefundRequest.objects.select_related("line__store_order__store").filter(pk=request_id).first()
    if req is None:
        raise NotFound("no such refund request")
    require_store_staff(staff, req.line.store_order.store)
    return req


def _move(req: RefundRequest, from_states: list[str], to: str, **fields) -> None:
    moved = RefundRequest.objects.filter(pk=req.pk, status__in=from_states).update(status=to, **fields)
    if moved != 1:
        req.refresh_from_db()
        raise Conflict(f"refund request is {req.get_status_display()}", code="invalid_transition",
                       fields={"status": req.status})
    req.status = to


def approve_refund(staff, request_id: int) -> RefundRequest:
    """Refund only: the money goes back now. Return and refund: the buyer sends the goods back first."""
    req = _staff_request(staff, request_id)
    with transaction.atomic():
        if req.kind == RefundRequest.Kind.RETURN_REFUND:
            _move(req, [R.REQUESTED], R.APPROVED, decided_at=timezone.now(), decided_by=staff)
            return req
        _move(req, [R.REQUESTED], R.REFUNDING, decided_at=timezone.now(), decided_by=staff)
        refund = _start_refund(req)
    return _finish(req, refund.pk)


def mark_returned(staff, request_id: int, *, restock: bool = True) -> RefundRequest:
    """The goods came back: put them on sale again (unless damaged) and return the money."""
    req = _staff_request(staff, request_id)
    with transaction.atomic():
        _move(req, [R.APPROVED], R.REFUNDING, restock_quantity=req.quantity if restock else 0)
        if restock:
            inventory.restock(req.line.sku_id, req.quantity)
        refund = _start_refund(req)
    return _finish(req, refund.pk)


def reject_refund(staff, request_id: int, *, reason: str) -> RefundRequest:
    req = _staff_request(staff, request_id)
    reason = clean_text(reason, "reason", max_length=200, required=True)
    _move(req, [R.REQUESTED, R.APPROVED], R.REJECTED, reject_reason=reason, decided_at=timezone.now(),
          decided_by=staff)
    OrderLog.objects.create(order_id=req.order_id, actor=staff, message=f"拒绝售后：{reason}",
                            store_id=req.line.store_order.store_id)
    return req


def cancel_request(user, request_id: int) -> RefundRequest:
    req = RefundRequest.objects.filter(pk=request_id, order__user=user).first()
    if req is None:
        raise NotFound("no such refund request")
    _move(req, [R.REQUESTED, R.APPROVED], R.CANCELLED)
    return req


def _start_refund(req: RefundRequest):
    order = lock_order(req.order_id)
    refund = payments.create_refund(order, req.amount, reason=req.reason, refund_request_id=req.pk)
    RefundRequest.objects.filter(pk=req.pk).update(refund_id=refund.pk)
    return refund


def _finish(req: RefundRequest, refund_id: int) -> RefundRequest:
    """After the pending refund is committed: ask the provider (no locks held), then settle the line."""
    refund = payments.send_refund(refund_id)
    if refund.status == refund.Status.SUCCEEDED:
        settle_refund(req.pk)
    req.refresh_from_db()
    return req


def settle_refund(request_id: int) -> None:
    """Apply a succeeded refund to the line and order; close the order once everything paid is returned."""
    with transaction.atomic():
        req = RefundRequest.objects.select_related("line").get(pk=request_id)
        order = lock_order(req.order_id)
        if req.status != R.REFUNDING:
            return
        line = OrderLine.objects.get(pk=req.line_id)
        unshipped = max(0, line.quantity - line.shipped_quantity - line.refunded_quantity)
        # Sums are computed in Decimal here, under the order lock, not as SQL `F() + x`: SQLite keeps decimals
        # as binary floats, and 2.90 + 2.91 there is 5.8100000000000005, which the CHECK then (rightly) refuses.
        OrderLine.objects.filter(pk=line.pk).update(refunded_amount=line.refunded_amount + req.amount,
                                                    refunded_quantity=line.refunded_quantity + req.quantity)
        line.refunded_amount += req.amount
        line.refunded_quantity += req.quantity
        order.refunded_total += req.amount
        Order.objects.filter(pk=order.pk).update(refunded_total=order.refunded_total)
        if req.amount > 0:
            order_signals.line_refunded.send(sender=OrderLine, line=line, amount=req.amount)
        restock = req.restock_quantity
        if req.kind == RefundRequest.Kind.REFUND_ONLY and unshipped:
            # units never shipped are still in the store: back on sale
            restock = min(req.quantity, unshipped)
            inventory.restock(line.sku_id, restock)
        _move(req, [R.REFUNDING], R.REFUNDED, refunded_at=timezone.now(), restock_quantity=restock)
        so = StoreOrder.objects.get(pk=line.store_order_id)
        OrderLog.objects.create(order=order, message=f"退款成功：{line.product_name} ¥{req.amount}",
                                store_id=so.store_id)
        so_paid = so.lines.aggregate(p=Sum("paid_amount"), r=Sum("refunded_amount"))
        if so_paid["p"] == so_paid["r"]:
            StoreOrder.objects.filter(pk=so.pk).update(status=StoreOrder.Status.CLOSED)
        if order.refunded_total == order.paid_total - order.shipping_total or order.refunded_total == order.paid_total:
            if pipeline.can_transition(order.status, Order.Status.CLOSED):
                pipeline.transition(order, Order.Status.CLOSED, message="全部退款，订单关闭")


def retry_refunds() -> int:
    """The periodic retry: every pending or failed refund is sent again; those that succeed are settled."""
    done = 0
    for refund_id in payments.pending_refund_ids():
        refund = payments.send_refund(refund_id)
        if refund.status == refund.Status.SUCCEEDED:
            done += 1
            if refund.refund_request_id:
                settle_refund(refund.refund_request_id)
    return done


def refund_order(order_id: int, *, reason: str, amount_cap: Decimal | None = None,
                 include_shipping: bool = True) -> list[RefundRequest]:
    """A system refund of everything still refundable on a paid order — used by plays (a 拼团 that failed at its
    deadline, a presale deposit returned by its shown rule). One REFUNDING request per line (so commissions,
    points, coupons and rewards reverse through `line_refunded` exactly as for a buyer's request), plus the
    shipping fee. `amount_cap` limits the money returned (split over lines by what is left). Requests a buyer
    already opened are left to run. Idempotent: a second call finds nothing left and returns []."""
    reason = (reason or "系统退款")[:200]
    made: list[tuple[RefundRequest, int]] = []
    with transaction.atomic():
        order = lock_order(order_id)
        if order.status not in pipeline.AFTER_SALES_OPEN:
            return []
        lines = list(OrderLine.objects.filter(order=order).order_by("pk"))
        left = refundable_lines(lines)
        todo = [(ln, q, a) for ln in lines for q, a in [left[ln.pk]] if a > 0 and q > 0]
        if amount_cap is not None:
            total = sum((a for _, _, a in todo), Decimal("0.00"))
            if amount_cap < total:
                from tribe.core.money import split_by_largest_remainder

                parts = split_by_largest_remainder(max(amount_cap, Decimal("0.00")), [a for _, _, a in todo])
                todo = [(ln, q, part) for (ln, q, _), part in zip(todo, parts, strict=True) if part > 0]
        now = timezone.now()
        for ln, qty, amount in todo:
            req = RefundRequest.objects.create(line=ln, order=order, kind=RefundRequest.Kind.REFUND_ONLY,
                                               quantity=qty, amount=amount, reason=reason, status=R.REFUNDING,
                                               decided_at=now)
            refund = payments.create_refund(order, amount, reason=reason, refund_request_id=req.pk)
            RefundRequest.objects.filter(pk=req.pk).update(refund_id=refund.pk)
            made.append((req, refund.pk))
        shipping_refund = None
        if include_shipping and amount_cap is None and order.shipping_total > 0 and made:
            shipping_refund = payments.create_refund(order, order.shipping_total, reason=reason + "（运费）")
        if made:
            OrderLog.objects.create(order=order, message=f"系统退款：{reason}")
    for req, refund_id in made:
        _finish(req, refund_id)
    if shipping_refund is not None:
        sent = payments.send_refund(shipping_refund.pk)
        if sent.status == sent.Status.SUCCEEDED:
            with transaction.atomic():
                order = lock_order(order_id)
                Order.objects.filter(pk=order.pk).update(refunded_total=order.refunded_total + sent.amount)
    return [req for req, _ in made]
