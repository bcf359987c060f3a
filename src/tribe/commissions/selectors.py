"""Reads of the commission ledger. Balances are derived from entries, summed in Python with Decimal (SQLite
would sum decimals as floats), so they are exact and always reproducible from the ledger alone."""

from __future__ import annotations

from decimal import Decimal

from tribe.distribution.models import Promoter, PromoterProgram

from .models import BUCKETS, ZERO, LedgerEntry, Payout

DEFAULT_MIN_WITHDRAWAL = Decimal("10.00")
DELTA_FIELDS = [f"d_{b}" for b in BUCKETS]


def empty_balance() -> dict[str, Decimal]:
    return {b: ZERO for b in BUCKETS}


def sum_rows(rows) -> dict[str, Decimal]:
    total = empty_balance()
    for row in rows:
        for bucket, value in zip(BUCKETS, row, strict=True):
            total[bucket] += value
    return total


def balance(promoter: Promoter | int, *, reward_kind: str | None = "cash") -> dict[str, Decimal]:
    """{bucket: amount} for one promoter (one brand). `reward_kind=None` sums every kind of reward."""
    qs = LedgerEntry.objects.filter(promoter=promoter)
    if reward_kind is not None:
        qs = qs.filter(reward_kind=reward_kind)
    return sum_rows(qs.values_list(*DELTA_FIELDS))


def balances_of_user(user) -> list[dict]:
    """One row per promoter role of the user (each brand): the promoter, its balance, debt and threshold.
    Three queries however many brands: promoters (with brand and program), entries, nothing else."""
    promoters = list(Promoter.objects.filter(user=user).select_related("brand").order_by("brand__name", "id"))
    programs = {p.brand_id: p for p in PromoterProgram.objects.filter(brand_id__in=[p.brand_id for p in promoters])}
    per: dict[int, list] = {p.pk: [] for p in promoters}
    rows = LedgerEntry.objects.filter(promoter__in=promoters, reward_kind="cash").values_list("promoter_id",
                                                                                             *DELTA_FIELDS)
    for promoter_id, *deltas in rows:
        per[promoter_id].append(deltas)
    result = []
    for p in promoters:
        bal = sum_rows(per[p.pk])
        program = programs.get(p.brand_id)
        result.append({
            "promoter": p, "brand": p.brand, "balance": bal, "debt": max(ZERO, -bal["available"]),
            "min_withdrawal": program.min_withdrawal if program else DEFAULT_MIN_WITHDRAWAL,
        })
    return result


def min_withdrawal(brand_id: int) -> Decimal:
    program = PromoterProgram.objects.filter(brand_id=brand_id).first()
    return program.min_withdrawal if program else DEFAULT_MIN_WITHDRAWAL


def entries_of_user(user):
    return (LedgerEntry.objects.filter(promoter__user=user).select_related("brand", "attribution__line")
            .order_by("-created_at", "-id"))


def payouts_of_user(user):
    return (Payout.objects.filter(promoter__user=user).select_related("brand", "promoter")
            .order_by("-requested_at", "-id"))


def payouts_of_brand(brand_id: int, state: str | None = None):
    qs = Payout.objects.filter(brand_id=brand_id).select_related("brand", "promoter__user", "decided_by")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-requested_at", "-id")


def in_kind_of_user(user) -> list[dict]:
    """The user's non-cash rewards per brand (points, rebate coupons, gift): what is given, what waits, and for a
    gift program the gift and whether it can be claimed now."""
    promoters = list(Promoter.objects.filter(user=user).select_related("brand").order_by("brand__name", "id"))
    programs = {p.brand_id: p for p in PromoterProgram.objects.select_related("gift_sku__product", "rebate_coupon")
                .filter(brand_id__in=[p.brand_id for p in promoters])}
    per: dict[tuple[int, str], list] = {}
    for promoter_id, kind, *deltas in (LedgerEntry.objects.filter(promoter__in=promoters).exclude(reward_kind="cash")
                                       .values_list("promoter_id", "reward_kind", *DELTA_FIELDS)):
        per.setdefault((promoter_id, kind), []).append(deltas)
    rows = []
    for p in promoters:
        program = programs.get(p.brand_id)
        kinds = {k for (pid, k) in per if pid == p.pk}
        if program is not None and program.reward_kind != "cash":
            kinds.add(program.reward_kind)
        for kind in sorted(kinds):
            bal = sum_rows(per.get((p.pk, kind), []))
            gift_ready = (kind == "gift" and program is not None and program.reward_kind == "gift"
                          and program.gift_sku_id and program.gift_value and bal["available"] >= program.gift_value)
            rows.append({"promoter": p, "brand": p.brand, "kind": kind, "balance": bal, "program": program,
                         "gift_ready": bool(gift_ready)})
    return rows
