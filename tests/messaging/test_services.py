"""Messaging rules through the services: who may start what, what is refused (and stores nothing), unread."""

from __future__ import annotations

import pytest
import time_machine

from tests.messaging.conftest import counts
from tribe.circles import services as circles
from tribe.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from tribe.core.models import Event
from tribe.messaging import selectors, services
from tribe.messaging.models import Message, Participant, Thread
from tribe.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_direct_thread_is_reused_for_the_pair_in_either_direction(world):
    first = services.start_direct(world.alice, world.bob, text="在吗")
    second = services.start_direct(world.bob, world.alice, text="在")
    assert first.pk == second.pk
    assert first.kind == Thread.Kind.DIRECT
    assert sorted(Participant.objects.filter(thread=first).values_list("user__username", flat=True)) == [
        "alice", "bob"]
    assert list(Message.objects.filter(thread=first).values_list("text", flat=True)) == ["在吗", "在"]


def test_direct_to_self_or_blocked_is_refused_and_stores_nothing(world):
    before = counts()
    with pytest.raises(ValidationFailed):
        services.start_direct(world.alice, world.alice, text="hi")
    with pytest.raises(PermissionDenied) as exc:
        services.start_direct(world.alice, world.blocker, text="hi")
    assert exc.value.code == "blocked"
    with pytest.raises(PermissionDenied):
        services.start_direct(world.blocker, world.alice, text="hi")
    assert counts() == before


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001, "a\x00b"])
def test_bad_text_is_422_and_stores_nothing(world, text):
    thread = services.start_direct(world.alice, world.bob)
    before = counts()
    with pytest.raises(ValidationFailed):
        services.send(world.alice, thread, text)
    assert counts() == before


def test_group_needs_two_to_nineteen_friends(world):
    before = counts()
    with pytest.raises(ValidationFailed):
        services.start_group(world.alice, [world.bob.pk])  # 2 people in all: too few
    with pytest.raises(ValidationFailed) as exc:
        services.start_group(world.alice, [world.bob.pk, world.stranger.pk])
    assert exc.value.fields == {"members": "not a friend"}
    assert counts() == before
    group = services.start_group(world.alice, [world.bob.pk, world.carol.pk], title="周末", text="出发")
    assert group.kind == Thread.Kind.GROUP
    assert Participant.objects.filter(thread=group).count() == 3


def test_ask_friends_notifies_each_invited_friend_and_records_the_event(world):
    thread = services.ask_friends(world.alice, world.product_a.pk, text="值得买吗？",
                                  friend_ids_=[world.bob.pk, world.carol.pk])
    assert thread.kind == Thread.Kind.ASK_FRIENDS and thread.product_id == world.product_a.pk
    notes = Notification.objects.filter(kind="ask_friends").order_by("user__username")
    assert [n.user.username for n in notes] == ["bob", "carol"]
    assert all(n.url == f"/messages/{thread.pk}/" and n.circle_id is None for n in notes)
    event = Event.objects.get(name="ask_friends")
    assert event.props["invitees"] == 2 and event.props["circle"] is None
    assert Event.objects.filter(name="message").count() == 1
    assert Message.objects.get(thread=thread).product_id == world.product_a.pk


@pytest.mark.parametrize("case", ["stranger", "no_target", "both", "too_many", "not_member_circle",
                                  "unpublished"])
def test_ask_friends_refusals_store_nothing(world, case):
    kwargs = {"text": "值得买吗？", "friend_ids_": [world.bob.pk]}
    product_id = world.product_a.pk
    if case == "stranger":
        kwargs["friend_ids_"] = [world.stranger.pk]
    elif case == "no_target":
        kwargs["friend_ids_"] = []
    elif case == "both":
        kwargs["circle_id"] = world.circle.pk
    elif case == "too_many":
        kwargs["friend_ids_"] = list(range(1000, 1021))
    elif case == "not_member_circle":
        kwargs = {"text": "值得买吗？", "circle_id": world.circle.pk}
    elif case == "unpublished":
        world.product_a.published = False
        world.product_a.save()
    user = world.bob if case == "not_member_circle" else world.alice
    before = counts()
    with pytest.raises(DomainError) as exc:
        services.ask_friends(user, product_id, **kwargs)
    assert exc.value.status in (404, 422)
    assert counts() == before
    assert not Event.objects.filter(name="ask_friends").exists()


def test_ask_a_circle_reaches_its_active_members_only(world):
    thread = services.ask_friends(world.alice, world.product_a.pk, text="圈友们怎么看", circle_id=world.circle.pk)
    notified = set(Notification.objects.filter(kind="ask_friends").values_list("user__username", flat=True))
    assert notified == {"member"}
    assert Notification.objects.get(user=world.member).circle_id == world.circle.pk
    assert selectors.can_read(world.member, thread)
    assert not selectors.can_read(world.banned, thread)
    assert not selectors.can_read(world.bob, thread)
    circles.leave_circle(world.member, world.circle)
    assert not selectors.can_read(world.member, thread)
    assert selectors.unread_total(world.member) == 0
    assert [s.thread_id for s in selectors.inbox(world.member)] == []


def test_support_attachments_must_belong_to_the_store_and_the_buyer(world):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        services.contact_store(world.buyer, world.store_a, text="有货吗", product_id=world.product_b.pk)
    assert exc.value.fields == {"product": "not in this store"}
    with pytest.raises(ValidationFailed):
        services.contact_store(world.alice, world.store_a, text="我的订单", order_number=world.order_a.number)
    with pytest.raises(ValidationFailed):
        services.contact_store(world.buyer, world.store_b, text="我的订单", order_number=world.order_a.number)
    assert counts() == before
    thread = services.contact_store(world.buyer, world.store_a, text="什么时候发货", order_number=world.order_a.number)
    again = services.contact_store(world.buyer, world.store_a, text="还有这个", product_id=world.product_a.pk)
    assert thread.pk == again.pk
    assert [(m.order_id, m.product_id) for m in Message.objects.filter(thread=thread)] == [
        (world.order_a.pk, None), (None, world.product_a.pk)]


def test_staff_reply_as_the_store_and_unread_counts_move_both_ways(world):
    thread = services.contact_store(world.buyer, world.store_a, text="在吗")
    inbox = list(selectors.store_inbox(world.staff_a, world.store_a.brand_id))
    assert [(t.pk, t.unread) for t in inbox] == [(thread.pk, 1)]
    assert list(selectors.store_inbox(world.staff_b, world.store_a.brand_id)) == []
    reply = services.send(world.staff_a, thread, "在的")
    assert reply.as_store
    assert selectors.store_inbox(world.staff_a, world.store_a.brand_id).get().unread == 0
    assert selectors.unread_total(world.buyer) == 1
    with pytest.raises(NotFound):
        services.send(world.staff_b, thread, "我来回答")
    services.mark_read(world.buyer, thread)
    assert selectors.unread_total(world.buyer) == 0


def test_unread_per_thread_and_total(world):
    direct = services.start_direct(world.alice, world.bob, text="1")
    services.send(world.alice, direct, "2")
    group = services.start_group(world.alice, [world.bob.pk, world.carol.pk], text="3")
    services.send(world.carol, group, "4")
    assert selectors.unread_total(world.bob) == 4
    assert {s.thread_id: s.unread for s in selectors.inbox(world.bob)} == {direct.pk: 2, group.pk: 2}
    assert selectors.unread_total(world.alice) == 1  # her own messages are never unread
    services.mark_read(world.bob, direct)
    assert {s.thread_id: s.unread for s in selectors.inbox(world.bob)} == {direct.pk: 0, group.pk: 2}
    assert selectors.unread_total(world.bob) == 2


def test_rate_limit_is_429_and_frees_up_after_a_minute(world):
    thread = services.start_direct(world.alice, world.bob)
    with time_machine.travel("2026-01-01 10:00:00", tick=False):
        for i in range(services.RATE_LIMIT):
            services.send(world.alice, thread, f"m{i}")
        with pytest.raises(DomainError) as exc:
            services.send(world.alice, thread, "one more")
        assert exc.value.status == 429 and exc.value.code == "rate_limited"
    assert Message.objects.filter(thread=thread).count() == services.RATE_LIMIT
    with time_machine.travel("2026-01-01 10:01:01", tick=False):
        services.send(world.alice, thread, "later")


def test_demo_seeds_real_threads_between_friends(world):
    import random

    from tribe.messaging.demo import seed_demo
    from tribe.social.selectors import friend_ids

    made = seed_demo(random.Random(7))
    assert made["threads"] == Thread.objects.count() >= 3
    assert made["messages"] == Message.objects.count()
    for thread in Thread.objects.filter(kind=Thread.Kind.DIRECT):
        a, b = [p.user for p in Participant.objects.filter(thread=thread).select_related("user")]
        assert b.pk in friend_ids(a)
