"""Sessionization: a visitor's events split into visits at 30 minutes of inactivity.

A visitor is the signed-in user (`actor_id`) or, for anonymous events, the browser session (`session_key`).
Events without either cannot be tied to a visitor and each counts as its own visit. A visit's source, channel
and campaign are those of its first event (the event log stamps the visit's first touch on every event).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

GAP = timedelta(minutes=30)


@dataclass
class Visit:
    visitor: str
    started: datetime
    ended: datetime
    source: str
    channel: str
    campaign: str
    events: list[str] = field(default_factory=list)


def visitor_key(actor_id, session_key, event_id=None) -> str:
    if actor_id:
        return f"u{actor_id}"
    if session_key:
        return f"s{session_key}"
    return f"e{event_id}"


def sessionize(rows: Iterable[tuple], gap: timedelta = GAP) -> list[Visit]:
    """`rows`: (event id, actor_id, session_key, created_at, name, source, channel, campaign), in any order."""
    by_visitor: dict[str, list[tuple]] = {}
    for row in rows:
        by_visitor.setdefault(visitor_key(row[1], row[2], row[0]), []).append(row)
    visits: list[Visit] = []
    for key, events in by_visitor.items():
        events.sort(key=lambda r: (r[3], r[0]))
        current: Visit | None = None
        for _id, _actor, _session, at, name, source, channel, campaign in events:
            if current is None or at - current.ended > gap:
                current = Visit(key, at, at, source or "direct", channel or "", campaign or "")
                visits.append(current)
            current.ended = at
            current.events.append(name)
    visits.sort(key=lambda v: (v.started, v.visitor))
    return visits
