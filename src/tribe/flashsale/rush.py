"""What keeps the site up when everyone presses 抢购 at 10:00:00 — all of it optional speed, none of it truth.

The database's guarded decrement of `FlashItem.left` is the only thing that decides who gets a unit. In front
of it, cheapest first:

1. a cached "sold out" flag per item (Django's cache: per process, or Redis when REDIS_URL is set), set when
   the database refused for lack of units and cleared when units come back (a cancelled order): a sold-out
   rush is answered 409 without a query;
2. a per-process throttle: at most TRIBE_FLASH_CONCURRENCY (default 8) checkouts of one item run at once in
   a process; the next buyer is told 429 `try_again` at once (non-blocking) instead of queueing on the row
   lock until the server's threads are all stuck;
3. with REDIS_URL, a Redis counter per item set to `left` at start: a buyer takes units from it atomically
   (a Lua script: never below zero) before touching the database; an empty counter is a sold-out answer
   without the database. If the database then refuses, the units are put back. Redis down or the key gone →
   the database path alone (the answer is the same, just slower).
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import connection

log = logging.getLogger(__name__)

_SEMAPHORES: dict[int, threading.BoundedSemaphore] = {}
_SEMAPHORES_LOCK = threading.Lock()
SOLD_OUT_TTL = 3600


def concurrency() -> int:
    return max(1, int(getattr(settings, "TRIBE_FLASH_CONCURRENCY", 8)))


def slot(item_id: int) -> threading.BoundedSemaphore:
    sem = _SEMAPHORES.get(item_id)
    if sem is None:
        with _SEMAPHORES_LOCK:
            sem = _SEMAPHORES.setdefault(item_id, threading.BoundedSemaphore(concurrency()))
    return sem


# ---- the sold-out flag -------------------------------------------------------------------------------------


def _flag_key(item_id: int) -> str:
    return f"tribe:flash:soldout:{_namespace()}:{item_id}"


def is_sold_out(item_id: int) -> bool:
    try:
        return bool(cache.get(_flag_key(item_id)))
    except Exception:  # noqa: BLE001 - a cache outage must not stop the sale; the database answers
        return False


def mark_sold_out(item_id: int) -> None:
    try:
        cache.set(_flag_key(item_id), 1, SOLD_OUT_TTL)
    except Exception:  # noqa: BLE001
        log.warning("flash sold-out flag not set", exc_info=True)


def clear_sold_out(item_id: int) -> None:
    try:
        cache.delete(_flag_key(item_id))
    except Exception:  # noqa: BLE001
        log.warning("flash sold-out flag not cleared", exc_info=True)


# ---- Redis pre-deduction -----------------------------------------------------------------------------------

# Take n if there are n: -2 the key is missing (fall back to the database), -1 not enough, else what is left.
_TAKE = """
local v = redis.call('GET', KEYS[1])
if not v then return -2 end
if tonumber(v) < tonumber(ARGV[1]) then return -1 end
return redis.call('DECRBY', KEYS[1], ARGV[1])
"""
# Give n back only to a counter that exists (an ended sale's counter stays gone).
_GIVE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return -2
"""
TAKEN, EMPTY, UNAVAILABLE = "taken", "empty", "unavailable"


def _namespace() -> str:
    """Keys carry the database name: test databases, bench databases and production never share counters."""
    return str(connection.settings_dict.get("NAME", ""))[-40:]


def counter_key(item_id: int) -> str:
    return f"tribe:flash:left:{_namespace()}:{item_id}"


@lru_cache(maxsize=4)
def _client_for(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def client():
    url = getattr(settings, "REDIS_URL", "")
    return _client_for(url) if url else None


def redis_take(item_id: int, n: int) -> str:
    """TAKEN (the caller must give back if the database then refuses), EMPTY (sold out) or UNAVAILABLE."""
    r = client()
    if r is None:
        return UNAVAILABLE
    try:
        result = int(r.eval(_TAKE, 1, counter_key(item_id), n))
    except Exception:  # noqa: BLE001 - Redis down: the database path alone
        log.warning("redis flash pre-deduction failed; using the database", exc_info=True)
        return UNAVAILABLE
    if result == -2:
        return UNAVAILABLE
    return EMPTY if result == -1 else TAKEN


def redis_give(item_id: int, n: int) -> None:
    r = client()
    if r is None or n <= 0:
        return
    try:
        r.eval(_GIVE, 1, counter_key(item_id), n)
    except Exception:  # noqa: BLE001
        log.warning("redis flash give-back failed", exc_info=True)


def redis_set(counts: dict[int, int]) -> None:
    """Start: each item's counter = its carved units."""
    r = client()
    if r is None or not counts:
        return
    try:
        r.mset({counter_key(item_id): n for item_id, n in counts.items()})
    except Exception:  # noqa: BLE001
        log.warning("redis flash counters not set; buyers use the database path", exc_info=True)


def redis_drop(item_ids) -> None:
    r = client()
    if r is None or not item_ids:
        return
    try:
        r.delete(*[counter_key(i) for i in item_ids])
    except Exception:  # noqa: BLE001
        log.warning("redis flash counters not dropped", exc_info=True)


def redis_value(item_id: int) -> int | None:
    r = client()
    if r is None:
        return None
    try:
        v = r.get(counter_key(item_id))
    except Exception:  # noqa: BLE001
        return None
    return None if v is None else int(v)
