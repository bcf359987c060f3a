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
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx

from .load import USER_AGENT, run_scenario

READY_TIMEOUT = 90


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tribe(*args: str) -> list[str]:
    return [sys.executable, "-m", "tribe.cli", *args]


def _wait_ready(base_url: str, server: subprocess.Popen, log_path: Path) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            _say(
                f"the server exited with {server.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}"
            )
            return False
        try:
            httpx.get(base_url + "/", timeout=5, headers={"User-Agent": USER_AGENT})
            return True
        except httpx.HTTPError:
            time.sleep(0.3)
    _say(f"the server did not answer within {READY_TIMEOUT}s")
    return False


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown of the master and its workers
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


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
            env = _server_env(data_dir, args.database_url)
            # This process reads the same database as the server to pick product ids.
            for key in set(os.environ) - set(env):
                del os.environ[key]
            os.environ.update(env)
            _say(f"preparing the demo database in {data_dir} …")
            prepared = subprocess.run(_tribe("demo", "--no-serve"), env=env, capture_output=True, text=True)
            if prepared.returncode != 0:
                _say(f"`tribe demo --no-serve` failed:\n{prepared.stdout[-2000:]}\n{prepared.stderr[-3000:]}")
                return 1
            port = _free_port()
            base_url = f"http://127.0.0.1:{port}"
            workers, threads = args.workers, args.threads
            log_path = data_dir / "server.log"
            _say(f"starting `tribe serve` on {base_url} ({workers} workers × {threads} threads) …")
            with open(log_path, "wb") as log:
                server = subprocess.Popen(
                    _tribe(
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--workers",
                        str(workers),
                        "--threads",
                        str(threads),
                    ),
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            if not _wait_ready(base_url, server, log_path):
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
            _stop(server)
        if data_dir is not None and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        elif data_dir is not None:
            _say(f"kept {data_dir}")
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_table(report)
    return 0


def _server_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "STATIC_ROOT", "MEDIA_ROOT"}}
    env.update(
        {
            "TRIBE_DATA_DIR": str(data_dir),
            "TRIBE_QUERY_HEADER": "1",
            "DJANGO_SETTINGS_MODULE": "tribe.settings",
        }
    )
    env.pop("DEBUG", None)  # measure the production configuration
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


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
        _say(f"{name}: {args.concurrency} clients × {args.duration:g}s on {pattern}")
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
