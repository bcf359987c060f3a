"""Order lifecycle hooks of trials: the report clock starts when the trial order is received."""

from tribe.orders.signals import order_received

from . import services


def _on_received(sender, order, **kwargs) -> None:
    services.note_received(order)


def connect() -> None:
    order_received.connect(_on_received, dispatch_uid="trials.received")
