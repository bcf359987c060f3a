"""Fan community rules: settings validation, join/leave, polls and votes, early access as a purchase guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ProductFactory, UserFactory
from tests.fans.conftest import make_core
from tests.orders.conftest import ADDRESS
from tribe.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from tribe.core.models import Event
from tribe.fans import selectors, services
from tribe.fans.models import EarlyAccess, FanCommunity, FanMember, PollBallot, PollVote, Tier
from tribe.orders.cart import add_to_cart, get_cart
from tribe.orders.checkout import place_order
from tribe.orders.models import CartLine, Order

pytestmark = pytest.mark.django_db

SETTINGS = {"name": "枫叶粉丝团", "intro": "", "active_threshold": 50, "core_threshold": 200, "points_post": 5,
            "points_review": 10, "points_answer": 5, "points_purchase": 20}


# ---- settings ---------------------------------------------------------------------------------------------

def test_staff_creates_then_updates_the_community(staff, brand):
    c = services.save_community(staff, brand, **SETTINGS)
    again = services.save_community(staff, brand, **{**SETTINGS, "core_threshold": 300, "name": "新名字"})
    assert again.pk == c.pk and FanCommunity.objects.get().core_threshold == 300
    assert FanCommunity.objects.get().name == "新名字"


@pytest.mark.parametrize("change,field", [
    ({"active_threshold": 0}, "active_threshold"),
    ({"active_threshold": 200, "core_threshold": 200}, "core_threshold"),
    ({"active_threshold": 300, "core_threshold": 200}, "core_threshold"),
    ({"points_post": -1}, "points_post"),
    ({"points_review": 1001}, "points_review"),
    ({"points_purchase": "20"}, "points_purchase"),
    ({"name": "  "}, "name"),
    ({"name": "x" * 61}, "name"),
])
def test_bad_settings_are_refused_and_nothing_is_stored(staff, brand, change, field):
    with pytest.raises(ValidationFailed) as err:
        services.save_community(staff, brand, **{**SETTINGS, **change})
    assert field in err.value.fields
    assert not FanCommunity.objects.exists()


def test_only_the_brands_staff_may_set_up_the_community(brand, other_staff, user):
    for who in (other_staff, user):
        with pytest.raises(PermissionDenied):
            services.save_community(who, brand, **SETTINGS)
    with pytest.raises(NotAuthenticated):
        services.save_community(None, brand, **SETTINGS)
    assert not FanCommunity.objects.exists()


# ---- join / leave -----------------------------------------------------------------------------------------

def test_join_twice_is_a_conflict_and_leave_works(community, user):
    services.join_fans(user, community)
    assert Event.objects.filter(name="join_fans", actor=user, brand_id=community.brand_id).count() == 1
    with pytest.raises(Conflict):
        services.join_fans(user, community)
    assert FanMember.objects.filter(community=community).count() == 1
    services.leave_fans(user, community)
    with pytest.raises(Conflict):
        services.leave_fans(user, community)
    assert not FanMember.objects.exists()


# ---- polls ------------------------------------------------------------------------------------------------

def _poll(staff, community, **kw):
    args = {"question": "下一款围巾选什么颜色？", "options": ["红", "灰", "蓝"], **kw}
    return services.create_poll(staff, community, **args)


@pytest.mark.parametrize("kw,field", [
    ({"options": ["只有一个"]}, "options"),
    ({"options": [str(i) for i in range(11)]}, "options"),
    ({"options": ["红", "红"]}, "options"),
    ({"question": ""}, "question"),
    ({"closes_at": timezone.now() - timedelta(minutes=1)}, "closes_at"),
])
def test_bad_polls_are_refused(staff, community, kw, field):
    with pytest.raises(ValidationFailed) as err:
        _poll(staff, community, **kw)
    assert field in err.value.fields


def test_only_staff_create_and_close_polls(staff, other_staff, fan, community):
    with pytest.raises(PermissionDenied):
        _poll(other_staff, community)
    with pytest.raises(PermissionDenied):
        _poll(fan, community)
    poll = _poll(staff, community)
    with pytest.raises(PermissionDenied):
        services.close_poll(fan, poll)
    assert [o.text for o in poll.options.all()] == ["红", "灰", "蓝"]


def test_core_fan_votes_and_results_count_the_ballot(staff, fan, community, product):
    make_core(fan, product)
    poll = _poll(staff, community)
    red = poll.options.first()
    services.vote(fan, poll, [red.pk])
    results = selectors.poll_results(poll)
    assert results.ballots == 1
    assert [(o["text"], o["votes"], o["percent"]) for o in results.options] == [("红", 1, 100), ("灰", 0, 0),
                                                                                  ("蓝", 0, 0)]
    assert {t["tier"]: t["voters"] for t in results.tiers} == {"core": 1, "active": 0, "regular": 0}
    assert Event.objects.filter(name="poll_vote", actor=fan).count() == 1


def test_non_core_member_and_non_member_may_not_vote_on_core_only_poll(staff, fan, community, product):
    poll = _poll(staff, community)
    stranger = make_core(UserFactory(), product)  # core points, not a member
    for who in (fan, stranger):
        with pytest.raises(PermissionDenied) as err:
            services.vote(who, poll, [poll.options.first().pk])
        assert err.value.code == "not_eligible"
    assert not PollBallot.objects.exists()


def test_open_poll_accepts_any_member(staff, fan, community):
    poll = _poll(staff, community, core_only=False)
    services.vote(fan, poll, [poll.options.last().pk])
    assert PollBallot.objects.get().tier == Tier.REGULAR


def test_closed_or_expired_poll_refuses_votes(staff, fan, community, product):
    make_core(fan, product)
    poll = _poll(staff, community, closes_at=timezone.now() + timedelta(hours=1))
    services.close_poll(staff, poll)
    with pytest.raises(PermissionDenied) as err:
        services.vote(fan, poll, [poll.options.first().pk])
    assert err.value.code == "poll_closed"
    later = _poll(staff, community, closes_at=timezone.now() + timedelta(hours=1))
    later.closes_at = timezone.now() - timedelta(seconds=1)
    later.save()
    with pytest.raises(PermissionDenied):
        services.vote(fan, later, [later.options.first().pk])
    assert not PollBallot.objects.exists()


@pytest.mark.parametrize("choice", ["two", "none", "foreign", "huge", "text"])
def test_invalid_options_are_refused(staff, fan, community, product, choice):
    make_core(fan, product)
    poll = _poll(staff, community)
    other = _poll(staff, community)
    ids = {"two": [o.pk for o in poll.options.all()[:2]], "none": [], "foreign": [other.options.first().pk],
           "huge": [2**70], "text": ["1"]}[choice]
    with pytest.raises(ValidationFailed):
        services.vote(fan, poll, ids)
    assert not PollBallot.objects.exists()


def test_multiple_choice_poll_takes_several_options(staff, fan, community, product):
    make_core(fan, product)
    poll = _poll(staff, community, multiple=True)
    a, b, _c = poll.options.all()
    services.vote(fan, poll, [a.pk, b.pk, a.pk])
    assert PollVote.objects.count() == 2
    assert selectors.poll_results(poll).options[0]["percent"] == 100


def test_second_vote_is_a_conflict_even_when_racing(staff, fan, community, product):
    make_core(fan, product)
    poll = _poll(staff, community, multiple=True)
    a, b, _c = poll.options.all()
    services.vote(fan, poll, [a.pk])
    with pytest.raises(Conflict):
        services.vote(fan, poll, [b.pk])
    # a racing twin that got past every check still hits the ballot's unique constraint
    assert PollBallot.objects.count() == 1 and PollVote.objects.count() == 1


# ---- early access -------------------------------------------------------------------------------------------

@pytest.fixture
def early(staff, brand, product, community):
    return services.set_early_access(staff, brand, product, timezone.now() + timedelta(days=2))


def test_core_fan_may_add_to_cart_and_order_early(early, fan, product):
    make_core(fan, product)
    cart = get_cart(fan, create=True)
    add_to_cart(cart, product.skus.first().pk, 1)
    order = place_order(fan, cart, address=ADDRESS, idempotency_key="early-core-1")
    assert order.lines.get().product_id == product.pk


@pytest.mark.parametrize("who", ["member", "stranger", "anonymous"])
def test_others_get_403_and_nothing_is_stored(early, fan, product, who):
    user = {"member": fan, "stranger": UserFactory(), "anonymous": None}[who]
    cart = get_cart(user, create=True) if user else get_cart(None, "sess-1", create=True)
    with pytest.raises(PermissionDenied) as err:
        add_to_cart(cart, product.skus.first().pk, 1)
    assert err.value.code == "early_access_core_only"
    assert "新品抢先购：仅核心粉丝可购买" in err.value.message
    assert not CartLine.objects.exists()


def test_checkout_rechecks_early_access(staff, brand, product, fan, community):
    cart = get_cart(fan, create=True)
    add_to_cart(cart, product.skus.first().pk, 1)  # before early access was set
    services.set_early_access(staff, brand, product, timezone.now() + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        place_order(fan, cart, address=ADDRESS, idempotency_key="early-regular-1")
    assert not Order.objects.exists() and CartLine.objects.count() == 1


def test_everyone_may_buy_after_public_at(early, user, product):
    EarlyAccess.objects.update(public_at=timezone.now() - timedelta(seconds=1))
    add_to_cart(get_cart(user, create=True), product.skus.first().pk, 1)
    assert CartLine.objects.count() == 1


def test_other_products_are_not_affected(early, user, store):
    other = ProductFactory(store=store, skus=[{"price": "10.00", "stock": 5}])
    add_to_cart(get_cart(user, create=True), other.skus.first().pk, 1)
    assert CartLine.objects.count() == 1


def test_early_access_rules(staff, other_staff, brand, product):
    soon = timezone.now() + timedelta(days=1)
    with pytest.raises(ValidationFailed) as err:  # no community yet
        services.set_early_access(staff, brand, product, soon)
    assert err.value.code == "no_community"
    FanCommunity.objects.create(brand=brand, name="x")
    with pytest.raises(PermissionDenied):
        services.set_early_access(other_staff, brand, product, soon)
    with pytest.raises(ValidationFailed):
        services.set_early_access(staff, brand, product, timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationFailed):
        services.set_early_access(staff, brand, ProductFactory(), soon)  # another brand's product
    assert not EarlyAccess.objects.exists()
    services.set_early_access(staff, brand, product, soon)
    services.clear_early_access(staff, brand, product)
    assert not EarlyAccess.objects.exists()


def test_poll_comments_only_for_eligible_fans_and_staff(staff, fan, community, product):
    from tribe.core.errors import NotFound
    from tribe.posts.services import add_comment

    poll = _poll(staff, community)
    with pytest.raises(NotFound):  # a regular fan cannot see a core-only poll's discussion
        add_comment(fan, "poll", poll.pk, "我也想投")
    make_core(fan, product)
    comment = add_comment(fan, "poll", poll.pk, "红色好看")
    assert comment.target_kind == "poll"
    assert add_comment(staff, "poll", poll.pk, "谢谢大家").author_id == staff.pk
