"""Comments and likes on any registered kind: visibility, circle membership, idempotency, notifications."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tribe.circles import services as circles
from tribe.core.errors import NotFound, PermissionDenied, ValidationFailed
from tribe.notifications.models import Notification
from tribe.posts import selectors, services
from tribe.posts.models import Comment, Like

pytestmark = pytest.mark.django_db


def test_comment_and_like_a_public_post():
    author, reader = UserFactory(), UserFactory()
    post = services.create_post(author, text="好物分享")
    services.add_comment(reader, "post", post.pk, "<i>求链接</i>")
    assert services.like(reader, "post", post.pk) is True
    assert services.like(reader, "post", post.pk) is False  # idempotent
    counts = selectors.counts_for("post", [post.pk], reader)[post.pk]
    assert counts == {"likes": 1, "comments": 1, "liked": True}
    kinds = sorted(Notification.objects.filter(user=author).values_list("kind", flat=True))
    assert kinds == ["comment", "like"]
    services.like(author, "post", post.pk)  # own like: no notification to self
    assert Notification.objects.filter(user=author).count() == 2
    assert services.unlike(reader, "post", post.pk) is True
    assert Like.objects.filter(user=reader).count() == 0


@pytest.mark.parametrize("text", ["", "   ", "x" * 501])
def test_bad_comment_is_refused(text):
    post = services.create_post(UserFactory(), text="hi")
    with pytest.raises(ValidationFailed):
        services.add_comment(UserFactory(), "post", post.pk, text)
    assert Comment.objects.count() == 0


def test_unknown_kind_or_target_is_404():
    with pytest.raises(NotFound):
        services.add_comment(UserFactory(), "nope", 1, "hi")
    with pytest.raises(NotFound):
        services.like(UserFactory(), "post", 999999)


def test_circle_post_interactions_need_active_membership():
    owner = UserFactory()
    circle = circles.create_circle(owner, name="跑步", slug="run")
    post = services.create_post(owner, text="今天 10 公里")
    circle_post = services.create_post(owner, text="周末约跑", circle=circle)
    outsider = UserFactory()
    services.add_comment(outsider, "post", post.pk, "厉害")  # public, not in a circle: fine
    with pytest.raises(PermissionDenied):
        services.add_comment(outsider, "post", circle_post.pk, "我能来吗")  # public circle: read yes, write no
    circles.join_circle(outsider, circle)
    services.add_comment(outsider, "post", circle_post.pk, "我来")
    note = Notification.objects.get(user=owner, target_id=circle_post.pk)
    assert note.circle_id == circle.pk


def test_comment_removal_rules():
    author, commenter, other = UserFactory(), UserFactory(), UserFactory()
    post = services.create_post(author, text="hi")
    c = services.add_comment(commenter, "post", post.pk, "hello")
    with pytest.raises(PermissionDenied):
        services.remove_comment(other, c.pk)
    services.remove_comment(author, c.pk)  # the post's author may remove comments on it
    assert selectors.comments_for("post", post.pk) == []


def test_comment_pages_htmx_and_plain(client):
    author = UserFactory()
    post = services.create_post(author, text="hi")
    client.force_login(UserFactory())
    r = client.post(f"/comments/post/{post.pk}/", {"text": "不错"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "不错" in r.content.decode()
    r = client.post(f"/comments/post/{post.pk}/", {"text": ""}, headers={"HX-Request": "true"})
    assert r.status_code == 422 and Comment.objects.count() == 1
    r = client.post(f"/likes/post/{post.pk}/")
    assert r.status_code == 302 and Like.objects.count() == 1
    assert client.post("/likes/post/99999/").status_code == 404
    assert client.post(f"/likes/nope/{post.pk}/").status_code == 404


def test_api_comments_and_likes(api_as, anon):
    author = UserFactory()
    post = services.create_post(author, text="hi")
    api = api_as(UserFactory())
    r = api.post("/comments", {"kind": "post", "target_id": post.pk, "text": "赞"})
    assert r.status_code == 201
    assert [c["text"] for c in anon.get("/comments", {"kind": "post", "target_id": post.pk}).json()] == ["赞"]
    assert api.post("/comments", {"kind": "post", "target_id": post.pk, "text": ""}).status_code == 422
    assert api.raw("PUT", f"/likes/post/{post.pk}", "", "application/json").json() == {"liked": True,
                                                                                       "like_count": 1}
    assert api.delete(f"/likes/post/{post.pk}").json() == {"liked": False, "like_count": 0}
    assert anon.post("/comments", {"kind": "post", "target_id": post.pk, "text": "x"}).status_code == 401
