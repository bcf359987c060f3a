"""The event log's one entry point. Services call `record_event(...)` once per thing a user does."""

from __future__ import annotations

import contextvars
import logging
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Event

log = logging.getLogger(__name__)

EVENT_NAMES = {
    "product_view", "search", "station_visit", "store_visit", "category_view", "bundle_view",
    "login", "register", "logout", "share", "share_open", "join_circle", "follow", "review",
    "post", "comment", "like", "ask_friends", "message", "question", "answer", "album", "guide_view",
    "join_fans", "poll_vote", "feed_view", "invite", "reward", "share_click", "attributed_order",
    "commission_state_change",
}


_suppressed = contextvars.ContextVar("tribe_events_suppressed", default=False)


@contextmanager
def suppress_events():
    """Record no events inside this block: the demo seeder creates content through the services, but that is
    not user activity and must not show up in anyone's analytics."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def _object_ref(obj: Any) -> tuple[str, int | None]:
    if obj is None:
        return "", None
    return obj._meta.model_name, obj.pk


def record_event(
    name: str,
    request=None,
    *,
    actor=None,
    obj: Any = None,
    brand_id: int | None = None,
    props: dict | None = None,
) -> Event | None:
    """Insert one event row. Never raises: a broken event log must not break the action being logged.

    The row runs in its own savepoint, so a failed insert inside a caller's transaction rolls back only
    itself. Who/where come from the request when given: the signed-in user or anonymous session, this
    request's source, and the visit's first touch (channel, campaign, sharer, utm_*).
    """
    if _suppressed.get():
        return None
    try:
        object_type, object_id = _object_ref(obj)
        fields: dict[str, Any] = {
            "name": name,
            "created_at": timezone.now(),
            "object_type": object_type,
            "object_id": object_id,
            "brand_id": brand_id,
            "props": props or {},
        }
        if request is not None:
            user = getattr(request, "user", None)
            if actor is None and user is not None and user.is_authenticated:
                actor = user
            session = getattr(request, "session", None)
            if session is not None and session.session_key is None and not session.is_empty():
                session.save()
            fields["session_key"] = (session.session_key or "") if session is not None else ""
            touch = getattr(request, "tribe_touch", None)
            visit = getattr(request, "tribe_visit", None)
            first = (visit or {}).get("first") or {}
            if touch is not None:
                fields["source"] = touch.source
                fields["referrer"] = touch.referrer
            fields["channel"] = first.get("channel", "")
            fields["campaign"] = first.get("campaign", "")
            fields["sharer_id"] = first.get("sharer_id")
            utm = first.get("utm") or {}
            fields["utm_source"] = utm.get("utm_source", "")
            fields["utm_medium"] = utm.get("utm_medium", "")
            fields["utm_campaign"] = utm.get("utm_campaign", "")
            from .sources import device_of

            fields["device"] = device_of(request)
        fields["actor"] = actor if (actor is not None and getattr(actor, "pk", None)) else None
        with transaction.atomic():
            return Event.objects.create(**fields)
    except Exception:  # noqa: BLE001 - by design: logging must never break the action
        log.exception("could not record event %s", name)
        return None
