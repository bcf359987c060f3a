"""拼团 groups: open, join, complete, fail — and the receivers that keep seats in step with orders.

Seats. `Group.seats_taken` counts reserved (unpaid) and paid members. A seat is taken by a guarded UPDATE
(`WHERE state='open' AND deadline > now AND seats_taken < size`) inside the order's own transaction
(place_direct_order's `before_commit`): of any number of concurrent joiners exactly `size - seats_taken` get a
row back; the others raise `group_full`, which rolls back their whole order (stock reservation included), so a
refused joiner leaves nothing behind. A seat is given back when its unpaid order is cancelled or expires, or
when a paid member is fully refunded before the group completes.

Completion. A group completes when its PAID member rows number `size`, before its deadline. The receiver of
order_paid takes the group's row lock first: two last members paying at once are serialised, so the second
one counts the first and completes the group (without the lock each would count size - 1 and nobody would).

Failure. At its deadline an unfilled group fails (the periodic `expire_groups`, and a check whenever the group
is opened): unpaid orders are cancelled and every paid member is refunded with aftersales.refund_order, which
is idempotent, so the settle step can simply run again after an interruption.

Lock order everywhere: the order row (orders core), then stock, then the group row — no deadlocks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tribe.campaigns.services import play_event, require_live
from tribe.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from tribe.orders.checkout import CampaignPrice, place_direct_order
from tribe.orders.models import Order

from .models import Group, GroupBuy, GroupBuySku, GroupBuyUsage, GroupMember

G = Group.State
M = GroupMember.State
MAX_ID = 2**63 - 1


class GroupFull(Conflict):
    code = "group_full"


def group_full(group: Group) -> GroupFull:
    return GroupFull(_("这个团已经满员了，你可以自己开一个新团，邀请好友来拼。"),
                     fields={"group": "full", "deal_id": group.deal_id})


def group_expired(group: Group) -> Conflict:
    return Conflict(_("这个团已过期未成团，你可以自己开一个新团。"), code="group_expired",
                    fields={"group": "expired", "deal_id": group.deal_id})


# ---- buying -------------------------------------------------------------------------------------------------


def _deal_sku(deal: GroupBuy, sku_id) -> GroupBuySku:
    try:
        sku_id = None if sku_id in (None, "") else int(sku_id)
    except (TypeError, ValueError):
        sku_id = -1
    if sku_id is None:
        gsku = GroupBuySku.objects.filter(deal=deal).order_by("id").first()
    else:
        gsku = GroupBuySku.objects.filter(deal=deal, sku_id=sku_id).first() if 0 < sku_id <= MAX_ID else None
    if gsku is None:
        raise ValidationFailed("sku_id: not a SKU of this group buy", fields={"sku_id": "unknown"})
    return gsku


def _take_usage(deal: GroupBuy, user) -> None:
    """One more seat for `user` in `deal`, within per_user_limit (guarded counter; the row is created once)."""
    GroupBuyUsage.objects.get_or_create(deal=deal, user=user)
    taken = GroupBuyUsage.objects.filter(deal=deal, user=user, used__lt=deal.per_user_limit).update(
        used=F("used") + 1)
    if taken != 1:
        raise Conflict(_("每人限拼 %(n)s 份，你已经达到上限了。") % {"n": deal.per_user_limit},
                       code="groupbuy_limit_reached", fields={"per_user_limit": deal.per_user_limit})


def _give_usage(deal_id: int, user_id: int) -> None:
    GroupBuyUsage.objects.filter(deal_id=deal_id, user_id=user_id, used__gt=0).update(used=F("used") - 1)


def _replayed(user, key, deal: GroupBuy, group_id: int | None = None) -> Order | None:
    """A repeated request (same idempotency key) gets the order it created; a key used for some other order is
    refused rather than answered with an unrelated order."""
    if not isinstance(key, str):
        return None
    order = Order.objects.filter(user=user, idempotency_key=key).first()
    if order is None:
        return None
    member = GroupMember.objects.filter(order=order, group__deal=deal).first()
    ours = member is not None and (member.group_id == group_id if group_id is not None else member.is_leader)
    if not ours:
        raise Conflict("idempotency_key was already used for another order", code="idempotency_key_reused",
                       fields={"idempotency_key": "used"})
    order.replayed = True
    return order


def get_live_deal(deal_id: int) -> GroupBuy:
    deal = GroupBuy.objects.select_related("product").filter(pk=deal_id).first() if 0 < deal_id <= MAX_ID else None
    if deal is None:
        raise NotFound("no such group buy", fields={"deal_id": "unknown"})
    return deal


def open_group(user, deal_id: int, *, sku_id: int | None = None, address: dict | None = None,
               address_id: int | None = None, idempotency_key: str, request=None) -> Order:
    """Open a group as its leader: an order at the leader's (or group) price holding seat 1 of a new group."""
    deal = get_live_deal(deal_id)
    replay = _replayed(user, idempotency_key, deal)
    if replay is not None:
        return replay
    require_live(deal)
    gsku = _deal_sku(deal, sku_id)
    created: dict = {}

    def before_commit(order: Order) -> None:
        _take_usage(deal, user)
        now = timezone.now()
        group = Group.objects.create(deal=deal, leader=user, size=deal.group_size, seats_taken=1, created_at=now,
                                     deadline=min(now + timedelta(hours=deal.hours), deal.ends_at))
        GroupMember.objects.create(group=group, user=user, order=order, sku_id=gsku.sku_id, is_leader=True,
                                   joined_at=now)
        created["group"] = group

    label = _("团长价") if gsku.leader_price is not None else _("拼团价")
    order = place_direct_order(user, gsku.sku_id, 1, address=address, address_id=address_id,
                               idempotency_key=idempotency_key, request=request, before_commit=before_commit,
                               campaign=CampaignPrice(deal.code, label, gsku.price_for(leader=True)))
    if "group" in created and not order.replayed:
        group = created["group"]
        play_event("group_open", request, deal, actor=user, obj=group,
                   props={"group": group.pk, "order": order.number, "size": group.size})
    return order


def join_group(user, group_id: int, *, sku_id: int | None = None, address: dict | None = None,
               address_id: int | None = None, idempotency_key: str, request=None) -> Order:
    """Take a seat in someone's group: an order at the group price. 409 group_full when the last seat went to
    someone else (nothing is written then), group_expired past the deadline, already_joined for a member."""
    group = get_group(group_id)
    deal = group.deal
    replay = _replayed(user, idempotency_key, deal, group.pk)
    if replay is not None:
        return replay
    if group.state == G.FAILED:
        raise group_expired(group)
    if group.state == G.COMPLETE or group.seats_left == 0:
        raise group_full(group)
    if GroupMember.objects.filter(group=group, user=user, state__in=GroupMember.ACTIVE).exists():
        raise Conflict(_("你已经在这个团里了，分享给好友一起拼吧。"), code="already_joined",
                       fields={"group": "member"})
    require_live(deal)
    gsku = _deal_sku(deal, sku_id)

    def before_commit(order: Order) -> None:
        now = timezone.now()
        taken = Group.objects.filter(pk=group.pk, state=G.OPEN, deadline__gt=now,
                                     seats_taken__lt=F("size")).update(seats_taken=F("seats_taken") + 1)
        if taken != 1:
            fresh = Group.objects.get(pk=group.pk)
            if fresh.state == G.FAILED or fresh.deadline <= now:
                raise group_expired(fresh)
            raise group_full(fresh)
        # under the group's row lock now: a twin request of the same user waits here and sees this row
        if GroupMember.objects.filter(group=group, user=user, state__in=GroupMember.ACTIVE).exists():
            raise Conflict(_("你已经在这个团里了。"), code="already_joined", fields={"group": "member"})
        _take_usage(deal, user)
        GroupMember.objects.create(group=group, user=user, order=order, sku_id=gsku.sku_id, joined_at=now)

    order = place_direct_order(user, gsku.sku_id, 1, address=address, address_id=address_id,
                               idempotency_key=idempotency_key, request=request, before_commit=before_commit,
                               campaign=CampaignPrice(deal.code, _("拼团价"), gsku.price))
    if not order.replayed:
        play_event("group_join", request, deal, actor=user, obj=group,
                   props={"group": group.pk, "order": order.number})
    return order


def get_group(group_id: int) -> Group:
    """The group (with its deal), failed first if its deadline has passed: the check on access."""
    group = (Group.objects.select_related("deal", "deal__product").filter(pk=group_id).first()
             if 0 < group_id <= MAX_ID else None)
    if group is None:
        raise NotFound("no such group", fields={"group_id": "unknown"})
    if group.is_expired():
        expire_group(group.pk)
        group.refresh_from_db()
    return group


# ---- order receivers (inside the order's transaction) ---------------------------------------------------------


def _lock_group(group_id: int) -> Group:
    return Group.objects.select_for_update().select_related("deal").get(pk=group_id)


def _fail_if_empty(group: Group, now: datetime) -> None:
    """A group nobody holds a seat in any more is over (nothing was paid, so nothing to refund)."""
    if group.state == G.OPEN and not GroupMember.objects.filter(group=group, state__in=GroupMember.ACTIVE).exists():
        if Group.objects.filter(pk=group.pk, state=G.OPEN).update(state=G.FAILED, failed_at=now, fail_reason="empty"):
            play_event("group_fail", None, group.deal, obj=group, props={"group": group.pk, "reason": "empty"})


def on_order_paid(sender=None, order=None, **kwargs) -> None:
    member = GroupMember.objects.filter(order_id=order.pk).first()
    if member is None:
        return
    group = _lock_group(member.group_id)
    now = timezone.now()
    GroupMember.objects.filter(pk=member.pk, state=M.RESERVED).update(state=M.PAID, paid_at=now)
    if group.state == G.OPEN and group.deadline > now:
        paid = GroupMember.objects.filter(group=group, state=M.PAID).count()
        if paid >= group.size and Group.objects.filter(pk=group.pk, state=G.OPEN).update(
                state=G.COMPLETE, completed_at=now):
            play_event("group_complete", None, group.deal, obj=group,
                       props={"group": group.pk, "members": paid})
    elif group.state != G.COMPLETE:
        # paid into a group that failed (or is past its deadline): refund it once this payment is committed
        gid = group.pk
        transaction.on_commit(lambda: expire_group(gid))


def on_order_cancelled(sender=None, order=None, reason="", **kwargs) -> None:
    member = GroupMember.objects.filter(order_id=order.pk, state=M.RESERVED).first()
    if member is None:
        return
    group = _lock_group(member.group_id)
    now = timezone.now()
    if not GroupMember.objects.filter(pk=member.pk, state=M.RESERVED).update(state=M.LEFT, left_at=now):
        return
    _give_usage(group.deal_id, member.user_id)
    if group.state == G.OPEN:
        Group.objects.filter(pk=group.pk, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)
        _fail_if_empty(group, now)


def on_line_refunded(sender=None, line=None, amount=None, **kwargs) -> None:
    """A paid member fully refunded before completion gives the seat back; after completion the group stays
    complete (it did form) and the refund is only the order's business."""
    member = GroupMember.objects.filter(order_id=line.order_id, state=M.PAID).first()
    if member is None or (line.refunded_amount < line.paid_amount and line.refunded_quantity < line.quantity):
        return
    group = _lock_group(member.group_id)
    if group.state == G.COMPLETE:
        return
    now = timezone.now()
    if not GroupMember.objects.filter(pk=member.pk, state=M.PAID).update(state=M.REFUNDED, left_at=now):
        return
    _give_usage(group.deal_id, member.user_id)
    if group.state == G.OPEN:
        Group.objects.filter(pk=group.pk, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)
        _fail_if_empty(group, now)


def ship_hold(order_ids: list[int]) -> dict[int, str]:
    """Paid 拼团 orders wait until their group is complete (one query)."""
    waiting = (GroupMember.objects.filter(order_id__in=order_ids).exclude(group__state=G.COMPLETE)
               .values_list("order_id", flat=True))
    return {oid: _("拼团未成团，成团后发货") for oid in waiting}


# ---- deadlines ----------------------------------------------------------------------------------------------


def expire_group(group_id: int, now: datetime | None = None, *, settle: bool = True) -> bool:
    """Fail the group if it is open past its deadline, then settle it. True if it failed now."""
    now = now or timezone.now()
    with transaction.atomic():
        failed = Group.objects.filter(pk=group_id, state=G.OPEN, deadline__lte=now).update(
            state=G.FAILED, failed_at=now, fail_reason="deadline")
        if failed:
            group = Group.objects.select_related("deal").get(pk=group_id)
            play_event("group_fail", None, group.deal, obj=group, props={"group": group_id, "reason": "deadline"})
    if settle:
        settle_failed_group(group_id)
    return bool(failed)


def fail_open_groups_of(deal: GroupBuy) -> int:
    """on_end of a deal (inside its transaction): every open group fails now; settle_failed_groups refunds."""
    now = timezone.now()
    ids = list(Group.objects.filter(deal=deal, state=G.OPEN).values_list("pk", flat=True))
    Group.objects.filter(pk__in=ids, state=G.OPEN).update(state=G.FAILED, failed_at=now, fail_reason="ended")
    for gid in ids:
        play_event("group_fail", None, deal, obj=None, props={"group": gid, "reason": "ended"})
    return len(ids)


def settle_failed_group(group_id: int) -> dict[str, int]:
    """A failed group's members get their money back: unpaid orders are cancelled, paid ones refunded in full
    (refund_order is idempotent; a refund the provider has not confirmed yet is retried by aftersales)."""
    from tribe.aftersales.services import refund_order
    from tribe.orders.services import cancel_order

    done = {"cancelled": 0, "refunded": 0}
    if not Group.objects.filter(pk=group_id, state=G.FAILED).exists():
        return done
    for member in GroupMember.objects.filter(group_id=group_id, state=M.RESERVED).select_related("order__user"):
        try:
            cancel_order(member.order.user, member.order_id, reason=_("拼团未成团，订单已取消"))
            done["cancelled"] += 1
        except DomainError:
            pass  # paid or expired meanwhile: the refund below or order_cancelled took care of it
    for order_id in GroupMember.objects.filter(group_id=group_id, state=M.PAID).values_list("order_id", flat=True):
        if refund_order(order_id, reason=_("拼团未成团，自动退款")):
            done["refunded"] += 1
    return done


def settle_failed_groups(*, deal_id: int | None = None) -> dict[str, int]:
    qs = GroupMember.objects.filter(group__state=G.FAILED, state__in=GroupMember.ACTIVE)
    if deal_id is not None:
        qs = qs.filter(group__deal_id=deal_id)
    done = {"cancelled": 0, "refunded": 0}
    for gid in sorted(set(qs.values_list("group_id", flat=True))):
        for key, n in settle_failed_group(gid).items():
            done[key] += n
    return done


def expire_groups(now: datetime | None = None) -> dict[str, int]:
    """The periodic job: fail every open group past its deadline and settle every failed group that still has
    live members (so an interrupted run is finished by the next one)."""
    now = now or timezone.now()
    failed = 0
    for gid in Group.objects.filter(state=G.OPEN, deadline__lte=now).values_list("pk", flat=True):
        if expire_group(gid, now, settle=False):
            failed += 1
    return {"failed": failed, **settle_failed_groups()}
