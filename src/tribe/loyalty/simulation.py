"""`tribe simulate` for loyalty: consumers sign in most days (streaks, a second tap refused), earn points on
every paid order of the simulation, and some spend them at checkout — a few asking for more than they have
(refused, nothing written), some cancelling (the points come back). Each brand sets silver-tier prices on a
few SKUs. At the end the expiry job runs on the simulated calendar.

Invariants: `points_ledger_balanced` — for every user, the balance equals the sum of the entries (the expiry
job has run at that time), is never negative, every debit is covered exactly by lots, and no lot is consumed
beyond its points; `points_spends_match_orders` — every live order paid partly with points has exactly the
spend its points discount stands for, and every cancelled one got all of it back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import F, Sum
from django.db.models.functions import Coalesce

from tribe.campaigns.simulation import ADDRESS
from tribe.core.errors import DomainError
from tribe.orders.checkout import place_direct_order
from tribe.orders.models import LineAdjustment, Order
from tribe.orders.services import cancel_order

from . import conf, services, tiers
from .models import PointsAllocation, PointsEntry, Tier

KEY = "loyalty"
DEAD = (Order.Status.CANCELLED, Order.Status.EXPIRED)


def setup(sim) -> None:
    silver = Tier.objects.filter(rank=1, is_active=True).first()
    made = 0
    if silver is not None:
        for brand in sim.brands:
            for product in (sim.products_of.get(brand.pk) or [])[:3]:
                sku = product.skus.filter(is_active=True).first()
                if sku is None or sku.price < Decimal("2.00"):
                    continue
                price = (sku.price * Decimal("0.90")).quantize(Decimal("0.01"))
                try:
                    tiers.set_tier_price(sim.staff_of[brand.pk], brand, sku_id=sku.pk, tier_id=silver.pk, price=price)
                    made += 1
                except DomainError:
                    sim.totals["loyalty_tier_price_refused"] += 1
    sim.totals["loyalty_tier_prices"] += made
    sim.state[KEY] = {"n": 0}


def play_day(sim) -> None:
    state = sim.state.get(KEY)
    if state is None:
        return
    when = sim.day_time or None
    for user in sim.rng.sample(sim.consumers, max(1, len(sim.consumers) * 2 // 5)):
        at = when + timedelta(hours=9, minutes=sim.rng.randint(0, 600)) if when else None
        try:
            services.sign_in(user, now=at)
            sim.totals["loyalty_sign_ins"] += 1
        except DomainError:
            sim.totals["loyalty_sign_in_refused"] += 1
        if sim.rng.random() < 0.05:  # a double tap: refused with 409, nothing credited twice
            try:
                services.sign_in(user, now=at)
            except DomainError:
                sim.totals["loyalty_sign_in_refused"] += 1
    for user in sim.rng.sample(sim.consumers, min(len(sim.consumers), 4)):
        _buy_with_points(sim, state, user)


def _buy_with_points(sim, state, user) -> None:
    balance = services.balance(user)
    if balance < 50:
        return
    brand = sim.rng.choice(sim.brands)
    products = sim.products_of.get(brand.pk) or []
    if not products:
        return
    sku = sim.rng.choice(products).skus.filter(stock__gte=1, is_active=True).first()
    if sku is None:
        return
    greedy = sim.rng.random() < 0.15  # asks for more than the balance: refused, nothing written
    points = balance + 100 if greedy else sim.rng.randint(1, balance)
    state["n"] += 1
    try:
        order = place_direct_order(user, sku.pk, 1, address=ADDRESS, options={"points": points},
                                   idempotency_key=f"sim-points-{sim.day}-{state['n']}",
                                   request=sim.request_for(user))
    except DomainError as exc:
        sim.totals[f"loyalty_checkout_refused:{exc.code}"] += 1
        return
    sim.totals["loyalty_points_orders"] += 1
    if sim.rng.random() < 0.2:
        cancel_order(user, order.pk, reason="模拟取消")
        sim.totals["loyalty_points_orders_cancelled"] += 1
        return
    sim.pay(user, order)


def finish(sim) -> None:
    if KEY in sim.state:
        sim.totals["loyalty_points_expired"] += services.expire_points(sim.now_end)


def check(sim) -> dict[str, bool]:
    at = sim.now_end
    balanced = True
    users = PointsEntry.objects.values_list("user_id", flat=True).distinct()
    for uid in users:
        total = PointsEntry.objects.filter(user_id=uid).aggregate(s=Coalesce(Sum("points"), 0))["s"]
        bal = services.balance(uid, at)
        balanced &= bal == total and bal >= 0
    debits = (PointsEntry.objects.filter(points__lt=0).annotate(alloc=Coalesce(Sum("allocations__points"), 0))
              .exclude(alloc=-F("points")))
    balanced &= not debits.exists()
    over = (PointsEntry.objects.filter(points__gt=0).annotate(used=Coalesce(Sum("consumed_by__points"), 0))
            .filter(used__gt=F("points")))
    balanced &= not over.exists()
    balanced &= not PointsAllocation.objects.exclude(debit__kind="expire").filter(
        lot__expires_at__lte=F("debit__created_at")).exists()

    matches = True
    paid_with_points = (LineAdjustment.objects.filter(code="points").values("line__order_id")
                        .annotate(amount=Sum("amount")))
    for row in paid_with_points:
        order = Order.objects.get(pk=row["line__order_id"])
        ref = f"order_spend:{order.pk}"
        spend = PointsEntry.objects.filter(kind="spend", ref=ref).first()
        back = PointsEntry.objects.filter(kind="refund", ref=ref).aggregate(s=Coalesce(Sum("points"), 0))["s"]
        if spend is None or -spend.points != conf.money_to_points(row["amount"]):
            matches = False
        elif order.status in DEAD and back != -spend.points:
            matches = False
    return {"points_ledger_balanced": balanced, "points_spends_match_orders": matches}
