from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from tests.groupbuy.conftest import join, make_deal, open_, pay
from tribe.aftersales.services import approve_refund, request_refund
from tribe.core.errors import Conflict, DomainError
from tribe.groupbuy import groups
from tribe.groupbuy.models import Group, GroupBuyUsage, GroupMember
from tribe.inventory.models import Reservation
from tribe.orders.models import Order
from tribe.orders.shipping import ship
from tribe.payments.models import Refund

pytestmark = pytest.mark.django_db

S = Order.Status


def _group(order):
    return GroupMember.objects.get(order=order).group


def test_open_join_and_complete_when_every_seat_is_paid(shop, deal, users):
    a, b, c = users[:3]
    order_a = open_(a, deal)
    group = _group(order_a)
    assert (group.state, group.seats_taken, group.size, group.leader) == ("open", 1, 3, a)
    assert order_a.total == Decimal("68.00")  # 60.00 group price + 8.00 shipping
    assert order_a.lines.get().adjustments.get().code == deal.code

    order_b, order_c = join(b, group), join(c, group, key="join-0002")
    group.refresh_from_db()
    assert group.seats_taken == 3 and group.state == "open"  # full, but not paid: not complete
    pay(a, order_a)
    pay(b, order_b)
    group.refresh_from_db()
    assert group.state == "open"
    pay(c, order_c)
    group.refresh_from_db()
    assert group.state == "complete" and group.completed_at is not None
    assert list(group.members.values_list("state", flat=True)) == ["paid", "paid", "paid"]


def test_a_full_group_refuses_the_next_joiner_with_group_full_and_writes_nothing(shop, deal, users):
    group = _group(open_(users[0], deal))
    join(users[1], group)
    join(users[2], group)
    orders_before, reservations_before = Order.objects.count(), Reservation.objects.count()
    with pytest.raises(Conflict) as err:
        join(users[3], group)
    assert err.value.code == "group_full" and err.value.status == 409
    assert err.value.fields["deal_id"] == deal.pk
    assert Order.objects.count() == orders_before and Reservation.objects.count() == reservations_before
    assert not GroupBuyUsage.objects.filter(user=users[3], used__gt=0).exists()


def test_joining_an_expired_group_is_409_and_the_group_fails(shop, deal, users):
    group = _group(open_(users[0], deal))
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        with pytest.raises(Conflict) as err:
            join(users[1], group)
    assert err.value.code == "group_expired"
    group.refresh_from_db()
    assert group.state == "failed" and group.fail_reason == "deadline"
    assert Order.objects.filter(user=users[1]).count() == 0


def test_deadline_failure_refunds_every_paid_member_and_cancels_the_unpaid(shop, deal, users):
    a, b, c = users[:3]
    order_a = open_(a, deal)
    group = _group(order_a)
    order_b, order_c = join(b, group), join(c, group, key="join-0002")
    pay(a, order_a)
    pay(b, order_b)  # c never pays
    later = timezone.now() + timedelta(hours=24, minutes=1)
    with time_machine.travel(later):
        done = groups.expire_groups()
    assert done == {"failed": 1, "cancelled": 1, "refunded": 2}
    group.refresh_from_db()
    assert group.state == "failed"
    for order in (order_a, order_b):
        order.refresh_from_db()
        assert order.status == S.CLOSED and order.refunded_total == order.paid_total == Decimal("68.00")
        assert Refund.objects.filter(payment__order=order, status="succeeded").exists()
    order_c.refresh_from_db()
    assert order_c.status == S.CANCELLED
    states = dict(group.members.values_list("user_id", "state"))
    assert states == {a.pk: "refunded", b.pk: "refunded", c.pk: "left"}
    with time_machine.travel(later):
        assert groups.expire_groups() == {"failed": 0, "cancelled": 0, "refunded": 0}  # idempotent


def test_member_refund_before_completion_frees_the_seat(shop, deal, users):
    a, b, c = users[:3]
    group = _group(open_(a, deal))
    order_b = join(b, group)
    pay(b, order_b)
    req = request_refund(b, order_b.lines.get().pk, kind="refund_only", quantity=1, reason="不想拼了")
    approve_refund(shop["staff"], req.pk)
    group.refresh_from_db()
    assert group.seats_taken == 1 and group.state == "open"
    assert GroupMember.objects.get(order=order_b).state == "refunded"
    join(c, group)  # the freed seat is taken by someone else
    join(b, group, key="join-again")  # and b may come back (a new live membership)
    group.refresh_from_db()
    assert group.seats_taken == 3


def test_refund_after_completion_does_not_reopen_the_group(shop, users):
    deal = make_deal(shop, size=2)
    a, b = users[:2]
    order_a = open_(a, deal)
    group = _group(order_a)
    order_b = join(b, group)
    pay(a, order_a)
    pay(b, order_b)
    req = request_refund(b, order_b.lines.get().pk, kind="refund_only", quantity=1, reason="不要了")
    approve_refund(shop["staff"], req.pk)
    group.refresh_from_db()
    assert group.state == "complete" and group.seats_taken == 2


def test_shipping_is_held_until_the_group_is_complete(shop, users):
    deal = make_deal(shop, size=2)
    a, b = users[:2]
    order_a = open_(a, deal)
    pay(a, order_a)
    so = order_a.store_orders.get()
    with pytest.raises(Conflict) as err:
        ship(shop["staff"], so.pk, carrier="顺丰", tracking_number="SF1000000001")
    assert err.value.code == "shipping_on_hold"
    pay(b, join(b, _group(order_a)))
    ship(shop["staff"], so.pk, carrier="顺丰", tracking_number="SF1000000001")
    order_a.refresh_from_db()
    assert order_a.status == S.SHIPPED


def test_an_unpaid_order_expiring_frees_its_seat(shop, deal, users):
    from tribe.orders.services import run_due

    order_a = open_(users[0], deal)
    pay(users[0], order_a)
    group = _group(order_a)
    order_b = join(users[1], group)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        run_due()
    order_b.refresh_from_db()
    group.refresh_from_db()
    assert order_b.status == S.EXPIRED and group.seats_taken == 1
    assert GroupMember.objects.get(order=order_b).state == "left"


def test_per_user_limit_across_the_deal(shop, users):
    deal = make_deal(shop, limit=1)
    a, b = users[:2]
    group = _group(open_(a, deal))
    with pytest.raises(Conflict) as err:
        open_(a, deal, key="open-0002")
    assert err.value.code == "groupbuy_limit_reached"
    other = _group(open_(b, deal))
    with pytest.raises(Conflict) as err:
        join(a, other)
    assert err.value.code == "groupbuy_limit_reached"
    with pytest.raises(Conflict) as err:
        join(a, group, key="join-self")
    assert err.value.code == "already_joined"


def test_the_leader_price_is_charged_to_the_opener_only(shop, users):
    deal = make_deal(shop, leader="50.00")
    order_a = open_(users[0], deal)
    order_b = join(users[1], _group(order_a))
    assert order_a.lines.get().paid_amount == Decimal("50.00")
    assert order_b.lines.get().paid_amount == Decimal("60.00")


def test_a_repeated_request_returns_the_first_order(shop, deal, users):
    first = open_(users[0], deal)
    again = open_(users[0], deal)
    assert again.pk == first.pk and again.replayed
    assert Group.objects.count() == 1
    order_b = join(users[1], _group(first))
    assert join(users[1], _group(first)).pk == order_b.pk


def test_joining_a_paused_campaign_is_refused(shop, deal, users):
    from tribe.groupbuy.services import move_deal

    group = _group(open_(users[0], deal))
    move_deal(shop["staff"], deal, "pause")
    with pytest.raises(DomainError) as err:
        join(users[1], group)
    assert err.value.code == "campaign_paused"


def test_ending_the_deal_fails_open_groups_and_refunds_paid_members(shop, deal, users):
    from tribe.groupbuy.services import move_deal

    order_a = open_(users[0], deal)
    pay(users[0], order_a)
    move_deal(shop["staff"], deal, "end")
    order_a.refresh_from_db()
    assert _group(order_a).state == "failed" and order_a.status == S.CLOSED


def test_when_every_seat_holder_leaves_unpaid_the_group_is_over(shop, deal, users):
    from tribe.orders.services import cancel_order

    order_a = open_(users[0], deal)
    cancel_order(users[0], order_a.pk)
    group = _group(order_a)
    assert (group.state, group.fail_reason, group.seats_taken) == ("failed", "empty", 0)


def test_events_carry_the_campaign_code(shop, users):
    from tribe.core.models import Event

    deal = make_deal(shop, size=2)
    a, b, c = users[:3]
    order_a = open_(a, deal)
    group = _group(order_a)
    pay(a, order_a)
    pay(b, join(b, group))
    lonely = _group(open_(c, deal, key="open-0002"))
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        groups.expire_groups()
    rows = Event.objects.filter(name__startswith="group_").order_by("id")
    assert [(e.name, e.props["group"]) for e in rows] == [
        ("group_open", group.pk), ("group_join", group.pk), ("group_complete", group.pk),
        ("group_open", lonely.pk), ("group_fail", lonely.pk)]
    assert {e.props["campaign"] for e in rows} == {deal.code} and {e.brand_id for e in rows} == {shop["brand"].pk}


def test_a_payment_after_the_deadline_does_not_complete_the_group_and_is_refunded(
        shop, users, django_capture_on_commit_callbacks):
    deal = make_deal(shop, size=2, hours=1)
    a, b = users[:2]
    order_a = open_(a, deal)
    pay(a, order_a)
    group = _group(order_a)
    with time_machine.travel(timezone.now() + timedelta(minutes=58)):
        order_b = join(b, group)
    with time_machine.travel(timezone.now() + timedelta(minutes=62)):  # b's order is still payable
        with django_capture_on_commit_callbacks(execute=True):
            pay(b, order_b)
    group.refresh_from_db()
    assert group.state == "failed"
    for order in (order_a, order_b):
        order.refresh_from_db()
        assert order.status == S.CLOSED and order.refunded_total == order.paid_total
