"""`tribe simulate`: a seeded simulation of a social shop, run through the services, that checks the money.

By default it builds a throwaway SQLite database in a temporary directory (`--database-url` to use another
empty database), seeds the demo catalogue, adds consumers up to `--users`, opens promoter programs for three
brands (one per binding rule; one of them with two promoters per line), lets promoters join, then plays
`--days` days: promoters share products, visitors click (binding rules apply to the simulated click time),
some buy and pay, some orders are refunded in part or in full, some are shipped and received, the periodic
jobs run as time passes (auto-receive, release after the after-sales window), and promoters request payouts
that brands approve or reject. Order, payment and receipt times are real time; the simulated calendar drives
the clicks (so binding windows expire) and the "now" given to the periodic jobs.

At the end it checks, and prints with the totals:
- ledger balanced: for every promoter, the balance buckets equal the sums of the ledger entries, and the
  ledger's total equals commission credited minus commission reversed over all attributions;
- no commission on refunded money: per attribution, what remains credited is at most rate × (base − refunded)
  rounded up to the fen, and a fully refunded line keeps nothing;
- no oversell: no SKU below zero stock, and units sold never exceed what was on sale;
- depth: no line pays more promoters than its brand's program allows (never more than 2);
- rewards only from paid orders.
Exit code 1 if any invariant fails.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from datetime import timedelta
from decimal import ROUND_UP, Decimal
from pathlib import Path

FEN = Decimal("0.01")


def _request_for(user, session_store):
    from django.test import RequestFactory

    request = RequestFactory().get("/", REMOTE_ADDR=f"10.{user.pk % 250}.{user.pk // 250 % 250}.1")
    request.user = user
    request.session = session_store
    return request


def _store_staff(line):
    from tribe.brands.models import BrandMembership

    return BrandMembership.objects.filter(brand_id=line.store_order.store.brand_id).select_related("user").first().user


def _pay(user, order):
    from tribe.payments.gateways.dummy import signed_body
    from tribe.payments.services import handle_notification, start_payment

    payment, _ = start_payment(user, order.pk, "dummy")
    handle_notification("dummy", {}, signed_body(payment.out_trade_no, payment.amount, True,
                                                 "SIM" + payment.out_trade_no))


def simulate(users: int, days: int, seed: int, log=print, plays: bool = True) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Sum
    from django.utils import timezone

    from tribe.aftersales.services import approve_refund, request_refund
    from tribe.brands.models import Brand, BrandMembership
    from tribe.catalog.models import Product, Sku
    from tribe.commissions import selectors as ledger_selectors
    from tribe.commissions import services as commissions
    from tribe.commissions.models import LedgerEntry, Payout
    from tribe.core.errors import DomainError
    from tribe.demo.seed import seed_demo
    from tribe.distribution import clicks
    from tribe.distribution import services as distribution
    from tribe.distribution.models import LineAttribution, Promoter, PromoterProgram
    from tribe.orders import services as orders
    from tribe.orders.cart import add_to_cart, get_cart
    from tribe.orders.checkout import place_order
    from tribe.orders.models import Order, OrderLine, StoreOrder
    from tribe.orders.shipping import ship
    from tribe.referrals.models import Reward

    User = get_user_model()
    rng = random.Random(f"tribe-simulate:{seed}")
    started = time.monotonic()
    log("seeding the demo catalogue …")
    seed_demo(seed, consumers=min(60, users))
    extra = max(0, users - User.objects.filter(is_staff=False, brand_memberships__isnull=True).count())
    User.objects.bulk_create([User(username=f"sim{seed}_{i}", nickname=f"模拟用户{i}", city="杭州")
                              for i in range(extra)], batch_size=1000)
    # plenty of stock: the check is that nothing oversells, not that things sell out
    Sku.objects.update(stock=5000)
    Product.objects.update(total_stock=5000)
    consumers = list(User.objects.filter(is_staff=False, brand_memberships__isnull=True).order_by("id"))
    brands = [b for b in Brand.objects.filter(stores__products__published=True).distinct().order_by("id")][:3]
    rules = ["window", "first_click", "last_click"]
    staff_of, products_of = {}, {}
    for i, brand in enumerate(brands):
        staff = BrandMembership.objects.filter(brand=brand).select_related("user").first().user
        staff_of[brand.pk] = staff
        distribution.save_program(staff, brand, join_policy="anyone", binding=rules[i], window_days=30,
                                  default_rate="0.1000", max_promoters_per_line=2 if i == 2 else 1,
                                  min_withdrawal="10.00")
        products_of[brand.pk] = list(Product.objects.published().filter(store__brand=brand)[:30])
    promoters = []
    for user in rng.sample(consumers, max(3, len(consumers) // 25)):
        promoters.append(distribution.join(user, rng.choice(brands)))
    log(f"{len(consumers)} consumers, {len(promoters)} promoters, {len(brands)} brands; playing {days} days …")
    sessions = {}
    now = timezone.now()
    totals = Counter()
    from tribe.campaigns.simulation import Sim, play_modules

    play_mods = play_modules() if plays else []
    sim = Sim(rng=random.Random(f"tribe-simulate-plays:{seed}"), consumers=consumers, brands=brands,
              staff_of=staff_of, products_of=products_of, pay=_pay,
              request_for=lambda user: _request_for(user, sessions.setdefault(user.pk, SessionStore())),
              totals=totals)
    for mod in play_mods:
        if hasattr(mod, "setup"):
            log(f"setting up play {mod.__name__.split('.')[1]} …")
            mod.setup(sim)
    paid_orders: list[Order] = []
    recent: list = []
    for day in range(days):
        day_time = now - timedelta(days=days - day)
        for promoter in promoters:
            for _ in range(rng.randint(0, 3)):  # shares that get clicked today
                visitor = rng.choice(consumers)
                product = rng.choice(products_of[promoter.brand_id])
                store = sessions.setdefault(visitor.pk, SessionStore())
                clicks.record_click(_request_for(visitor, store), "product", product, sharer_id=promoter.user_id,
                                    channel=rng.choice(["wechat", "moments", "qr"]),
                                    now=day_time + timedelta(minutes=rng.randint(0, 1439)))
                recent.append((day, visitor, product))
                totals["clicks"] += 1
        recent = [r for r in recent if r[0] >= day - 3]
        sim.day, sim.day_time = day, day_time
        for mod in play_mods:
            if hasattr(mod, "play_day"):
                mod.play_day(sim)
        for _ in range(rng.randint(3, 12)):  # purchases today
            if recent and rng.random() < 0.7:  # most buyers came through a friend's share
                _, buyer, clicked = rng.choice(recent)
                items = [clicked]
            else:
                buyer = rng.choice(consumers)
                brand = rng.choice(brands)
                items = rng.sample(products_of[brand.pk], rng.randint(1, 2))
            cart = get_cart(buyer, create=True)
            try:
                for product in items:
                    add_to_cart(cart, product.skus.first().pk, rng.randint(1, 3))
                store = sessions.setdefault(buyer.pk, SessionStore())
                order = place_order(buyer, cart, idempotency_key=f"sim-{seed}-{day}-{totals['orders']}",
                                    address={"name": "模拟", "phone": f"139{buyer.pk:08d}", "province": "浙江省",
                                             "city": "杭州市", "district": "西湖区", "detail": f"模拟路 {buyer.pk} 号"},
                                    request=_request_for(buyer, store))
                totals["orders"] += 1
                _pay(buyer, order)
                order.refresh_from_db()
                if order.status == Order.Status.PAID:
                    paid_orders.append(order)
                    totals["paid_orders"] += 1
            except DomainError as exc:
                totals[f"refused:{exc.code}"] += 1
        for order in rng.sample(paid_orders, min(len(paid_orders), rng.randint(0, 3))):  # refunds
            order.refresh_from_db()
            if order.status != Order.Status.PAID:
                continue
            line = order.lines.first()
            if line.refunded_quantity >= line.quantity:
                continue
            qty = line.quantity - line.refunded_quantity if rng.random() < 0.5 else 1
            try:
                req = request_refund(order.user, line.pk, kind="refund_only", quantity=qty, reason="模拟退款")
                approve_refund(_store_staff(line), req.pk)
                totals["refunds"] += 1
            except DomainError as exc:
                totals[f"refund_refused:{exc.code}"] += 1
        for order in rng.sample(paid_orders, min(len(paid_orders), rng.randint(2, 8))):  # ship and receive
            order.refresh_from_db()
            if order.status != Order.Status.PAID:
                continue
            try:
                for so in StoreOrder.objects.filter(order=order, status=StoreOrder.Status.AWAITING_SHIPMENT):
                    ship(staff_of.get(so.store.brand_id) or BrandMembership.objects.filter(
                        brand=so.store.brand).first().user, so.pk, carrier="SF", tracking_number=f"SF{so.pk:09d}")
                orders.confirm_receipt(order.user, order.pk)
                totals["received"] += 1
            except DomainError as exc:
                totals[f"receive_refused:{exc.code}"] += 1
        commissions.release_due(now=now + timedelta(days=day))  # the daily job, on the simulated calendar
        for promoter in promoters:  # payouts
            bal = ledger_selectors.balance(promoter)
            if bal["available"] >= Decimal("10.00") and rng.random() < 0.3:
                try:
                    payout = commissions.request_payout(promoter.user, promoter.brand_id, bal["available"])
                    totals["payout_requests"] += 1
                    staff = staff_of[promoter.brand_id]
                    if rng.random() < 0.8:
                        commissions.approve_payout(staff, payout.pk, brand_id=promoter.brand_id)
                        totals["payouts_paid"] += 1
                    else:
                        commissions.reject_payout(staff, payout.pk, brand_id=promoter.brand_id, note="模拟驳回")
                        totals["payouts_rejected"] += 1
                except DomainError as exc:
                    totals[f"payout_refused:{exc.code}"] += 1
        # late refunds after withdrawal make debts: refund some received orders' lines too
        for order in rng.sample(paid_orders, min(len(paid_orders), rng.randint(0, 1))):
            order.refresh_from_db()
            line = order.lines.first()
            if order.status not in (Order.Status.RECEIVED,) or line.refunded_quantity >= line.quantity:
                continue
            try:
                req = request_refund(order.user, line.pk, kind="refund_only", quantity=1, reason="模拟售后")
                approve_refund(_store_staff(line), req.pk)
                totals["late_refunds"] += 1
            except DomainError as exc:
                totals[f"late_refund_refused:{exc.code}"] += 1
    log("time passes: auto-receive and release …")
    orders.run_due(now=now + timedelta(days=30))
    commissions.release_due(now=now + timedelta(days=45))
    sim.now_end = now + timedelta(days=45)
    for mod in play_mods:
        if hasattr(mod, "finish"):
            mod.finish(sim)

    # --- invariants -------------------------------------------------------------------------------------
    checks = {}
    balanced = True
    for promoter in Promoter.objects.all():
        bal = ledger_selectors.balance(promoter, reward_kind=None)
        rows = LedgerEntry.objects.filter(promoter=promoter)
        for bucket in bal:
            direct = sum((getattr(e, f"d_{bucket}") for e in rows), Decimal("0.00"))
            balanced &= direct == bal[bucket]
    credited = sum((sum(bal.values(), Decimal("0.00")) for bal in
                    (ledger_selectors.balance(p, reward_kind=None) for p in Promoter.objects.all())), Decimal("0.00"))
    atts = {a.pk: a for a in LineAttribution.objects.select_related("line")}
    states = commissions.attribution_states(list(atts))
    per_attribution = all(sum(st.net.values(), Decimal("0.00")) == atts[aid].commission - st.reversed
                          for aid, st in states.items())
    expected = sum((atts[aid].commission - st.reversed for aid, st in states.items()), Decimal("0.00"))
    checks["ledger_balanced"] = balanced and per_attribution and credited == expected
    no_refunded_commission = True
    for aid, att in atts.items():
        st = states.get(aid)
        kept = (att.commission - st.reversed) if st else Decimal("0.00")
        remaining = att.base_amount - min(att.line.refunded_amount, att.base_amount)
        ceiling = (remaining * att.rate).quantize(FEN, rounding=ROUND_UP) + FEN
        if kept > ceiling or (remaining == 0 and kept != 0):
            no_refunded_commission = False
    checks["no_commission_on_refunded_money"] = no_refunded_commission
    sold = OrderLine.objects.filter(order__status__in=[Order.Status.PAID, Order.Status.RECEIVED,
                                                       Order.Status.COMPLETED, Order.Status.SHIPPED,
                                                       Order.Status.PARTIALLY_SHIPPED, Order.Status.CLOSED]) \
        .aggregate(n=Sum("quantity"))["n"] or 0
    checks["no_oversell"] = not Sku.objects.filter(stock__lt=0).exists() and sold <= 5000 * Sku.objects.count()
    max_depth = Counter(LineAttribution.objects.values_list("line_id", flat=True))
    allowed = {p.brand_id: p.max_promoters_per_line for p in PromoterProgram.objects.all()}
    over = [lid for lid, n in max_depth.items() if n > 2]
    for att in LineAttribution.objects.filter(position__gt=0).values("line_id", "brand_id"):
        if max_depth[att["line_id"]] > allowed.get(att["brand_id"], 1):
            over.append(att["line_id"])
    checks["depth_within_configuration"] = not over
    checks["rewards_only_from_paid_orders"] = not Reward.objects.exclude(
        order__paid_total__gt=0).exists()
    plays_run = []
    for mod in play_mods:
        if hasattr(mod, "check"):
            for name, ok in mod.check(sim).items():
                checks[name] = bool(ok)
        plays_run.append(mod.__name__.split(".")[1])
    ledger = {k: str(v) for k, v in _sum_buckets([ledger_selectors.balance(p, reward_kind=None)
                                                  for p in Promoter.objects.all()]).items()}
    return {
        "seed": seed, "users": len(consumers), "days": days,
        "totals": dict(sorted(totals.items())),
        "attributed_lines": LineAttribution.objects.values("line_id").distinct().count(),
        "attributions": LineAttribution.objects.count(),
        "commission_total": str(sum((a.commission for a in LineAttribution.objects.all()), Decimal("0.00"))),
        "ledger_entries": LedgerEntry.objects.count(),
        "ledger_buckets": ledger,
        "debts": sum(1 for p in Promoter.objects.all() if ledger_selectors.balance(p)["available"] < 0),
        "payouts": dict(Counter(Payout.objects.values_list("state", flat=True))),
        "rewards": dict(Counter(Reward.objects.values_list("state", flat=True))),
        "plays": plays_run,
        "invariants": checks,
        "ok": all(checks.values()),
        "seconds": round(time.monotonic() - started, 1),
    }


def _sum_buckets(balances: list[dict]) -> dict:
    out: dict = {}
    for bal in balances:
        for k, v in bal.items():
            out[k] = out.get(k, Decimal("0.00")) + v
    return out


def run(args) -> int:
    import sys

    from tribe.bench.server import server_env, tribe_cmd, use_env

    def say(message: str) -> None:
        print(f"simulate: {message}", file=sys.stderr, flush=True)

    data_dir = Path(tempfile.mkdtemp(prefix="tribe-simulate-"))
    try:
        env = server_env(data_dir, args.database_url)
        use_env(env)
        migrated = subprocess.run(tribe_cmd("migrate"), env=env, capture_output=True, text=True)
        if migrated.returncode != 0:
            say(f"migrate failed:\n{migrated.stderr[-3000:]}")
            return 1
        from tribe.cli import setup_django

        setup_django()
        report = simulate(args.users, args.days, args.seed, log=say, plays=not getattr(args, "no_plays", False))
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            say(f"kept {data_dir}")
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else
          "\n".join(f"{k}: {v}" for k, v in report.items()))
    return 0 if report["ok"] else 1
