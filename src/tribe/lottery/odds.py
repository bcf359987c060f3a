"""The arithmetic of a draw, separate from the database so it can be tested with injected random numbers.

A draw takes one integer `value` uniformly from [0, total) with `secrets.SystemRandom` (the OS CSPRNG, not the
seedable Mersenne Twister) and walks the prizes in their display order, each owning `weight` consecutive
numbers. In permille mode total is 1000 and numbers past the prizes' weights mean "谢谢参与"; in weight mode
total is the sum of the weights. The published odds are exactly these fractions.

A prize whose stock has run out keeps its numbers: a draw landing on them records "none" (note out_of_stock)
rather than re-drawing among the rest, so the published odds of the other prizes never silently change while
the page shows "0 left" for that prize.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from .models import PERMILLE, Lottery, Prize

_rng = secrets.SystemRandom()


def odds_total(lottery: Lottery, prizes: list[Prize]) -> int:
    if lottery.odds_mode == Lottery.Odds.PERMILLE:
        return PERMILLE
    return sum(p.weight for p in prizes)


def random_value(total: int) -> int:
    """A number in [0, total) from the operating system's CSPRNG."""
    return _rng.randrange(total)


def select(prizes: list[Prize], value: int) -> Prize | None:
    """The prize owning `value` (prizes in order, each owning `weight` consecutive numbers), else None."""
    if value < 0:
        raise ValueError("value must be ≥ 0")
    upper = 0
    for prize in prizes:
        upper += prize.weight
        if value < upper:
            return prize
    return None


@dataclass(frozen=True)
class Odds:
    prize: Prize | None  # None: the "谢谢参与" remainder of a permille lottery
    name: str
    kind: str
    percent: Decimal  # 3 decimals, e.g. 12.500
    stock_left: int | None  # None: unlimited (a "none" prize)


def published(lottery: Lottery, prizes: list[Prize]) -> list[Odds]:
    """Per prize its probability and stock left, computed from the configuration; in permille mode the rest
    of the 1000‰ is shown as its own "谢谢参与" row so the column sums to 100%."""
    total = odds_total(lottery, prizes)
    rows = []
    for p in prizes:
        rows.append(Odds(p, p.name, p.kind, _pct(p.weight, total),
                         None if p.kind == Prize.Kind.NONE else p.stock))
    rest = total - sum(p.weight for p in prizes)
    if rest > 0:
        rows.append(Odds(None, _("谢谢参与"), Prize.Kind.NONE, _pct(rest, total), None))
    return rows


def _pct(weight: int, total: int) -> Decimal:
    if total <= 0:
        return Decimal("0.000")
    return (Decimal(weight) * 100 / Decimal(total)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)
