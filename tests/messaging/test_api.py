"""Messaging API: the permission table for threads, bad input → 4xx in the error shape with nothing stored,
polling with `after`, unread counts, pinned query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import error_of
from tests.messaging.conftest import counts
from tribe.messaging import services
from tribe.messaging.models import Message

pytestmark = pytest.mark.django_db


def _threads(world):
    """One thread of each kind, each with a message from its starter."""
    return {
        "direct": services.start_direct(world.alice, world.bob, text="你好"),
        "group": services.start_group(world.alice, [world.bob.pk, world.carol.pk], text="大家好"),
        "ask_friends": services.ask_friends(world.alice, world.product_a.pk, text="买吗", friend_ids_=[world.bob.pk]),
        "ask_circle": services.ask_friends(world.alice, world.product_a.pk, text="圈友看看", circle_id=world.circle.pk),
        "support": services.contact_store(world.buyer, world.store_a, text="发货了吗"),
    }


# who sees which thread: (role, thread) → expected status of GET /threads/{id}
SEES = {
    "alice": {"direct", "group", "ask_friends", "ask_circle"},  # participant / creator, active circle member
    "bob": {"direct", "group", "ask_friends"},  # participant; not in the circle
    "member": {"ask_circle"},  # invited circle member
    "banned": set(),  # banned from the circle
    "stranger": set(),
    "buyer": {"support"},
    "staff_a": {"support"},  # staff of the store's brand
    "staff_b": set(),  # staff of another brand
}


@pytest.mark.parametrize("role", sorted(SEES))
@pytest.mark.parametrize("kind", ["direct", "group", "ask_friends", "ask_circle", "support"])
def test_thread_permission_table(world, api_as, role, kind):
    thread = _threads(world)[kind]
    api = api_as(role)
    expected = 200 if kind in SEES[role] else 404
    assert api.get(f"/threads/{thread.pk}").status_code == expected
    assert api.get(f"/threads/{thread.pk}/messages").status_code == expected
    before = Message.objects.count()
    assert api.post(f"/threads/{thread.pk}/messages", {"text": "回复"}).status_code == (201 if expected == 200
                                                                                     else 404)
    assert Message.objects.count() == before + (1 if expected == 200 else 0)


def test_anonymous_gets_401(world, api_as):
    thread = services.start_direct(world.alice, world.bob, text="你好")
    assert api_as(None).get(f"/threads/{thread.pk}").status_code == 401
    assert api_as(None).get("/threads").status_code == 401
    assert api_as(None).get("/messages/unread").status_code == 401


def test_members_only_circle_thread_disappears_after_leaving(world, api_as):
    from tribe.circles import services as circles

    thread = services.ask_friends(world.alice, world.product_a.pk, text="圈友看看", circle_id=world.circle.pk)
    member = api_as("member")
    assert [t["id"] for t in member.get("/threads").json()["items"]] == [thread.pk]
    assert member.get("/messages/unread").json() == {"total": 1}
    circles.leave_circle(world.member, world.circle)
    assert member.get("/threads").json()["items"] == []
    assert member.get("/messages/unread").json() == {"total": 0}
    assert member.get(f"/threads/{thread.pk}/messages").status_code == 404


@pytest.mark.parametrize("path,body,status,field", [
    ("/threads/direct", {"to": "bob", "text": "x" * 1001}, 422, "text"),
    ("/threads/direct", {"to": "blocker", "text": "hi"}, 403, None),
    ("/threads/direct", {"to": "nobody", "text": "hi"}, 404, None),
    ("/threads/direct", {"to": "alice", "text": "hi"}, 422, "to"),
    ("/threads/group", {"members": [1], "text": "hi"}, 422, "members"),
    ("/threads/ask", {"product": "PRODUCT_A", "text": "", "friends": []}, 422, "text"),
    ("/threads/support", {"store": "nuanyang", "text": "   "}, 422, "text"),
    ("/threads/support", {"store": "nope", "text": "hi"}, 404, None),
    ("/threads/direct", {"to": "bob", "text": 5}, 422, "text"),
    ("/threads/direct", {"to": "bob", "extra": 1}, 422, "extra"),
])
def test_bad_input_is_4xx_and_stores_nothing(world, api_as, path, body, status, field):
    # ids differ between databases (PostgreSQL sequences are not reset between tests): use the world's
    body = {k: (world.product_a.pk if v == "PRODUCT_A" else v) for k, v in body.items()}
    before = counts()
    response = api_as("alice").post(path, body)
    assert response.status_code == status
    err = error_of(response)
    if field:
        assert field in err["fields"]
    assert counts() == before


def test_ask_refusals_over_the_api(world, api_as):
    api = api_as("alice")
    before = counts()
    stranger = api.post("/threads/ask", {"product": world.product_a.pk, "text": "买吗",
                                         "friends": [world.stranger.pk]})
    assert stranger.status_code == 422 and error_of(stranger)["fields"] == {"friends": "not a friend"}
    not_in = api_as("bob").post("/threads/ask", {"product": world.product_a.pk, "text": "买吗",
                                                 "circle": world.circle.pk})
    assert not_in.status_code == 422 and error_of(not_in)["fields"] == {"circle": "not a member"}
    assert counts() == before
    ok = api.post("/threads/ask", {"product": world.product_a.pk, "text": "买吗", "friends": [world.bob.pk]})
    assert ok.status_code == 201
    assert ok.json()["kind"] == "ask_friends" and ok.json()["product"]["id"] == world.product_a.pk


def test_support_over_the_api_with_attachments(world, api_as):
    api = api_as("buyer")
    before = counts()
    other = api.post("/threads/support", {"store": "nuanyang", "text": "?", "product": world.product_b.pk})
    assert other.status_code == 422 and "product" in error_of(other)["fields"]
    not_mine = api_as("alice").post("/threads/support", {"store": "nuanyang", "text": "?",
                                                        "order": world.order_a.number})
    assert not_mine.status_code == 422 and "order" in error_of(not_mine)["fields"]
    assert counts() == before
    made = api.post("/threads/support", {"store": "nuanyang", "text": "这单", "order": world.order_a.number})
    assert made.status_code == 201
    thread_id = made.json()["id"]
    staff = api_as("staff_a")
    reply = staff.post(f"/threads/{thread_id}/messages", {"text": "马上发"})
    assert reply.status_code == 201
    assert reply.json()["as_store"] is True and reply.json()["sender_name"] == "暖阳旗舰店"
    msgs = api.get(f"/threads/{thread_id}/messages").json()
    assert [(m["text"], m["order"], m["sender_name"]) for m in msgs] == [
        ("这单", world.order_a.number, "昵称-buyer"), ("马上发", None, "暖阳旗舰店")]


def test_polling_after_returns_only_newer_messages(world, api_as):
    thread = services.start_direct(world.alice, world.bob, text="1")
    first = Message.objects.get(thread=thread)
    services.send(world.bob, thread, "2")
    services.send(world.alice, thread, "3")
    api = api_as("bob")
    assert [m["text"] for m in api.get(f"/threads/{thread.pk}/messages", {"after": first.pk}).json()] == ["2", "3"]
    last = Message.objects.filter(thread=thread).order_by("-id").first()
    assert api.get(f"/threads/{thread.pk}/messages", {"after": last.pk}).json() == []
    assert api.get(f"/threads/{thread.pk}/messages", {"after": -1}).status_code == 422
    assert [m["mine"] for m in api.get(f"/threads/{thread.pk}/messages").json()] == [False, True, False]


def test_unread_counts_and_mark_read(world, api_as):
    thread = services.start_direct(world.alice, world.bob, text="1")
    services.send(world.alice, thread, "2")
    bob = api_as("bob")
    assert bob.get("/messages/unread").json() == {"total": 2}
    assert bob.get("/threads").json()["items"][0]["unread"] == 2
    first = Message.objects.filter(thread=thread).order_by("id").first()
    assert bob.post(f"/threads/{thread.pk}/read", {"up_to": first.pk}).json() == {"last_read_id": first.pk}
    assert bob.get("/messages/unread").json() == {"total": 1}
    assert bob.post(f"/threads/{thread.pk}/read").status_code == 200
    assert bob.get("/messages/unread").json() == {"total": 0}
    assert bob.get(f"/threads/{thread.pk}").json()["unread"] == 0


def test_thread_list_query_count_does_not_grow(world, api_as):
    api = api_as("bob")
    services.start_direct(world.alice, world.bob, text="1")
    api.get("/threads")
    with CaptureQueriesContext(connection) as few:
        assert api.get("/threads").status_code == 200
    services.start_group(world.alice, [world.bob.pk, world.carol.pk], text="2")
    services.ask_friends(world.alice, world.product_a.pk, text="3", friend_ids_=[world.bob.pk])
    with CaptureQueriesContext(connection) as more:
        items = api.get("/threads").json()["items"]
    assert len(items) == 3
    assert len(more) == len(few) <= 6


def test_circle_thread_lists_only_current_members(world, api_as):
    from tribe.circles import services as circles

    thread = services.ask_friends(world.alice, world.product_a.pk, text="圈友看看", circle_id=world.circle.pk)
    circles.leave_circle(world.member, world.circle)
    people = api_as("alice").get(f"/threads/{thread.pk}").json()["participants"]
    assert [p["id"] for p in people] == [world.alice.pk]
