"""Writes to the commission ledger: the order lifecycle (accrue, freeze, release, reverse) and payouts.

Locking: every write first takes the affected Promoter rows with `select_for_update()` in primary-key order,
then reads the entries it bases its decision on. Two payout requests of one promoter (or a refund racing a
payout) therefore run one after the other and the second sees the first's entries: nobody can withdraw the
same yuan twice, and receivers called twice for one order add nothing the second time (idempotent).

Each LineAttribution's money moves as a unit: ACCRUE puts its commission in `pending`, FREEZE moves what is
left of it to `frozen` (until received + after-sales days), RELEASE moves it to `available`. A refund reverses
from the bucket the attribution's money is in at that moment; once released that is `available`, which may go
negative (a debt) if the promoter already withdrew: the debt is kept, never capped, and later releases repay it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_UP, Decimal

from django.db import transaction
from django.utils import timezone

from tribe.brands.selectors import require_brand_staff
from tribe.core.errors import Conflict, NotFound, ValidationFailed
from tribe.core.events import record_event
from tribe.core.money import FEN, to_money
from tribe.core.text import clean_text
from tribe.distribution.models import LineAttribution, Promoter, PromoterProgram

from .models import BUCKETS, ZERO, LedgerEntry, Payout
from .selectors import balance, min_withdrawal

K = LedgerEntry.Kind
RELEASE_BATCH = 500


def after_sales_days() -> int:
    from tribe.orders.services import after_sales_days as days

    return days()


# ---- per-attribution state ----------------------------------------------------------------------------------


@dataclass
class AttributionState:
    """What the ledger says about one attribution: where its money is and how much was reversed."""

    stage: str = "none"  # none → pending → frozen → available
    reward_kind: str = "cash"
    net: dict = field(default_factory=lambda: {b: ZERO for b in BUCKETS})
    reversed: Decimal = ZERO
    refunded: Decimal = ZERO

    @property
    def bucket(self) -> str:
        return self.stage if self.stage != "none" else "pending"


STAGE_OF = {K.ACCRUE: "pending", K.FREEZE: "frozen", K.RELEASE: "available"}
STAGE_RANK = {"none": 0, "pending": 1, "frozen": 2, "available": 3}


def attribution_states(attribution_ids) -> dict[int, AttributionState]:
    states: dict[int, AttributionState] = {}
    rows = LedgerEntry.objects.filter(attribution_id__in=list(attribution_ids)).values_list(
        "attribution_id", "kind", "reward_kind", "refund_amount", *[f"d_{b}" for b in BUCKETS])
    for att_id, kind, reward_kind, refund_amount, *deltas in rows:
        st = states.setdefault(att_id, AttributionState())
        st.reward_kind = reward_kind
        for bucket, value in zip(BUCKETS, deltas, strict=True):
            st.net[bucket] += value
        stage = STAGE_OF.get(kind)
        if stage and STAGE_RANK[stage] > STAGE_RANK[st.stage]:
            st.stage = stage
        if kind == K.REVERSE:
            st.reversed -= sum(deltas, ZERO)
            st.refunded += refund_amount
    return states


def _lock_promoters(promoter_ids) -> dict[int, Promoter]:
    """Row locks in primary-key order (no deadlocks between two writers taking the same promoters)."""
    return {p.pk: p for p in Promoter.objects.select_for_update().filter(pk__in=set(promoter_ids)).order_by("pk")}


def _reward_kinds(brand_ids) -> dict[int, str]:
    return dict(PromoterProgram.objects.filter(brand_id__in=set(brand_ids)).values_list("brand_id", "reward_kind"))


def _entry(att: LineAttribution | None, kind: str, *, promoter_id=None, brand_id=None, reward_kind="cash",
           **fields) -> LedgerEntry:
    return LedgerEntry(
        attribution=att, kind=kind, reward_kind=reward_kind,
        promoter_id=promoter_id if promoter_id is not None else att.promoter_id,
        brand_id=brand_id if brand_id is not None else att.brand_id, **fields)


def _record(name_kind: str, obj, entries: list[LedgerEntry], *, request=None, actor=None) -> None:
    if not entries:
        return
    record_event("commission_state_change", request, actor=actor, obj=obj, brand_id=entries[0].brand_id,
                 props={"kind": name_kind, "entries": len(entries),
                        "amount": str(sum((e.amount for e in entries), ZERO))})


def _order_attributions(order) -> list[LineAttribution]:
    return list(LineAttribution.objects.filter(line__order=order).order_by("pk"))


# ---- the order lifecycle (called from tribe.orders signals, inside the order's transaction) -----------------


def accrue_for_order(order) -> list[LedgerEntry]:
    """Order paid: each attribution's commission goes to `pending` (once)."""
    with transaction.atomic():
        atts = _order_attributions(order)
        if not atts:
            return []
        _lock_promoters(a.promoter_id for a in atts)
        states = attribution_states(a.pk for a in atts)
        kinds = _reward_kinds(a.brand_id for a in atts)
        entries = [
            _entry(a, K.ACCRUE, reward_kind=kinds.get(a.brand_id, "cash"), d_pending=a.commission)
            for a in atts if a.pk not in states and a.commission > 0
        ]
        LedgerEntry.objects.bulk_create(entries)
        _record("accrue", order, entries)
    return entries


def freeze_for_order(order, *, now: datetime | None = None) -> list[LedgerEntry]:
    """Order received: what is left in `pending` moves to `frozen` until the after-sales window ends."""
    with transaction.atomic():
        atts = _order_attributions(order)
        if not atts:
            return []
        _lock_promoters(a.promoter_id for a in atts)
        states = attribution_states(a.pk for a in atts)
        until = (order.received_at or now or timezone.now()) + timedelta(days=after_sales_days())
        entries = []
        for a in atts:
            st = states.get(a.pk)
            if st is None or st.stage != "pending":
                continue
            amount = st.net["pending"]
            entries.append(_entry(a, K.FREEZE, reward_kind=st.reward_kind, d_pending=-amount, d_frozen=amount,
                                  frozen_until=until))
        LedgerEntry.objects.bulk_create(entries)
        _record("freeze", order, entries)
    return entries


def _open_refund_lines(line_ids) -> set[int]:
    """Lines with a refund request still open: their commission stays frozen until it is decided, so money
    that may yet go back to the buyer is never withdrawable."""
    from tribe.aftersales.models import RefundRequest

    return set(RefundRequest.objects.filter(line_id__in=list(line_ids), status__in=OPEN_REFUND_STATES)
               .values_list("line_id", flat=True))


def _release(atts: list[LineAttribution]) -> list[LedgerEntry]:
    _lock_promoters(a.promoter_id for a in atts)
    states = attribution_states(a.pk for a in atts)
    blocked = _open_refund_lines(a.line_id for a in atts)
    entries = []
    for a in atts:
        st = states.get(a.pk)
        if st is None or st.stage != "frozen" or a.line_id in blocked:
            continue
        amount = st.net["frozen"]
        entries.append(_entry(a, K.RELEASE, reward_kind=st.reward_kind, d_frozen=-amount, d_available=amount))
    LedgerEntry.objects.bulk_create(entries)
    in_kind = {(e.promoter_id, e.reward_kind) for e in entries if e.reward_kind in ("points", "coupon")}
    for promoter_id, reward_kind in sorted(in_kind):
        convert_in_kind(promoter_id, reward_kind)
    return entries


# ---- non-cash rewards: given in kind when the commission becomes available ------------------------------------


def convert_in_kind(promoter_id: int, reward_kind: str) -> LedgerEntry | None:
    """Give what is available of a non-cash reward kind (call under the promoter's lock, e.g. from _release).

    points: all of it, at TRIBE_POINTS_REDEEM_RATE points per ¥1 (rounded down), credited to the promoter's points
    ledger; coupon: one rebate coupon per face value available (the rest waits for more). A CONVERT entry moves the
    value available → withdrawn ("paid out in kind"), so a refund after it leaves a debt exactly as after a cash
    withdrawal. Anything that cannot be given now (no coupon configured, coupons out of stock) stays available."""
    from decimal import ROUND_DOWN

    promoter = Promoter.objects.select_related("user").get(pk=promoter_id)
    available = balance(promoter, reward_kind=reward_kind)["available"]
    if available <= 0:
        return None
    if reward_kind == "points":
        from tribe.loyalty import conf as loyalty_conf
        from tribe.loyalty import services as loyalty

        points = int((available * loyalty_conf.redeem_rate()).to_integral_value(rounding=ROUND_DOWN))
        if points <= 0:
            return None
        entry = _entry(None, K.CONVERT, promoter_id=promoter.pk, brand_id=promoter.brand_id, reward_kind="points",
                       d_available=-available, d_withdrawn=available, note=f"{points} 积分")
        entry.save()
        loyalty.credit(promoter.user, points, reason="commission_points", ref=f"commission_convert:{entry.pk}",
                       brand_id=promoter.brand_id)
        _record("convert", promoter, [entry])
        return entry
    program = PromoterProgram.objects.select_related("rebate_coupon").filter(brand_id=promoter.brand_id).first()
    template = program.rebate_coupon if program else None
    if template is None or template.amount <= 0 or template.status == "ended":
        return None
    count = int(available // template.amount)
    if count <= 0:
        return None
    from tribe.coupons import services as coupons

    value = template.amount * count
    try:
        with transaction.atomic():
            entry = _entry(None, K.CONVERT, promoter_id=promoter.pk, brand_id=promoter.brand_id,
                           reward_kind="coupon", d_available=-value, d_withdrawn=value,
                           note=f"{count} × {template.title}"[:200])
            entry.save()
            for i in range(count):
                coupons.grant(template, promoter.user, source="campaign", ref=f"commission_convert:{entry.pk}:{i}")
    except Conflict:
        return None  # out of stock / over the per-user limit: the value stays available, nothing half-given
    _record("convert", promoter, [entry])
    return entry


def claim_gift(user, brand_id: int, *, idempotency_key: str, address: dict | None = None,
               address_id: int | None = None, request=None):
    """A gift-reward promoter takes the brand's gift once `gift_value` is available: a zero-price order for the
    gift SKU (paid at once, shipped by the store) and a CONVERT entry of the gift's value, in one transaction."""
    from tribe.orders.checkout import CampaignPrice, place_direct_order
    from tribe.orders.models import Order
    from tribe.orders.services import mark_paid

    replay = Order.objects.filter(user=user, idempotency_key=str(idempotency_key)[:64]).first()
    if replay is not None:
        replay.replayed = True
        return replay
    promoter = _promoter_for(user, brand_id)
    program = PromoterProgram.objects.filter(brand_id=brand_id).first()
    if program is None or program.reward_kind != "gift" or not program.gift_sku_id or not program.gift_value:
        raise Conflict("this brand does not reward promoters with a gift", code="no_gift")
    with transaction.atomic():
        _lock_promoters([promoter.pk])
        available = balance(promoter, reward_kind="gift")["available"]
        if available < program.gift_value:
            raise ValidationFailed(f"the gift needs {program.gift_value} of available reward; you have "
                                   f"{max(ZERO, available)}", code="insufficient_balance",
                                   fields={"available": str(max(ZERO, available))})

        def book(order):
            entry = _entry(None, K.CONVERT, promoter_id=promoter.pk, brand_id=brand_id, reward_kind="gift",
                           d_available=-program.gift_value, d_withdrawn=program.gift_value,
                           note=f"赠品订单 {order.number}")
            entry.save()
            _record("convert", order, [entry], request=request, actor=user)

        order = place_direct_order(user, program.gift_sku_id, 1, address=address, address_id=address_id,
                                   idempotency_key=idempotency_key, request=request, before_commit=book,
                                   campaign=CampaignPrice(f"commission_gift:{brand_id}", "达人奖励赠品",
                                                          Decimal("0.00"), free_shipping=True))
        if not getattr(order, "replayed", False):
            mark_paid(order.pk, ZERO, message="达人奖励赠品，免支付")
    return order


def release_for_order(order) -> list[LedgerEntry]:
    """Order completed (the after-sales window is over): release its frozen commissions now (idempotent)."""
    with transaction.atomic():
        atts = _order_attributions(order)
        entries = _release(atts) if atts else []
        _record("release", order, entries)
    return entries


OPEN_REFUND_STATES = ("requested", "approved", "returned", "refunding")


def release_due(now: datetime | None = None) -> int:
    """The periodic job: frozen commissions whose window ended by `now` become available. Returns how many."""
    now = now or timezone.now()
    done = 0
    while True:
        att_ids = list(
            LedgerEntry.objects.filter(kind=K.FREEZE, frozen_until__lte=now)
            .exclude(attribution__ledger__kind=K.RELEASE)
            .exclude(attribution__line__refund_requests__status__in=OPEN_REFUND_STATES)
            .order_by("attribution_id").values_list("attribution_id", flat=True)[:RELEASE_BATCH])
        if not att_ids:
            return done
        with transaction.atomic():
            atts = list(LineAttribution.objects.filter(pk__in=att_ids).order_by("pk"))
            entries = _release(atts)
            _record("release", None, entries)
        done += len(entries)
        if len(att_ids) < RELEASE_BATCH or not entries:
            return done


def reversal_target(commission: Decimal, base: Decimal, refunded: Decimal) -> Decimal:
    """How much of `commission` is reversed once `refunded` of `base` went back to the buyer, in total.

    Rounded up to the fen, so what the promoter keeps never exceeds the commission on the money not refunded;
    capped at the commission; a full refund reverses exactly all of it."""
    if base <= 0 or refunded >= base:
        return commission
    share = (commission * refunded / base).quantize(FEN, rounding=ROUND_UP)
    return min(commission, share)


def reverse_for_line(line, amount: Decimal) -> list[LedgerEntry]:
    """A line was refunded `amount`: reverse its attributions' commission in proportion, cumulatively (the
    sum of all reversals of an attribution equals reversal_target of everything refunded so far)."""
    amount = Decimal(amount)
    if amount <= 0:
        return []
    with transaction.atomic():
        atts = list(LineAttribution.objects.filter(line=line).order_by("pk"))
        if not atts:
            return []
        _lock_promoters(a.promoter_id for a in atts)
        states = attribution_states(a.pk for a in atts)
        entries = []
        for a in atts:
            st = states.get(a.pk)
            if st is None:  # nothing was ever credited for it (e.g. commission 0): nothing to reverse
                continue
            refunded = min(a.base_amount, st.refunded + amount)
            delta = max(ZERO, reversal_target(a.commission, a.base_amount, refunded) - st.reversed)
            entries.append(_entry(a, K.REVERSE, reward_kind=st.reward_kind, refund_amount=refunded - st.refunded,
                                  **{f"d_{st.bucket}": -delta}))
        LedgerEntry.objects.bulk_create(entries)
        _record("reverse", line.order if hasattr(line, "order") else None, entries)
    return entries


# ---- payouts --------------------------------------------------------------------------------------------------


def _promoter_for(user, brand_id: int) -> Promoter:
    promoter = Promoter.objects.filter(user=user, brand_id=brand_id).first()
    if promoter is None:
        raise NotFound("you are not a promoter of this brand", code="not_promoter")
    return promoter


def request_payout(user, brand_id: int, amount, *, request=None) -> Payout:
    """Withdraw `amount` of the available cash balance: at least the program's threshold and at most what is
    available (422 otherwise). Moves available → withdrawing under the promoter's row lock."""
    amount = to_money(amount, allow_zero=False)
    promoter = _promoter_for(user, brand_id)
    threshold = min_withdrawal(brand_id)
    if amount < threshold:
        raise ValidationFailed(f"amount: at least {threshold}", code="below_minimum",
                               fields={"amount": f"min {threshold}"})
    with transaction.atomic():
        _lock_promoters([promoter.pk])
        available = balance(promoter)["available"]
        if amount > available:
            raise ValidationFailed(f"amount: only {max(ZERO, available)} available", code="insufficient_balance",
                                   fields={"amount": "more than available"})
        payout = Payout.objects.create(promoter=promoter, brand_id=brand_id, amount=amount)
        entry = _entry(None, K.WITHDRAW_REQUEST, promoter_id=promoter.pk, brand_id=brand_id, payout=payout,
                       d_available=-amount, d_withdrawing=amount)
        entry.save()
        _record("withdraw_request", payout, [entry], request=request, actor=user)
    return payout


def _decide(user, payout_id: int, brand_id: int | None, state: str, note: str, request) -> Payout:
    found = Payout.objects.filter(pk=payout_id).first()
    if found is None or (brand_id is not None and found.brand_id != brand_id):
        raise NotFound("no such payout")
    require_brand_staff(user, found.brand_id)
    with transaction.atomic():
        _lock_promoters([found.promoter_id])
        payout = Payout.objects.select_for_update().get(pk=found.pk)
        if payout.state != Payout.State.REQUESTED:
            raise Conflict("this payout was already decided", code="already_decided")
        now = timezone.now()
        payout.decided_at, payout.decided_by, payout.note = now, user, note[:200]
        common = {"promoter_id": payout.promoter_id, "brand_id": payout.brand_id, "payout": payout}
        if state == Payout.State.PAID:
            # The dummy method pays at once; a real method would stop at APPROVED and finish on its callback.
            payout.state = Payout.State.PAID
            payout.reference = f"DUMMY-{payout.pk}-{now:%Y%m%d%H%M%S}"
            entry = _entry(None, K.WITHDRAW_PAID, d_withdrawing=-payout.amount, d_withdrawn=payout.amount, **common)
        else:
            payout.state = Payout.State.REJECTED
            entry = _entry(None, K.WITHDRAW_REJECT, d_withdrawing=-payout.amount, d_available=payout.amount,
                           **common)
        payout.save(update_fields=["state", "decided_at", "decided_by", "note", "reference"])
        entry.save()
        _record(entry.kind, payout, [entry], request=request, actor=user)
        transaction.on_commit(lambda: _notify(payout))
    return payout


def _notify(payout: Payout) -> None:
    from django.utils.translation import gettext as _

    from tribe.notifications.services import notify

    if payout.state == Payout.State.PAID:
        text = _("你的提现 ¥%(amount)s 已打款") % {"amount": payout.amount}
    else:
        text = _("你的提现 ¥%(amount)s 未通过审核，金额已退回可提现余额") % {"amount": payout.amount}
    notify(payout.promoter.user_id, "payout", text=text, url="/me/commissions/")


def approve_payout(user, payout_id: int, *, brand_id: int | None = None, request=None) -> Payout:
    """Brand staff approve; the dummy method pays at once: withdrawing → withdrawn. Twice → 409."""
    return _decide(user, payout_id, brand_id, Payout.State.PAID, "", request)


def reject_payout(user, payout_id: int, *, brand_id: int | None = None, note: str = "", request=None) -> Payout:
    """Brand staff reject: withdrawing → available again. Deciding twice → 409."""
    note = clean_text(note, "note", max_length=200)
    return _decide(user, payout_id, brand_id, Payout.State.REJECTED, note, request)
