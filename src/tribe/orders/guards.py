"""Purchase guards: a hook for later apps to refuse a purchase (e.g. fans' early access for core fans).

Orders must not depend on the apps that restrict buying, so they register here from their AppConfig.ready():

    from tribe.orders.guards import register_purchase_guard
    register_purchase_guard(my_guard)   # my_guard(user, products) raises a DomainError to refuse

`check_purchase` is called by add_to_cart (one product) and place_order (every product in the order), before
anything is written. A guard receives all products at once so it can look them up in one query; `user` may be
None (an anonymous cart).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

PurchaseGuard = Callable[[Any, list], None]

_GUARDS: list[PurchaseGuard] = []


def register_purchase_guard(guard: PurchaseGuard) -> None:
    if guard not in _GUARDS:
        _GUARDS.append(guard)


def unregister_purchase_guard(guard: PurchaseGuard) -> None:
    if guard in _GUARDS:
        _GUARDS.remove(guard)


def check_purchase(user, products: Any | Iterable[Any]) -> None:
    """Raise the first guard's DomainError if `user` may not buy one of `products` (a product or several)."""
    if not _GUARDS:
        return
    items = list(products) if isinstance(products, list | tuple | set) else [products]
    items = list({p.pk: p for p in items}.values())
    if not items:
        return
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    for guard in list(_GUARDS):
        guard(user, items)
