from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.factories import UserFactory
from tribe.bargain import services
from tribe.bargain.models import Bargain, BargainHelp
from tribe.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tribe.core.events import Event
from tribe.orders.models import LineAdjustment, Order
from tribe.orders.services import cancel_order, run_due

from .conftest import ADDRESS, campaign_data, helpers, make_campaign

St = Bargain.State


def _help_all(bargain, people):
    return [services.help_bargain(p, bargain.pk) for p in people]


def test_helps_reach_the_floor_exactly_at_the_last_help(campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    assert (bargain.start_price, bargain.current_price, bargain.state) == (Decimal("100.00"), Decimal("100.00"),
                                                                           St.OPEN)
    people = helpers(5)
    cuts = []
    for i, person in enumerate(people, start=1):
        cuts.append(services.help_bargain(person, bargain.pk).amount)
        bargain.refresh_from_db()
        assert bargain.helps_done == i
        assert (bargain.current_price == Decimal("10.00")) == (i == 5)
    assert sum(cuts) == Decimal("90.00")
    assert all(c >= Decimal("0.01") for c in cuts)
    assert bargain.state == St.REACHED
    assert list(BargainHelp.objects.filter(bargain=bargain).values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_helping_twice_is_a_conflict(campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    friend = UserFactory()
    services.help_bargain(friend, bargain.pk)
    with pytest.raises(Conflict) as exc:
        services.help_bargain(friend, bargain.pk)
    assert (exc.value.code, exc.value.status) == ("already_helped", 409)
    assert BargainHelp.objects.filter(bargain=bargain).count() == 1


def test_the_initiator_cannot_help_himself(campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    with pytest.raises(Conflict) as exc:
        services.help_bargain(initiator, bargain.pk)
    assert exc.value.code == "own_bargain"
    assert BargainHelp.objects.count() == 0


def test_an_expired_bargain_refuses_helps_and_the_sweep_marks_it(campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    with time_machine.travel(bargain.deadline + timedelta(seconds=1)):
        with pytest.raises(Conflict) as exc:
            services.help_bargain(UserFactory(), bargain.pk)
        assert exc.value.code == "bargain_expired"
        assert services.expire_due() == 1
    bargain.refresh_from_db()
    assert bargain.state == St.EXPIRED


def test_helps_after_the_floor_get_bargain_reached(campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    _help_all(bargain, helpers(5))
    with pytest.raises(Conflict) as exc:
        services.help_bargain(UserFactory(), bargain.pk)
    assert exc.value.code == "bargain_reached"


def test_buy_before_the_floor_with_floor_only_rule_is_refused(campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    _help_all(bargain, helpers(2))
    with pytest.raises(Conflict) as exc:
        services.buy_bargain(initiator, bargain.pk, address=ADDRESS, idempotency_key="bargain-buy-1")
    assert (exc.value.code, exc.value.fields) == ("floor_not_reached", {"helps_left": 3})
    assert Order.objects.count() == 0


def test_buy_at_the_floor_orders_at_the_bargained_price(campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    _help_all(bargain, helpers(5))
    order = services.buy_bargain(initiator, bargain.pk, address=ADDRESS, idempotency_key="bargain-buy-1")
    bargain.refresh_from_db()
    assert (bargain.state, bargain.order_id) == (St.BOUGHT, order.pk)
    adj = LineAdjustment.objects.get(line__order=order)
    assert (adj.code, adj.amount) == (campaign.code, Decimal("90.00"))
    assert order.subtotal - order.discount_total == Decimal("10.00")
    # the same key again returns the same order; another key is refused: the bargain is closed
    again = services.buy_bargain(initiator, bargain.pk, address=ADDRESS, idempotency_key="bargain-buy-1")
    assert again.pk == order.pk
    with pytest.raises(Conflict) as exc:
        services.buy_bargain(initiator, bargain.pk, address=ADDRESS, idempotency_key="bargain-buy-2")
    assert exc.value.code == "bargain_closed"
    assert Order.objects.count() == 1


def test_any_price_rule_buys_midway_and_closes_helping(shop, initiator):
    campaign = make_campaign(shop, buy_rule="any")
    bargain = services.start_bargain(initiator, campaign.pk)
    _help_all(bargain, helpers(2))
    bargain.refresh_from_db()
    order = services.buy_bargain(initiator, bargain.pk, address=ADDRESS, idempotency_key="bargain-any-1")
    assert order.subtotal - order.discount_total == bargain.current_price
    with pytest.raises(Conflict) as exc:
        services.help_bargain(UserFactory(), bargain.pk)
    assert exc.value.code == "bargain_closed"


def test_cancelled_order_reopens_the_bargain_until_its_deadline(campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    _help_all(bargain, helpers(5))
    order = services.buy_bargain(initiator, bargain.pk, address=ADDRESS, idempotency_key="bargain-buy-1")
    cancel_order(initiator, order.pk)
    bargain.refresh_from_db()
    assert (bargain.state, bargain.order_id) == (St.REACHED, None)
    second = services.buy_bargain(initiator, bargain.pk, address=ADDRESS, idempotency_key="bargain-buy-2")
    assert second.pk != order.pk
    bargain.refresh_from_db()
    assert bargain.order_id == second.pk


def test_an_order_expiring_after_the_deadline_expires_the_bargain(shop, initiator):
    campaign = make_campaign(shop, hours=1)
    bargain = services.start_bargain(initiator, campaign.pk)
    _help_all(bargain, helpers(5))
    order = services.buy_bargain(initiator, bargain.pk, address=ADDRESS, idempotency_key="bargain-buy-1")
    with time_machine.travel(max(order.expires_at, bargain.deadline) + timedelta(minutes=1)):
        assert run_due()["expired"] == 1
    bargain.refresh_from_db()
    assert (bargain.state, bargain.order_id) == (St.EXPIRED, None)


def test_only_the_initiator_buys(campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    _help_all(bargain, helpers(5))
    with pytest.raises(PermissionDenied):
        services.buy_bargain(UserFactory(), bargain.pk, address=ADDRESS, idempotency_key="bargain-buy-x")


def test_per_user_limit_and_active_bargain(shop, initiator):
    campaign = make_campaign(shop, per_user_limit=2, hours=1)
    first = services.start_bargain(initiator, campaign.pk)
    with pytest.raises(Conflict) as exc:
        services.start_bargain(initiator, campaign.pk)
    assert (exc.value.code, exc.value.fields) == ("bargain_active", {"bargain": first.pk})
    with time_machine.travel(first.deadline + timedelta(minutes=1)):
        services.start_bargain(initiator, campaign.pk)
    with time_machine.travel(first.deadline + timedelta(hours=2)):
        with pytest.raises(Conflict) as exc:
            services.start_bargain(initiator, campaign.pk)
    assert exc.value.code == "initiation_limit"
    assert Bargain.objects.filter(initiator=initiator).count() == 2


def test_stock_of_bargains_caps_starts(shop):
    campaign = make_campaign(shop, stock=2)
    services.start_bargain(UserFactory(), campaign.pk)
    services.start_bargain(UserFactory(), campaign.pk)
    with pytest.raises(Conflict) as exc:
        services.start_bargain(UserFactory(), campaign.pk)
    assert exc.value.code == "bargain_sold_out"
    campaign.refresh_from_db()
    assert campaign.started == 2


def test_helper_daily_limit(shop):
    campaign = make_campaign(shop, helper_daily_limit=2, hours=48)
    bargains = [services.start_bargain(UserFactory(), campaign.pk) for _ in range(3)]
    friend = UserFactory()
    services.help_bargain(friend, bargains[0].pk)
    services.help_bargain(friend, bargains[1].pk)
    with pytest.raises(services.RateLimited) as exc:
        services.help_bargain(friend, bargains[2].pk)
    assert (exc.value.code, exc.value.status) == ("help_limit", 429)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        services.help_bargain(friend, bargains[2].pk)
    assert BargainHelp.objects.filter(helper=friend).count() == 3


def test_new_user_rule(shop):
    campaign = make_campaign(shop, new_user_days=7, new_user_weight="3.00")
    fresh = UserFactory()
    old = UserFactory(date_joined=timezone.now() - timedelta(days=30))
    assert services.is_new_user(campaign, fresh) is True
    assert services.is_new_user(campaign, old) is False
    bargain = services.start_bargain(UserFactory(date_joined=timezone.now() - timedelta(days=30)), campaign.pk)
    assert services.help_bargain(fresh, bargain.pk).new_user is True
    assert services.help_bargain(old, bargain.pk).new_user is False


def test_paused_or_draft_campaign_refuses(shop, initiator):
    draft = services.save_campaign(shop["staff"], shop["brand"], campaign_data(shop))
    with pytest.raises(NotFound):
        services.start_bargain(initiator, draft.pk)
    campaign = make_campaign(shop)
    bargain = services.start_bargain(initiator, campaign.pk)
    services.move_campaign(shop["staff"], campaign, "pause")
    with pytest.raises(Conflict) as exc:
        services.help_bargain(UserFactory(), bargain.pk)
    assert exc.value.code == "campaign_paused"


@pytest.mark.parametrize(("override", "field"), [
    ({"floor_price": "100.00"}, "floor_price"),
    ({"floor_price": "-1"}, "floor_price"),
    ({"helps_needed": 0}, "helps_needed"),
    ({"floor_price": "99.98", "helps_needed": 3}, "helps_needed"),
    ({"buy_rule": "sometimes"}, "buy_rule"),
    ({"new_user_weight": "0.50"}, "new_user_weight"),
    ({"sku_id": 10**6}, "sku_id"),
    ({"hours": 0}, "hours"),
    ({"title": ""}, "title"),
])
def test_bad_campaign_settings_are_422_and_write_nothing(shop, override, field):
    from tribe.bargain.models import BargainCampaign

    with pytest.raises(ValidationFailed) as exc:
        services.save_campaign(shop["staff"], shop["brand"], campaign_data(shop, **override))
    assert field in exc.value.fields
    assert BargainCampaign.objects.count() == 0


def test_another_brands_sku_and_staff_are_refused(shop):
    other = UserFactory()
    with pytest.raises(PermissionDenied):
        services.save_campaign(other, shop["brand"], campaign_data(shop))


def test_a_help_that_lands_during_a_buy_refuses_the_stale_price(shop, initiator):
    campaign = make_campaign(shop, buy_rule="any")
    bargain = services.start_bargain(initiator, campaign.pk)
    services.help_bargain(UserFactory(), bargain.pk)
    from tribe.bargain import services as svc

    original = svc.place_direct_order

    def sneaky(*args, **kwargs):
        services.help_bargain(UserFactory(), bargain.pk)  # a friend helps between the check and the order
        return original(*args, **kwargs)

    svc.place_direct_order = sneaky
    try:
        with pytest.raises(Conflict) as exc:
            services.buy_bargain(initiator, bargain.pk, address=ADDRESS, idempotency_key="bargain-stale")
    finally:
        svc.place_direct_order = original
    assert exc.value.code == "price_changed"
    assert Order.objects.count() == 0
    bargain.refresh_from_db()
    assert bargain.state == St.OPEN


def test_events_carry_the_campaign_code(campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    _help_all(bargain, helpers(5))
    services.buy_bargain(initiator, bargain.pk, address=ADDRESS, idempotency_key="bargain-ev-1")
    names = list(Event.objects.filter(props__campaign=campaign.code).order_by("id").values_list("name", flat=True))
    assert "order_placed" in names  # the orders core tags the order with the campaign code too
    names.remove("order_placed")
    assert names == (["campaign_create", "campaign_start", "bargain_start"] + ["bargain_help"] * 5
                     + ["bargain_reached", "bargain_buy"])


def test_helps_from_one_network_are_rate_limited(shop, monkeypatch):
    from django.core.cache import cache
    from django.test import RequestFactory

    cache.clear()
    monkeypatch.setattr(services, "IP_HELPS_PER_MINUTE", 2)
    campaign = make_campaign(shop, helps_needed=5)
    bargain = services.start_bargain(UserFactory(), campaign.pk)
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.9")
    for friend in helpers(2):
        request.user = friend
        services.help_bargain(friend, bargain.pk, request=request)
    request.user = UserFactory()
    with pytest.raises(services.RateLimited) as exc:
        services.help_bargain(request.user, bargain.pk, request=request)
    assert (exc.value.code, exc.value.status) == ("rate_limited", 429)
    assert BargainHelp.objects.filter(bargain=bargain).count() == 2


def test_editing_a_campaign_keeps_running_bargains_on_their_terms(shop, campaign, initiator):
    bargain = services.start_bargain(initiator, campaign.pk)
    services.save_campaign(shop["staff"], shop["brand"], campaign_data(shop, floor_price="50.00", helps_needed=2),
                           campaign=campaign)
    for friend in helpers(5):
        services.help_bargain(friend, bargain.pk)
    bargain.refresh_from_db()
    assert (bargain.floor_price, bargain.helps_needed, bargain.current_price) == (Decimal("10.00"), 5,
                                                                                 Decimal("10.00"))
    fresh = services.start_bargain(UserFactory(), campaign.pk)
    assert (fresh.floor_price, fresh.helps_needed) == (Decimal("50.00"), 2)


def test_the_sku_is_locked_once_bargains_started(shop, campaign, initiator):
    from tests.factories import ProductFactory

    other = ProductFactory(store=shop["product"].store, skus=[{"price": Decimal("80.00"), "stock": 5}])
    services.start_bargain(initiator, campaign.pk)
    with pytest.raises(Conflict) as exc:
        services.save_campaign(shop["staff"], shop["brand"], campaign_data(shop, sku_id=other.skus.first().pk),
                               campaign=campaign)
    assert exc.value.code == "sku_locked"
