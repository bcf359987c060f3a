"""Join rules per policy, roles, moderation and posting: services, API and pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.api.conftest import Api
from tests.factories import MembershipFactory, ProductFactory, UserFactory
from tribe.accounts.services import issue_token
from tribe.circles import services
from tribe.circles.models import Circle, Membership
from tribe.core.errors import Conflict, PermissionDenied
from tribe.core.models import Event
from tribe.posts.models import Post as CirclePost

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return UserFactory()


def _api(client, user) -> Api:
    return Api(client, issue_token(user))


@pytest.mark.parametrize(("policy", "status", "state"), [("open", 200, "active"), ("approval", 202, "pending")])
def test_join_by_policy(client, owner, policy, status, state):
    # given a circle with this policy and a user outside it
    circle = services.create_circle(owner, name="跑步", slug="run", join_policy=policy)
    joiner = UserFactory()
    # when they join
    response = _api(client, joiner).post("/circles/run/join")
    # then the membership has the policy's state, and only an actual join is an event
    assert response.status_code == status
    assert response.json()["state"] == state
    assert Membership.objects.get(circle=circle, user=joiner).state == state
    assert Event.objects.filter(name="join_circle", actor=joiner).count() == (1 if state == "active" else 0)


def test_invite_only_refuses_uninvited_and_admits_invited(client, owner):
    circle = services.create_circle(owner, name="内测", slug="beta", join_policy="invite")
    guest, invitee = UserFactory(), UserFactory()
    refused = _api(client, guest).post("/circles/beta/join")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "invite_only")
    assert not Membership.objects.filter(circle=circle, user=guest).exists()
    assert _api(client, owner).post(f"/circles/beta/members/{invitee.pk}/invite").status_code == 201
    accepted = _api(client, invitee).post("/circles/beta/join")
    assert (accepted.status_code, accepted.json()["state"]) == (200, "active")


@pytest.mark.parametrize("policy", ["open", "approval"])
def test_joining_twice_is_409(client, owner, policy):
    services.create_circle(owner, name="跑步", slug="run", join_policy=policy)
    joiner = UserFactory()
    api = _api(client, joiner)
    api.post("/circles/run/join")
    again = api.post("/circles/run/join")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == ("already_member" if policy == "open" else "already_requested")
    assert Membership.objects.filter(user=joiner).count() == 1


def test_banned_cannot_rejoin_or_leave(client, owner):
    circle = services.create_circle(owner, name="跑步", slug="run")
    bad = UserFactory()
    services.join_circle(bad, circle)
    services.ban(owner, circle, bad.pk)
    api = _api(client, bad)
    assert api.post("/circles/run/join").json()["error"]["code"] == "banned"
    assert api.post("/circles/run/leave").status_code == 403
    assert Membership.objects.get(user=bad).state == "banned"


def test_approve_and_reject(client, owner):
    circle = services.create_circle(owner, name="读书", slug="books", join_policy="approval")
    a, b = UserFactory(), UserFactory()
    services.join_circle(a, circle)
    services.join_circle(b, circle)
    api = _api(client, owner)
    assert api.post(f"/circles/books/requests/{a.pk}/approve").status_code == 200
    assert api.post(f"/circles/books/requests/{b.pk}/reject").status_code == 200
    assert Membership.objects.get(user=a).state == "active"
    assert not Membership.objects.filter(user=b).exists()
    # a plain member cannot decide
    c = UserFactory()
    services.join_circle(c, circle)
    assert _api(client, a).post(f"/circles/books/requests/{c.pk}/approve").status_code == 403
    assert Membership.objects.get(user=c).state == "pending"


def test_owner_cannot_leave_until_transfer(client, owner):
    circle = services.create_circle(owner, name="跑步", slug="run")
    heir = UserFactory()
    services.join_circle(heir, circle)
    api = _api(client, owner)
    assert api.post("/circles/run/leave").json()["error"]["code"] == "owner_must_transfer"
    assert api.post(f"/circles/run/members/{heir.pk}/role", {"role": "owner"}).json()["role"] == "owner"
    assert api.post("/circles/run/leave").status_code == 200
    circle.refresh_from_db()
    assert circle.owner_id == heir.pk
    assert list(Membership.objects.filter(circle=circle).values_list("user_id", "role")) == [(heir.pk, "owner")]


def test_set_role_owner_only(owner):
    circle = services.create_circle(owner, name="跑步", slug="run")
    mod, member = UserFactory(), UserFactory()
    for u in (mod, member):
        services.join_circle(u, circle)
    services.set_role(owner, circle, mod.pk, "moderator")
    with pytest.raises(PermissionDenied):
        services.set_role(mod, circle, member.pk, "moderator")
    with pytest.raises(PermissionDenied):  # a moderator cannot ban another moderator or the owner
        services.ban(mod, circle, owner.pk)


def test_post_rules(client, owner):
    circle = services.create_circle(owner, name="跑步", slug="run")
    member, outsider = UserFactory(), UserFactory()
    services.join_circle(member, circle)
    outside = _api(client, outsider).post("/circles/run/posts", {"text": "你好"})
    assert (outside.status_code, outside.json()["error"]["code"]) == (403, "not_member")
    empty = _api(client, member).post("/circles/run/posts", {"text": "   "})
    assert (empty.status_code, empty.json()["error"]["fields"]) == (422, {"text": "required"})
    too_long = _api(client, member).post("/circles/run/posts", {"text": "字" * 2001})
    assert too_long.status_code == 422
    assert CirclePost.objects.count() == 0
    ok = _api(client, member).post("/circles/run/posts", {"text": "第一帖"})
    assert (ok.status_code, ok.json()["text"]) == (201, "第一帖")


def test_muted_member_cannot_post_until_mute_ends(client, owner):
    circle = services.create_circle(owner, name="跑步", slug="run")
    member = UserFactory()
    services.join_circle(member, circle)
    assert _api(client, owner).post(f"/circles/run/members/{member.pk}/mute", {"minutes": 60}).status_code == 200
    with pytest.raises(PermissionDenied) as exc:
        services.create_post(member, circle, text="嗨")
    assert exc.value.code == "muted"
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert services.create_post(member, circle, text="嗨").text == "嗨"


def test_product_cards_and_promotions(owner):
    circle = services.create_circle(owner, name="母婴", slug="baby")
    product = ProductFactory()
    shopper, staff = UserFactory(), UserFactory()
    MembershipFactory(brand=product.brand, user=staff)
    for u in (shopper, staff):
        services.join_circle(u, circle)
    # a shopper's product card is welcome
    assert services.create_post(shopper, circle, text="好用", product_id=product.pk).products.get() == product
    # the brand's own staff posting its product is a promotion: refused by default
    with pytest.raises(PermissionDenied) as exc:
        services.create_post(staff, circle, text="买它", product_id=product.pk)
    assert exc.value.code == "promotion_not_allowed"
    Circle.objects.filter(pk=circle.pk).update(allow_promotions=True)
    circle.refresh_from_db()
    assert services.create_post(staff, circle, text="买它", product_id=product.pk).author == staff
    # cards switched off: no product at all
    Circle.objects.filter(pk=circle.pk).update(allow_product_cards=False)
    circle.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.create_post(shopper, circle, text="再晒", product_id=product.pk)
    assert CirclePost.objects.count() == 2


def test_remove_post_moderator_only(client, owner):
    circle = services.create_circle(owner, name="跑步", slug="run")
    member = UserFactory()
    services.join_circle(member, circle)
    post = services.create_post(member, circle, text="广告")
    assert _api(client, member).post(f"/circles/run/posts/{post.pk}/remove").status_code == 403
    assert _api(client, owner).post(f"/circles/run/posts/{post.pk}/remove").status_code == 200
    assert _api(client, owner).get("/circles/run/posts").json()["items"] == []


def test_html_is_escaped_on_the_page(client, owner):
    circle = services.create_circle(owner, name="<b>圈</b>", slug="run")
    member = UserFactory()
    services.join_circle(member, circle)
    client.force_login(member)
    response = client.post("/circles/run/post/", {"text": "<script>alert(1)</script>"})
    assert response.status_code == 302
    assert CirclePost.objects.get().text == "<script>alert(1)</script>"
    html = client.get("/circles/run/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "<b>圈</b>" not in html


def test_page_post_refusals(client, owner):
    services.create_circle(owner, name="跑步", slug="run")
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.post("/circles/run/post/", {"text": "你好"}).status_code == 403
    client.force_login(owner)
    assert client.post("/circles/run/post/", {"text": ""}).status_code == 422
    assert CirclePost.objects.count() == 0


def test_page_join_flow(client, owner):
    circle = services.create_circle(owner, name="读书", slug="books", join_policy="approval")
    joiner = UserFactory()
    client.force_login(joiner)
    assert client.post("/circles/books/join/").status_code == 302
    assert 'data-testid="request-pending"' in client.get("/circles/books/").content.decode()
    assert client.post("/circles/books/join/").status_code == 409
    client.force_login(owner)
    assert client.post(f"/circles/books/requests/{joiner.pk}/approve/").status_code == 302
    assert Membership.objects.get(circle=circle, user=joiner).state == "active"


def test_create_circle_page_and_api(client, owner):
    client.force_login(owner)
    response = client.post("/circles/new/", {"name": "咖啡", "slug": "coffee", "join_policy": "open",
                                             "visibility": "members_only", "allow_product_cards": "on"})
    assert response.status_code == 302
    circle = Circle.objects.get(slug="coffee")
    assert (circle.visibility, circle.allow_product_cards, circle.allow_promotions) == ("members_only", True, False)
    assert Membership.objects.get(circle=circle).role == "owner"
    taken = _api(client, owner).post("/circles", {"name": "咖啡2", "slug": "coffee"})
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "slug_taken")
    created = _api(client, owner).post("/circles", {"name": "茶", "slug": "tea"})
    assert (created.status_code, created.json()["member_count"], created.json()["my_role"]) == (201, 1, "owner")


def test_join_twice_service_conflict(owner):
    circle = services.create_circle(owner, name="跑步", slug="run")
    u = UserFactory()
    services.join_circle(u, circle)
    with pytest.raises(Conflict):
        services.join_circle(u, circle)


def test_list_query_count_does_not_grow(client, owner, django_assert_num_queries):
    member = UserFactory()
    for i in range(3):
        c = services.create_circle(owner, name=f"圈{i}", slug=f"c-{i}")
        services.join_circle(member, c)
    api = _api(client, member)
    with django_assert_num_queries(4):  # token, count, page with counts, my memberships
        assert len(api.get("/circles").json()["items"]) == 3
    for i in range(3, 8):
        services.create_circle(owner, name=f"圈{i}", slug=f"c-{i}")
    with django_assert_num_queries(4):
        assert len(api.get("/circles").json()["items"]) == 8
