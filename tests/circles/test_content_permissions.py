"""The permission table, continued: every other page and endpoint that shows circle content — a post's page
and API, its comments, a product's discussions (page section and API), a user's posts (page and API), the
home feed, the post's share card, and notifications about it. Public circle: everyone reads (the feed carries
circle posts to active members only). Members-only: only active members; everyone else sees nothing, not
even a count."""

from __future__ import annotations

import pytest

from tests.factories import ProductFactory
from tribe.notifications.models import Notification
from tribe.posts import services as posts

from .conftest import ROLES, SEES

VISIBILITIES = ["public", "members_only"]


def _expect(role: str, visibility: str) -> bool:
    return visibility == "public" or SEES[role]


@pytest.fixture
def tagged(world, django_capture_on_commit_callbacks):
    product = ProductFactory(name="圈内讨论的保温杯")
    made = {}
    for visibility in VISIBILITIES:
        circle = world.circle(visibility)
        with django_capture_on_commit_callbacks(execute=True):  # the feed routes posts after commit
            post = posts.create_post(world.users["member"], text=f"保温杯讨论-{visibility}", circle=circle,
                                     product_ids=[product.pk])
        posts.add_comment(world.users["moderator"], "post", post.pk, f"评论-{visibility}")
        made[visibility] = post
    return product, made


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_post_api_page_and_comments(world, tagged, api_as, page_as, role, visibility):
    _product, made = tagged
    post = made[visibility]
    api = api_as(role)
    seen = _expect(role, visibility)
    assert api.get(f"/posts/{post.pk}").status_code == (200 if seen else 404)
    comments = api.get("/comments", {"kind": "post", "target_id": post.pk})
    assert comments.status_code == (200 if seen else 404)
    assert (f"评论-{visibility}" in str(comments.json())) is seen
    page = page_as(role).get(f"/posts/{post.pk}/")
    assert page.status_code == (200 if seen else 404)
    assert (f"保温杯讨论-{visibility}" in page.content.decode()) is seen


@pytest.mark.parametrize("role", ROLES)
def test_product_discussions_count_only_what_the_viewer_may_see(world, tagged, api_as, page_as, role):
    product, _made = tagged
    expected = 1 + (1 if SEES[role] else 0)  # the public circle's post, plus the private one for members
    body = api_as(role).get(f"/products/{product.pk}/posts").json()
    assert body["count"] == expected
    assert ("保温杯讨论-members_only" in str(body)) is SEES[role]
    html = page_as(role).get(f"/p/{product.pk}/").content.decode()
    assert f'data-testid="discussion-count">({expected})' in html
    assert ("保温杯讨论-members_only" in html) is SEES[role]


@pytest.mark.parametrize("role", ROLES)
def test_user_posts_page_and_api(world, tagged, api_as, page_as, role):
    body = api_as(role).get("/users/member/posts").json()
    texts = str(body)
    assert "保温杯讨论-public" in texts
    assert ("保温杯讨论-members_only" in texts) is SEES[role]
    html = page_as(role).get("/u/member/").content.decode()
    assert ("保温杯讨论-members_only" in html) is SEES[role]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_feed_carries_circle_posts_to_active_members_only(world, tagged, api_as, role):
    body = api_as(role).get("/feed", {"page_size": 50}).json()
    texts = str(body)
    assert ("保温杯讨论-public" in texts) is SEES[role]
    assert ("保温杯讨论-members_only" in texts) is SEES[role]


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_share_card_only_for_public_circles(world, tagged, client, visibility):
    post = tagged[1][visibility]
    response = client.get(f"/share/post/{post.pk}/")
    assert response.status_code == (200 if visibility == "public" else 404)


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_notifications_about_members_only_content(world, tagged, api_as, role):
    """A notification about a members-only post is listed only while the recipient is an active member."""
    post = tagged[1]["members_only"]
    Notification.objects.create(user=world.users[role], kind="comment", text="有人评论了圈内帖子",
                                target_kind="post", target_id=post.pk, circle=world.private)
    response = api_as(role).get("/notifications")
    assert response.status_code == 200
    assert ("有人评论了圈内帖子" in str(response.json())) is SEES[role]
