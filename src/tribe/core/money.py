"""Money is Decimal CNY with two places. Never float. Rounding happens only where these helpers are called."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .errors import ValidationFailed

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # fits DecimalField(max_digits=12, decimal_places=2)


def to_money(value, *, field: str = "amount", allow_zero: bool = True) -> Decimal:
    """Parse a user-supplied amount (str/int/Decimal) into a 2-place Decimal, or raise ValidationFailed."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{field}: not a valid amount", fields={field: "not a valid amount"})
    if not amount.is_finite():
        raise ValidationFailed(f"{field}: not a valid amount", fields={field: "not a valid amount"})
    if amount != amount.quantize(FEN, rounding=ROUND_HALF_UP):
        raise ValidationFailed(f"{field}: at most two decimal places", fields={field: "at most 2 decimals"})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationFailed(f"{field}: must be positive", fields={field: "must be positive"})
    if amount > MAX_AMOUNT:
        raise ValidationFailed(f"{field}: too large", fields={field: "too large"})
    return amount.quantize(FEN)


def quantize(amount: Decimal) -> Decimal:
    """Round half up to the fen."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def split_by_largest_remainder(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` over `weights` in fen so the parts sum exactly to `total`.

    Each part gets the floor of its proportional share; the leftover fen go one each to the parts with the
    largest remainders (ties to the earlier part), so the split is deterministic and reversible per line.
    """
    if not weights:
        return []
    total_fen = int((total / FEN).to_integral_value(rounding=ROUND_HALF_UP))
    weight_sum = sum(weights)
    if weight_sum <= 0:
        parts = [0] * len(weights)
        parts[0] = total_fen
        return [Decimal(p) * FEN for p in parts]
    raw = [Decimal(total_fen) * w / weight_sum for w in weights]
    floors = [int(r) for r in raw]
    leftover = total_fen - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Decimal(p) * FEN for p in floors]
