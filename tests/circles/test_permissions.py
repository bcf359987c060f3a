"""The permission table: for every page and endpoint that shows circle content, each kind of viewer sees exactly
what they should. Public circles: everyone reads. Members-only circles: only active members (member, moderator)
see posts, members and counts; everyone else gets 404 for content, no counts, and no list entry."""

from __future__ import annotations

import pytest

from .conftest import ROLES, SEES

VISIBILITIES = ["public", "members_only"]


def _expect(role: str, visibility: str) -> bool:
    return visibility == "public" or SEES[role]


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_api_posts(world, api_as, role, visibility):
    circle = world.circle(visibility)
    response = api_as(role).get(f"/circles/{circle.slug}/posts")
    if _expect(role, visibility):
        assert response.status_code == 200
        assert [p["text"] for p in response.json()["items"]] == [f"秘密帖子-{circle.slug}"]
        assert response.json()["count"] == 1
    else:
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
        assert "秘密帖子" not in response.content.decode()


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_api_members(world, api_as, role, visibility):
    circle = world.circle(visibility)
    response = api_as(role).get(f"/circles/{circle.slug}/members")
    if _expect(role, visibility):
        assert response.status_code == 200
        assert sorted(m["user"]["name"] for m in response.json()["items"]) == [
            "昵称-member", "昵称-moderator", "昵称-owner"]
    else:
        assert response.status_code == 404
        assert "昵称-member" not in response.content.decode()


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_api_detail_counts(world, api_as, role, visibility):
    circle = world.circle(visibility)
    body = api_as(role).get(f"/circles/{circle.slug}").json()
    assert body["name"] == circle.name
    if _expect(role, visibility):
        assert (body["can_view"], body["member_count"], body["post_count"]) == (True, 3, 1)
    else:
        assert (body["can_view"], body["member_count"], body["post_count"]) == (False, None, None)


@pytest.mark.parametrize("role", ROLES)
def test_api_list(world, api_as, role):
    body = api_as(role).get("/circles").json()
    listed = {c["slug"]: (c["member_count"], c["post_count"]) for c in body["items"]}
    if SEES[role]:
        assert listed == {"open-c": (3, 1), "private-c": (3, 1)}
        assert body["count"] == 2
    else:
        assert listed == {"open-c": (3, 1)}
        assert body["count"] == 1


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_page_circle(world, page_as, role, visibility):
    circle = world.circle(visibility)
    response = page_as(role).get(f"/circles/{circle.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert circle.name in html
    if _expect(role, visibility):
        assert f"秘密帖子-{circle.slug}" in html
        assert 'data-testid="circle-counts"' in html
        assert "3 位成员 · 1 篇帖子" in html
        assert 'data-testid="members-only"' not in html
    else:
        assert "秘密帖子" not in html
        assert 'data-testid="circle-counts"' not in html
        assert "位成员" not in html
        assert 'data-testid="members-only"' in html


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("role", ROLES)
def test_page_members(world, page_as, role, visibility):
    circle = world.circle(visibility)
    response = page_as(role).get(f"/circles/{circle.slug}/members/")
    if _expect(role, visibility):
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="member"') == 3
    else:
        assert response.status_code == 404
        assert "昵称-member" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_page_list(world, page_as, role):
    html = page_as(role).get("/circles/").content.decode()
    assert "公开圈" in html
    assert ("私密圈" in html) is SEES[role]
    assert html.count('data-testid="circle-counts"') == (2 if SEES[role] else 1)


@pytest.mark.parametrize("role", ROLES)
def test_page_moderation(world, page_as, role):
    response = page_as(role).get("/circles/private-c/manage/")
    if role == "anonymous":
        assert response.status_code == 302
    elif role == "moderator":
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="join-request"') == 1
    else:
        assert response.status_code == 403
        assert 'data-testid="join-request"' not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_api_requests_moderators_only(world, api_as, role):
    response = api_as(role).get("/circles/private-c/requests")
    expected = {"anonymous": 401, "moderator": 200}.get(role, 403)
    assert response.status_code == expected
    if expected == 200:
        assert [r["user"]["name"] for r in response.json()["items"]] == ["昵称-pending"]
