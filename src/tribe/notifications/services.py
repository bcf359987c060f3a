"""Writes for notifications. `notify` is what other apps call; it never notifies people about themselves."""

from __future__ import annotations

from .models import Notification


def notify(user, kind: str, *, text: str, actor=None, url: str = "", target_kind: str = "",
           target_id: int | None = None, circle_id: int | None = None) -> Notification | None:
    """One notification for `user` (a User or a user id). Returns None when the actor is the user."""
    user_id = getattr(user, "pk", user)
    if user_id is None or (actor is not None and getattr(actor, "pk", actor) == user_id):
        return None
    return Notification.objects.create(
        user_id=user_id, kind=kind, actor_id=getattr(actor, "pk", actor), text=text[:200], url=url[:300],
        target_kind=target_kind, target_id=target_id, circle_id=circle_id,
    )


def mark_read(user, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read: all of them, or those in `ids`. Returns how many."""
    from django.utils import timezone

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=[i for i in ids if isinstance(i, int)][:200])
    return qs.update(read_at=timezone.now())
