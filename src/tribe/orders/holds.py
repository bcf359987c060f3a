"""Shipping holds: a hook for plays whose paid orders must wait before they ship (拼团 until the group is
full, 预售 until the balance is paid).

    from tribe.orders.holds import register_ship_hold
    register_ship_hold(my_hold)   # my_hold(order_ids: list[int]) -> {order_id: "why it waits"}

`ship()` refuses (409 `shipping_on_hold`) while any hold names the order; order pages show the reason.
"""

from __future__ import annotations

from collections.abc import Callable

ShipHold = Callable[[list[int]], dict[int, str]]

_HOLDS: list[ShipHold] = []


def register_ship_hold(hold: ShipHold) -> None:
    if hold not in _HOLDS:
        _HOLDS.append(hold)


def unregister_ship_hold(hold: ShipHold) -> None:
    if hold in _HOLDS:
        _HOLDS.remove(hold)


def holds_for(order_ids) -> dict[int, str]:
    """{order_id: reason} for the orders that must not ship yet (one query per registered hold)."""
    ids = [i for i in order_ids if i is not None]
    found: dict[int, str] = {}
    if not ids:
        return found
    for hold in list(_HOLDS):
        for oid, why in (hold(ids) or {}).items():
            found.setdefault(oid, why)
    return found
