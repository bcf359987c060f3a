"""API: 通知 — my notifications (members-only circle ones only while I am an active member), unread count,
mark read."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Query, Router, Schema

from tribe.notifications import selectors, services
from tribe.notifications.models import Notification

from .auth import REQUIRED
from .pagination import Page, PageQuery, paginate
from .schemas import In, ObjectId

router = Router(tags=["notifications"])


class NotificationActorRef(Schema):
    id: int
    name: str


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str
    actor: NotificationActorRef | None
    target_kind: str
    target_id: int | None
    read: bool
    created_at: datetime


class NotificationReadIn(In):
    ids: list[ObjectId] | None = Field(None, max_length=200, description="omit to mark all read")


class NotificationCountOut(Schema):
    count: int


def _out(n: Notification) -> dict:
    return {"id": n.pk, "kind": n.kind, "text": n.text, "url": n.url,
            "actor": {"id": n.actor.pk, "name": n.actor.display_name} if n.actor_id else None,
            "target_kind": n.target_kind, "target_id": n.target_id, "read": n.read_at is not None,
            "created_at": n.created_at}


@router.get("/notifications", response=Page[NotificationOut], auth=REQUIRED, summary="My notifications")
def list_notifications(request, params: Query[PageQuery]):
    page = paginate(selectors.visible_notifications(request.user).select_related("actor"), params)
    page["items"] = [_out(n) for n in page["items"]]
    return page


@router.get("/notifications/unread", response=NotificationCountOut, auth=REQUIRED, summary="Unread notifications")
def unread(request):
    return {"count": selectors.unread_count(request.user)}


@router.post("/notifications/read", response=NotificationCountOut, auth=REQUIRED,
             summary="Mark notifications read (all, or the given ids); returns how many changed")
def mark_read(request, payload: NotificationReadIn | None = None):
    return {"count": services.mark_read(request.user, payload.ids if payload else None)}
