"""`tribe simulate` for 拼团: each brand runs a group-buy deal on one of its products (2- or 3-person groups at
80% of the list price, the leader a little less on odd brands). Every day a few consumers open groups and others
join open ones (some find them full — refused and counted); most pay, some never do (their seats come back when
the orders expire). finish() runs the deadline job after the last day: every unfilled group fails and its paid
members are refunded. Invariants: `groupbuy_no_overfill` (no group ever has more live members than seats, the
seat counter matches the member rows of open groups, complete groups have exactly `size` paid members) and
`groupbuy_failed_refunded` (no failed group keeps a live member, every paid order of one is refunded in full).
See tribe.campaigns.simulation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from tribe.campaigns.simulation import ADDRESS, Sim
from tribe.core.errors import DomainError

RATE = Decimal("0.80")


def setup(sim: Sim) -> None:
    from . import services

    state = sim.state.setdefault("groupbuy", {"ids": []})
    now = timezone.now()
    for i, brand in enumerate(sim.brands):
        staff = sim.staff_of[brand.pk]
        product = next((p for p in sim.products_of.get(brand.pk, [])
                        if p.skus.filter(is_active=True, price__gte=Decimal("1.00")).exists()), None)
        if product is None:
            continue
        prices = {}
        for sku in product.skus.filter(is_active=True, price__gte=Decimal("1.00")):
            price = (sku.price * RATE).quantize(Decimal("0.01"))
            prices[sku.pk] = (price, (price * Decimal("0.9")).quantize(Decimal("0.01")) if i % 2 else None)
        data = {"title": f"{brand.name} {2 + i % 2}人团", "product_id": product.pk, "prices": prices,
                "group_size": 2 + i % 2, "hours": 24, "per_user_limit": 3,
                "starts_at": now - timedelta(minutes=5), "ends_at": now + timedelta(days=60)}
        try:
            deal = services.move_deal(staff, services.create_deal(staff, brand, data), "start")
        except DomainError as exc:
            sim.totals[f"groupbuy_refused:{exc.code}"] += 1
            continue
        state["ids"].append(deal.pk)
        sim.totals["groupbuy_deals"] += 1


def _maybe_pay(sim: Sim, user, order, chance: float) -> None:
    if sim.rng.random() < chance:
        sim.pay(user, order)
        sim.totals["groupbuy_paid"] += 1


def play_day(sim: Sim) -> None:
    from . import groups
    from .models import Group

    ids = sim.state.get("groupbuy", {}).get("ids", [])
    if not ids or len(sim.consumers) < 4:
        return
    for n, user in enumerate(sim.rng.sample(sim.consumers, 2)):
        try:
            order = groups.open_group(user, sim.rng.choice(ids), address=ADDRESS, request=sim.request_for(user),
                                      idempotency_key=f"sim-gb-open-{sim.day}-{n}-{user.pk}")
        except DomainError as exc:
            sim.totals[f"groupbuy_open_refused:{exc.code}"] += 1
            continue
        sim.totals["groupbuy_opened"] += 1
        _maybe_pay(sim, user, order, 0.9)
    open_groups = list(Group.objects.filter(deal_id__in=ids, state=Group.State.OPEN).order_by("id")
                       .values_list("pk", flat=True)[:20])
    for gid in open_groups:
        for n, friend in enumerate(sim.rng.sample(sim.consumers, sim.rng.randint(0, 3))):
            try:
                order = groups.join_group(friend, gid, address=ADDRESS, request=sim.request_for(friend),
                                          idempotency_key=f"sim-gb-join-{sim.day}-{gid}-{n}-{friend.pk}")
            except DomainError as exc:
                sim.totals[f"groupbuy_join_refused:{exc.code}"] += 1
                continue
            sim.totals["groupbuy_joined"] += 1
            _maybe_pay(sim, friend, order, 0.85)
    groups.expire_groups()  # the periodic job (nothing is past its deadline yet on the real clock)


def finish(sim: Sim) -> None:
    from tribe.orders.services import run_due

    from . import groups
    from .models import Group

    ids = sim.state.get("groupbuy", {}).get("ids", [])
    run_due(now=sim.now_end)  # unpaid seats expire and come back
    done = groups.expire_groups(now=sim.now_end)
    sim.totals["groupbuy_failed"] += done["failed"]
    sim.totals["groupbuy_refunded_orders"] += done["refunded"]
    sim.totals["groupbuy_completed"] += Group.objects.filter(deal_id__in=ids, state=Group.State.COMPLETE).count()


def check(sim: Sim) -> dict[str, bool]:
    from tribe.orders.models import Order

    from .models import Group, GroupMember

    ids = sim.state.get("groupbuy", {}).get("ids", [])
    live = Q(members__state__in=GroupMember.ACTIVE)
    rows = Group.objects.filter(deal_id__in=ids).annotate(
        live=Count("members", filter=live), paid=Count("members", filter=Q(members__state=GroupMember.State.PAID)))
    no_overfill = all(
        g.live <= g.size and (g.state != Group.State.OPEN or g.seats_taken == g.live)
        and (g.state != Group.State.COMPLETE or g.paid == g.size)
        for g in rows)
    failed = GroupMember.objects.filter(group__deal_id__in=ids, group__state=Group.State.FAILED)
    paid_orders = Order.objects.filter(pk__in=failed.values("order_id"), paid_total__gt=0)
    refunded = (not failed.filter(state__in=GroupMember.ACTIVE).exists()
                and all(o.refunded_total == o.paid_total for o in paid_orders))
    return {"groupbuy_no_overfill": no_overfill, "groupbuy_failed_refunded": refunded}
