"""Reads: the audit (every draw, and totals that must reconcile with the prizes' stock), a player's draws."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import Draw, Lottery, Prize


@dataclass(frozen=True)
class PrizeTotal:
    prize: Prize
    picked: int  # draws whose random number fell on this prize
    won: int  # of which the prize was given and not expired (a goods prize unclaimed in time returned its unit)
    out_of_stock: int  # picked while no unit was left

    @property
    def reconciles(self) -> bool:
        return self.prize.kind == Prize.Kind.NONE or self.won == self.prize.initial_stock - self.prize.stock


@dataclass(frozen=True)
class Audit:
    draws: int
    winners: int
    by_entry: dict[str, int]
    prizes: list[PrizeTotal]

    @property
    def reconciles(self) -> bool:
        return all(p.reconciles for p in self.prizes)


def audit(lottery: Lottery) -> Audit:
    """Totals in three queries whatever the number of draws: prizes, per-prize counts, per-entry counts."""
    prizes = list(lottery.prizes.all())
    given = ~Q(award=Draw.Award.EXPIRED) & ~Q(award=Draw.Award.NONE)
    counts = {row["picked_id"]: row for row in Draw.objects.filter(lottery=lottery).values("picked_id").annotate(
        n=Count("id"), won=Count("id", filter=Q(prize__isnull=False) & given),
        oos=Count("id", filter=Q(note="prize_out_of_stock")))}
    entries = dict(Draw.objects.filter(lottery=lottery).values_list("entry").annotate(n=Count("id")))
    totals = []
    for p in prizes:
        row = counts.get(p.pk, {"n": 0, "won": 0, "oos": 0})
        totals.append(PrizeTotal(p, row["n"], row["won"], row["oos"]))
    return Audit(draws=sum(entries.values()), winners=sum(t.won for t in totals), by_entry=entries, prizes=totals)


def audit_rows(lottery: Lottery):
    """Every draw, oldest first (the order they happened), with who and what."""
    return (Draw.objects.filter(lottery=lottery).select_related("user", "picked", "prize").order_by("id"))


def my_draws(user, lottery: Lottery | None = None):
    qs = Draw.objects.filter(user=user).select_related("lottery", "prize", "order").order_by("-id")
    return qs.filter(lottery=lottery) if lottery is not None else qs


CSV_HEADER = ["draw_id", "created_at", "user_id", "user", "entry", "random_value", "random_range", "picked",
              "prize", "stock_before", "stock_after", "award", "note", "order"]


def csv_row(d: Draw) -> list:
    return [d.pk, d.created_at.isoformat(), d.user_id, d.user.display_name, d.entry, d.random_value, d.random_range,
            d.picked.name if d.picked else "", d.prize.name if d.prize else "",
            "" if d.stock_before is None else d.stock_before, "" if d.stock_after is None else d.stock_after,
            d.award, d.note, d.order_id or ""]
