"""API: community, join/leave, my standing, polls and votes; console settings, members, polls, early access."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import UserFactory
from tests.fans.conftest import make_core, make_post
from tribe.fans.models import EarlyAccess, FanCommunity, FanMember, Poll, PollBallot
from tribe.fans.services import create_poll

pytestmark = pytest.mark.django_db


def put(api, path, body):
    return api.raw("PUT", path, json.dumps(body), "application/json")


def test_community_for_anonymous_and_member(anon, api_as, community, fan, product):
    make_post(fan, product)
    r = anon.get("/fans/maple")
    assert r.status_code == 200
    body = r.json()
    assert body["member_count"] == 1 and body["me"] is None and body["core_threshold"] == 30
    me = api_as(fan).get("/fans/maple").json()["me"]
    assert me["is_member"] and me["points"] == 5 and me["tier"] == "regular" and me["to_next"] == 5
    assert me["progress_percent"] == 50
    assert {b["source"]: b["points"] for b in me["breakdown"]} == {"post": 5, "review": 0, "answer": 0,
                                                                   "purchase": 0}


def test_unknown_brand_or_no_community_is_404(anon, brand):
    assert anon.get("/fans/nope").status_code == 404
    r = anon.get("/fans/maple")
    assert r.status_code == 404 and r.json()["error"]["code"] == "no_community"


def test_join_me_leave(api_as, community, user):
    api = api_as(user)
    assert api.post("/fans/maple/join").status_code == 201
    assert api.post("/fans/maple/join").json()["error"]["code"] == "already_member"
    assert api.get("/fans/maple/me").json()["is_member"] is True
    assert api.post("/fans/maple/leave").status_code == 200
    assert api.post("/fans/maple/leave").status_code == 409
    assert not FanMember.objects.exists()


def test_join_needs_sign_in(anon, community):
    assert anon.post("/fans/maple/join").status_code == 401
    assert not FanMember.objects.exists()


def test_vote_flow_and_results_visibility(api_as, anon, staff, fan, community, product):
    poll = create_poll(staff, community, question="颜色？", options=["红", "灰"])
    red = poll.options.first()
    listed = api_as(fan).get("/fans/maple/polls").json()
    assert listed["count"] == 1 and listed["items"][0]["can_vote"] is False  # regular fan, core-only poll
    assert anon.get(f"/fans/maple/polls/{poll.pk}").json()["results"] is None
    r = api_as(fan).post(f"/fans/maple/polls/{poll.pk}/vote", {"options": [red.pk]})
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_eligible"
    make_core(fan, product)
    r = api_as(fan).post(f"/fans/maple/polls/{poll.pk}/vote", {"options": [red.pk]})
    assert r.status_code == 201
    assert r.json()["my_votes"] == [red.pk] and r.json()["results"]["ballots"] == 1
    assert api_as(fan).post(f"/fans/maple/polls/{poll.pk}/vote", {"options": [red.pk]}).status_code == 409
    staff_view = api_as(staff).get(f"/fans/maple/polls/{poll.pk}").json()
    assert staff_view["results"]["options"][0]["votes"] == 1


@pytest.mark.parametrize("body", [{"options": ["1"]}, {"options": [0]}, {"options": []}, {}, {"x": 1}])
def test_bad_vote_bodies_are_422(api_as, staff, fan, community, product, body):
    make_core(fan, product)
    poll = create_poll(staff, community, question="颜色？", options=["红", "灰"])
    r = api_as(fan).post(f"/fans/maple/polls/{poll.pk}/vote", body)
    assert r.status_code == 422
    assert not PollBallot.objects.exists()


def test_polls_list_query_count_does_not_grow(api_as, staff, fan, community, product, django_assert_num_queries):
    make_core(fan, product)
    api = api_as(fan)
    for n in (2, 6):
        while Poll.objects.count() < n:
            create_poll(staff, community, question=f"问题{Poll.objects.count()}", options=["a", "b"])
        # token, brand, community, my managed brands, count, page, options, my ballots, my standing
        with django_assert_num_queries(9):
            r = api.get("/fans/maple/polls")
        assert r.json()["count"] == n


# ---- console ------------------------------------------------------------------------------------------------

SETTINGS = {"name": "枫叶粉丝团", "active_threshold": 10, "core_threshold": 30}


def test_staff_saves_settings_others_are_refused(api_as, anon, staff, other_staff, user, brand):
    assert put(api_as(other_staff), "/console/brands/maple/fans", SETTINGS).status_code == 403
    assert put(api_as(user), "/console/brands/maple/fans", SETTINGS).status_code == 403
    assert put(anon, "/console/brands/maple/fans", SETTINGS).status_code == 401
    assert not FanCommunity.objects.exists()
    r = put(api_as(staff), "/console/brands/maple/fans", {**SETTINGS, "core_threshold": 10})
    assert r.status_code == 422 and "core_threshold" in r.json()["error"]["fields"]
    r = put(api_as(staff), "/console/brands/maple/fans", SETTINGS)
    assert r.status_code == 200 and r.json()["member_count"] == 0
    assert FanCommunity.objects.get().core_threshold == 30


@pytest.mark.parametrize("n", [3, 9])
def test_members_endpoint_pins_queries(api_as, staff, community, product, n, django_assert_num_queries):
    for i in range(n):
        user = UserFactory()
        FanMember.objects.create(community=community, user=user)
        if i % 2:
            make_core(user, product)
    api = api_as(staff)
    # token, brand, staff check (memberships, sub-brands), community, count, the page with points and tiers
    with django_assert_num_queries(7):
        r = api.get("/console/brands/maple/fans/members")
    body = r.json()
    assert body["count"] == n
    assert body["items"][0]["tier"] == "core" and body["items"][0]["points"] == 30
    assert body["items"][-1]["tier"] == "regular"


def test_console_polls_close_and_results(api_as, staff, other_staff, fan, community, product):
    make_core(fan, product)
    r = api_as(staff).post("/console/brands/maple/fans/polls", {"question": "颜色？", "options": ["红", "灰"],
                                                                 "multiple": True})
    assert r.status_code == 201
    poll_id = r.json()["id"]
    assert api_as(other_staff).post("/console/brands/maple/fans/polls",
                                    {"question": "?", "options": ["a", "b"]}).status_code == 403
    bad = api_as(staff).post("/console/brands/maple/fans/polls", {"question": "?", "options": ["a"]})
    assert bad.status_code == 422
    opts = [o["id"] for o in r.json()["options"]]
    api_as(fan).post(f"/fans/maple/polls/{poll_id}/vote", {"options": opts})
    results = api_as(staff).get(f"/console/brands/maple/fans/polls/{poll_id}/results").json()
    assert results["ballots"] == 1 and [o["percent"] for o in results["options"]] == [100, 100]
    assert api_as(other_staff).get(f"/console/brands/maple/fans/polls/{poll_id}/results").status_code == 403
    closed = api_as(staff).post(f"/console/brands/maple/fans/polls/{poll_id}/close")
    assert closed.status_code == 200 and closed.json()["is_open"] is False
    assert Poll.objects.count() == 1


def test_console_early_access(api_as, staff, other_staff, community, product):
    when = (timezone.now() + timedelta(days=1)).isoformat()
    path = f"/console/brands/maple/fans/early-access/{product.pk}"
    assert put(api_as(other_staff), path, {"public_at": when}).status_code == 403
    assert put(api_as(staff), path, {"public_at": "tomorrow"}).status_code == 422
    assert put(api_as(staff), "/console/brands/maple/fans/early-access/999999", {"public_at": when}).status_code == 404
    assert not EarlyAccess.objects.exists()
    r = put(api_as(staff), path, {"public_at": when})
    assert r.status_code == 200 and r.json()["active"] is True
    assert len(api_as(staff).get("/console/brands/maple/fans/early-access").json()) == 1
    assert api_as(staff).delete(path).status_code == 200
    assert not EarlyAccess.objects.exists()


def test_cart_api_refuses_early_access_product_for_non_core(api_as, staff, brand, community, product, fan):
    from tribe.fans.services import set_early_access
    from tribe.orders.models import CartLine

    set_early_access(staff, brand, product, timezone.now() + timedelta(days=1))
    r = api_as(fan).post("/cart/lines", {"sku_id": product.skus.first().pk, "quantity": 1})
    assert r.status_code == 403 and r.json()["error"]["code"] == "early_access_core_only"
    assert not CartLine.objects.exists()
    make_core(fan, product)
    assert api_as(fan).post("/cart/lines", {"sku_id": product.skus.first().pk, "quantity": 1}).status_code == 201


def test_poll_deadline_is_taken_as_iso_text(api_as, staff, community):
    when = (timezone.now() + timedelta(days=3)).isoformat()
    r = api_as(staff).post("/console/brands/maple/fans/polls", {"question": "?", "options": ["a", "b"],
                                                                 "closes_at": when})
    assert r.status_code == 201 and r.json()["closes_at"] is not None and r.json()["is_open"]
    bad = api_as(staff).post("/console/brands/maple/fans/polls", {"question": "?", "options": ["a", "b"],
                                                                   "closes_at": "soon"})
    assert bad.status_code == 422
