"""How presale follows its two orders (orders' signals, sent inside the order's transaction, under its lock).

Lock order: the order row first (the signal's sender holds it), then the purchase row. Work that needs
another order's lock (refunding the other order) is deferred with on_commit, so two orders are never locked
in the opposite order.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tribe.campaigns.services import play_event
from tribe.inventory import services as inventory
from tribe.inventory.services import InsufficientStock
from tribe.orders import signals
from tribe.orders.holds import register_ship_hold
from tribe.orders.models import Order, OrderLog

from .models import Presale, PresaleOrder

P = PresaleOrder.State


def _purchase_of(order_id: int) -> tuple[PresaleOrder | None, bool]:
    """(the purchase this order belongs to, whether it is its deposit order) — one query for any order, so
    orders that are not presale orders pay one indexed lookup."""
    purchase = (PresaleOrder.objects.select_for_update().select_related("presale")
                .filter(Q(deposit_order_id=order_id) | Q(balance_order_id=order_id)).first())
    return purchase, purchase is not None and purchase.deposit_order_id == order_id


def on_paid(sender, order, **kwargs) -> None:
    purchase, is_deposit = _purchase_of(order.pk)
    if purchase is None:
        return
    if is_deposit:
        if purchase.state == P.DEPOSIT_PENDING:
            PresaleOrder.objects.filter(pk=purchase.pk).update(state=P.DEPOSIT_PAID)
            play_event("presale_deposit", None, purchase.presale, actor=order.user, obj=order,
                       props={"quantity": purchase.quantity, "amount": str(order.total)})
        return
    if purchase.state == P.DEPOSIT_PAID:
        PresaleOrder.objects.filter(pk=purchase.pk).update(state=P.BALANCE_PAID, closed_at=timezone.now())
        OrderLog.objects.create(order_id=purchase.deposit_order_id,
                                message=f"预售尾款已付（订单 {order.number}），可以发货")
        play_event("presale_balance", None, purchase.presale, actor=order.user, obj=order,
                   props={"quantity": purchase.quantity, "amount": str(order.total)})
    else:
        # the purchase was closed meanwhile (e.g. its deposit refunded): this money goes back
        oid = order.pk
        transaction.on_commit(lambda: _refund(oid, "预售已关闭，尾款退回"))


def on_cancelled(sender, order, reason="", **kwargs) -> None:
    purchase, is_deposit = _purchase_of(order.pk)
    if purchase is None:
        return
    if is_deposit:
        if purchase.state == P.DEPOSIT_PENDING:
            PresaleOrder.objects.filter(pk=purchase.pk).update(state=P.CANCELLED, closed_at=timezone.now())
            Presale.objects.filter(pk=purchase.presale_id).update(sold=F("sold") - purchase.quantity)
    else:
        # The balance order's reservation never held units of its own (it was netted to zero when placed), so
        # its release just put units on sale that are not free: take them back. While the deposit still owns
        # them this cannot fail (they were added a moment ago under the same locks); if the deposit was
        # refunded meanwhile and its restocked units sold, what cannot be taken now is owed (run_presale_due).
        try:
            inventory.take({purchase.presale.sku_id: purchase.quantity})
            debt = 0
        except InsufficientStock:
            debt = purchase.quantity
        PresaleOrder.objects.filter(pk=purchase.pk).update(balance_order=None, restock_debt=F("restock_debt") + debt)


def on_line_refunded(sender, line, amount, **kwargs) -> None:
    purchase, is_deposit = _purchase_of(line.order_id)
    if purchase is None:
        return
    if is_deposit:
        if line.refunded_amount >= line.paid_amount and purchase.state in (P.DEPOSIT_PENDING, P.DEPOSIT_PAID,
                                                                            P.BALANCE_PAID):
            # the deposit came back in full (a refund rule or an approved buyer request): the purchase is over;
            # after-sales puts its unshipped units back on sale, so the cap frees them too
            shipped = line.shipped_quantity > 0
            PresaleOrder.objects.filter(pk=purchase.pk).update(state=P.REFUNDED, closed_at=timezone.now())
            if not shipped:
                Presale.objects.filter(pk=purchase.presale_id).update(sold=F("sold") - purchase.quantity)
            if purchase.state == P.BALANCE_PAID and not shipped and purchase.balance_order_id:
                oid = purchase.balance_order_id
                transaction.on_commit(lambda: _refund(oid, "预售定金已退，尾款一并退回"))
        return
    # The balance order never ships, so after-sales puts every refunded unit of its line back on sale right
    # after this signal — but the deposit order owns those units. Take them out first (guarded); what cannot be
    # taken now is owed and taken by run_presale_due.
    owed = line.refunded_quantity - purchase.compensated_units
    if owed > 0:
        debt = 0
        try:
            inventory.take({purchase.presale.sku_id: owed})
        except InsufficientStock:
            debt = owed
        PresaleOrder.objects.filter(pk=purchase.pk).update(compensated_units=F("compensated_units") + owed,
                                                           restock_debt=F("restock_debt") + debt)
    if line.refunded_amount >= line.paid_amount and purchase.state == P.BALANCE_PAID:
        dep = Order.objects.filter(pk=purchase.deposit_order_id).values_list("status", flat=True).first()
        if dep == Order.Status.PAID:  # not shipped yet: the whole purchase is being undone
            oid = purchase.deposit_order_id
            transaction.on_commit(lambda: _refund(oid, "预售尾款已退，定金一并退回"))


def _refund(order_id: int, reason: str) -> None:
    from tribe.aftersales.services import refund_order

    refund_order(order_id, reason=reason)


def ship_hold(order_ids: list[int]) -> dict[int, str]:
    """Deposit orders wait for the balance; balance orders never ship (the deposit order carries the goods)."""
    found: dict[int, str] = {}
    rows = PresaleOrder.objects.filter(Q(deposit_order_id__in=order_ids) | Q(balance_order_id__in=order_ids))
    for p in rows.values("deposit_order_id", "balance_order_id", "state", "deposit_order__number"):
        if p["deposit_order_id"] in order_ids and p["state"] != P.BALANCE_PAID:
            found[p["deposit_order_id"]] = "预售：尾款未付，暂不发货"
        if p["balance_order_id"] in order_ids:
            found[p["balance_order_id"]] = f"预售尾款订单：商品随定金订单 {p['deposit_order__number']} 发货"
    return found


def connect() -> None:
    signals.order_paid.connect(on_paid, dispatch_uid="presale.paid")
    signals.order_cancelled.connect(on_cancelled, dispatch_uid="presale.cancelled")
    signals.line_refunded.connect(on_line_refunded, dispatch_uid="presale.line_refunded")
    register_ship_hold(ship_hold)
