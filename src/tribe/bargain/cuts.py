"""How much one help cuts: random within bounds, yet exact.

Everything is in whole fen. With `remaining` fen still to cut and `left` helps still needed (this one included):
- the last help (left == 1) takes exactly what remains, so the floor is reached at the N-th help, never before
  and never missed;
- any other help leaves at least one fen for each help after it, and takes at least one fen itself;
- inside those bounds the cut is drawn around a fair share of what remains, where this helper weighs `weight`
  (a new user's bonus, ≥ 1) and each later help weighs 1, from half to one and a half times that share.

Sum of cuts = start − floor exactly, each cut ≥ ¥0.01, whatever the order of new and old helpers. The draw uses
the operating system's generator (secrets.SystemRandom) so a helper cannot predict or replay a big cut.
"""

from __future__ import annotations

import math
import secrets
from decimal import Decimal

_SYSTEM = secrets.SystemRandom()


def cut_bounds(remaining: int, left: int, weight: Decimal | int = 1) -> tuple[int, int]:
    """The inclusive range (in fen) this help's cut is drawn from."""
    if left < 1 or remaining < left:
        raise ValueError(f"cannot cut {remaining} fen over {left} helps of at least one fen each")
    if left == 1:
        return remaining, remaining
    weight = Decimal(weight)
    most = remaining - (left - 1)
    share = Decimal(remaining) * weight / (weight + left - 1)
    low = max(1, math.floor(share / 2))
    high = min(most, max(1, math.ceil(share * 3 / 2)))
    return min(low, high), high


def draw_cut(remaining: int, left: int, weight: Decimal | int = 1, rng=None) -> int:
    low, high = cut_bounds(remaining, left, weight)
    return (rng or _SYSTEM).randint(low, high)


def to_fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))
