"""`tribe simulate` for 预售: one presale per brand on a SKU of its own (so its stock is the presale's alone),
deposit and balance windows open now (the simulated calendar does not move the clock). Consumers pay deposits,
most pay the balance, some never do and are closed at the end by each presale's rule (one brand forfeits, the
next refunds). Invariant `presale_stock_counted_once`: the SKU's stock fell by exactly the units of live
purchases — never by the balance orders as well. See tribe.campaigns.simulation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tribe.campaigns.simulation import ADDRESS, Sim
from tribe.core.errors import DomainError

STOCK = 200


def setup(sim: Sim) -> None:
    from tribe.catalog.services import add_sku

    from . import services

    now = timezone.now()
    state = sim.state.setdefault("presale", {"ids": [], "stock": {}, "n": 0})
    for i, brand in enumerate(sim.brands):
        staff = sim.staff_of[brand.pk]
        for product in sim.products_of[brand.pk]:
            if not product.option_names:
                continue
            base = product.skus.filter(is_active=True).order_by("pk").first()
            if base is None:
                continue
            try:
                sku = add_sku(staff, product, options={n: "预售款" for n in product.option_names},
                              price=base.price, stock=STOCK)
                price = (base.price * Decimal("0.90")).quantize(Decimal("0.01"))
                deposit = max(Decimal("1.00"), (price * Decimal("0.10")).quantize(Decimal("1")))
                presale = services.create_presale(staff, brand, {
                    "title": f"{product.name[:60]} 预售", "sku_id": sku.pk, "price": str(price),
                    "deposit": str(deposit), "deposit_value": str(min(deposit * 2, price - Decimal("0.01"))),
                    "starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=3),
                    "balance_starts_at": now - timedelta(hours=1), "balance_ends_at": now + timedelta(days=5),
                    "ship_date": (now + timedelta(days=6)).date(),
                    "refund_rule": "forfeit" if i % 2 == 0 else "refundable",
                    "quantity_cap": STOCK // 2, "per_user_limit": 3})
                services.move_presale(staff, presale, "start")
            except DomainError as exc:
                sim.totals[f"presale_refused:{exc.code}"] += 1
                continue
            state["ids"].append(presale.pk)
            state["stock"][sku.pk] = STOCK
            sim.totals["presale_created"] += 1
            break


def play_day(sim: Sim) -> None:
    from . import services
    from .models import Presale, PresaleOrder

    state = sim.state.get("presale")
    if not state or not state["ids"]:
        return
    for presale in Presale.objects.filter(pk__in=state["ids"]).order_by("pk"):
        for user in sim.rng.sample(sim.consumers, min(len(sim.consumers), sim.rng.randint(1, 4))):
            state["n"] += 1
            try:
                order = services.place_deposit(user, presale.pk, sim.rng.randint(1, 2), address=ADDRESS,
                                               idempotency_key=f"sim-presale-{presale.pk}-{state['n']}",
                                               request=sim.request_for(user))
                sim.totals["presale_deposits"] += 1
                if sim.rng.random() < 0.9:
                    sim.pay(user, order)
                    sim.totals["presale_deposits_paid"] += 1
            except DomainError as exc:
                sim.totals[f"presale_refused:{exc.code}"] += 1
    for purchase in PresaleOrder.objects.filter(presale_id__in=state["ids"], state="deposit_paid",
                                                balance_order__isnull=True).select_related("user"):
        roll = sim.rng.random()
        if roll < 0.5:
            continue  # not today (some never: forfeited or refunded at the end)
        state["n"] += 1
        try:
            order = services.place_balance(purchase.user, purchase.pk, idempotency_key=f"sim-bal-{state['n']}")
            sim.totals["presale_balances"] += 1
            if roll < 0.85:
                sim.pay(purchase.user, order)
                sim.totals["presale_balances_paid"] += 1
        except DomainError as exc:
            sim.totals[f"presale_refused:{exc.code}"] += 1


def finish(sim: Sim) -> None:
    from tribe.orders.services import run_due

    from . import services
    from .models import Presale

    state = sim.state.get("presale")
    if not state or not state["ids"]:
        return
    last = max(p.balance_ends_at for p in Presale.objects.filter(pk__in=state["ids"]))
    when = max(sim.now_end or last, last + timedelta(minutes=1))
    run_due(now=when)  # unpaid balance orders expire first (their units stay with the deposit)
    done = services.run_presale_due(now=when)
    sim.totals["presale_forfeited"] += done["forfeited"]
    sim.totals["presale_refunded"] += done["refunded"]


def check(sim: Sim) -> dict[str, bool]:
    from django.db.models import Sum

    from tribe.catalog.models import Sku

    from .models import Presale, PresaleOrder
    from .services import LIVE_STATES

    state = sim.state.get("presale")
    if not state or not state["ids"]:
        return {"presale_stock_counted_once": True}
    ok = True
    money = True
    for presale in Presale.objects.filter(pk__in=state["ids"]):
        live = (PresaleOrder.objects.filter(presale=presale, state__in=LIVE_STATES)
                .aggregate(n=Sum("quantity"))["n"] or 0)
        stock = Sku.objects.get(pk=presale.sku_id).stock
        ok &= state["stock"][presale.sku_id] - stock == live == presale.sold
        for p in PresaleOrder.objects.filter(presale=presale, state="balance_paid").select_related("balance_order"):
            goods = p.balance_order.total - p.balance_order.shipping_total
            money &= goods == presale.balance * p.quantity
    return {"presale_stock_counted_once": ok, "presale_balance_exact": money}
