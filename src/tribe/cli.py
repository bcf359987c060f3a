"""`tribe`: the one command to run, seed, serve and benchmark Tribe.

Thin on purpose: each subcommand configures Django and calls a service or a management command. Exit codes:
0 done, 1 failed, 2 refused (bad input or a state the command will not touch, e.g. seeding a non-empty DB).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Sequence

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
REFUSED = 2


def default_workers() -> int:
    """Two to four processes: enough to use a small machine's cores without starving the database."""
    return max(2, min(4, os.cpu_count() or 2))


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tribe.settings")
    import django
    from django.conf import settings

    django.setup()
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # The embedded database lives in the data directory; SQLite will not create the folder itself.
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)


def _err(message: str) -> None:
    print(f"tribe: {message}", file=sys.stderr)


# --- database ----------------------------------------------------------------------------------------------


def _migrate(verbosity: int = 1) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _collectstatic(only_if_empty: bool = False) -> None:
    from django.conf import settings
    from django.core.management import call_command

    root = settings.STATIC_ROOT
    if not only_if_empty or not root.exists() or not any(root.iterdir()):
        call_command("collectstatic", interactive=False, verbosity=0)


def cmd_migrate(args) -> int:
    setup_django()
    _migrate()
    return 0


def _print_summary(summary) -> None:
    counts = ", ".join(f"{v} {k}" for k, v in summary.counts.items())
    print(f"Seeded the demo (seed {summary.seed}) in {summary.seconds}s: {counts}.")


def cmd_seed(args) -> int:
    setup_django()
    from tribe.core.errors import Conflict
    from tribe.demo.seed import seed_demo

    if _pending_migrations():
        _err("the database is not migrated; run `tribe migrate` first")
        return REFUSED
    try:
        summary = seed_demo(args.seed, log=lambda m: print(f"  seeding {m}…"))
    except Conflict as exc:
        _err(
            f"refusing to seed: {exc.message}. `tribe seed` fills an empty database only "
            "(use a fresh TRIBE_DATA_DIR or DATABASE_URL)."
        )
        return REFUSED
    _print_summary(summary)
    print_logins(summary.logins)
    return 0


def print_logins(logins: Sequence[tuple[str, str, str]]) -> None:
    from tribe.demo.data import DEMO_PASSWORD

    print(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    width = max(len(username) for _, username, _ in logins)
    for role, username, who in logins:
        print(f"  {username:<{width}}  {role:<18} {who}")


def _demo_logins():
    """The logins to show when the demo was seeded by an earlier run (read back from the database)."""
    from django.contrib.auth import get_user_model

    from tribe.brands.models import BrandMembership
    from tribe.demo.seed import OPERATOR_USERNAME

    User = get_user_model()
    logins = [("platform operator", OPERATOR_USERNAME, "平台运营（可进入 /admin/）")]
    for m in BrandMembership.objects.select_related("user", "brand").order_by("brand_id", "role"):
        logins.append((f"brand {m.role}", m.user.username, m.brand.name))
    for u in User.objects.filter(is_promoter=True).order_by("id")[:2]:
        logins.append(("promoter", u.username, u.nickname))
    consumers = User.objects.filter(is_staff=False, is_promoter=False, brand_memberships__isnull=True)
    for u in consumers.order_by("id")[:4]:
        logins.append(("consumer", u.username, f"{u.nickname}，{u.city}"))
    return logins


def cmd_demo(args) -> int:
    setup_django()
    from django.conf import settings

    from tribe.catalog.models import Product
    from tribe.demo.seed import is_seeded, seed_demo

    db = settings.DATABASES["default"]
    print(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
    _migrate(verbosity=0)
    if is_seeded():
        print("The demo is already seeded; keeping its data.")
        print_logins(_demo_logins())
    elif Product.objects.exists():
        _err("this database has products that are not the demo's; not seeding it")
    else:
        summary = seed_demo(log=lambda m: print(f"  seeding {m}…"))
        _print_summary(summary)
        print_logins(summary.logins)
    _collectstatic()  # quietly, every time: an upgrade may bring new static files
    if args.no_serve:
        return 0
    return cmd_serve(args)


def cmd_reindex(args) -> int:
    setup_django()
    from tribe.search.services import reindex_all

    print(f"Reindexed {reindex_all()} products.")
    return 0


def cmd_createoperator(args) -> int:
    """A platform operator: staff and superuser, so Django admin is open to them."""
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from tribe.accounts.services import check_registration
    from tribe.core.errors import ValidationFailed

    password = args.password
    if password is None:
        if not sys.stdin.isatty():
            _err("no --password given and no terminal to ask for one")
            return REFUSED
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            _err("the passwords do not match")
            return REFUSED
    try:
        check_registration(args.username, password)
    except ValidationFailed as exc:
        for field, problem in exc.fields.items():
            _err(f"{field}: {problem}")
        return REFUSED
    with transaction.atomic():
        get_user_model().objects.create_superuser(args.username, password=password, nickname=args.username)
    print(f"Created platform operator {args.username}.")
    return 0


def cmd_worker(args) -> int:
    """django-tasks' database worker; `tribe worker --help` shows its options (--batch, --queue-name, …)."""
    setup_django()
    import threading

    from django.core.management import execute_from_command_line

    from tribe.core.periodic import start_scheduler

    # The scheduler enqueues the periodic jobs (order expiry, auto-receipt, refund retries) that this same
    # worker then runs; `--no-scheduler` in extra workers keeps one scheduler per deployment.
    rest = list(args.rest)
    stop = threading.Event()
    if "--no-scheduler" in rest:
        rest.remove("--no-scheduler")
    elif "--batch" in rest:
        # one-shot (e.g. from cron): enqueue what is due once, then drain the queue and exit
        import time

        from tribe.core.periodic import enqueue_due

        enqueue_due({}, time.monotonic())
    else:
        start_scheduler(stop)
    try:
        execute_from_command_line(["tribe worker", "db_worker", *rest])
    finally:
        stop.set()
    return 0


def cmd_manage(args) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tribe manage", *args.rest])
    return 0


# Everything after these commands, options included, belongs to the Django command they run.
PASSTHROUGH = {"worker": cmd_worker, "manage": cmd_manage}


# --- serving -----------------------------------------------------------------------------------------------


def cmd_serve(args) -> int:
    setup_django()
    from django.conf import settings
    from django.db import connections

    if _pending_migrations():
        _err("warning: the database has unapplied migrations; run `tribe migrate`")
    _collectstatic(only_if_empty=True)
    if args.host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
        _err(f"note: ALLOWED_HOSTS is {','.join(settings.ALLOWED_HOSTS)}; set it to the names clients use")
    connections.close_all()  # never hand an open connection to forked workers
    print(
        f"Serving Tribe on http://{args.host}:{args.port}/ with {args.workers} workers (Ctrl+C to stop)",
        flush=True,
    )
    run_gunicorn(args.host, args.port, args.workers, threads=args.threads)
    return 0


def run_gunicorn(host: str, port: int, workers: int, *, threads: int = 4) -> None:
    from gunicorn.app.base import BaseApplication

    class TribeServer(BaseApplication):
        def load_config(self):
            options = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 60,
                "graceful_timeout": 10,
                "accesslog": os.environ.get("TRIBE_ACCESS_LOG") or None,
                "errorlog": "-",
                "loglevel": os.environ.get("TRIBE_LOG_LEVEL", "info"),
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            from tribe.wsgi import application

            return application

    TribeServer().run()


# --- import ------------------------------------------------------------------------------------------------


def cmd_import_social(args) -> int:
    setup_django()
    import time

    from tribe.social.importer import ImportRefused, import_social

    if _pending_migrations():
        _err("the database is not migrated; run `tribe migrate` first")
        return REFUSED
    last = {"shown": ""}

    def progress(phase: str, fraction: float, rows: int) -> None:
        shown = f"{phase} {fraction:4.0%} ({rows} rows)"
        if shown != last["shown"]:
            last["shown"] = shown
            print(f"\r  importing {shown}   ", end="", file=sys.stderr, flush=True)

    started = time.monotonic()
    try:
        report = import_social(args.ratings, args.trust, args.categories, batch_size=args.batch_size,
                               limit=args.limit, progress=progress)
    except ImportRefused as exc:
        _err(str(exc))
        return REFUSED
    finally:
        if last["shown"]:
            print(file=sys.stderr)
    print(f"Imported in {time.monotonic() - started:.1f}s.")
    print("\n".join(report.lines()))
    return 0


# --- bench -------------------------------------------------------------------------------------------------


def cmd_bench_api(args) -> int:
    from tribe.bench.api import run

    return run(args)


def cmd_bench_feed(args) -> int:
    from tribe.bench.feed import run

    return run(args)


def cmd_feed_rebuild(args) -> int:
    setup_django()
    from tribe.feed.services import rebuild

    stats = rebuild(per_author=args.per_author, progress=lambda n: print(f"\r{n} feed items", end="",
                                                                           file=sys.stderr))
    print(file=sys.stderr)
    print(json.dumps(stats))
    return 0


def cmd_vapid_keys(args) -> int:
    setup_django()
    from tribe.core.errors import DomainError
    from tribe.reach.services import generate_vapid_keys

    try:
        path, key = generate_vapid_keys(args.path, force=args.force)
    except DomainError as exc:
        print(f"tribe vapid-keys: {exc.message}", file=sys.stderr)
        return 2
    print(json.dumps({"private_key_file": str(path), "public_key": key}))
    return 0


def cmd_send_digests(args) -> int:
    setup_django()
    from tribe.reach.services import send_due_digests

    print(json.dumps(send_due_digests(base_url=args.base_url)))
    return 0


def cmd_import_events(args) -> int:
    setup_django()
    from tribe.analytics.imports import import_userbehavior
    from tribe.core.errors import DomainError

    if args.format != "userbehavior":
        print("tribe import-events: --format userbehavior is the only format", file=sys.stderr)
        return 2
    try:
        report = import_userbehavior(args.file, brand_slug=args.brand, strict=args.strict,
                                     batch_size=args.batch_size,
                                     progress=lambda n: print(f"\r{n} rows", end="", file=sys.stderr))
    except DomainError as exc:
        print(f"\ntribe import-events: {exc.message}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    for line in report.errors[:50]:
        print(f"skipped {line}", file=sys.stderr)
    print(json.dumps(report.as_dict(), ensure_ascii=False))
    return 0


def cmd_report(args) -> int:
    setup_django()
    from tribe.analytics import reports
    from tribe.brands.models import Brand
    from tribe.core.errors import DomainError

    try:
        brand_id = None
        if args.brand:
            brand = Brand.objects.filter(slug=args.brand).first()
            if brand is None:
                print(f"tribe report: no brand '{args.brand}'", file=sys.stderr)
                return 2
            brand_id = brand.pk
        start, end = reports.parse_range(args.start, args.end)
        if args.report == "paths":
            from tribe.analytics import paths

            data = paths.paths(brand_id, start, end, mode=args.mode, event=args.event, end_event=args.end_step,
                               length=args.length, grouping=args.group)
            print(json.dumps({"report": "paths", "brand": args.brand or None, "start": start.isoformat(),
                              "end": end.isoformat(), **data}, ensure_ascii=False))
            return 0
        if args.report == "rfm":
            from tribe.analytics import rfm

            rows = rfm.customers(brand_id)
            print(json.dumps({"report": "rfm", "brand": args.brand or None, "segments": rfm.segment_summary(rows),
                              "customers": [c.as_dict() for c in rows]}, ensure_ascii=False))
            return 0
        if args.report == "funnel":
            from tribe.analytics.funnels import funnel

            data = funnel(brand_id, args.steps, start, end, window_days=args.window_days,
                          breakdown=args.breakdown or None, attribution=args.attribution)
            data.update(report="funnel", brand=args.brand or None, start=start.isoformat(), end=end.isoformat())
            print(json.dumps(data, ensure_ascii=False) if args.json else json.dumps(data, ensure_ascii=False,
                                                                                       indent=2))
            return 0
        rows = reports.traffic_sources(brand_id, start, end, by=args.by)
    except DomainError as exc:
        print(f"tribe report: {exc.message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"report": "sources", "brand": args.brand or None, "start": start.isoformat(),
                          "end": end.isoformat(), "by": args.by, "rows": [r.as_dict() for r in rows]},
                         ensure_ascii=False))
    else:
        print("\t".join(reports.CSV_HEADER))
        for row in reports.as_csv_rows(rows):
            print("\t".join(str(v) for v in row))
    return 0


def cmd_simulate(args) -> int:
    from tribe.simulate import run

    return run(args)


def cmd_bench_flashsale(args) -> int:
    from tribe.bench.flashsale import run

    return run(args)


# --- parser ------------------------------------------------------------------------------------------------


def _serve_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="gunicorn worker processes (default: CPUs, between 2 and 4)",
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tribe",
        description="Tribe social-commerce platform. Configuration comes from the environment "
        "(TRIBE_DATA_DIR, DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, REDIS_URL; see README).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", help="migrate, seed the demo once, print the demo logins and serve")
    _serve_options(p)
    p.add_argument("--no-serve", action="store_true", help="prepare the demo database and stop")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="run the production server (gunicorn, static files by whitenoise)")
    _serve_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run background tasks (django-tasks database worker)")
    p.add_argument("rest", nargs=argparse.REMAINDER, help="db_worker options, e.g. --batch (see --help)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="create or update the database tables")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed", help="seed the demo into an empty database (refuses if it has products)")
    p.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives the same demo")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("reindex", help="rebuild the search index for every product")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("createoperator", help="create a platform operator (staff, Django admin)")
    p.add_argument("username")
    p.add_argument("--password", help="password; asked for on the terminal when omitted")
    p.set_defaults(func=cmd_createoperator)

    p = sub.add_parser("manage", help="run a Django management command, e.g. `tribe manage shell`")
    p.add_argument("rest", nargs=argparse.REMAINDER, help="the command and its options")
    p.set_defaults(func=cmd_manage)

    p = sub.add_parser(
        "import-social",
        help="import a social-rating dataset (Ciao: ratings + trust CSV, .csv or .csv.gz) idempotently",
    )
    p.add_argument("--ratings", required=True, help="CSV with header userid,productid,categoryid,rating[,…]")
    p.add_argument("--trust", required=True, help="CSV with header trustor,trustee")
    p.add_argument("--categories", help='text file of "categoryid name" lines')
    p.add_argument("--batch-size", type=int, default=5000, help="rows per batch and transaction (default 5000)")
    p.add_argument("--limit", type=int, help="read at most this many rows of each file")
    p.set_defaults(func=cmd_import_social)

    bench = sub.add_parser("bench", help="benchmarks over HTTP (not tests)")
    bench_sub = bench.add_subparsers(dest="bench", required=True, metavar="BENCH")
    p = bench_sub.add_parser(
        "api",
        help="requests/s, latency and SQL queries per request for product and search pages and API",
        description="Without --url: seeds a demo database in a temporary data directory, starts "
        "`tribe serve` on a free port with X-Tribe-Queries enabled, runs every scenario, stops the server.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per scenario (default 10)")
    p.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    p.add_argument(
        "--url",
        help="benchmark this running server (product ids are read from the database "
        "this environment configures, which must be the server's)",
    )
    p.add_argument("--workers", type=int, default=default_workers(), help="server workers when starting one")
    p.add_argument("--threads", type=int, default=4, help="threads per server worker when starting one")
    p.add_argument(
        "--database-url", help="seed (if empty) and serve this database instead of a temporary SQLite"
    )
    p.add_argument("--seed", type=int, default=42, help="random seed for the request mix (default 42)")
    p.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    p.set_defaults(func=cmd_bench_api)

    p = bench_sub.add_parser(
        "flashsale",
        help="concurrent buyers place-and-pay over HTTP for one SKU until sold out; checks nothing oversells",
        description="Without --url: a fresh database (PostgreSQL database tribe_bench_flashsale when "
        "DATABASE_URL is set, else SQLite in a temporary directory), one SKU with --stock units, --buyers "
        "consumers with API tokens, `tribe serve` on a free port. Exit 1 if anything oversold, stock is left "
        "or a request failed (5xx/transport).",
    )
    p.add_argument(
        "--buyers", type=int, default=200, help="concurrent buyers, one HTTP client each (default 200)"
    )
    p.add_argument("--stock", type=int, default=1000, help="units on sale (default 1000)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument(
        "--url",
        help="target this running server (the sale is written to the database this environment configures, "
        "which must be the server's, with the same SECRET_KEY)",
    )
    p.add_argument("--workers", type=int, default=default_workers(), help="server workers when starting one")
    p.add_argument("--threads", type=int, default=4, help="threads per server worker when starting one")
    p.add_argument("--timeout", type=float, default=600.0, help="give up the race after this many seconds")
    p.add_argument("--keep", action="store_true", help="keep the temporary data directory (and database)")
    p.add_argument(
        "--campaign",
        action="store_true",
        help="race through a 秒杀 campaign (units carved out of the SKU; buyers hit the flash buy endpoint "
        "and pay) instead of cart + checkout; the server runs without REDIS_URL unless --redis",
    )
    p.add_argument(
        "--redis",
        action="store_true",
        help="with --campaign: run the server with REDIS_URL (Redis pre-deduction in front of the database)",
    )
    p.set_defaults(func=cmd_bench_flashsale)

    p = bench_sub.add_parser(
        "feed",
        help="home-feed requests/s, p50/p99 and queries per request for the 100 most-followed and 100 "
        "most-following users, with and without Redis (import a social dataset first)",
        description="Uses the configured database (DATABASE_URL or TRIBE_DATA_DIR); builds missing feed inboxes; "
        "starts `tribe serve` without and then with REDIS_URL.",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per group and mode (default 10)")
    p.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    p.add_argument("--workers", type=int, default=default_workers(), help="server workers")
    p.add_argument("--threads", type=int, default=4, help="threads per server worker")
    p.add_argument("--redis-url", help="Redis for the second run (default $REDIS_URL or redis://localhost:6379/0)")
    p.add_argument("--no-redis", action="store_true", help="only the database run")
    p.add_argument("--seed", type=int, default=42, help="random seed for the user mix")
    p.set_defaults(func=cmd_bench_feed)

    p = sub.add_parser(
        "simulate",
        help="a seeded simulation of a social shop through the services (shares, clicks, orders, refunds, "
        "receipts, payouts, time passing) that checks the ledger and prints totals and invariants",
        description="Runs in a temporary SQLite database unless --database-url names an empty one. Exit 1 if an "
        "invariant fails.",
    )
    p.add_argument("--users", type=int, default=2000, help="consumers (default 2000)")
    p.add_argument("--days", type=int, default=60, help="simulated days (default 60)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--database-url", help="an empty database to use instead of a temporary SQLite")
    p.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    p.add_argument("--no-plays", action="store_true",
                   help="skip the marketing plays (拼团, 砍价, 秒杀, coupons, points, lottery, trials, presale)")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("feed-rebuild", help="build feed items and inboxes for content loaded in bulk (imports)")
    p.add_argument("--per-author", type=int, default=20, help="newest items per author fanned out (default 20)")
    p.set_defaults(func=cmd_feed_rebuild)

    p = sub.add_parser("import-events", help="import a public behaviour log (Taobao UserBehavior) as events")
    p.add_argument("file", help="CSV (or .csv.gz): user_id,item_id,category_id,behavior,timestamp")
    p.add_argument("--format", default="userbehavior", help="userbehavior")
    p.add_argument("--brand", default="userbehavior", help="brand slug to import into (created if missing)")
    p.add_argument("--strict", action="store_true", help="abort on the first malformed row (nothing is written)")
    p.add_argument("--batch-size", type=int, default=5000, help="rows per insert batch")
    p.set_defaults(func=cmd_import_events)

    report = sub.add_parser("report", help="brand reports on the main database (the same numbers as the console)")
    report_sub = report.add_subparsers(dest="report", required=True)
    p = report_sub.add_parser("sources", help="traffic sources: visits, visitors, orders, buyers, GMV, conversion")
    p.add_argument("--brand", default="", help="brand slug (default: the whole platform)")
    p.add_argument("--start", default="", help="first day, e.g. 2026-11-01 (default: 30 days ago)")
    p.add_argument("--end", default="", help="last day (default: today, Asia/Shanghai)")
    p.add_argument("--by", default="source", help="source | channel | campaign | day")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_report)
    p = report_sub.add_parser("paths", help="most common purchase paths (JSON)")
    p.add_argument("--brand", default="", help="brand slug (default: the whole platform)")
    p.add_argument("--start", default="", help="first day (default: 30 days ago)")
    p.add_argument("--end", default="", help="last day (default: today)")
    p.add_argument("--mode", default="purchase", help="purchase | after | between")
    p.add_argument("--event", default="", help="the event paths start from (after, between)")
    p.add_argument("--end-step", default="", help="the step paths end at (between; purchase: order_paid)")
    p.add_argument("--length", type=int, default=5, help="steps per path (2–10, default 5)")
    p.add_argument("--group", default="category", help="product views grouped by category | product | event")
    p.add_argument("--json", action="store_true", help="print one JSON object (always JSON)")
    p.set_defaults(func=cmd_report)
    p = report_sub.add_parser("rfm", help="RFM quintile scores and segments of a brand's buyers (JSON)")
    p.add_argument("--brand", default="", help="brand slug (default: the whole platform)")
    p.add_argument("--start", default="", help=argparse.SUPPRESS)
    p.add_argument("--end", default="", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="print one JSON object (always JSON)")
    p.set_defaults(func=cmd_report)
    p = report_sub.add_parser("funnel", help="visitors per step, conversion and median time to convert")
    p.add_argument("--steps", default="pv,cart,buy", help="event names or pv,cart,checkout,order,buy (2–8)")
    p.add_argument("--brand", default="", help="brand slug (default: the whole platform)")
    p.add_argument("--start", default="", help="first day (default: 30 days ago)")
    p.add_argument("--end", default="", help="last day (default: today)")
    p.add_argument("--window-days", type=int, default=7, help="conversion window from the first step (1–90)")
    p.add_argument("--breakdown", default="", help="channel | campaign | source")
    p.add_argument("--attribution", default="first", help="first | last touch for the breakdown")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("vapid-keys", help="generate the VAPID key pair for Web Push (private key file + public key)")
    p.add_argument("--path", default=None, help="where to write the private key (default DATA_DIR/vapid_private.pem)")
    p.add_argument("--force", action="store_true", help="replace an existing key (existing subscriptions stop)")
    p.set_defaults(func=cmd_vapid_keys)

    p = sub.add_parser("send-digests", help="send the email digests that are due now (the worker does this hourly)")
    p.add_argument("--base-url", default="", help="site URL for links, e.g. https://tribe.example (TRIBE_SITE_URL)")
    p.set_defaults(func=cmd_send_digests)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in PASSTHROUGH:
        args = argparse.Namespace(func=PASSTHROUGH[argv[0]], rest=argv[1:])
    else:
        args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
