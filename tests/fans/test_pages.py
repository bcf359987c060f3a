"""Pages: the community and poll pages, the product page's early-access notice, and the brand console."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory
from tests.fans.conftest import make_core, make_post
from tribe.fans.models import EarlyAccess, FanCommunity, FanMember, Poll, PollBallot
from tribe.fans.services import create_poll, set_early_access
from tribe.orders.models import CartLine

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_community_page_for_anonymous(client, community, fan):
    r = client.get("/fans/maple/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "枫叶粉丝团" in html and 'data-testid="fans-member-count">1 位成员' in html
    assert 'data-testid="fans-standing"' not in html


def test_community_page_shows_my_tier_progress_and_breakdown(client, community, fan, product):
    make_post(fan, product)
    html = login(client, fan).get("/fans/maple/").content.decode()
    assert 'data-tier="regular"' in html and "参与积分 5" in html and "再获得 5 积分升级" in html
    assert 'aria-valuenow="50"' in html and 'data-testid="fans-leave"' in html


def test_unknown_brand_and_brand_without_community(client, brand):
    assert client.get("/fans/nope/").status_code == 404
    r = client.get("/fans/maple/")
    assert r.status_code == 404 and 'data-testid="fans-none"' in r.content.decode()


def test_join_and_leave_pages(client, community, user):
    login(client, user)
    assert client.post("/fans/maple/join/").status_code == 302
    assert FanMember.objects.filter(user=user).exists()
    r = client.post("/fans/maple/join/")
    assert r.status_code == 409 and "你已经是粉丝社区成员了" in r.content.decode()
    assert client.post("/fans/maple/leave/").status_code == 302
    assert not FanMember.objects.exists()


def test_join_needs_login(client, community):
    r = client.post("/fans/maple/join/")
    assert r.status_code == 302 and "/login" in r["Location"]
    assert client.get("/fans/maple/join/").status_code in (302, 405)
    assert not FanMember.objects.exists()


def test_html_in_intro_is_escaped(client, community):
    community.intro = "<script>alert(1)</script>"
    community.save()
    html = client.get("/fans/maple/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_poll_page_vote_flow(client, staff, fan, community, product):
    poll = create_poll(staff, community, question="颜色？", options=["红", "灰"])
    red = poll.options.first()
    login(client, fan)
    html = client.get(f"/fans/maple/polls/{poll.pk}/").content.decode()
    assert 'data-testid="why-not"' in html and 'data-testid="vote-form"' not in html
    r = client.post(f"/fans/maple/polls/{poll.pk}/vote/", {"option": red.pk})
    assert r.status_code == 403 and not PollBallot.objects.exists()
    make_core(fan, product)
    assert 'data-testid="vote-form"' in client.get(f"/fans/maple/polls/{poll.pk}/").content.decode()
    assert client.post(f"/fans/maple/polls/{poll.pk}/vote/", {"option": "abc"}).status_code == 422
    assert client.post(f"/fans/maple/polls/{poll.pk}/vote/", {"option": "999999"}).status_code == 422
    assert client.post(f"/fans/maple/polls/{poll.pk}/vote/", {"option": [red.pk, red.pk + 1]}).status_code == 422
    assert not PollBallot.objects.exists()
    assert client.post(f"/fans/maple/polls/{poll.pk}/vote/", {"option": red.pk}).status_code == 302
    html = client.get(f"/fans/maple/polls/{poll.pk}/").content.decode()
    assert 'data-testid="poll-results"' in html and 'data-testid="voted"' in html
    r = client.post(f"/fans/maple/polls/{poll.pk}/vote/", {"option": red.pk})
    assert r.status_code == 409 and PollBallot.objects.count() == 1


def test_poll_results_hidden_from_non_voters(client, staff, community, fan, product):
    poll = create_poll(staff, community, question="颜色？", options=["红", "灰"], core_only=False)
    from tribe.fans.services import vote

    vote(fan, poll, [poll.options.first().pk])
    assert 'data-testid="poll-results"' not in client.get(f"/fans/maple/polls/{poll.pk}/").content.decode()
    assert client.get(f"/fans/maple/polls/{poll.pk + 100}/").status_code == 404


# ---- product page and cart ---------------------------------------------------------------------------------

def test_product_page_early_access_notice(client, staff, brand, community, product, fan):
    assert 'data-testid="early-access"' not in client.get(f"/p/{product.pk}/").content.decode()
    set_early_access(staff, brand, product, timezone.now() + timedelta(days=1))
    html = client.get(f"/p/{product.pk}/").content.decode()
    assert 'data-testid="early-access" data-core="0"' in html and "仅核心粉丝可购买" in html
    make_core(fan, product)
    html = login(client, fan).get(f"/p/{product.pk}/").content.decode()
    assert 'data-core="1"' in html


def test_cart_add_page_refuses_non_core_with_403(client, staff, brand, community, product, user):
    set_early_access(staff, brand, product, timezone.now() + timedelta(days=1))
    login(client, user)
    r = client.post("/cart/add/", {"sku_id": product.skus.first().pk, "quantity": 1})
    assert r.status_code == 403
    assert not CartLine.objects.exists()


# ---- console ------------------------------------------------------------------------------------------------

CONSOLE_PAGES = ["/console/maple/fans/", "/console/maple/fans/members/", "/console/maple/fans/polls/",
                 "/console/maple/fans/early-access/"]


@pytest.mark.parametrize("path", CONSOLE_PAGES)
@pytest.mark.parametrize("role,status", [("anonymous", 302), ("user", 403), ("other_staff", 403), ("staff", 200)])
def test_console_permission_table(client, community, staff, other_staff, path, role, status):
    who = {"anonymous": None, "user": UserFactory(), "other_staff": other_staff, "staff": staff}[role]
    if who is not None:
        login(client, who)
    assert client.get(path).status_code == status


def test_console_settings_create_and_invalid(client, staff, brand):
    login(client, staff)
    assert 'data-testid="fans-not-open"' in client.get("/console/maple/fans/").content.decode()
    data = {"name": "枫叶粉丝团", "intro": "", "active_threshold": 100, "core_threshold": 100, "points_post": 5,
            "points_review": 10, "points_answer": 5, "points_purchase": 20}
    r = client.post("/console/maple/fans/", data)
    assert r.status_code == 422 and not FanCommunity.objects.exists()
    r = client.post("/console/maple/fans/", {**data, "core_threshold": 300})
    assert r.status_code == 302 and FanCommunity.objects.get().core_threshold == 300


def test_console_other_staff_cannot_post(client, other_staff, community):
    login(client, other_staff)
    r = client.post("/console/maple/fans/", {"name": "hijack", "active_threshold": 1, "core_threshold": 2,
                                            "points_post": 1, "points_review": 1, "points_answer": 1,
                                            "points_purchase": 1})
    assert r.status_code == 403 and FanCommunity.objects.get().name == "枫叶粉丝团"


@pytest.mark.parametrize("n", [3, 10])
def test_console_members_page_query_count(client, staff, community, product, n, django_assert_num_queries):
    for i in range(n):
        user = UserFactory()
        FanMember.objects.create(community=community, user=user)
        if i % 3 == 0:
            make_core(user, product)
    login(client, staff)
    client.get("/console/maple/fans/members/")
    # session, user, brand, staff check (2), community, count, the page with points and tiers
    with django_assert_num_queries(8):
        r = client.get("/console/maple/fans/members/")
    assert r.content.decode().count('data-testid="fans-member"') == n
    assert 'data-tier="core"' in r.content.decode()


def test_console_poll_create_results_and_close(client, staff, community, fan, product):
    login(client, staff)
    r = client.post("/console/maple/fans/polls/", {"question": "颜色？", "options": "红\n灰\n", "core_only": "on"})
    assert r.status_code == 302
    poll = Poll.objects.get()
    assert poll.core_only and [o.text for o in poll.options.all()] == ["红", "灰"]
    bad = client.post("/console/maple/fans/polls/", {"question": "颜色？", "options": "只有一个"})
    assert bad.status_code == 422 and Poll.objects.count() == 1
    make_core(fan, product)
    from tribe.fans.services import vote

    vote(fan, poll, [poll.options.first().pk])
    html = client.get(f"/console/maple/fans/polls/{poll.pk}/").content.decode()
    assert 'data-testid="poll-tiers"' in html and "核心粉丝 1（100%）" in html
    assert client.post(f"/console/maple/fans/polls/{poll.pk}/close/").status_code == 302
    assert Poll.objects.get().closed


def test_console_early_access_set_and_clear(client, staff, community, product):
    login(client, staff)
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    bad = client.post("/console/maple/fans/early-access/", {"product": 999999, "public_at": when})
    assert bad.status_code == 422 and not EarlyAccess.objects.exists()
    past = client.post("/console/maple/fans/early-access/", {"product": product.pk, "public_at": "2020-01-01T10:00"})
    assert past.status_code == 422 and not EarlyAccess.objects.exists()
    ok = client.post("/console/maple/fans/early-access/", {"product": product.pk, "public_at": when})
    assert ok.status_code == 302
    assert EarlyAccess.objects.get().product_id == product.pk
    assert client.post(f"/console/maple/fans/early-access/{product.pk}/clear/").status_code == 302
    assert not EarlyAccess.objects.exists()
