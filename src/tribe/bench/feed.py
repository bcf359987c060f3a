"""`tribe bench feed`: home-feed requests/s and p50/p99 latency over HTTP, with SQL queries per request, for
the 100 most-followed and the 100 most-following users of the configured database, with and without Redis.

Meant for a database with a real social graph: import Ciao first (`tribe import-social …`). The bench builds
feed inboxes for imported content if they are missing (`tribe feed-rebuild` does the same), issues a
short-lived API token per chosen user (deleted at the end), starts `tribe serve` on the configured database
(TRIBE_QUERY_HEADER=1) once without REDIS_URL and once with it (timelines start cold: the warm-up requests fill
them), and requests GET /api/v1/feed as those users.
"""

from __future__ import annotations

import json
import os
import platform
import random
import tempfile
from pathlib import Path

from .load import run_scenario
from .server import free_port, say, start_server, stop, wait_ready

GROUP_SIZE = 100


def _prepare(args) -> dict:
    from tribe.cli import setup_django

    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count

    from tribe.accounts.services import issue_token
    from tribe.content.models import Review
    from tribe.feed import services
    from tribe.feed.models import FeedEntry, FeedItem
    from tribe.posts.models import Post
    from tribe.social.models import Follow

    User = get_user_model()
    content = Review.objects.count() + Post.objects.filter(removed=False).count()
    items = FeedItem.objects.count()
    rebuilt = None
    if items < content:
        say(f"building feed inboxes for {content - items} posts/reviews (tribe feed-rebuild) …")
        rebuilt = services.rebuild()
    most_followed = list(User.objects.filter(is_active=True).annotate(n=Count("followers")).filter(n__gt=0)
                         .order_by("-n", "id").values_list("id", "n")[:GROUP_SIZE])
    most_following = list(Follow.objects.filter(followed_user__isnull=False).values("follower_id")
                          .annotate(n=Count("id")).order_by("-n", "follower_id")
                          .values_list("follower_id", "n")[:GROUP_SIZE])
    if not most_followed:
        raise SystemExit("bench feed: no follows in this database; import a social dataset first "
                         "(tribe import-social --ratings … --trust …)")
    tokens = {}
    for uid, _n in most_followed + most_following:
        if uid not in tokens:
            tokens[uid] = issue_token(User.objects.get(pk=uid), name="bench-feed")
    sizes = {uid: FeedEntry.objects.filter(user_id=uid).count() for uid in tokens}
    info = {
        "database": connection.vendor,
        "users": User.objects.count(), "follows": Follow.objects.count(), "reviews": Review.objects.count(),
        "posts": Post.objects.count(), "feed_items": FeedItem.objects.count(),
        "feed_entries": FeedEntry.objects.count(), "fanout_threshold": services.threshold(),
        "rebuilt": rebuilt,
    }
    groups = {
        "most_followed": {"users": [u for u, _ in most_followed],
                          "followers_range": [most_followed[-1][1], most_followed[0][1]]},
        "most_following": {"users": [u for u, _ in most_following],
                           "following_range": [most_following[-1][1], most_following[0][1]]},
    }
    for g in groups.values():
        entries = sorted(sizes[u] for u in g["users"])
        g["inbox_entries_median"] = entries[len(entries) // 2]
    connection.close()
    return {"info": info, "groups": groups, "tokens": tokens}


def _cleanup() -> None:
    from tribe.accounts.models import ApiToken

    ApiToken.objects.filter(name="bench-feed").delete()


def run(args) -> int:
    prepared = _prepare(args)
    tokens = prepared["tokens"]
    redis_url = args.redis_url or os.environ.get("REDIS_URL") or "redis://localhost:6379/0"
    modes = [("database", "")] + ([] if args.no_redis else [("redis", redis_url)])
    results: dict = {}
    try:
        for mode, url in modes:
            env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
            env["TRIBE_QUERY_HEADER"] = "1"
            env.pop("DEBUG", None)
            if url:
                env["REDIS_URL"] = url
                _flush_timelines(url)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            log_path = Path(tempfile.mkstemp(prefix="tribe-bench-feed-", suffix=".log")[1])
            say(f"[{mode}] starting `tribe serve` on {base} ({args.workers} workers × {args.threads} threads) …")
            server = start_server(env, port=port, workers=args.workers, threads=args.threads, log_path=log_path)
            try:
                if not wait_ready(base, server, log_path):
                    return 1
                results[mode] = {}
                for name, group in prepared["groups"].items():
                    users = group["users"]

                    def next_request(rng: random.Random, users=users):
                        uid = rng.choice(users)
                        return "/api/v1/feed", {"Authorization": f"Bearer {tokens[uid]}"}

                    say(f"[{mode}] {name}: {args.concurrency} clients × {args.duration:g}s on GET /api/v1/feed")
                    results[mode][name] = run_scenario(base, next_request, duration=args.duration,
                                                       concurrency=args.concurrency, seed=f"{args.seed}:{name}")
            finally:
                stop(server)
                log_path.unlink(missing_ok=True)
    finally:
        _cleanup()
    report = {
        "results": results,
        "groups": {k: {kk: vv for kk, vv in v.items() if kk != "users"} for k, v in prepared["groups"].items()},
        "data": prepared["info"],
        "server": {"workers": args.workers, "threads_per_worker": args.threads},
        "client": {"concurrency": args.concurrency, "duration_s": args.duration,
                   "note": "clients run on the same machine as the server"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for mode, groups in results.items():
            for name, r in groups.items():
                print(f"{mode:9} {name:15} {r['requests_per_s']:8} req/s  p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms"
                      f"  queries {r['queries_mean']} (max {r['queries_max']})  errors {r['errors']}")
    return 0


def _flush_timelines(url: str) -> None:
    import redis

    r = redis.Redis.from_url(url)
    for key in r.scan_iter("tribe:feed:inbox:*", count=1000):
        r.delete(key)
