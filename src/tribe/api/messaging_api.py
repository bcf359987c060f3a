"""API: 私信 — threads (direct, group, ask friends, customer service), messages, read state, unread counts.

A thread the caller may not read is a 404, exactly like one that does not exist (tribe.messaging.selectors).
New messages are fetched by polling `GET /threads/{id}/messages?after=<last id>`; the web page also offers a
server-sent-events stream at /messages/<id>/stream.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from ninja import Field, Query, Router, Schema, Status

from tribe.brands.models import Store
from tribe.core.errors import NotFound
from tribe.messaging import selectors, services
from tribe.messaging.models import Message, Participant, Thread

from .auth import REQUIRED
from .common import MAX_ID, by_slug
from .pagination import Page, PageQuery, paginate
from .schemas import In, ObjectId

router = Router(tags=["messaging"])
User = get_user_model()


class ThreadUserRef(Schema):
    id: int
    name: str


class ThreadProductRef(Schema):
    id: int
    name: str


class ThreadPlaceRef(Schema):
    slug: str
    name: str


class ThreadOut(Schema):
    id: int
    kind: str = Field(description="direct | group | ask_friends | support")
    title: str
    product: ThreadProductRef | None
    store: ThreadPlaceRef | None
    circle: ThreadPlaceRef | None
    last_message_at: datetime
    unread: int = Field(description="messages after my read marker, not sent by me")
    last_text: str | None = None


class ThreadDetailOut(ThreadOut):
    participants: list[ThreadUserRef]


class MessageOut(Schema):
    id: int
    thread: int
    sender: ThreadUserRef
    sender_name: str = Field(description="the store's name for a customer-service reply, else the sender's")
    as_store: bool
    mine: bool
    text: str
    product: ThreadProductRef | None
    order: str | None = Field(description="attached order number")
    created_at: datetime


class ThreadDirectIn(In):
    to: str = Field(max_length=150, description="username")
    text: str = ""


class ThreadGroupIn(In):
    members: list[ObjectId] = Field(max_length=50, description="user ids of 2–19 friends")
    title: str = ""
    text: str = ""


class ThreadAskIn(In):
    product: ObjectId
    text: str
    friends: list[ObjectId] = Field(default_factory=list, max_length=50)
    circle: ObjectId | None = None


class ThreadSupportIn(In):
    store: str = Field(max_length=60, description="store slug")
    text: str
    product: ObjectId | None = None
    order: str | None = Field(None, max_length=24, description="order number")


class MessageIn(In):
    text: str


class ThreadReadIn(In):
    up_to: ObjectId | None = None


class ThreadReadOut(Schema):
    last_read_id: int


class MessagesUnreadOut(Schema):
    total: int


class ThreadMessagesQuery(Schema):
    after: int | None = Field(None, ge=0, le=MAX_ID, description="only messages with a larger id")
    limit: int = Field(50, ge=1, le=100)


def _user(u) -> dict:
    return {"id": u.pk, "name": u.display_name}


def thread_out(thread: Thread, *, unread: int = 0, last_text: str | None = None) -> dict:
    return {
        "id": thread.pk, "kind": thread.kind, "title": thread.title,
        "product": {"id": thread.product.pk, "name": thread.product.name} if thread.product_id else None,
        "store": {"slug": thread.store.slug, "name": thread.store.name} if thread.store_id else None,
        "circle": {"slug": thread.circle.slug, "name": thread.circle.name} if thread.circle_id else None,
        "last_message_at": thread.last_message_at, "unread": unread, "last_text": last_text,
    }


def message_out(m: Message, viewer) -> dict:
    return {
        "id": m.pk, "thread": m.thread_id, "sender": _user(m.sender),
        "sender_name": m.thread.store.name if m.as_store and m.thread.store_id else m.sender.display_name,
        "as_store": m.as_store, "mine": m.sender_id == viewer.pk, "text": m.text,
        "product": {"id": m.product.pk, "name": m.product.name} if m.product_id else None,
        "order": m.order.number if m.order_id else None, "created_at": m.created_at,
    }


def _thread(request, thread_id: int) -> Thread:
    thread = selectors.readable_thread(request.user, thread_id)
    if thread is None:
        raise NotFound(f"thread {thread_id} not found")
    return thread


def _created(request, thread: Thread):
    thread = _thread(request, thread.pk)
    return Status(201, {**thread_out(thread), "participants": [_user(u) for u in selectors.participants(thread)]})


@router.get("/threads", response=Page[ThreadOut], auth=REQUIRED, summary="My threads, newest activity first")
def list_threads(request, params: Query[PageQuery]):
    page = paginate(selectors.inbox(request.user), params)
    page["items"] = [thread_out(s.thread, unread=s.unread, last_text=s.last_text) for s in page["items"]]
    return page


@router.get("/messages/unread", response=MessagesUnreadOut, auth=REQUIRED, summary="Unread messages over all threads")
def unread(request):
    return {"total": selectors.unread_total(request.user)}


@router.post("/threads/direct", response={201: ThreadDetailOut}, auth=REQUIRED,
             summary="The 1:1 thread with a user (reused), optionally sending a first message")
def start_direct(request, payload: ThreadDirectIn):
    other = User.objects.filter(username=payload.to, is_active=True).first()
    if other is None:
        raise NotFound(f"user '{payload.to}' not found")
    return _created(request, services.start_direct(request.user, other, text=payload.text, request=request))


@router.post("/threads/group", response={201: ThreadDetailOut}, auth=REQUIRED,
             summary="A group with 2–19 of my friends")
def start_group(request, payload: ThreadGroupIn):
    thread = services.start_group(request.user, payload.members, title=payload.title, text=payload.text,
                                  request=request)
    return _created(request, thread)


@router.post("/threads/ask", response={201: ThreadDetailOut}, auth=REQUIRED,
             summary="Ask friends (or a circle I am in) before buying a product")
def ask(request, payload: ThreadAskIn):
    thread = services.ask_friends(request.user, payload.product, text=payload.text, friend_ids_=payload.friends,
                                  circle_id=payload.circle, request=request)
    return _created(request, thread)


@router.post("/threads/support", response={201: ThreadDetailOut}, auth=REQUIRED,
             summary="Message a store's customer service, optionally about a product or an order")
def contact_store(request, payload: ThreadSupportIn):
    store = by_slug(Store.objects.filter(is_active=True).select_related("brand"), payload.store, "store")
    thread = services.contact_store(request.user, store, text=payload.text, product_id=payload.product,
                                    order_number=payload.order, request=request)
    return _created(request, thread)


@router.get("/threads/{int:thread_id}", response=ThreadDetailOut, auth=REQUIRED, summary="A thread")
def get_thread(request, thread_id: int):
    thread = _thread(request, thread_id)
    seat = Participant.objects.filter(thread=thread, user=request.user).first()
    unread_n = (Message.objects.filter(thread=thread, id__gt=seat.last_read_id).exclude(sender=request.user)
                .count() if seat else 0)
    return {**thread_out(thread, unread=unread_n), "participants": [_user(u) for u in selectors.participants(thread)]}


@router.get("/threads/{int:thread_id}/messages", response=list[MessageOut], auth=REQUIRED,
            summary="Messages oldest first: after a message id (polling), or the latest ones")
def list_messages(request, thread_id: int, params: Query[ThreadMessagesQuery]):
    thread = _thread(request, thread_id)
    items = selectors.thread_messages(thread, after=params.after, limit=params.limit)
    for m in items:
        m.thread = thread
    return [message_out(m, request.user) for m in items]


@router.post("/threads/{int:thread_id}/messages", response={201: MessageOut}, auth=REQUIRED,
             summary="Send a message (store staff reply as the store)")
def send(request, thread_id: int, payload: MessageIn):
    thread = _thread(request, thread_id)
    message = services.send(request.user, thread, payload.text, request=request)
    message.thread = thread
    return Status(201, message_out(message, request.user))


@router.post("/threads/{int:thread_id}/read", response=ThreadReadOut, auth=REQUIRED,
             summary="Mark read up to a message id (default: all)")
def mark_read(request, thread_id: int, payload: ThreadReadIn | None = None):
    thread = _thread(request, thread_id)
    return {"last_read_id": services.mark_read(request.user, thread, payload.up_to if payload else None)}
