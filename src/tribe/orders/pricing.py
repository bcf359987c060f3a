"""Prices, always computed on the server, and the price-adjustment hook later features plug into.

An *adjuster* is a callable `(PricingContext) -> list[Adjustment]` registered with `register_adjuster`.
Coupons, campaign prices, points and member prices (later issues) each register one. An adjustment names an
amount off and the lines it applies to; the amount is split over those lines by largest remainder in
proportion to what is left of each line, so the parts sum exactly to the whole and each line keeps its share
(LineAdjustment) for exact refunds. Adjustments never take a line below zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from tribe.core.money import split_by_largest_remainder

ZERO = Decimal("0.00")


@dataclass
class PricedLine:
    key: int  # sku id
    sku: object
    product: object
    store_id: int
    unit_price: Decimal
    quantity: int
    discount: Decimal = ZERO
    shares: list[tuple[str, str, Decimal]] = field(default_factory=list)  # (code, label, amount)

    @property
    def subtotal(self) -> Decimal:
        return self.unit_price * self.quantity

    @property
    def payable(self) -> Decimal:
        return self.subtotal - self.discount


@dataclass
class Adjustment:
    code: str
    label: str
    amount: Decimal  # money off, positive
    line_keys: list[int] | None = None  # None: every line


@dataclass
class PricingContext:
    user: object
    lines: list[PricedLine]
    options: dict = field(default_factory=dict)  # e.g. {"coupon": "..."} passed through by checkout


Adjuster = Callable[[PricingContext], list[Adjustment]]
_ADJUSTERS: list[tuple[int, str, Adjuster]] = []


def register_adjuster(name: str, fn: Adjuster, *, priority: int = 100) -> None:
    """Adjusters run in priority order (lower first); each sees the lines as earlier adjusters left them."""
    global _ADJUSTERS
    _ADJUSTERS = [a for a in _ADJUSTERS if a[1] != name] + [(priority, name, fn)]
    _ADJUSTERS.sort(key=lambda a: (a[0], a[1]))


def unregister_adjuster(name: str) -> None:
    global _ADJUSTERS
    _ADJUSTERS = [a for a in _ADJUSTERS if a[1] != name]


def apply_adjustment(lines: list[PricedLine], adj: Adjustment) -> Decimal:
    """Spread one adjustment over its lines; returns the amount actually applied (capped at what is left)."""
    scoped = [ln for ln in lines if adj.line_keys is None or ln.key in adj.line_keys]
    room = sum((ln.payable for ln in scoped), ZERO)
    amount = min(adj.amount, room)
    if amount <= 0:
        return ZERO
    parts = split_by_largest_remainder(amount, [ln.payable for ln in scoped])
    for ln, part in zip(scoped, parts, strict=True):
        if part:
            ln.discount += part
            ln.shares.append((adj.code, adj.label, part))
    return amount


def price_lines(ctx: PricingContext) -> list[Adjustment]:
    applied = []
    for _, _, fn in list(_ADJUSTERS):
        for adj in fn(ctx) or []:
            amount = apply_adjustment(ctx.lines, adj)
            if amount > 0:
                applied.append(Adjustment(adj.code, adj.label, amount, adj.line_keys))
    return applied
