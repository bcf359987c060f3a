"""`tribe bench flashsale`: many buyers race over real HTTP for one SKU until it is sold out.

Without --url the bench builds its own server: a temporary data directory, a fresh database (SQLite in that
directory, or — when DATABASE_URL points at PostgreSQL — a database `tribe_bench_flashsale` created on that
server, dropped first and again at the end), `migrate`, just what the sale needs (one store, one published
product with one SKU of --stock units at 9.90, --buyers consumers with API tokens), then `tribe serve` on a
free port with the same SECRET_KEY as this process. With --url it targets a running server instead, and puts
the sale into the database this environment configures (which must be that server's, with its SECRET_KEY).

Each buyer is one thread with its own httpx client and bearer token, and repeats place-and-pay for one unit:

    POST /api/v1/cart/lines {sku_id, quantity: 1}
    POST /api/v1/checkout {address, shipping, idempotency_key}
    POST /api/v1/orders/<number>/pay {gateway: "dummy"}
    POST /payments/notify/dummy/   (the dummy provider's signed success notification)

until the server answers sold out (409 insufficient_stock, or 422 cart_has_problems for a line that sold out
between the add and the checkout). Then the database itself is read: paid orders, units sold, stock left,
negative stock anywhere. `db_ceiling_per_s` is the same race in plain SQL (tribe.bench.ceiling).

With --campaign the same buyers race through a 秒杀 campaign instead of the cart (tribe.flashsale): the SKU's
--stock units are carved into one flash item (public stock 0), and each round is

    POST /api/v1/flash-sales/<sale>/items/<item>/buy {address, idempotency_key}   (409 sold_out ends the buyer;
                                                       429 try_again is retried with the same key)
    POST /api/v1/orders/<number>/pay, then the signed notification

--redis runs the server with REDIS_URL (the Redis pre-deduction in front of the database); without it the
campaign run strips REDIS_URL from the server's environment, so the two runs compare the paths honestly.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx

from .ceiling import drop_database, postgres_ceiling, recreate_database, sqlite_ceiling
from .load import USER_AGENT, percentile
from .server import free_port, say, server_env, start_server, stop, use_env, wait_ready

BENCH_DB = "tribe_bench_flashsale"
PRICE = Decimal("9.90")
FLASH_PRICE = Decimal("1.90")
ADDRESS = {
    "name": "闪购买家",
    "phone": "13800138000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "detail": "文三路 100 号",
}
SOLD_OUT = {"insufficient_stock", "cart_has_problems", "sold_out"}
TRY_AGAIN_PAUSE = 0.05  # seconds a buyer waits after 429 try_again before retrying with the same key
MAX_TRY_AGAIN = 200
# A step that fails with a 5xx or a transport error is retried (checkout and notify are idempotent).
RETRIES = 3
MAX_ERRORS_PER_BUYER = 20
CLIENT_TIMEOUT = 60.0
PAID_STATUSES = ("paid", "partially_shipped", "shipped", "received", "completed")


def _is_postgres(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}


# ---- the sale ---------------------------------------------------------------------------------------------


@dataclass
class Sale:
    sku_id: int
    tokens: list[str]
    tag: str
    flash_sale_id: int | None = None  # --campaign: the 秒杀 sale and its one item
    flash_item_id: int | None = None


def prepare_sale(buyers: int, stock: int, tag: str) -> Sale:
    """One brand/store/category, one published product with one SKU of `stock` units, `buyers` consumers
    with one API token each (bulk inserts, one shared password hash)."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from tribe.accounts.models import ApiToken
    from tribe.brands.models import Brand, BrandMembership
    from tribe.brands.services import create_store
    from tribe.catalog.models import Category
    from tribe.catalog.services import create_product

    User = get_user_model()
    with transaction.atomic():
        merchant = User.objects.create_user(f"{tag}-merchant", password=None, nickname="闪购商家")
        brand = Brand.objects.create(name="闪购品牌", slug=f"{tag}-brand", kind=Brand.Kind.FLAGSHIP)
        BrandMembership.objects.create(brand=brand, user=merchant, role=BrandMembership.Role.OWNER)
        store = create_store(merchant, brand, name="闪购旗舰店", slug=f"{tag}-store")
        category = Category.objects.create(name="闪购", slug=f"{tag}-category")
        product = create_product(
            merchant,
            store,
            name="限时闪购爆品",
            category=category,
            skus=[{"price": PRICE, "stock": stock}],
            published=True,
        )
        sku_id = product.skus.get().pk
        password = make_password(secrets.token_urlsafe(16))  # hashed once: the buyers only use tokens
        users = User.objects.bulk_create(
            User(username=f"{tag}-buyer-{i:05d}", nickname=f"买家{i}", city="杭州", password=password)
            for i in range(buyers)
        )
        if any(u.pk is None for u in users):  # a backend without RETURNING
            users = list(User.objects.filter(username__startswith=f"{tag}-buyer-").order_by("username"))
        tokens = ["trb_" + secrets.token_urlsafe(32) for _ in users]
        expires = timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS)
        ApiToken.objects.bulk_create(
            ApiToken(user=u, key_hash=ApiToken.hash(raw), name="bench flashsale", expires_at=expires)
            for u, raw in zip(users, tokens, strict=True)
        )
    return Sale(sku_id=sku_id, tokens=tokens, tag=tag)


def prepare_campaign(sale: Sale, stock: int, buyers: int) -> Sale:
    """A live 秒杀 sale carving all `stock` units of the SKU into one item at 1.90 (the services do it: the
    start takes the units out of the SKU's stock), per-user limit high enough for every unit to sell."""
    from datetime import timedelta

    from django.utils import timezone

    from tribe.brands.models import BrandMembership
    from tribe.flashsale import services as flash

    member = BrandMembership.objects.select_related("user", "brand").get(brand__slug=f"{sale.tag}-brand")
    now = timezone.now()
    flash_sale = flash.create_sale(member.user, member.brand, title="压测秒杀", starts_at=now - timedelta(minutes=1),
                                   ends_at=now + timedelta(hours=2))
    limit = min(flash.MAX_QUANTITY, stock)
    item = flash.add_item(member.user, flash_sale, sku_id=sale.sku_id, flash_price=FLASH_PRICE, quantity=stock,
                          per_user_limit=limit)
    flash.start_sale(member.user, flash_sale)
    sale.flash_sale_id, sale.flash_item_id = flash_sale.pk, item.pk
    return sale


def read_outcome(sku_id: int, stock: int, flash_item_id: int | None = None) -> dict:
    """What the database says happened to the SKU (not what the clients believe)."""
    from django.db import connection
    from django.db.models import Sum

    from tribe.catalog.models import Sku
    from tribe.inventory.models import Reservation
    from tribe.orders.models import OrderLine
    from tribe.payments.models import Refund

    lines = OrderLine.objects.filter(sku_id=sku_id)
    paid = lines.filter(order__status__in=PAID_STATUSES)
    unpaid = lines.filter(order__status="pending_payment")
    orders = paid.values("order_id").distinct().count()
    units_sold = paid.aggregate(n=Sum("quantity"))["n"] or 0
    stock_left = Sku.objects.values_list("stock", flat=True).get(pk=sku_id)
    flash = {}
    if flash_item_id is not None:
        from tribe.flashsale.models import FlashItem, FlashPurchase

        item = FlashItem.objects.get(pk=flash_item_id)
        flash = {"flash_left": item.left, "flash_sold": item.sold, "sku_public_stock": stock_left,
                 "flash_orders": FlashPurchase.objects.filter(item=item, state="live").count()}
        if item.left < 0 or stock_left < 0:
            flash["negative"] = True
        stock_left += item.left  # unsold units: in the item (carved) or the SKU (public)
    reservations = Reservation.objects.filter(sku_id=sku_id)
    consumed = reservations.filter(state=Reservation.State.CONSUMED).aggregate(n=Sum("quantity"))["n"] or 0
    held = reservations.filter(state=Reservation.State.ACTIVE).aggregate(n=Sum("quantity"))["n"] or 0
    return {
        "orders": orders,
        "units_sold": units_sold,
        "stock_left": stock_left,
        # beyond the stock by any count: paid units, units taken out of stock as sold, or stock below zero
        "oversold": max(0, units_sold - stock, consumed - stock, -stock_left),
        "negative_stock_skus": Sku.objects.filter(stock__lt=0).count(),
        "unpaid_orders": unpaid.values("order_id").distinct().count(),
        "units_held_unpaid": held,
        "late_refunds": Refund.objects.filter(payment__order__lines__sku_id=sku_id).distinct().count(),
        "database": connection.vendor,
        "database_name": str(connection.settings_dict["NAME"]),
        **flash,
    }


# ---- the buyers -------------------------------------------------------------------------------------------


@dataclass
class BuyerLog:
    latencies: list[float] = field(default_factory=list)  # seconds per paid order, add-to-cart → notified
    statuses: Counter = field(default_factory=Counter)  # "step status" → count
    transport: Counter = field(default_factory=Counter)  # "step ExceptionName" → count
    step_latencies: dict[str, list[float]] = field(default_factory=dict)  # step → seconds per answer
    step_queries: dict[str, list[int]] = field(default_factory=dict)  # step → SQL statements per 2xx answer
    rejections: Counter = field(default_factory=Counter)  # unexpected 4xx: "step status code" → count
    errors: int = 0  # 5xx answers and transport errors
    orders: int = 0  # place-and-pay rounds the server acknowledged to the end
    outcome: str = ""  # sold_out | rejected | too_many_errors | timed_out | not_started


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return ""


class Buyer:
    def __init__(self, base_url: str, token: str, sku_id: int, name: str, log: BuyerLog,
                 flash_path: str | None = None):
        self.base_url, self.sku_id, self.name, self.log = base_url, sku_id, name, log
        self.flash_path = flash_path  # --campaign: /api/v1/flash-sales/<sale>/items/<item>/buy
        self.client = httpx.Client(
            base_url=base_url,
            headers={
                "User-Agent": USER_AGENT,
                "Authorization": f"Bearer {token}",
                "Accept-Language": "zh-CN",
            },
            timeout=CLIENT_TIMEOUT,
        )

    def call(
        self, step: str, method: str, path: str, *, provider: bool = False, **kwargs
    ) -> httpx.Response | None:
        """One request, answered (any status) or None after a transport error; 5xx and transport errors
        count as errors, retried by the caller."""
        request = self.client.build_request(method, path, **kwargs)
        if provider:  # the payment provider's server posts the notification, not the buyer
            del request.headers["Authorization"]
        began = time.perf_counter()
        try:
            response = self.client.send(request)
        except httpx.HTTPError as exc:
            self.log.transport[f"{step} {type(exc).__name__}"] += 1
            self.log.errors += 1
            return None
        self.log.step_latencies.setdefault(step, []).append(time.perf_counter() - began)
        queries = response.headers.get("X-Tribe-Queries", "")
        if queries.isdigit() and response.status_code < 300:
            self.log.step_queries.setdefault(step, []).append(int(queries))
        self.log.statuses[f"{step} {response.status_code}"] += 1
        if response.status_code >= 500:
            self.log.errors += 1
        return response

    def retried(self, step: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        """The answer to the first attempt that is not a 5xx or transport error (None if all were)."""
        for _ in range(RETRIES):
            response = self.call(step, method, path, **kwargs)
            if response is not None and response.status_code < 500:
                return response
        return None

    def refused(self, step: str, response: httpx.Response) -> str:
        """A 4xx: sold out, or something the bench did not expect (noted, and the buyer stops)."""
        code = _error_code(response)
        if code in SOLD_OUT:
            return "sold_out"
        self.log.rejections[f"{step} {response.status_code} {code or response.text[:80]}"] += 1
        return "rejected"

    def clear_cart(self) -> None:
        """After a failure the cart may hold a line; start the next round from an empty cart."""
        response = self.retried("cart_clear", "GET", "/api/v1/cart")
        if response is not None and response.status_code == 200:
            for line in response.json().get("lines", []):
                self.retried("cart_clear", "DELETE", f"/api/v1/cart/lines/{line['id']}")

    def flash_buy(self, round_no: int) -> tuple[str, str]:
        """--campaign: the flash buy endpoint. ("ok", order number) or (sold_out | rejected | error, "")."""
        body = {"address": ADDRESS, "idempotency_key": f"{self.name}-{round_no}", "quantity": 1}
        for _ in range(MAX_TRY_AGAIN):
            response = self.retried("flash_buy", "POST", self.flash_path, json=body)
            if response is None:
                return "error", ""
            if response.status_code == 429:  # the throttle: same key again shortly (idempotent)
                time.sleep(TRY_AGAIN_PAUSE)
                continue
            if response.status_code not in (200, 201):
                return self.refused("flash_buy", response), ""
            return "ok", response.json()["number"]
        return "error", ""

    def place_and_pay(self, round_no: int) -> str:
        """One round. Returns paid | sold_out | rejected | error."""
        if self.flash_path:
            result, number = self.flash_buy(round_no)
            if result != "ok":
                return result
            return self.pay_and_notify(number)
        response = self.call(
            "cart", "POST", "/api/v1/cart/lines", json={"sku_id": self.sku_id, "quantity": 1}
        )
        if response is None or response.status_code >= 500:
            self.clear_cart()  # the line may or may not have been added
            return "error"
        if response.status_code != 201:
            return self.refused("cart", response)

        key = f"{self.name}-{round_no}"
        body = {"address": ADDRESS, "shipping": "standard", "idempotency_key": key}
        response = self.retried("checkout", "POST", "/api/v1/checkout", json=body)
        if response is None:
            self.clear_cart()
            return "error"
        if response.status_code not in (200, 201):
            return self.refused("checkout", response)
        return self.pay_and_notify(response.json()["number"])

    def pay_and_notify(self, number: str) -> str:
        from tribe.payments.gateways.dummy import signed_body

        response = self.retried("pay", "POST", f"/api/v1/orders/{number}/pay", json={"gateway": "dummy"})
        if response is None:
            return "error"
        if response.status_code != 201:
            return self.refused("pay", response)
        payment = response.json()
        trade_no = payment["out_trade_no"]
        notification = signed_body(trade_no, Decimal(payment["amount"]), True, "BENCH" + trade_no)

        response = self.retried(
            "notify",
            "POST",
            "/payments/notify/dummy/",
            content=notification,
            headers={"Content-Type": "application/json"},
            provider=True,
        )
        if response is None:
            return "error"
        if response.status_code != 200:
            return self.refused("notify", response)
        return "paid"

    def run(self, start: threading.Barrier, deadline: list[float]) -> None:
        log = self.log
        log.outcome = "not_started"
        try:
            self.call("warmup", "GET", "/api/v1/cart")  # connection, token, worker caches
            start.wait(timeout=300)
            round_no = 0
            while True:
                if time.perf_counter() > deadline[0]:
                    log.outcome = "timed_out"
                    return
                if log.errors >= MAX_ERRORS_PER_BUYER:
                    log.outcome = "too_many_errors"
                    return
                round_no += 1
                began = time.perf_counter()
                result = self.place_and_pay(round_no)
                if result == "paid":
                    log.latencies.append(time.perf_counter() - began)
                    log.orders += 1
                elif result != "error":
                    log.outcome = result
                    return
        except threading.BrokenBarrierError:
            return
        finally:
            self.client.close()


def run_race(base_url: str, sale: Sale, *, timeout: float) -> dict:
    """Every buyer warms up, then all start at once; the race ends when the last buyer has stopped."""
    logs = [BuyerLog() for _ in sale.tokens]
    clock = {"start": 0.0}
    deadline = [float("inf")]

    def go():
        clock["start"] = time.perf_counter()
        deadline[0] = clock["start"] + timeout

    barrier = threading.Barrier(len(sale.tokens), action=go)
    flash_path = (f"/api/v1/flash-sales/{sale.flash_sale_id}/items/{sale.flash_item_id}/buy"
                  if sale.flash_item_id else None)
    buyers = [
        Buyer(base_url, token, sale.sku_id, f"{sale.tag}-b{i}", logs[i], flash_path=flash_path)
        for i, token in enumerate(sale.tokens)
    ]
    threads = [threading.Thread(target=b.run, args=(barrier, deadline), daemon=True) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.perf_counter() - clock["start"] if clock["start"] else 0.0

    latencies = sorted(x for log in logs for x in log.latencies)
    steps = {}
    for step in ("cart", "checkout", "flash_buy", "pay", "notify"):
        values = sorted(x for log in logs for x in log.step_latencies.get(step, []))
        if values:
            steps[step] = {
                "requests": len(values),
                "p50_ms": round(percentile(values, 50) * 1000, 1),
                "p99_ms": round(percentile(values, 99) * 1000, 1),
            }
            queries = [q for log in logs for q in log.step_queries.get(step, [])]
            if queries:
                steps[step]["queries_max"] = max(queries)

    def total(attr: str) -> Counter:
        return sum((getattr(log, attr) for log in logs), Counter())

    return {
        "duration_s": round(duration, 3),
        "client_orders": sum(log.orders for log in logs),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99) * 1000, 1) if latencies else None,
        "mean_ms": round(sum(latencies) / len(latencies) * 1000, 1) if latencies else None,
        "errors": sum(log.errors for log in logs),
        "steps": steps,
        "status": dict(sorted(total("statuses").items())),
        "transport_errors": dict(total("transport")),
        "rejections": dict(total("rejections")),
        "buyers_ended": dict(Counter(log.outcome for log in logs)),
    }


# ---- the command ------------------------------------------------------------------------------------------


def _check_args(args) -> str:
    if args.buyers < 1 or args.buyers > 5000:
        return "--buyers: from 1 to 5000"
    if args.stock < 1 or args.stock > 1_000_000:
        return "--stock: from 1 to 1000000"
    if args.workers < 1 or args.threads < 1:
        return "--workers and --threads: at least 1"
    if getattr(args, "redis", False) and not getattr(args, "campaign", False):
        return "--redis compares the campaign path: use it with --campaign"
    if getattr(args, "redis", False) and not os.environ.get("REDIS_URL"):
        return "--redis: set REDIS_URL (e.g. redis://localhost:6379/15)"
    if getattr(args, "campaign", False) and args.buyers * 99 < args.stock:
        return "--campaign: the per-user limit is at most 99, so --buyers × 99 must be ≥ --stock"
    return ""


def run(args) -> int:
    problem = _check_args(args)
    if problem:
        say(problem)
        return 2
    server = data_dir = bench_db_url = None
    admin_db_url = os.environ.get("DATABASE_URL") if _is_postgres(os.environ.get("DATABASE_URL")) else None
    tag = "fs" + secrets.token_hex(3)
    campaign, use_redis = bool(getattr(args, "campaign", False)), bool(getattr(args, "redis", False))
    try:
        if args.url:
            base_url = args.url.rstrip("/")
            workers = threads = None
            if not os.environ.get("SECRET_KEY"):
                say("note: SECRET_KEY is not set; notifications are signed with the default development key")
            _setup_django(migrate=False)
        else:
            data_dir = Path(tempfile.mkdtemp(prefix="tribe-bench-flashsale-"))
            if admin_db_url:
                bench_db_url = recreate_database(admin_db_url, BENCH_DB)
                say(f"PostgreSQL: created a fresh database {BENCH_DB} (dropped first) on that server")
            env = server_env(data_dir, bench_db_url, query_header=True)  # SQL statements per step
            if campaign and not use_redis:
                env.pop("REDIS_URL", None)  # the database path alone
            env["SECRET_KEY"] = os.environ.get("SECRET_KEY") or "bench-" + secrets.token_urlsafe(40)
            # This process signs the notifications and reads the outcome: same key, same database.
            use_env(env)
            where = BENCH_DB if bench_db_url else f"SQLite in {data_dir}"
            say(f"migrating the fresh database ({where}) …")
            _setup_django(migrate=True)
        say(f"putting one SKU with {args.stock} units on sale for {args.buyers} buyers …")
        sale = prepare_sale(args.buyers, args.stock, tag)
        if campaign:
            say("carving the units into a live 秒杀 campaign" + (" (Redis pre-deduction on)" if use_redis else ""))
            prepare_campaign(sale, args.stock, args.buyers)
        _close_db()
        if not args.url:
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            workers, threads = args.workers, args.threads
            log_path = data_dir / "server.log"
            say(f"starting `tribe serve` on {base_url} ({workers} workers × {threads} threads) …")
            server = start_server(env, port=port, workers=workers, threads=threads, log_path=log_path)
            if not wait_ready(base_url, server, log_path):
                return 1
        say(f"racing: {args.buyers} buyers over HTTP for {args.stock} units …")
        race = run_race(base_url, sale, timeout=args.timeout)
        outcome = read_outcome(sale.sku_id, args.stock, sale.flash_item_id)
        if use_redis and sale.flash_item_id:
            from tribe.flashsale import rush

            rush.redis_drop([sale.flash_item_id])  # the bench database is dropped; so is its counter
        _close_db()
        if server is not None:
            stop(server)
            if race["errors"] and data_dir is not None:
                _show_server_errors(data_dir / "server.log")
            server = None
        say(f"the same race in plain SQL through {args.buyers} connections (the database's ceiling) …")
        if admin_db_url:
            ceiling = postgres_ceiling(
                admin_db_url, connections=args.buyers, stock=args.stock, keep=args.keep
            )
        else:
            ceiling_dir = data_dir or Path(tempfile.mkdtemp(prefix="tribe-bench-ceiling-"))
            try:
                ceiling = sqlite_ceiling(
                    ceiling_dir / "ceiling.sqlite3", connections=args.buyers, stock=args.stock
                )
            finally:
                if data_dir is None:
                    shutil.rmtree(ceiling_dir, ignore_errors=True)
    finally:
        if server is not None:
            stop(server)
        _close_db()
        if bench_db_url and not args.keep:
            drop_database(admin_db_url, BENCH_DB)
        if data_dir is not None and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif data_dir is not None:
            say(f"kept {data_dir}" + (f" and database {BENCH_DB}" if bench_db_url else ""))

    report = _report(args, base_url, workers, threads, race, outcome, ceiling, server_started=not args.url)
    if bench_db_url:
        report["database_name"] = f"{BENCH_DB} (fresh: dropped and created for this run" + (
            ", kept)" if args.keep else ", dropped at the end)"
        )
    report["path"] = ("campaign+redis" if use_redis else "campaign") if campaign else "plain"
    for key in ("flash_left", "flash_sold", "flash_orders", "sku_public_stock"):
        if key in outcome:
            report[key] = outcome[key]
    problems = _problems(report)
    report["ok"] = not problems
    report["problems"] = problems
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_table(report)
    for problem in problems:
        say(f"FAILED: {problem}")
    return 1 if problems else 0


def _setup_django(*, migrate: bool) -> None:
    from tribe.cli import _migrate, _pending_migrations, setup_django

    setup_django()
    if migrate:
        _migrate(verbosity=0)
    elif _pending_migrations():
        raise SystemExit("bench: the database has unapplied migrations; run `tribe migrate` first")


def _close_db() -> None:
    import sys

    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def _show_server_errors(log_path: Path) -> None:
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    tail = [line for line in text.splitlines() if line.strip()][-40:]
    if tail:
        say("server log (last lines):\n" + "\n".join(tail))


def _report(args, base_url, workers, threads, race, outcome, ceiling, *, server_started: bool) -> dict:
    duration = race["duration_s"]
    orders_per_s = round(outcome["orders"] / duration, 1) if duration > 0 else 0.0
    ceiling_per_s = ceiling["orders_per_s"]
    return {
        "orders": outcome["orders"],
        "units_sold": outcome["units_sold"],
        "oversold": outcome["oversold"],
        "stock_left": outcome["stock_left"],
        "errors": race["errors"],
        "orders_per_s": orders_per_s,
        "p50_ms": race["p50_ms"],
        "p99_ms": race["p99_ms"],
        "db_ceiling_per_s": ceiling_per_s,
        "ratio": round(orders_per_s / ceiling_per_s, 3) if ceiling_per_s else None,
        "database": outcome["database"],
        "database_name": outcome["database_name"],
        "workers": workers,
        "threads_per_worker": threads,
        "buyers": args.buyers,
        "stock": args.stock,
        "duration_s": duration,
        "mean_ms": race["mean_ms"],
        "client_orders": race["client_orders"],
        "negative_stock_skus": outcome["negative_stock_skus"],
        "unpaid_orders": outcome["unpaid_orders"],
        "units_held_unpaid": outcome["units_held_unpaid"],
        "late_refunds": outcome["late_refunds"],
        "steps": race["steps"],
        "status": race["status"],
        "transport_errors": race["transport_errors"],
        "rejections": race["rejections"],
        "buyers_ended": race["buyers_ended"],
        "db_ceiling": ceiling,
        "server": {"url": base_url, "started_by_bench": server_started},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "note": "latency is one whole place-and-pay (cart, checkout, pay, notification); "
        "the buyers run on the same machine as the server and the database",
    }


def _problems(r: dict) -> list[str]:
    problems = []
    if r["oversold"]:
        problems.append(f"oversold {r['oversold']} units")
    if r.get("flash_left", 0) < 0 or r.get("sku_public_stock", 0) < 0:
        problems.append("a flash counter or the SKU went negative")
    if r["negative_stock_skus"]:
        problems.append(f"{r['negative_stock_skus']} SKUs have negative stock")
    if r["stock_left"] != 0:
        problems.append(f"{r['stock_left']} units left unsold (stock_left must be 0)")
    if r["errors"]:
        problems.append(f"{r['errors']} errors (5xx or transport): {r['status']} {r['transport_errors']}")
    if r["units_sold"] + max(r["stock_left"], 0) != r["stock"] and not r["oversold"]:
        problems.append(
            f"only {r['units_sold']} of {r['stock']} units were paid for "
            f"({r['units_held_unpaid']} held by {r['unpaid_orders']} unpaid orders)"
        )
    if r["rejections"]:
        hint = ""
        if any(key.startswith("notify 400") for key in r["rejections"]):
            hint = " (notifications refused: does the server use this process's SECRET_KEY?)"
        problems.append(f"unexpected refusals: {r['rejections']}{hint}")
    if r["client_orders"] != r["orders"]:
        problems.append(f"the buyers saw {r['client_orders']} orders paid, the database has {r['orders']}")
    if r["late_refunds"]:
        problems.append(f"{r['late_refunds']} payments were refunded as late")
    if r["buyers_ended"].get("timed_out"):
        problems.append(f"the race did not finish within --timeout ({r['buyers_ended']['timed_out']} buyers)")
    return problems


def _print_table(r: dict) -> None:
    c = r["db_ceiling"]
    rows = [
        ("database", f"{r['database']} {r['database_name']}"),
        ("path", r.get("path", "plain")),
        (
            "server",
            f"{r['server']['url']}  workers {r['workers']} × threads {r['threads_per_worker']}"
            if r["server"]["started_by_bench"]
            else f"{r['server']['url']} (already running)",
        ),
        ("buyers / stock", f"{r['buyers']} buyers, {r['stock']} units"),
        ("orders paid", r["orders"]),
        ("units sold", r["units_sold"]),
        ("oversold", r["oversold"]),
        ("stock left", r["stock_left"]),
        ("errors", r["errors"]),
        ("duration", f"{r['duration_s']} s"),
        ("orders/s", r["orders_per_s"]),
        ("place-and-pay p50", f"{r['p50_ms']} ms"),
        ("place-and-pay p99", f"{r['p99_ms']} ms"),
        ("db ceiling", f"{r['db_ceiling_per_s']} orders/s ({c['vendor']}, {c['connections']} connections)"),
        ("ratio", r["ratio"]),
        ("answers", " ".join(f"{k}:{v}" for k, v in r["status"].items())),
        ("verdict", "ok" if r["ok"] else "FAILED: " + "; ".join(r["problems"])),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
