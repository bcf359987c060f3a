"""Messaging writes: start a thread (direct, group, ask friends, support), send, mark read.

Each verb runs in one transaction and raises a DomainError (422/404/403/409/429) for anything a user can fix,
before anything is stored. Notifications about a circle thread carry the circle, so they disappear for anyone
who leaves it (tribe.notifications.selectors).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tribe.brands.models import Store
from tribe.brands.selectors import can_manage_brand
from tribe.catalog.models import Product
from tribe.circles.models import Circle, Membership
from tribe.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from tribe.core.events import record_event
from tribe.core.text import clean_text
from tribe.notifications.models import Notification
from tribe.orders.models import Order
from tribe.social.selectors import friend_ids, is_blocked_between

from . import selectors
from .models import TEXT_MAX, TITLE_MAX, Message, Participant, Thread

User = get_user_model()
K = Thread.Kind

GROUP_MIN, GROUP_MAX = 3, 20  # people in a group, the creator included
ASK_MAX = 20  # friends invited to one "ask friends" thread
RATE_LIMIT = 30  # messages per user per RATE_WINDOW
RATE_WINDOW = timedelta(minutes=1)


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


def _text(text) -> str:
    return clean_text(text, "text", max_length=TEXT_MAX, required=True)


def _title(title) -> str:
    return clean_text(title, "title", max_length=TITLE_MAX)


def _check_rate(sender) -> None:
    """Called inside the verb's transaction: the sender's row lock makes racing sends count each other, so
    the limit holds under concurrency (the message is written before the lock is released)."""
    get_user_model().objects.select_for_update().filter(pk=sender.pk).first()
    since = timezone.now() - RATE_WINDOW
    if Message.objects.filter(sender=sender, created_at__gte=since).count() >= RATE_LIMIT:
        raise RateLimited(f"at most {RATE_LIMIT} messages a minute; wait a moment")


def _friends(creator, user_ids, *, low: int, high: int, field: str) -> list[int]:
    """Distinct ids among the creator's friends, between low and high of them; else 422 naming the field."""
    try:
        ids = sorted({int(i) for i in user_ids or []} - {creator.pk})
    except (TypeError, ValueError):
        raise ValidationFailed(f"{field}: user ids expected", fields={field: "invalid"}) from None
    if not low <= len(ids) <= high:
        raise ValidationFailed(f"{field}: choose {low}–{high} friends", fields={field: f"{low}..{high}"})
    strangers = set(ids) - friend_ids(creator)
    if strangers:
        raise ValidationFailed(f"{field}: only friends (mutual follows) can be invited",
                               fields={field: "not a friend"})
    if User.objects.filter(pk__in=ids, is_active=True).count() != len(ids):
        raise ValidationFailed(f"{field}: unknown user", fields={field: "unknown user"})
    return ids


def _post(thread: Thread, sender, text: str, *, as_store: bool = False, product=None, order=None,
          request=None) -> Message:
    message = Message.objects.create(thread=thread, sender=sender, text=text, as_store=as_store,
                                     product=product, order=order)
    Thread.objects.filter(pk=thread.pk).update(last_message_at=message.created_at)
    thread.last_message_at = message.created_at
    # my own message is read by me; for the store's team, its reply means the thread has been read
    if as_store:
        Thread.objects.filter(pk=thread.pk, staff_last_read_id__lt=message.pk).update(
            staff_last_read_id=message.pk)
    else:
        Participant.objects.filter(thread=thread, user=sender, last_read_id__lt=message.pk).update(
            last_read_id=message.pk)
    record_event("message", request, actor=sender, obj=thread,
                 brand_id=thread.store.brand_id if thread.store_id else None,
                 props={"thread_kind": thread.kind, "as_store": as_store})
    return message


@transaction.atomic
def start_direct(user, other, *, text: str = "", request=None) -> Thread:
    """The one thread between two people (created on first use); `text`, when given, is sent in it."""
    if other is None or not other.is_active:
        raise NotFound("user not found")
    if other.pk == user.pk:
        raise ValidationFailed("you cannot message yourself", fields={"to": "yourself"})
    if is_blocked_between(user, other):
        raise PermissionDenied("you cannot message this user", code="blocked")
    text = _text(text) if text else ""
    if text:
        _check_rate(user)
    low, high = sorted((user.pk, other.pk))
    key = f"d:{low}:{high}"
    thread = Thread.objects.filter(pair_key=key).first()
    if thread is None:
        try:
            with transaction.atomic():
                thread = Thread.objects.create(kind=K.DIRECT, created_by=user, pair_key=key)
                Participant.objects.bulk_create([Participant(thread=thread, user_id=i) for i in (low, high)])
        except IntegrityError:  # the other person started it at the same moment
            thread = Thread.objects.get(pair_key=key)
    if text:
        _post(thread, user, text, request=request)
    return thread


@transaction.atomic
def start_group(user, member_ids, *, title: str = "", text: str = "", request=None) -> Thread:
    """A group of the creator and 2–19 of their friends."""
    title = _title(title)
    ids = _friends(user, member_ids, low=GROUP_MIN - 1, high=GROUP_MAX - 1, field="members")
    text = _text(text) if text else ""
    if text:
        _check_rate(user)
    thread = Thread.objects.create(kind=K.GROUP, created_by=user, title=title)
    Participant.objects.bulk_create([Participant(thread=thread, user_id=i) for i in [user.pk, *ids]])
    if text:
        _post(thread, user, text, request=request)
    return thread


@transaction.atomic
def ask_friends(user, product_id: int, *, text: str, friend_ids_: list[int] | None = None,
                circle_id: int | None = None, request=None) -> Thread:
    """"Should I buy this?": a thread about a published product, asked of chosen friends (1–20) or of a
    circle the asker is an active member of. Everyone asked gets a notification ("ask_friends")."""
    product = Product.objects.published().filter(pk=product_id).select_related("store").first()
    if product is None:
        raise NotFound(f"product {product_id} not found")
    text = _text(text)
    if bool(friend_ids_) == (circle_id is not None):
        raise ValidationFailed("choose friends or one circle", fields={"friends": "friends or circle"})
    circle = None
    if circle_id is not None:
        circle = Circle.objects.filter(pk=circle_id).first()
        if circle is None or not Membership.objects.filter(
                circle=circle, user=user, state=Membership.State.ACTIVE).exists():
            raise ValidationFailed("circle: you are not an active member of this circle",
                                   fields={"circle": "not a member"})
        invitee_ids = list(Membership.objects.filter(circle=circle, state=Membership.State.ACTIVE)
                           .exclude(user=user).values_list("user_id", flat=True))
    else:
        invitee_ids = _friends(user, friend_ids_, low=1, high=ASK_MAX, field="friends")
    _check_rate(user)
    thread = Thread.objects.create(kind=K.ASK_FRIENDS, created_by=user, product=product, circle=circle,
                                   title=product.name[:TITLE_MAX])
    Participant.objects.bulk_create([Participant(thread=thread, user_id=i) for i in [user.pk, *invitee_ids]])
    _post(thread, user, text, product=product, request=request)
    url = f"/messages/{thread.pk}/"
    note = _("%(name)s 想听听你的意见：%(product)s") % {"name": user.display_name, "product": product.name}
    Notification.objects.bulk_create([
        Notification(user_id=i, kind="ask_friends", actor=user, text=note[:200], url=url,
                     target_kind="thread", target_id=thread.pk, circle_id=circle.pk if circle else None)
        for i in invitee_ids
    ])
    record_event("ask_friends", request, actor=user, obj=product, brand_id=product.brand_id,
                 props={"invitees": len(invitee_ids), "circle": circle.pk if circle else None,
                        "thread": thread.pk})
    return thread


def _support_attachment(buyer, store: Store, product_id: int | None, order_number: str | None):
    product = order = None
    if product_id is not None:
        product = Product.objects.published().filter(pk=product_id, store=store).first()
        if product is None:
            raise ValidationFailed("product: not sold by this store", fields={"product": "not in this store"})
    if order_number:
        order = Order.objects.filter(number=str(order_number)[:24], user=buyer,
                                     store_orders__store=store).first()
        if order is None:
            raise ValidationFailed("order: not one of your orders from this store",
                                   fields={"order": "not your order from this store"})
    return product, order


@transaction.atomic
def contact_store(buyer, store: Store, *, text: str, product_id: int | None = None,
                  order_number: str | None = None, request=None) -> Thread:
    """Send a message to a store's customer service, optionally about one of its products or one of the
    buyer's orders from it. One thread per buyer and store, reused."""
    if store is None or not store.is_active:
        raise NotFound("store not found")
    text = _text(text)
    product, order = _support_attachment(buyer, store, product_id, order_number)
    _check_rate(buyer)
    key = f"s:{store.pk}:{buyer.pk}"
    thread = Thread.objects.filter(pair_key=key).first()
    if thread is None:
        try:
            with transaction.atomic():
                thread = Thread.objects.create(kind=K.SUPPORT, created_by=buyer, store=store, pair_key=key,
                                               title=store.name[:TITLE_MAX])
                Participant.objects.create(thread=thread, user=buyer)
        except IntegrityError:
            thread = Thread.objects.get(pair_key=key)
    thread.store = store
    _post(thread, buyer, text, product=product, order=order, request=request)
    return thread


@transaction.atomic
def send(user, thread: Thread, text: str, *, request=None) -> Message:
    """Reply in a thread the user may read. Store staff (not the buyer) reply as the store."""
    seat = selectors.seat_of(user, thread)
    if not selectors.can_read(user, thread, seat):
        raise NotFound("thread not found")
    text = _text(text)
    as_store = False
    if thread.kind == K.SUPPORT and seat is None:
        as_store = True  # can_read passed without a seat: staff of the store's brand
    elif thread.kind == K.DIRECT:
        other = Participant.objects.filter(thread=thread).exclude(user=user).select_related("user").first()
        if other is not None and is_blocked_between(user, other.user):
            raise PermissionDenied("you cannot message this user", code="blocked")
    _check_rate(user)
    if seat is None and not as_store:  # a circle member who joined after the question was asked
        Participant.objects.get_or_create(thread=thread, user=user)
    return _post(thread, user, text, as_store=as_store, request=request)


def mark_read(user, thread: Thread, up_to: int | None = None) -> int:
    """Mark the thread read up to message `up_to` (default: its latest). Only moves forward. For store staff
    of a support thread this marks it read for the whole customer-service team. Returns the read marker."""
    latest = Message.objects.filter(thread=thread).aggregate(m=Max("id"))["m"] or 0
    return mark_seen(user, thread, latest if up_to is None else min(up_to, latest))


def mark_seen(user, thread: Thread, marker: int) -> int:
    """`mark_read` for a message id known to be in this thread (the pages pass the last one they showed)."""
    if thread.kind == K.SUPPORT and thread.created_by_id != user.pk:
        if can_manage_brand(user, thread.store.brand_id):
            Thread.objects.filter(pk=thread.pk, staff_last_read_id__lt=marker).update(staff_last_read_id=marker)
        return marker
    updated = Participant.objects.filter(thread=thread, user=user, last_read_id__lt=marker).update(
        last_read_id=marker)
    if not updated and thread.circle_id is not None:
        Participant.objects.get_or_create(thread=thread, user=user, defaults={"last_read_id": marker})
    return marker
