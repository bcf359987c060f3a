"""`tribe simulate` for 抽奖: each brand runs a lottery whose chances come from paid orders (≥ ¥50 of the brand's
products: one chance, granted by the order_paid hook while the simulated purchases are paid) and from a daily
share. Every day the players with chances draw; most goods winners claim with an address (and pay the shipping
when the store charges it), some never do and their prize expires at the end. Invariant
`lottery_prize_stock_never_oversold`: no prize's stock is negative and, per prize, prizes given = initial stock −
stock left. See tribe.campaigns.simulation for the interface."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from tribe.campaigns.simulation import ADDRESS, Sim
from tribe.core.errors import DomainError


def setup(sim: Sim) -> None:
    from . import services

    state = sim.state.setdefault("lottery", {"ids": []})
    now = timezone.now()
    for brand in sim.brands:
        staff = sim.staff_of[brand.pk]
        sku = next((p.skus.filter(is_active=True).first() for p in sim.products_of.get(brand.pk, [])), None)
        try:
            lottery = services.create_lottery(staff, brand, title=f"{brand.name} 幸运抽奖",
                                              starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(days=60),
                                              order_min_amount="50.00", share_enabled=True, claim_days=7)
            if sku is not None:
                services.add_prize(staff, lottery, kind="goods", name="幸运好礼", weight=30, stock=3, sku_id=sku.pk)
            services.add_prize(staff, lottery, kind="points", name="50 积分", weight=150, stock=30, points=50)
            services.move(staff, lottery, "start")
        except DomainError as exc:
            sim.totals[f"lottery_refused:{exc.code}"] += 1
            continue
        state["ids"].append(lottery.pk)
        sim.totals["lottery_lotteries"] += 1


def play_day(sim: Sim) -> None:
    from . import draws
    from .models import Chance

    for lottery_id in sim.state.get("lottery", {}).get("ids", []):
        sharers = sim.rng.sample(sim.consumers, min(3, len(sim.consumers)))
        for user in sharers:
            try:
                if draws.share(user, lottery_id):
                    sim.totals["lottery_share_chances"] += 1
            except DomainError as exc:
                sim.totals[f"lottery_refused:{exc.code}"] += 1
        holders = (Chance.objects.filter(lottery_id=lottery_id, voided_at__isnull=True, used__lt=F("granted"))
                   .select_related("user").order_by("id"))
        for chance in list(holders[:200]):
            _draw(sim, draws, chance.user, lottery_id, chance.source)


def _draw(sim: Sim, draws, user, lottery_id: int, entry: str) -> None:
    try:
        record = draws.draw(user, lottery_id, entry, request=sim.request_for(user))
    except DomainError as exc:
        sim.totals[f"lottery_refused:{exc.code}"] += 1
        return
    sim.totals["lottery_draws"] += 1
    sim.totals[f"lottery_draws_by_{entry}"] += 1
    if record.prize_id is None:
        sim.totals["lottery_none" if not record.note else f"lottery_none:{record.note}"] += 1
        return
    sim.totals[f"lottery_won_{record.prize.kind}"] += 1
    if record.award == record.Award.TO_CLAIM and sim.rng.random() < 0.8:
        try:
            claimed = draws.claim(user, record.pk, address=ADDRESS, request=sim.request_for(user))
            sim.totals["lottery_claimed"] += 1
            order = claimed.order
            if order is not None and order.total > 0:  # the store charges shipping on the free prize
                sim.pay(user, order)
                sim.totals["lottery_claim_shipping_paid"] += 1
        except DomainError as exc:
            sim.totals[f"lottery_claim_refused:{exc.code}"] += 1


def finish(sim: Sim) -> None:
    from . import draws

    sim.totals["lottery_prizes_expired"] += draws.expire_unclaimed(sim.now_end)


def check(sim: Sim) -> dict[str, bool]:
    from . import selectors
    from .models import Lottery, Prize

    ids = sim.state.get("lottery", {}).get("ids", [])
    never_negative = not Prize.objects.filter(lottery_id__in=ids, stock__lt=0).exists()
    reconciled = all(selectors.audit(lottery).reconciles for lottery in Lottery.objects.filter(pk__in=ids))
    return {"lottery_prize_stock_never_oversold": never_negative and reconciled}
