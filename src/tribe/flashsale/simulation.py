"""`tribe simulate` for 秒杀: one sale a day (a brand's SKU carved out for an hour's slot); a crowd of consumers
rushes it (some twice: the per-user limit refuses), most pay, a few cancel (the units go back to the sale), the
brand ends the slot (the rest goes back to the SKU). Invariant `flashsale_no_oversell`. See
tribe.campaigns.simulation for the interface."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from tribe.campaigns.simulation import ADDRESS, Sim
from tribe.core.errors import DomainError


def setup(sim: Sim) -> None:
    sim.state.setdefault("flashsale", {"ids": []})


def _pick_sku(sim: Sim):
    brand = sim.brands[sim.day % len(sim.brands)]
    for product in sim.rng.sample(sim.products_of[brand.pk], len(sim.products_of[brand.pk])):
        sku = product.skus.filter(is_active=True, stock__gte=2).first()
        if sku is not None:
            return brand, sku
    return brand, None


def play_day(sim: Sim) -> None:
    from tribe.orders.services import cancel_order

    from . import services

    brand, sku = _pick_sku(sim)
    if sku is None:
        sim.totals["flashsale_skipped_no_stock"] += 1
        return
    staff = sim.staff_of[brand.pk]
    now = timezone.now()
    try:
        sale = services.create_sale(staff, brand, title=f"第 {sim.day + 1} 天 10:00 场", starts_at=now - timedelta(
            minutes=1), ends_at=now + timedelta(hours=1))
        price = (sku.price / 2).quantize(Decimal("0.01"))
        item = services.add_item(staff, sale, sku_id=sku.pk, flash_price=str(price),
                                 quantity=min(5, sku.stock // 2), per_user_limit=1)
        services.start_sale(staff, sale)
    except DomainError as exc:
        sim.totals[f"flashsale_refused:{exc.code}"] += 1
        return
    sim.state["flashsale"]["ids"].append(sale.pk)
    sim.totals["flashsale_sales"] += 1
    crowd = sim.rng.sample(sim.consumers, min(len(sim.consumers), item.quantity * 3))
    placed = []
    for n, user in enumerate(crowd + crowd[:2]):  # the first two try twice: the limit answers
        try:
            order = services.buy(user, sale.pk, item.pk, address=ADDRESS, request=sim.request_for(user),
                                 idempotency_key=f"sim-flash-{sale.pk}-{n}")
            placed.append((user, order))
            sim.totals["flashsale_orders"] += 1
        except DomainError as exc:
            sim.totals[f"flashsale_refused:{exc.code}"] += 1
    for user, order in placed:
        if sim.rng.random() < 0.15:
            cancel_order(user, order.pk)
            sim.totals["flashsale_cancelled"] += 1
        else:
            sim.pay(user, order)
            sim.totals["flashsale_paid"] += 1
    try:
        services.end_sale(staff, sale)
        sim.totals["flashsale_ended"] += 1
    except DomainError as exc:
        sim.totals[f"flashsale_refused:{exc.code}"] += 1


def finish(sim: Sim) -> None:
    from . import services

    sim.totals["flashsale_swept"] += services.end_due_sales(sim.now_end)


def check(sim: Sim) -> dict[str, bool]:
    from tribe.catalog.models import Sku

    from .models import FlashItem, FlashPurchase

    ok = True
    items = FlashItem.objects.filter(sale_id__in=sim.state.get("flashsale", {}).get("ids", [])).select_related("sale")
    for item in items:
        live = (FlashPurchase.objects.filter(item=item, state=FlashPurchase.State.LIVE)
                .aggregate(n=Sum("quantity"))["n"] or 0)
        ended = item.sale.status == "ended"
        ok = ok and item.left >= 0 and item.sold == live and item.sold + item.left <= item.quantity
        ok = ok and (not ended or item.left == 0)
    ok = ok and not Sku.objects.filter(stock__lt=0).exists()
    return {"flashsale_no_oversell": ok}
