"""`tribe bench api`: product and search, as pages and as API, over HTTP against `tribe serve` on demo data.

Without --url the bench builds everything itself: a temporary data directory, `tribe demo --no-serve` in it
(migrate + seed), then `tribe serve` on a free port with TRIBE_QUERY_HEADER=1, so every response reports the
SQL statements it ran. The server is stopped and the directory removed at the end (--keep keeps it).
Errors are counted and shown, never hidden: a scenario whose URL does not exist yet reports its 404s.
"""

from __future__ import annotations

import json
import os
import platform
import random
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from .load import run_scenario
from .server import free_port, say, server_env, start_server, stop, tribe_cmd, use_env, wait_ready


def _product_path(product_id: int) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("web:product", args=[product_id])
    except NoReverseMatch:
        return f"/p/{product_id}/"


def _search_path() -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("web:search")
    except NoReverseMatch:
        return "/search/"


def scenarios(
    ids: list[int], words: tuple[str, ...]
) -> dict[str, tuple[str, Callable[[random.Random], str]]]:
    """name → (URL pattern for the report, a function drawing the next URL)."""
    product_paths = [_product_path(i) for i in ids]
    search = _search_path()
    return {
        "product_page": (
            product_paths[0].replace(str(ids[0]), "<id>"),
            lambda rng: rng.choice(product_paths),
        ),
        "search_page": (f"{search}?q=<word>", lambda rng: f"{search}?q={quote(rng.choice(words))}"),
        "api_product": ("/api/v1/products/<id>", lambda rng: f"/api/v1/products/{rng.choice(ids)}"),
        "api_search": (
            "/api/v1/products?q=<word>",
            lambda rng: f"/api/v1/products?q={quote(rng.choice(words))}",
        ),
    }


def run(args) -> int:
    server = None
    data_dir = None
    try:
        if args.url:
            base_url = args.url.rstrip("/")
            workers = threads = None
        else:
            data_dir = Path(tempfile.mkdtemp(prefix="tribe-bench-"))
            env = server_env(data_dir, args.database_url, query_header=True)
            use_env(env)  # this process reads the same database as the server to pick product ids
            say(f"preparing the demo database in {data_dir} …")
            command = tribe_cmd("demo", "--no-serve")
            prepared = subprocess.run(command, env=env, capture_output=True, text=True)
            if prepared.returncode != 0:
                output = f"{prepared.stdout[-2000:]}\n{prepared.stderr[-3000:]}"
                say(f"`tribe demo --no-serve` failed:\n{output}")
                return 1
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            workers, threads = args.workers, args.threads
            log_path = data_dir / "server.log"
            say(f"starting `tribe serve` on {base_url} ({workers} workers × {threads} threads) …")
            server = start_server(env, port=port, workers=workers, threads=threads, log_path=log_path)
            if not wait_ready(base_url, server, log_path):
                return 1
        report = _measure(args, base_url)
        report["server"].update(
            {
                "url": base_url,
                "workers": workers,
                "threads_per_worker": threads,
                "started_by_bench": server is not None,
            }
        )
    finally:
        if server is not None:
            stop(server)
        if data_dir is not None and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif data_dir is not None:
            say(f"kept {data_dir}")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_table(report)
    return 0


def _measure(args, base_url: str) -> dict:
    from tribe.cli import setup_django

    setup_django()
    from django.db import connection, connections

    from tribe.catalog.models import Product
    from tribe.demo.data import SEARCH_WORDS

    ids = list(Product.objects.published().order_by("id").values_list("id", flat=True))
    vendor = connection.vendor
    connections.close_all()
    if not ids:
        raise SystemExit("bench: no published products in the database; seed the demo first")
    results = {}
    for name, (pattern, next_path) in scenarios(ids, SEARCH_WORDS).items():
        say(f"{name}: {args.concurrency} clients × {args.duration:g}s on {pattern}")
        figures = run_scenario(
            base_url,
            next_path,
            duration=args.duration,
            concurrency=args.concurrency,
            seed=f"{args.seed}:{name}",
        )
        results[name] = {"url": pattern, **figures}
    return {
        "scenarios": results,
        "server": {"database": vendor, "products": len(ids)},
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "client": {
            "concurrency": args.concurrency,
            "duration_s": args.duration,
            "note": "clients run on the same machine as the server",
        },
    }


COLUMNS = (
    ("req/s", "requests_per_s", 8),
    ("p50 ms", "p50_ms", 9),
    ("p99 ms", "p99_ms", 9),
    ("errors", "errors", 8),
    ("SQL mean", "queries_mean", 10),
    ("SQL max", "queries_max", 9),
)


def _print_table(report: dict) -> None:
    server, machine = report["server"], report["machine"]
    print(
        f"server {server['url']}  database {server['database']}  workers {server['workers']}  "
        f"products {server['products']}  cpus {machine['cpus']}"
    )
    print(f"{'scenario':<14}" + "".join(f"{title:>{width}}" for title, _, width in COLUMNS) + "  status")
    for name, r in report["scenarios"].items():
        cells = "".join(f"{'-' if r[key] is None else r[key]:>{width}}" for _, key, width in COLUMNS)
        problems = json.dumps(r["status"]) + (
            " " + json.dumps(r["transport_errors"]) if r["transport_errors"] else ""
        )
        print(f"{name:<14}{cells}  {problems}")
