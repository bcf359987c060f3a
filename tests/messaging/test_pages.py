"""Messaging pages: inbox, thread (HTMX polling and the SSE stream), forms, the console 客服 inbox, and the
buttons on product and order pages. Pinned query counts for the inbox and the thread page."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.messaging.conftest import counts
from tribe.messaging import selectors, services
from tribe.messaging.models import Message, Thread

pytestmark = pytest.mark.django_db


def test_inbox_lists_threads_with_unread_badges(world, page_as):
    thread = services.start_direct(world.alice, world.bob, text="你好<script>")
    client = page_as("bob")
    response = client.get("/messages/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="thread-unread">1<' in body
    assert "<b>昵称-alice</b>" in body  # a direct thread is titled with the other person's name
    assert f"/messages/{thread.pk}/" in body
    assert "你好&lt;script&gt;" in body and "你好<script>" not in body


def test_inbox_and_thread_need_login(world, page_as):
    client = page_as(None)
    assert client.get("/messages/").status_code == 302
    thread = services.start_direct(world.alice, world.bob, text="你好")
    assert client.get(f"/messages/{thread.pk}/").status_code == 302


def test_thread_page_shows_messages_and_marks_them_read(world, page_as):
    thread = services.start_direct(world.alice, world.bob, text="第一句")
    client = page_as("bob")
    response = client.get(f"/messages/{thread.pk}/")
    assert response.status_code == 200
    assert "第一句" in response.content.decode()
    assert 'hx-trigger="every 3s"' in response.content.decode()
    assert selectors.unread_total(world.bob) == 0


@pytest.mark.parametrize("role", ["stranger", "staff_b", "banned"])
def test_thread_page_is_404_for_outsiders(world, page_as, role):
    direct = services.start_direct(world.alice, world.bob, text="秘密")
    circle = services.ask_friends(world.alice, world.product_a.pk, text="圈内", circle_id=world.circle.pk)
    support = services.contact_store(world.buyer, world.store_a, text="客服")
    client = page_as(role)
    for thread in (direct, circle, support):
        assert client.get(f"/messages/{thread.pk}/").status_code == 404
        assert client.get(f"/messages/{thread.pk}/poll/?after=0").status_code == 404
        assert client.get(f"/messages/{thread.pk}/stream").status_code == 404
        assert client.post(f"/messages/{thread.pk}/send/", {"text": "hi"}).status_code == 404


def test_send_form_and_bad_text(world, page_as):
    thread = services.start_direct(world.alice, world.bob, text="1")
    client = page_as("bob")
    ok = client.post(f"/messages/{thread.pk}/send/", {"text": "收到"})
    assert ok.status_code == 302 and ok["Location"] == f"/messages/{thread.pk}/"
    before = counts()
    for text in ("", "x" * 1001):
        bad = client.post(f"/messages/{thread.pk}/send/", {"text": text})
        assert bad.status_code == 422
        assert 'data-testid="message-error"' in bad.content.decode()
    assert counts() == before


def test_poll_returns_newer_messages_out_of_band_and_the_next_poller(world, page_as):
    thread = services.start_direct(world.alice, world.bob, text="1")
    first = Message.objects.get(thread=thread)
    services.send(world.alice, thread, "新消息")
    client = page_as("bob")
    body = client.get(f"/messages/{thread.pk}/poll/?after={first.pk}").content.decode()
    last = Message.objects.filter(thread=thread).order_by("-id").first()
    assert 'hx-swap-oob="beforeend:#messages"' in body and "新消息" in body and ">1<" not in body
    assert f'data-after="{last.pk}"' in body
    empty = client.get(f"/messages/{thread.pk}/poll/?after={last.pk}").content.decode()
    assert "hx-swap-oob" not in empty
    assert client.get(f"/messages/{thread.pk}/poll/?after=abc").status_code == 400


def test_poll_query_count_is_small_and_flat(world, page_as):
    thread = services.start_direct(world.alice, world.bob, text="1")
    client = page_as("bob")
    client.get(f"/messages/{thread.pk}/poll/?after=0")
    with CaptureQueriesContext(connection) as idle:
        client.get(f"/messages/{thread.pk}/poll/?after=999999")
    for i in range(5):
        services.send(world.alice, thread, f"m{i}")
    with CaptureQueriesContext(connection) as busy:
        client.get(f"/messages/{thread.pk}/poll/?after=0")
    assert len(idle) <= 5
    assert len(busy) <= len(idle) + 2  # the read marker: one MAX, one UPDATE


def test_sse_stream_sends_new_messages_then_asks_to_reconnect(world, page_as, settings):
    settings.TRIBE_SSE_SECONDS = 0
    settings.TRIBE_SSE_TICK = 0
    thread = services.start_direct(world.alice, world.bob, text="旧消息")
    old = Message.objects.get(thread=thread)
    services.send(world.alice, thread, "新消息")
    client = page_as("bob")
    response = client.get(f"/messages/{thread.pk}/stream", headers={"Last-Event-ID": str(old.pk)})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    text = b"".join(response.streaming_content).decode()
    frames = [f for f in text.split("\n\n") if f.startswith("id:")]
    assert len(frames) == 1
    data = json.loads(frames[0].split("data: ", 1)[1])
    assert data["text"] == "新消息" and data["sender"] == "昵称-alice" and data["mine"] is False
    assert text.endswith("retry: 3000\n\n")


def test_sse_stream_without_last_event_id_starts_after_the_latest(world, page_as, settings):
    settings.TRIBE_SSE_SECONDS = 0
    thread = services.start_direct(world.alice, world.bob, text="旧消息")
    text = b"".join(page_as("bob").get(f"/messages/{thread.pk}/stream").streaming_content).decode()
    assert "id:" not in text and "retry:" in text


def test_inbox_and_thread_page_query_counts_are_pinned(world, page_as):
    client = page_as("bob")
    direct = services.start_direct(world.alice, world.bob, text="1")
    client.get("/messages/")
    with CaptureQueriesContext(connection) as one:
        client.get("/messages/")
    with CaptureQueriesContext(connection) as thread_few:
        client.get(f"/messages/{direct.pk}/")
    services.start_group(world.alice, [world.bob.pk, world.carol.pk], text="2")
    services.ask_friends(world.alice, world.product_a.pk, text="3", friend_ids_=[world.bob.pk])
    for i in range(10):
        services.send(world.alice, direct, f"m{i}")
    with CaptureQueriesContext(connection) as three:
        body = client.get("/messages/").content.decode()
    with CaptureQueriesContext(connection) as thread_many:
        client.get(f"/messages/{direct.pk}/")
    assert body.count('data-testid="inbox-thread"') == 3
    assert len(one) == len(three) <= 5
    assert len(thread_few) == len(thread_many) <= 9


def test_new_direct_page(world, page_as):
    client = page_as("alice")
    assert 'value="bob"' in client.get("/messages/new/?to=bob").content.decode()
    made = client.post("/messages/new/", {"to": "bob", "text": "嗨"})
    thread = Thread.objects.get(kind="direct")
    assert made.status_code == 302 and made["Location"] == f"/messages/{thread.pk}/"
    before = counts()
    assert client.post("/messages/new/", {"to": "blocker", "text": "嗨"}).status_code == 403
    assert client.post("/messages/new/", {"to": "ghost", "text": "嗨"}).status_code == 404
    assert client.post("/messages/new/", {"to": "", "text": "嗨"}).status_code == 422
    assert counts() == before


def test_group_page(world, page_as):
    client = page_as("alice")
    page = client.get("/messages/group/new/").content.decode()
    assert "昵称-bob" in page and "昵称-stranger" not in page
    before = counts()
    bad = client.post("/messages/group/new/", {"members": [world.bob.pk, world.stranger.pk]})
    assert bad.status_code == 422 and "互相关注" in bad.content.decode()
    assert counts() == before
    ok = client.post("/messages/group/new/", {"members": [world.bob.pk, world.carol.pk], "title": "周末"})
    assert ok.status_code == 302
    assert Thread.objects.get(kind="group").title == "周末"


def test_ask_page_friends_or_circle(world, page_as):
    client = page_as("alice")
    page = client.get(f"/p/{world.product_a.pk}/ask/").content.decode()
    assert "连体衣" in page and "私密圈" in page
    before = counts()
    assert client.post(f"/p/{world.product_a.pk}/ask/", {"text": "买吗"}).status_code == 422
    assert client.post(f"/p/{world.product_a.pk}/ask/", {"text": "", "friends": [world.bob.pk]}).status_code == 422
    assert client.post(f"/p/{world.product_a.pk}/ask/", {"text": "买吗",
                                                         "friends": [world.stranger.pk]}).status_code == 422
    assert page_as("bob").post(f"/p/{world.product_a.pk}/ask/", {"text": "买吗",
                                                                "circle": world.circle.pk}).status_code == 422
    assert counts() == before
    client = page_as("alice")
    ok = client.post(f"/p/{world.product_a.pk}/ask/", {"text": "买吗", "circle": world.circle.pk})
    assert ok.status_code == 302
    assert client.get("/p/999999/ask/").status_code == 404


def test_contact_page_with_product_and_order(world, page_as):
    client = page_as("buyer")
    page = client.get(f"/s/nuanyang/contact/?product={world.product_a.pk}")
    assert page.status_code == 200 and 'data-testid="contact-product"' in page.content.decode()
    assert client.get(f"/s/nuanyang/contact/?product={world.product_b.pk}").status_code == 422
    assert page_as("alice").get(f"/s/nuanyang/contact/?order={world.order_a.number}").status_code == 422
    client = page_as("buyer")
    before = counts()
    assert client.post("/s/nuanyang/contact/", {"text": "?", "product": world.product_b.pk}).status_code == 422
    assert client.post("/s/nuanyang/contact/", {"text": ""}).status_code == 422
    assert counts() == before
    ok = client.post("/s/nuanyang/contact/", {"text": "这单什么时候发", "order": world.order_a.number})
    assert ok.status_code == 302
    assert Message.objects.get().order_id == world.order_a.pk
    assert client.get("/s/no-such-store/contact/").status_code == 404


def test_console_support_inbox_unread_first_and_reply(world, page_as):
    older = services.contact_store(world.buyer, world.store_a, text="旧问题")
    services.send(world.staff_a, older, "已回复")
    newer = services.contact_store(world.alice, world.store_a, text="新问题")
    services.send(world.staff_a, newer, "回复了")
    services.send(world.buyer, older, "追问")  # older now has an unread buyer message
    client = page_as("staff_a")
    slug = world.store_a.brand.slug
    body = client.get(f"/console/{slug}/support/").content.decode()
    assert body.index(f"/support/{older.pk}/") < body.index(f"/support/{newer.pk}/")
    assert 'data-testid="support-unread">1<' in body
    page = client.get(f"/console/{slug}/support/{older.pk}/")
    assert page.status_code == 200 and "追问" in page.content.decode()
    assert client.post(f"/console/{slug}/support/{older.pk}/", {"text": "好的"}).status_code == 302
    assert Message.objects.filter(thread=older).last().as_store
    assert client.post(f"/console/{slug}/support/{older.pk}/", {"text": ""}).status_code == 422
    other = page_as("staff_b")
    assert other.get(f"/console/{slug}/support/").status_code == 403
    assert other.get(f"/console/{slug}/support/{older.pk}/").status_code == 403
    own = world.store_b.brand.slug
    assert other.get(f"/console/{own}/support/{older.pk}/").status_code == 404


def test_nav_badges_and_buttons_on_product_and_order_pages(world, page_as):
    services.start_direct(world.alice, world.bob, text="1")
    client = page_as("bob")
    home = client.get("/").content.decode()
    assert 'data-testid="messages-link"' in home and 'data-testid="notifications-link"' in home
    assert 'data-testid="messages-unread">1<' in client.get("/messages/badge/").content.decode()
    assert 'data-testid="notifications-unread"' in client.get("/notifications/badge/").content.decode()
    product = client.get(f"/p/{world.product_a.pk}/").content.decode()
    assert f"/p/{world.product_a.pk}/ask/" in product and "/s/nuanyang/contact/?product=" in product
    order = page_as("buyer").get(f"/orders/{world.order_a.number}/").content.decode()
    assert f"/s/nuanyang/contact/?order={world.order_a.number}" in order


@pytest.mark.parametrize("kind,title", [("group", "群聊"), ("support", "暖阳旗舰店 · 客服"), ("direct", "昵称-bob"),
                                        ("ask_friends", "问问朋友：连体衣")])
def test_thread_page_titles(world, page_as, kind, title):
    thread = {
        "group": lambda: services.start_group(world.alice, [world.bob.pk, world.carol.pk], text="hi"),
        "support": lambda: services.contact_store(world.alice, world.store_a, text="hi"),
        "direct": lambda: services.start_direct(world.alice, world.bob, text="hi"),
        "ask_friends": lambda: services.ask_friends(world.alice, world.product_a.pk, text="hi",
                                                    friend_ids_=[world.bob.pk]),
    }[kind]()
    body = page_as("alice").get(f"/messages/{thread.pk}/").content.decode()
    assert f'<h1 class="page-title">{title}' in body
