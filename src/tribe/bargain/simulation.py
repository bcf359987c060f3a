"""`tribe simulate` for 砍价: each brand runs a bargain campaign on one of its SKUs (floor 30% of the price, 3–5
helps). Every day a few consumers start bargains, friends open the links and help (some twice or on their own
bargain — refused and counted), and most initiators who reach the floor buy and pay. Invariant
`bargain_sum_exact`: for every bargain, start − Σ cuts = current price, every cut ≥ ¥0.01, the help rows match
helps_done, and the price is at the floor exactly when all helps are in. See tribe.campaigns.simulation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from tribe.campaigns.simulation import ADDRESS, Sim
from tribe.core.errors import DomainError


def setup(sim: Sim) -> None:
    from tribe.campaigns.services import move

    from . import services

    state = sim.state.setdefault("bargain", {"ids": []})
    now = timezone.now()
    for i, brand in enumerate(sim.brands):
        staff = sim.staff_of[brand.pk]
        sku = next((s for p in sim.products_of.get(brand.pk, []) for s in p.skus.filter(is_active=True)[:1]
                    if s.price >= Decimal("1.00")), None)
        if sku is None:
            continue
        data = {"title": f"{brand.name} 好友砍价", "sku_id": sku.pk,
                "floor_price": str((sku.price * Decimal("0.3")).quantize(Decimal("0.01"))),
                "helps_needed": 3 + i % 3, "hours": 72, "buy_rule": "any" if i % 2 else "floor",
                "new_user_days": 7, "new_user_weight": "2.00", "per_user_limit": 3, "helper_daily_limit": 100,
                "starts_at": now - timedelta(minutes=5), "ends_at": now + timedelta(days=60)}
        try:
            campaign = move(staff, services.save_campaign(staff, brand, data), "start")
        except DomainError as exc:
            sim.totals[f"bargain_refused:{exc.code}"] += 1
            continue
        state["ids"].append(campaign.pk)
        sim.totals["bargain_campaigns"] += 1


def play_day(sim: Sim) -> None:
    from . import services
    from .models import Bargain

    ids = sim.state.get("bargain", {}).get("ids", [])
    if not ids or len(sim.consumers) < 2:
        return
    for user in sim.rng.sample(sim.consumers, min(2, len(sim.consumers))):
        try:
            services.start_bargain(user, sim.rng.choice(ids), request=sim.request_for(user))
            sim.totals["bargain_started"] += 1
        except DomainError as exc:
            sim.totals[f"bargain_refused:{exc.code}"] += 1
    open_ = list(Bargain.objects.filter(campaign_id__in=ids, state=Bargain.State.OPEN).select_related("initiator"))
    for bargain in open_:
        for friend in sim.rng.sample(sim.consumers, min(sim.rng.randint(1, 4), len(sim.consumers))):
            try:
                services.help_bargain(friend, bargain.pk, request=sim.request_for(friend))
                sim.totals["bargain_helps"] += 1
            except DomainError as exc:
                sim.totals[f"bargain_help_refused:{exc.code}"] += 1
    ready = Bargain.objects.filter(campaign_id__in=ids, state=Bargain.State.REACHED).select_related("initiator")
    seen = sim.state["bargain"].setdefault("reached", set())
    for bargain in list(ready):
        if bargain.pk not in seen:
            seen.add(bargain.pk)
            sim.totals["bargain_reached"] += 1
        if sim.rng.random() < 0.3:
            continue  # not every initiator buys
        user = bargain.initiator
        try:
            order = services.buy_bargain(user, bargain.pk, address=ADDRESS, request=sim.request_for(user),
                                         idempotency_key=f"sim-bargain-{bargain.pk}-{sim.day}")
        except DomainError as exc:
            sim.totals[f"bargain_buy_refused:{exc.code}"] += 1
            continue
        sim.totals["bargain_bought"] += 1
        if sim.rng.random() < 0.85:
            sim.pay(user, order)
            sim.totals["bargain_paid"] += 1


def finish(sim: Sim) -> None:
    from . import services

    sim.totals["bargain_expired"] += services.expire_due(sim.now_end)


def check(sim: Sim) -> dict[str, bool]:
    from django.db.models import Count, Min, Sum

    from .models import Bargain

    ids = sim.state.get("bargain", {}).get("ids", [])
    rows = Bargain.objects.filter(campaign_id__in=ids).annotate(cut=Sum("helps__amount"), n=Count("helps"),
                                                                smallest=Min("helps__amount"))
    exact = all(
        b.start_price - (b.cut or 0) == b.current_price and b.n == b.helps_done
        and (b.smallest is None or b.smallest >= Decimal("0.01"))
        and (b.current_price == b.floor_price) == (b.helps_done == b.helps_needed)
        for b in rows)
    return {"bargain_sum_exact": exact}
