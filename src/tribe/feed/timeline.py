"""Inbox timelines cached in Redis (when REDIS_URL is set). The database (FeedEntry) stays the source of
truth; Redis holds a reader's newest inbox item ids as a sorted set scored by time.

- read(uid): the cached ids, or None on a miss (or when Redis is unavailable): the caller reads the database
  and calls fill().
- push(uids, item_id, ts): after a fan-out, add the item to the timelines that are cached (an atomic
  "add only if the key exists" script, so a partial timeline is never mistaken for a complete one).
A Redis failure never fails a request or a post: it is logged and the database answers.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings

log = logging.getLogger(__name__)

CAP = 500  # items kept per cached timeline
TTL = 24 * 3600
_EMPTY = "0"  # a member that marks an existing, possibly empty timeline

_PUSH = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[3]) + 2))
end
return 0
"""


@lru_cache(maxsize=4)
def _client_for(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def client():
    url = getattr(settings, "REDIS_URL", "")
    return _client_for(url) if url else None


def enabled() -> bool:
    return client() is not None


def key(user_id: int) -> str:
    return f"tribe:feed:inbox:{user_id}"


def read(user_id: int, limit: int) -> list[int] | None:
    r = client()
    if r is None:
        return None
    try:
        pipe = r.pipeline(transaction=False)
        pipe.exists(key(user_id))
        pipe.zrevrange(key(user_id), 0, limit)
        exists, members = pipe.execute()
    except Exception:  # noqa: BLE001 - the database answers instead
        log.warning("redis timeline read failed", exc_info=True)
        return None
    if not exists:
        return None
    return [int(m) for m in members if m != _EMPTY.encode()][:limit]


def fill(user_id: int, pairs: list[tuple[int, float]]) -> None:
    r = client()
    if r is None:
        return
    try:
        pipe = r.pipeline(transaction=True)
        pipe.delete(key(user_id))
        mapping = {str(item_id): ts for item_id, ts in pairs[:CAP]}
        mapping[_EMPTY] = 0
        pipe.zadd(key(user_id), mapping)
        pipe.expire(key(user_id), TTL)
        pipe.execute()
    except Exception:  # noqa: BLE001
        log.warning("redis timeline fill failed", exc_info=True)


def push(user_ids, item_id: int, ts: float) -> None:
    r = client()
    if r is None:
        return
    try:
        script = r.register_script(_PUSH)
        pipe = r.pipeline(transaction=False)
        for uid in user_ids:
            script(keys=[key(uid)], args=[ts, str(item_id), CAP], client=pipe)
        pipe.execute()
    except Exception:  # noqa: BLE001
        log.warning("redis timeline push failed", exc_info=True)


def forget(user_ids) -> None:
    r = client()
    if r is None:
        return
    try:
        r.delete(*[key(uid) for uid in user_ids]) if user_ids else None
    except Exception:  # noqa: BLE001
        log.warning("redis timeline delete failed", exc_info=True)
