"""Order lifecycle → bargains: an unpaid bargain order that is cancelled or expires reopens its bargain."""

from __future__ import annotations

from tribe.orders.signals import order_cancelled


def _on_cancelled(sender, order, reason="", **kwargs) -> None:
    from .services import reopen_for_order

    reopen_for_order(order)


def connect() -> None:
    order_cancelled.connect(_on_cancelled, dispatch_uid="bargain.reopen_on_cancel")
