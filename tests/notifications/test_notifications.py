"""Notifications: list, unread count, mark read (API and pages); members-only circle notifications are hidden
once the recipient is no longer an active member."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import Api, error_of
from tests.factories import UserFactory
from tribe.accounts.services import issue_token
from tribe.circles import services as circles
from tribe.notifications import selectors
from tribe.notifications.models import Notification
from tribe.notifications.services import mark_read, notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner, member, other = (UserFactory(username=n, nickname=f"昵称-{n}") for n in ("owner", "member", "other"))
    circle = circles.create_circle(owner, name="私密圈", slug="secret", visibility="members_only")
    circles.join_circle(member, circle)
    return owner, member, other, circle


def test_notify_never_notifies_the_actor_about_themselves(people):
    owner, member, _, _ = people
    assert notify(owner, "like", text="赞", actor=owner) is None
    assert notify(owner, "like", text="赞", actor=member).user_id == owner.pk


def test_circle_notifications_are_hidden_after_leaving(people):
    owner, member, _, circle = people
    notify(member, "comment", text="圈内评论", actor=owner, url="/circles/secret/", circle_id=circle.pk)
    notify(member, "like", text="公开点赞", actor=owner, url="/u/owner/")
    assert selectors.unread_count(member) == 2
    circles.leave_circle(member, circle)
    assert [n.text for n in selectors.visible_notifications(member)] == ["公开点赞"]
    assert selectors.unread_count(member) == 1


def test_api_list_count_and_mark_read(people, client):
    owner, member, other, circle = people
    first = notify(member, "like", text="赞了你<b>", actor=owner, url="/u/owner/")
    notify(member, "comment", text="评论", actor=owner, circle_id=circle.pk)
    notify(other, "like", text="别人的", actor=owner)
    api = Api(client, issue_token(member))
    page = api.get("/notifications").json()
    assert [n["text"] for n in page["items"]] == ["评论", "赞了你<b>"]
    assert page["items"][1]["actor"] == {"id": owner.pk, "name": "昵称-owner"}
    assert api.get("/notifications/unread").json() == {"count": 2}
    assert api.post("/notifications/read", {"ids": [first.pk]}).json() == {"count": 1}
    assert api.get("/notifications/unread").json() == {"count": 1}
    assert api.post("/notifications/read").json() == {"count": 1}
    assert api.get("/notifications/unread").json() == {"count": 0}
    assert Notification.objects.get(user=other).read_at is None  # someone else's stays unread
    bad = api.post("/notifications/read", {"ids": ["x"]})
    assert bad.status_code == 422 and "ids.0" in error_of(bad)["fields"]
    assert Api(client).get("/notifications").status_code == 401


def test_api_hides_circle_notifications_after_leaving(people, client):
    owner, member, _, circle = people
    notify(member, "comment", text="圈内", actor=owner, circle_id=circle.pk)
    api = Api(client, issue_token(member))
    assert api.get("/notifications").json()["count"] == 1
    circles.leave_circle(member, circle)
    assert api.get("/notifications").json()["count"] == 0
    assert api.get("/notifications/unread").json() == {"count": 0}


def test_page_lists_marks_all_read_and_opens_one(people, client):
    owner, member, other, circle = people
    note = notify(member, "like", text="赞了你<script>", actor=owner, url="/u/owner/")
    evil = notify(member, "like", text="外链", actor=owner, url="//evil.example/")
    hidden = notify(member, "comment", text="圈内", actor=owner, circle_id=circle.pk)
    circles.leave_circle(member, circle)
    client.force_login(member)
    body = client.get("/notifications/").content.decode()
    assert "赞了你&lt;script&gt;" in body and "圈内" not in body
    opened = client.get(f"/notifications/{note.pk}/")
    assert opened.status_code == 302 and opened["Location"] == "/u/owner/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert client.get(f"/notifications/{evil.pk}/")["Location"] == "/notifications/"
    assert client.get(f"/notifications/{hidden.pk}/").status_code == 404
    assert client.post("/notifications/read/").status_code == 302
    assert selectors.unread_count(member) == 0
    client.force_login(other)
    assert client.get(f"/notifications/{note.pk}/").status_code == 404


def test_page_query_count_does_not_grow(people, client):
    owner, member, _, _ = people
    client.force_login(member)
    notify(member, "like", text="1", actor=owner)
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as one:
        client.get("/notifications/")
    for i in range(10):
        notify(member, "like", text=f"n{i}", actor=UserFactory())
    with CaptureQueriesContext(connection) as many:
        body = client.get("/notifications/").content.decode()
    assert body.count('data-testid="notification"') == 11
    assert len(one) == len(many) <= 6


def test_mark_read_ignores_non_ids(people):
    owner, member, _, _ = people
    notify(member, "like", text="1", actor=owner)
    assert mark_read(member, ["1", None]) == 0
    assert mark_read(member) == 1
