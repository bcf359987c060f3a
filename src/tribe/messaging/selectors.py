"""Who may read which thread, and the reads behind the inbox, the thread page and the unread badges.

The rule (`can_read`): a circle thread is readable by the circle's *current* active members only (leaving or
being banned takes it away, even from its creator); a support thread by its buyer and by any staff of the
store's brand; every other thread by its participants. Anything else is a 404, exactly like a thread that
does not exist.
"""

from __future__ import annotations

from django.db.models import Case, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf

from tribe.brands.selectors import can_manage_brand, managed_brand_ids
from tribe.circles.models import Membership

from .models import Message, Participant, Thread


def _active_circle_ids(user):
    return Membership.objects.filter(user=user, state=Membership.State.ACTIVE).values("circle_id")


def _circle_ok(prefix: str, user) -> Q:
    """Rows whose thread is not in a circle, or in a circle the user is an active member of now."""
    return Q(**{f"{prefix}circle__isnull": True}) | Q(**{f"{prefix}circle_id__in": _active_circle_ids(user)})


def is_store_staff(user, thread: Thread) -> bool:
    return (thread.kind == Thread.Kind.SUPPORT and thread.store_id is not None
            and user is not None and user.is_authenticated
            and can_manage_brand(user, thread.store.brand_id))


def seat_of(user, thread: Thread) -> Participant | None:
    if user is None or not user.is_authenticated:
        return None
    return Participant.objects.filter(thread=thread, user=user).first()


def can_read(user, thread: Thread, seat: Participant | None = ...) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if thread.circle_id is not None:
        return Membership.objects.filter(circle_id=thread.circle_id, user=user,
                                         state=Membership.State.ACTIVE).exists()
    if seat is ...:
        seat = seat_of(user, thread)
    if seat is not None:
        return True
    return is_store_staff(user, thread)


def readable_thread(user, thread_id: int) -> Thread | None:
    """The thread if `user` may read it, else None (callers answer 404)."""
    if not 1 <= thread_id <= 2**63 - 1:
        return None
    thread = (Thread.objects.select_related("store", "store__brand", "product", "order", "circle")
              .filter(pk=thread_id).first())
    if thread is None or not can_read(user, thread):
        return None
    return thread


def _count(qs: QuerySet) -> Coalesce:
    """A scalar `SELECT COUNT(*)` subquery (an ungrouped COUNT, not a GROUP BY)."""
    counted = qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def inbox(user) -> QuerySet[Participant]:
    """The user's seats, newest activity first, each with `unread`, the last message's text and, for a direct
    thread's title, the other person's name (`other_name`), in one query. Circle threads of circles the user is
    no longer an active member of are left out."""
    last = Message.objects.filter(thread_id=OuterRef("thread_id")).order_by("-id")
    other = Participant.objects.filter(thread_id=OuterRef("thread_id")).exclude(user_id=user.pk).order_by("id")
    return (Participant.objects.filter(user=user).filter(_circle_ok("thread__", user))
            .select_related("thread", "thread__product", "thread__store", "thread__circle")
            .annotate(unread=_count(Message.objects.filter(thread_id=OuterRef("thread_id"),
                                                     id__gt=OuterRef("last_read_id"))
                                     .exclude(sender_id=user.pk)),
                      last_text=Subquery(last.values("text")[:1]),
                      last_as_store=Subquery(last.values("as_store")[:1]),
                      other_name=Subquery(other.annotate(
                          name=Coalesce(NullIf(F("user__nickname"), Value("")), F("user__username"))
                      ).values("name")[:1]))
            .order_by("-thread__last_message_at", "-thread_id"))


def unread_total(user) -> int:
    """Unread messages over all the user's readable threads: one query."""
    if user is None or not user.is_authenticated:
        return 0
    return (Message.objects.filter(thread__participants__user=user,
                                   id__gt=F("thread__participants__last_read_id"))
            .filter(_circle_ok("thread__", user)).exclude(sender_id=user.pk).count())


def thread_messages(thread: Thread, *, after: int | None = None, limit: int = 50) -> list[Message]:
    """Messages oldest first: those after message id `after`, or the latest `limit` ones."""
    qs = Message.objects.filter(thread=thread).select_related("sender", "product", "order")
    if after is not None:
        return list(qs.filter(id__gt=after).order_by("id")[:limit])
    return list(reversed(qs.order_by("-id")[:limit]))


def participants(thread: Thread, limit: int = 100) -> list:
    """People in the thread (for a circle thread: only those still active members), first `limit`."""
    qs = Participant.objects.filter(thread=thread)
    if thread.circle_id is not None:
        qs = qs.filter(user__circle_memberships__circle_id=thread.circle_id,
                       user__circle_memberships__state=Membership.State.ACTIVE)
    return [p.user for p in qs.select_related("user").order_by("id")[:limit]]


def store_inbox(user, brand_id: int) -> QuerySet[Thread]:
    """Support threads of the brand's stores, those with unread buyer messages first, each with `unread`."""
    ids = managed_brand_ids(user)
    if ids is not None and brand_id not in ids:
        return Thread.objects.none()
    unread = _count(Message.objects.filter(thread_id=OuterRef("pk"), id__gt=OuterRef("staff_last_read_id"),
                                           as_store=False))
    last = Message.objects.filter(thread_id=OuterRef("pk")).order_by("-id")
    return (Thread.objects.filter(kind=Thread.Kind.SUPPORT, store__brand_id=brand_id)
            .select_related("store", "created_by", "product", "order")
            .annotate(unread=unread, has_unread=Case(When(unread__gt=0, then=1), default=0),
                      last_text=Subquery(last.values("text")[:1]))
            .order_by("-has_unread", "-last_message_at", "-id"))

