"""The shared lifecycle of plays: window checks, start/pause/resume/end with guarded updates, and the one
call that records a play's events with its campaign code."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tribe.brands.selectors import require_brand_staff
from tribe.core.errors import Conflict, ValidationFailed
from tribe.core.events import record_event

from .models import Play, PlayStatus

S = PlayStatus
MOVES: dict[str, tuple[set[str], str]] = {
    "start": ({S.DRAFT}, S.RUNNING),
    "pause": ({S.RUNNING}, S.PAUSED),
    "resume": ({S.PAUSED}, S.RUNNING),
    "end": ({S.DRAFT, S.RUNNING, S.PAUSED}, S.ENDED),
}


def check_window(starts_at: datetime | None, ends_at: datetime | None) -> tuple[datetime, datetime]:
    """Both set, aware, and ends after starts (a clear 422 otherwise)."""
    if starts_at is None or ends_at is None:
        raise ValidationFailed("starts_at and ends_at are required", fields={"starts_at": "required"})
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if timezone.is_naive(value):
            raise ValidationFailed(f"{name}: give a time zone (e.g. +08:00)", fields={name: "naive"})
    if ends_at <= starts_at:
        raise ValidationFailed("ends_at must be after starts_at", code="bad_window", fields={"ends_at": "before start"})
    return starts_at, ends_at


def move(actor, play: Play, action: str, *, on_end=None, request=None) -> Play:
    """start | pause | resume | end a play (brand staff only). A guarded UPDATE: two racing clicks move it once;
    `on_end(play)` runs in the same transaction when the play ends (e.g. return carved-out flash stock)."""
    require_brand_staff(actor, play.brand_id)
    if action not in MOVES:
        raise ValidationFailed("action: start, pause, resume or end", fields={"action": "unknown"})
    sources, target = MOVES[action]
    model = type(play)
    with transaction.atomic():
        moved = model.objects.filter(pk=play.pk, status__in=list(sources)).update(status=target,
                                                                                 updated_at=timezone.now())
        if moved != 1:
            play.refresh_from_db(fields=["status"])
            raise Conflict(f"the campaign is {play.get_status_display()}; cannot {action}", code="invalid_transition",
                           fields={"status": play.status})
        play.status = target
        if target == S.ENDED and on_end is not None:
            on_end(play)
        play_event(f"campaign_{action}", request, play, actor=actor)
    return play


def require_live(play: Play, now=None) -> None:
    """Refuse (409) to act on a play that is not running now, saying why."""
    phase = play.phase
    if phase == "live":
        return
    messages = {"upcoming": "the campaign has not started yet", "ended": "the campaign has ended",
                "paused": "the campaign is paused", "draft": "the campaign is not published"}
    raise Conflict(messages[phase], code=f"campaign_{phase}", fields={"campaign": play.code})


def play_event(name: str, request, play: Play, *, actor=None, obj=None, props: dict | None = None):
    """record_event with the play's campaign code and brand, so analytics can group plays by campaign."""
    data = {"campaign": play.code, "play": play.KIND}
    data.update(props or {})
    return record_event(name, request, actor=actor, obj=obj if obj is not None else play, brand_id=play.brand_id,
                        props=data)
