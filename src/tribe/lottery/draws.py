"""Players' side of a lottery: draw, share for a chance, claim a goods prize; the order hooks; the expiry sweep.

Locking, in the order taken inside a draw's transaction:
1. the player's Entrant row (select_for_update): a user's concurrent draws run one after the other, so the
   daily/total limits and the chance they consume can't be double-spent from two tabs;
2. the entry: points are spent through tribe.loyalty.services.spend (which raises 409 when short — the whole
   draw rolls back, nothing written); a chance is consumed with a guarded UPDATE (used < granted);
3. the won prize's stock: a guarded UPDATE (stock ≥ 1). Different players race only here, and the database
   serialises them on that row: a prize with one unit left is given exactly once; the others record "none"
   with note out_of_stock (see tribe.lottery.odds for why we don't re-draw).
The award (coupon grant, points credit) runs in a savepoint together with the stock decrement: if the coupon
app refuses (its own stock ran out), the unit goes back and the draw records "none" with the reason.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from tribe.campaigns.services import play_event, require_live
from tribe.core.errors import Conflict, DomainError, NotFound, ValidationFailed

from . import odds
from .models import Chance, Draw, Entrant, Lottery, Prize

ENTRIES = ("points", "order", "share")


def public_lottery(pk: int) -> Lottery:
    lottery = Lottery.objects.select_related("brand").filter(pk=pk).first() if 1 <= pk <= 2**63 - 1 else None
    if lottery is None or lottery.status == "draft":
        raise NotFound(f"lottery {pk} not found")
    return lottery


def _limits(lottery: Lottery, entrant: Entrant, today) -> None:
    if lottery.total_limit and entrant.draws >= lottery.total_limit:
        raise Conflict(f"you have used all {lottery.total_limit} draws of this lottery", code="draw_limit_total")
    if lottery.daily_limit and entrant.day == today and entrant.day_draws >= lottery.daily_limit:
        raise Conflict(f"at most {lottery.daily_limit} draws a day; come back tomorrow", code="draw_limit_daily")


def _take_chance(lottery: Lottery, user, source: str) -> Chance:
    """Consume one chance of `source`, the oldest first (guarded: used < granted, not voided)."""
    for chance in Chance.objects.filter(lottery=lottery, user=user, source=source, voided_at__isnull=True,
                                        used__lt=F("granted")).order_by("id")[:5]:
        if Chance.objects.filter(pk=chance.pk, voided_at__isnull=True, used__lt=F("granted")).update(
                used=F("used") + 1) == 1:
            return chance
    what = "paid order" if source == "order" else "share"
    raise Conflict(f"no draw chances from a {what} left", code="no_chances", fields={"entry": source})


def draw(user, lottery_id: int, entry: str, *, request=None) -> Draw:
    """One draw by `user` using `entry` (points | order | share). Raises 409 when the lottery is not live,
    the entry is not offered or exhausted, a limit is reached, or points are short — writing nothing."""
    if entry not in ENTRIES:
        raise ValidationFailed("entry: points, order or share", fields={"entry": "unknown"})
    lottery = public_lottery(lottery_id)
    require_live(lottery)
    if entry not in lottery.entries:
        raise Conflict(f"this lottery does not offer draws by {entry}", code="entry_not_offered",
                       fields={"entry": entry})
    today = timezone.localdate()
    with transaction.atomic():
        entrant, _ = Entrant.objects.get_or_create(lottery=lottery, user=user)
        entrant = Entrant.objects.select_for_update().get(pk=entrant.pk)
        _limits(lottery, entrant, today)
        chance = _take_chance(lottery, user, entry) if entry != "points" else None
        prizes = list(lottery.prizes.all())
        total = odds.odds_total(lottery, prizes)
        if total <= 0:
            raise Conflict("this lottery has no prizes", code="no_prizes")
        value = odds.random_value(total)
        picked = odds.select(prizes, value)
        record = Draw.objects.create(lottery=lottery, user=user, entry=entry, chance=chance, random_value=value,
                                     random_range=total, picked=picked,
                                     points_spent=lottery.points_cost if entry == "points" else 0)
        if entry == "points":
            try:
                from tribe.loyalty.services import spend
            except ImportError:
                raise Conflict("points are not available", code="entry_unavailable") from None
            spend(user, lottery.points_cost, reason="lottery_entry", ref=f"lottery_entry:{record.pk}")
        if picked is not None and picked.kind != Prize.Kind.NONE:
            _give(lottery, record, picked)
        day_draws = entrant.day_draws + 1 if entrant.day == today else 1
        Entrant.objects.filter(pk=entrant.pk).update(draws=F("draws") + 1, day=today, day_draws=day_draws)
        props = {"entry": entry, "draw": record.pk, "prize": record.prize_id, "kind": picked.kind if picked else "none"}
        play_event("lottery_draw", request, lottery, actor=user, obj=record, props=props)
        if record.prize_id:
            play_event("lottery_win", request, lottery, actor=user, obj=record,
                       props={**props, "award": record.award})
    return record


def _give(lottery: Lottery, record: Draw, prize: Prize) -> None:
    """Take one unit of the prize and award it, in a savepoint: both happen or neither."""
    try:
        with transaction.atomic():
            if Prize.objects.filter(pk=prize.pk, stock__gte=1).update(stock=F("stock") - 1) != 1:
                raise Conflict("taken meanwhile", code="prize_out_of_stock")
            # the guarded UPDATE holds the row lock until commit, so this read is exactly our decrement's result
            after = Prize.objects.filter(pk=prize.pk).values_list("stock", flat=True).get()
            record.prize, record.stock_before, record.stock_after = prize, after + 1, after
            record.award, record.award_ref = _award(lottery, record, prize)
            if record.award == Draw.Award.TO_CLAIM:
                record.claim_by = record.created_at + timedelta(days=lottery.claim_days)
            record.save(update_fields=["prize", "stock_before", "stock_after", "award", "award_ref", "claim_by"])
    except DomainError as exc:
        empty = 0 if exc.code == "prize_out_of_stock" else None  # the guarded update found no unit left
        record.prize, record.stock_before, record.stock_after = None, empty, empty
        record.award, record.award_ref, record.claim_by = Draw.Award.NONE, "", None
        record.note = exc.code[:60]
        Draw.objects.filter(pk=record.pk).update(note=record.note, stock_before=empty, stock_after=empty)


def _award(lottery: Lottery, record: Draw, prize: Prize) -> tuple[str, str]:
    ref = f"lottery_draw:{record.pk}"
    if prize.kind == Prize.Kind.GOODS:
        return Draw.Award.TO_CLAIM, ""
    if prize.kind == Prize.Kind.POINTS:
        try:
            from tribe.loyalty.services import credit
        except ImportError:
            raise Conflict("points are not available", code="award_unavailable") from None
        entry = credit(record.user, prize.points, reason="lottery_prize", ref=ref, brand_id=lottery.brand_id)
        return Draw.Award.GRANTED, f"points:{getattr(entry, 'pk', '')}"
    try:
        from tribe.coupons.services import grant
    except ImportError:
        raise Conflict("coupons are not available", code="award_unavailable") from None
    coupon = grant(prize.coupon_template_id, record.user, source="lottery", ref=ref)
    return Draw.Award.GRANTED, f"user_coupon:{coupon.pk}"


def share(user, lottery_id: int, *, request=None) -> bool:
    """The player shared the lottery: one chance per (local) day when the lottery offers draws by share.
    True when this call granted today's chance; False when it was granted already today."""
    lottery = public_lottery(lottery_id)
    require_live(lottery)
    if not lottery.share_enabled:
        raise Conflict("this lottery does not give chances for sharing", code="entry_not_offered",
                       fields={"entry": "share"})
    ref = f"share:{timezone.localdate().isoformat()}"
    with transaction.atomic():
        _, created = Chance.objects.get_or_create(lottery=lottery, user=user, ref=ref,
                                                  defaults={"source": Chance.Source.SHARE, "granted": 1})
        if created:
            play_event("lottery_share", request, lottery, actor=user)
    return created


def chances(user, lottery: Lottery) -> dict:
    """What the player can still do: chances by order/share, draws affordable by points, limits left."""
    left = dict.fromkeys(("order", "share"), 0)
    if user is not None and user.is_authenticated:
        rows = (Chance.objects.filter(lottery=lottery, user=user, voided_at__isnull=True).values("source")
                .annotate(g=Sum("granted"), u=Sum("used")))
        for row in rows:
            left[row["source"]] = row["g"] - row["u"]
    by_points = None
    if lottery.points_cost and user is not None and user.is_authenticated:
        try:
            from tribe.loyalty.services import balance

            by_points = balance(user) // lottery.points_cost
        except ImportError:
            by_points = None
    entrant = (Entrant.objects.filter(lottery=lottery, user=user).first()
               if user is not None and user.is_authenticated else None)
    used_today = entrant.day_draws if entrant and entrant.day == timezone.localdate() else 0
    used = entrant.draws if entrant else 0
    shared_today = bool(user is not None and user.is_authenticated and Chance.objects.filter(
        lottery=lottery, user=user, ref=f"share:{timezone.localdate().isoformat()}").exists())
    return {"order": left["order"], "share": left["share"], "points": by_points, "shared_today": shared_today,
            "today_left": max(lottery.daily_limit - used_today, 0) if lottery.daily_limit else None,
            "total_left": max(lottery.total_limit - used, 0) if lottery.total_limit else None}


# ---- goods prizes: claim with an address --------------------------------------------------------------------


def claim(user, draw_id: int, *, address: dict | None = None, address_id: int | None = None,
          request=None) -> Draw:
    """Claim a won goods prize: a zero-price order of its SKU to the winner's address.

    The order's line is priced at ¥0.00 by CampaignPrice("lottery:<id>"); the cheapest shipping method the store
    offers is used. When that makes the order free it is marked paid at once (it ships like any order); when the
    store charges shipping even on free goods the order waits for the winner to pay the shipping, and if it
    expires unpaid the prize can be claimed again until the claim deadline.
    """
    from tribe.orders.checkout import CampaignPrice, place_direct_order
    from tribe.orders.services import mark_paid

    with transaction.atomic():
        record = (Draw.objects.select_for_update(of=("self",)).select_related("lottery", "prize", "prize__sku__product")
                  .filter(pk=draw_id).first() if 1 <= draw_id <= 2**63 - 1 else None)
        if record is None or record.user_id != user.pk:
            raise NotFound(f"draw {draw_id} not found")
        if record.award == Draw.Award.CLAIMED:
            raise Conflict("this prize has been claimed", code="already_claimed")
        if record.award != Draw.Award.TO_CLAIM:
            raise Conflict("this draw has no prize to claim", code="nothing_to_claim")
        if record.claim_by <= timezone.now():
            raise Conflict("the claim period of this prize has ended", code="claim_expired")
        sku = record.prize.sku
        lottery = record.lottery

        def attach(order):
            Draw.objects.filter(pk=record.pk).update(order=order, award=Draw.Award.CLAIMED)

        order = place_direct_order(
            user, sku.pk, 1, address=address, address_id=address_id, shipping=_cheapest_shipping(sku),
            idempotency_key=f"lottery-draw-{record.pk}-{_retries(record)}",
            campaign=CampaignPrice(lottery.code, "抽奖奖品", Decimal("0.00"), free_shipping=True), before_commit=attach,
            request=request)
        if order.total == 0:
            mark_paid(order.pk, Decimal("0.00"), message="抽奖奖品")
        play_event("lottery_claim", request, lottery, actor=user, obj=record, props={"order": order.pk})
    record.refresh_from_db()
    return record


def _retries(record: Draw) -> int:
    """An order that expired unpaid (shipping not paid) frees the claim; the next claim needs a new order key."""
    note = record.note
    return int(note.split(":")[1]) if note.startswith("reclaim:") and note.split(":")[1].isdigit() else 0


def _cheapest_shipping(sku) -> str:
    from tribe.orders.checkout import shipping_fee, shipping_methods_for

    store_id = sku.product.store_id
    methods = shipping_methods_for([store_id])[store_id]
    return min(methods.values(), key=lambda m: (shipping_fee(m, Decimal("0.00")), m.code)).code


def expire_unclaimed(now=None) -> int:
    """Goods prizes not claimed by their deadline expire; their unit goes back to the prize's stock so
    given = initial − left keeps holding (a guarded update per draw: a racing claim wins or the expiry does)."""
    now = now or timezone.now()
    n = 0
    for pk, prize_id in Draw.objects.filter(award=Draw.Award.TO_CLAIM, claim_by__lte=now).values_list(
            "pk", "prize_id")[:1000]:
        with transaction.atomic():
            if Draw.objects.filter(pk=pk, award=Draw.Award.TO_CLAIM).update(award=Draw.Award.EXPIRED) == 1:
                Prize.objects.filter(pk=prize_id).update(stock=F("stock") + 1)
                n += 1
    return n


# ---- order hooks (connected in apps.py) -----------------------------------------------------------------


def on_order_paid(order) -> int:
    """Each live lottery of a brand with entry by order: the order's paid amount for that brand's products ≥
    the minimum grants `chances_per_order` chances (once per order, by the unique ref)."""
    from tribe.orders.models import OrderLine

    # one query when no lottery of the order's brands takes orders (the usual case): the lines are read only then
    now = timezone.now()
    brands = OrderLine.objects.filter(order=order).values("product__brand_id")
    lotteries = list(Lottery.objects.filter(brand_id__in=brands, status="running", starts_at__lte=now,
                                            ends_at__gt=now, order_min_amount__isnull=False))
    if not lotteries:
        return 0
    per_brand: dict[int, Decimal] = {}
    for brand_id, paid in OrderLine.objects.filter(order=order).values_list("product__brand_id", "paid_amount"):
        per_brand[brand_id] = per_brand.get(brand_id, Decimal("0.00")) + paid
    granted = 0
    for lottery in lotteries:
        if per_brand[lottery.brand_id] >= lottery.order_min_amount:
            _, created = Chance.objects.get_or_create(
                lottery=lottery, user_id=order.user_id, ref=f"order:{order.pk}",
                defaults={"source": Chance.Source.ORDER, "order": order, "granted": lottery.chances_per_order})
            granted += lottery.chances_per_order if created else 0
    return granted


def on_line_refunded(line) -> int:
    """A refund returning everything paid for the order voids its unused chances (draws already made stand)."""
    from tribe.orders.models import OrderLine

    live = Chance.objects.filter(order_id=line.order_id, voided_at__isnull=True)
    if not live.exists() or OrderLine.objects.filter(order_id=line.order_id,
                                                     refunded_amount__lt=F("paid_amount")).exists():
        return 0
    return live.update(voided_at=timezone.now())


def on_order_cancelled(order) -> int:
    """A prize order that expired unpaid (its shipping was never paid): the prize can be claimed again."""
    rows = Draw.objects.filter(order=order, award=Draw.Award.CLAIMED)
    n = 0
    for record in rows:
        n += Draw.objects.filter(pk=record.pk, award=Draw.Award.CLAIMED).update(
            award=Draw.Award.TO_CLAIM, order=None, note=f"reclaim:{_retries(record) + 1}")
    return n


def sweep(now=None) -> dict:
    return {"lottery_prizes_expired": expire_unclaimed(now)}

