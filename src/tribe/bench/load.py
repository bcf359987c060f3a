"""A small closed-loop load generator: N client threads, each a cookie-keeping httpx client like a browser.

Each thread sends its next request as soon as the previous answer arrives, for a fixed duration. Latency is
measured per request on the client; the server's SQL statement count comes from the X-Tribe-Queries header
(QueryCountHeaderMiddleware, enabled by TRIBE_QUERY_HEADER=1).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

# A phone browser: the site is mobile-first, and the visit-source code treats "httpx" user agents as bots.
USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1 TribeBench/1"
)
WARMUP_REQUESTS = 2


@dataclass
class Samples:
    latencies: list[float] = field(default_factory=list)  # seconds, every answered request
    statuses: Counter = field(default_factory=Counter)
    queries: list[int] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)  # transport errors by exception name


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def _target(drawn) -> tuple[str, dict | None]:
    """next_path may draw a path, or (path, headers) for requests made as a particular user."""
    return drawn if isinstance(drawn, tuple) else (drawn, None)


def _client_loop(
    base_url: str,
    next_path: Callable[[random.Random], str],
    rng: random.Random,
    start: threading.Barrier,
    deadline: list[float],
    out: Samples,
) -> None:
    with httpx.Client(
        base_url=base_url,
        headers={"User-Agent": USER_AGENT, "Accept-Language": "zh-CN,zh;q=0.9"},
        follow_redirects=True,
        timeout=30.0,
    ) as client:
        for _ in range(WARMUP_REQUESTS):  # first visit: session cookie, connection, worker caches
            try:
                warm_path, warm_headers = _target(next_path(rng))
                client.get(warm_path, headers=warm_headers)
            except httpx.HTTPError:
                pass
        start.wait(timeout=120)
        while time.perf_counter() < deadline[0]:
            path, headers = _target(next_path(rng))
            began = time.perf_counter()
            try:
                response = client.get(path, headers=headers)
            except httpx.HTTPError as exc:
                out.failures[type(exc).__name__] += 1
                continue
            out.latencies.append(time.perf_counter() - began)
            out.statuses[response.status_code] += 1
            header = response.headers.get("X-Tribe-Queries")
            if header is not None and header.isdigit():
                out.queries.append(int(header))


def run_scenario(
    base_url: str, next_path: Callable[[random.Random], str], *, duration: float, concurrency: int, seed: str
) -> dict:
    """Run `concurrency` clients for `duration` seconds; return the figures as a JSON-ready dict."""
    samples = [Samples() for _ in range(concurrency)]
    deadline = [0.0]

    def begin():  # runs once, when every client has warmed up
        deadline[0] = time.perf_counter() + duration

    barrier = threading.Barrier(concurrency, action=begin)
    threads = [
        threading.Thread(
            target=_client_loop,
            daemon=True,
            args=(base_url, next_path, random.Random(f"{seed}:{i}"), barrier, deadline, samples[i]),
        )
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = duration + max(0.0, time.perf_counter() - deadline[0])

    latencies = sorted(x for s in samples for x in s.latencies)
    statuses: Counter = sum((s.statuses for s in samples), Counter())
    failures: Counter = sum((s.failures for s in samples), Counter())
    queries = [q for s in samples for q in s.queries]
    answered = len(latencies)
    non_2xx = sum(n for code, n in statuses.items() if not 200 <= code < 300)
    return {
        "requests": answered,
        "seconds": round(elapsed, 2),
        "requests_per_s": round(answered / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99) * 1000, 1) if latencies else None,
        "mean_ms": round(sum(latencies) / answered * 1000, 1) if latencies else None,
        "errors": non_2xx + sum(failures.values()),
        "status": {str(code): n for code, n in sorted(statuses.items())},
        "transport_errors": dict(failures),
        "queries_mean": round(sum(queries) / len(queries), 1) if queries else None,
        "queries_max": max(queries) if queries else None,
    }
