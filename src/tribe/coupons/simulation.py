"""`tribe simulate` for coupons: each brand runs a 满减 coupon (limited stock) and a stackable percentage coupon;
consumers claim them, some buy with the best coupons for their cart, some of those orders are cancelled (the
coupon comes back). Invariant `coupons_never_overused`: no template granted beyond its stock or a user's limit,
every used coupon belongs to exactly one live order whose lines carry its share, and no coupon's share sits on
two orders."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from tribe.campaigns.services import move
from tribe.campaigns.simulation import ADDRESS
from tribe.core.errors import DomainError
from tribe.orders.checkout import place_direct_order, quote_direct
from tribe.orders.models import LineAdjustment, Order
from tribe.orders.services import cancel_order

from . import services
from .models import CouponTemplate, UserCoupon
from .redemption import best_coupons

KEY = "coupons"


def setup(sim) -> None:
    now = timezone.now()
    made = []
    for brand in sim.brands:
        staff = sim.staff_of[brand.pk]
        window = {"starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(days=90), "valid_days": 30}
        full = services.create_template(staff, brand, {
            "title": "满100减15", "benefit": "amount_off", "threshold": "100.00", "amount": "15.00",
            "total_quantity": 40, "per_user_limit": 1, **window})
        pct = services.create_template(staff, brand, {
            "title": "全店9折", "benefit": "percent_off", "percent_off": 10, "max_discount": "30.00",
            "threshold": "0", "total_quantity": 60, "per_user_limit": 2, "stackable": True, **window})
        for tpl in (full, pct):
            move(staff, tpl, "start")
            made.append(tpl.pk)
    sim.state[KEY] = {"templates": made, "n": 0}


def play_day(sim) -> None:
    state = sim.state.get(KEY)
    if not state:
        return
    for user in sim.rng.sample(sim.consumers, min(len(sim.consumers), 6)):
        try:
            services.claim(user, sim.rng.choice(state["templates"]), request=sim.request_for(user))
            sim.totals["coupons_claimed"] += 1
        except DomainError:
            sim.totals["coupons_claim_refused"] += 1
    holders = list(UserCoupon.objects.filter(state="available", valid_to__gt=timezone.now())
                   .values_list("user_id", "template__brand_id").distinct()[:50])
    users = {u.pk: u for u in sim.consumers}
    for user_id, brand_id in sim.rng.sample(holders, min(len(holders), 3)):
        user, products = users.get(user_id), sim.products_of.get(brand_id) or []
        if user is None or not products:
            continue
        sku = sim.rng.choice(products).skus.filter(stock__gte=2).first()
        if sku is None:
            continue
        qty = sim.rng.randint(1, 2)
        try:
            quote = quote_direct(user, sku.pk, qty)
            pick = best_coupons(user, [ln for s in quote.stores for ln in s.lines])
            if not pick["coupons"]:
                continue
            state["n"] += 1
            order = place_direct_order(user, sku.pk, qty, address=ADDRESS, options={"coupons": pick["coupons"]},
                                       idempotency_key=f"sim-coupon-{sim.day}-{state['n']}",
                                       request=sim.request_for(user))
        except DomainError:
            sim.totals["coupons_checkout_refused"] += 1
            continue
        sim.totals["coupons_redeemed"] += len(pick["coupons"])
        if sim.rng.random() < 0.2:
            cancel_order(user, order.pk)
            sim.totals["coupons_returned_on_cancel"] += len(pick["coupons"])
        else:
            sim.pay(user, order)


def finish(sim) -> None:
    sim.totals["coupons_expired"] += services.expire_due(sim.now_end)


def check(sim) -> dict[str, bool]:
    ok = True
    for tpl in CouponTemplate.objects.all():
        rows = UserCoupon.objects.filter(template=tpl)
        if rows.count() != tpl.granted_count:
            ok = False
        if tpl.total_quantity is not None and tpl.granted_count > tpl.total_quantity:
            ok = False
        if rows.exclude(state="void").values("user_id").annotate(n=Count("pk")).filter(
                n__gt=tpl.per_user_limit).exists():
            ok = False
    gone = {Order.Status.CANCELLED, Order.Status.EXPIRED}  # a coupon comes back from these
    given_back = list(gone | {Order.Status.CLOSED})  # … and from a full refund, when its template says so
    for coupon in UserCoupon.objects.filter(state="used").select_related("order", "template"):
        if coupon.order is None or coupon.order.status in gone:
            ok = False
            continue
        if coupon.template.benefit != "free_shipping":
            shares = LineAdjustment.objects.filter(code=coupon.code)
            holders = set(shares.values_list("line__order_id", flat=True))
            others = set(shares.exclude(line__order__status__in=given_back).values_list("line__order_id", flat=True))
            if coupon.order_id not in holders or others - {coupon.order_id}:
                ok = False
    pairs = set(LineAdjustment.objects.filter(code__startswith="coupon:").exclude(
        line__order__status__in=given_back).values_list("code", "line__order_id"))
    if any(n > 1 for n in Counter(code for code, _ in pairs).values()):
        ok = False
    return {"coupons_never_overused": ok}
