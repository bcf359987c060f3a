"""Signal receivers: the order lifecycle drives the ledger. They run inside the order's transaction, so the
ledger commits or rolls back with the order change (an error here rolls the order change back, by design)."""

from __future__ import annotations

from . import services


def on_order_paid(sender, order, **kwargs):
    services.accrue_for_order(order)


def on_order_received(sender, order, **kwargs):
    services.freeze_for_order(order)


def on_order_completed(sender, order, **kwargs):
    services.release_for_order(order)


def on_line_refunded(sender, line, amount, **kwargs):
    services.reverse_for_line(line, amount)


def connect() -> None:
    from tribe.orders import signals

    signals.order_paid.connect(on_order_paid, dispatch_uid="commissions.order_paid")
    signals.order_received.connect(on_order_received, dispatch_uid="commissions.order_received")
    signals.order_completed.connect(on_order_completed, dispatch_uid="commissions.order_completed")
    signals.line_refunded.connect(on_line_refunded, dispatch_uid="commissions.line_refunded")
