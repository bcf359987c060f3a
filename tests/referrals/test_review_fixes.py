"""Regressions from the money review: friend-deal uses are reserved at order placement (never given more often
than allowed), a held reward's approval respects the cap, a refunded first order still counts as the first
purchase, and commission stays frozen while a refund request on its line is open."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import UserFactory
from tests.orders.conftest import checkout, pay, sku_of
from tribe.aftersales.services import approve_refund, request_refund
from tribe.core.errors import Conflict
from tribe.orders.models import Order
from tribe.orders.services import cancel_order
from tribe.referrals import services
from tribe.referrals.models import FriendDeal, FriendDealUse, Referral, Reward, Sighting

pytestmark = pytest.mark.django_db


def _owner_deal(shop, owner, max_uses="1"):
    services.save_friend_deal_policy(shop["staff_a"], shop["a"].brand, enabled=True, percent="0.10", hours="48",
                                     max_uses=max_uses, reward_points="30")
    pay(owner, checkout(owner, [(sku_of(shop["a"]), 1)], key="order-owner"))
    return FriendDeal.objects.get()


def test_friend_deal_uses_are_reserved_at_placement(shop, buyer):
    deal = _owner_deal(shop, UserFactory())
    first = checkout(buyer, [(sku_of(shop["a"]), 1)], key="order-first", options={"friend_deal": deal.code})
    assert first.lines.get().discount == Decimal("6.00") and FriendDealUse.objects.count() == 1
    # the only use is taken: another friend's order is priced without it; the same friend cannot take it twice
    other = checkout(UserFactory(), [(sku_of(shop["a"]), 1)], key="order-other", options={"friend_deal": deal.code})
    assert other.lines.get().discount == 0
    again = checkout(buyer, [(sku_of(shop["a"]), 1)], key="order-again", options={"friend_deal": deal.code})
    assert again.lines.get().discount == 0
    assert FriendDealUse.objects.count() == 1
    # cancelling the unpaid order gives the use back
    cancel_order(buyer, first.pk)
    late = UserFactory()
    priced = checkout(late, [(sku_of(shop["a"]), 1)], key="order-late", options={"friend_deal": deal.code})
    assert priced.lines.get().discount == Decimal("6.00")
    assert FriendDealUse.objects.exclude(order__status="cancelled").get().buyer == late


def test_a_use_taken_between_quote_and_placement_refuses_the_order(shop, buyer, monkeypatch):
    from tribe.referrals import deals

    deal = _owner_deal(shop, UserFactory())
    checkout(UserFactory(), [(sku_of(shop["a"]), 1)], key="order-taker", options={"friend_deal": deal.code})
    # a stale quote still thinks the deal applies: placement re-checks under the deal's lock
    monkeypatch.setattr(deals, "adjuster", deals.adjuster)
    from tribe.orders.pricing import Adjustment, register_adjuster

    line_price = Decimal("6.00")
    register_adjuster("friend_deal", lambda ctx: [Adjustment(deals.PREFIX + deal.code, "stale", line_price,
                                                             [ctx.lines[0].key])], priority=50)
    try:
        before = Order.objects.count()
        with pytest.raises(Conflict) as refused:
            checkout(buyer, [(sku_of(shop["a"]), 1)], key="order-stale", options={"friend_deal": deal.code})
        assert refused.value.code == "friend_deal_unavailable" and Order.objects.count() == before
    finally:
        register_adjuster("friend_deal", deals.adjuster, priority=50)


def test_approving_a_held_reward_respects_the_cap(shop, settings):
    settings.REFERRAL_REWARD_CAP = 1
    inviter = UserFactory()
    Sighting.objects.create(user=inviter, ip="10.5.5.5", fingerprint="dev")
    people = [UserFactory() for _ in range(2)]
    for i, person in enumerate(people):
        Referral.objects.create(inviter=inviter, invitee=person, ip="10.5.5.5", fingerprint="dev")
        order = checkout(person, [(sku_of(shop["a"]), 1)], key=f"order-held{i}")
        Order.objects.filter(pk=order.pk).update(ship_phone=f"1380000000{i}", ship_detail=f"路 {i}")
        pay(person, order)
    held = list(Reward.objects.filter(state="held").order_by("id"))
    assert len(held) == 2
    assert services.decide(shop["staff_a"], held[0].pk, approve=True).state == "granted"
    second = services.decide(shop["staff_a"], held[1].pk, approve=True)
    assert second.state == "capped" and second.amount == 0


def test_a_refunded_first_order_still_was_the_first_purchase(shop, buyer):
    first = checkout(buyer, [(sku_of(shop["a"]), 1)], key="order-one")
    pay(buyer, first)
    line = first.lines.get()
    approve_refund(shop["staff_a"], request_refund(buyer, line.pk, kind="refund_only", quantity=1, reason="不要了").pk)
    first.refresh_from_db()
    assert first.status == Order.Status.CLOSED
    sharer = UserFactory()
    second = checkout(buyer, [(sku_of(shop["a"]), 1)], key="order-two")
    Order.objects.filter(pk=second.pk).update(sharer_id=sharer.pk)
    pay(buyer, second)
    assert not Reward.objects.filter(kind="share").exists()
