"""The attribution snapshot, taken on each order line when the order is placed (orders.signals.order_placed,
inside place_order's transaction: it commits or rolls back with the order).

For each line of a published product whose brand has an active binding for the buyer to an ACTIVE promoter
(never the buyer themself): one LineAttribution with the rule, the rate (ProductRate, else the program's
default), base = line.paid_amount (after discounts, never shipping) and commission = base × rate rounded
half up to the fen. Rule or rate changes later never touch these rows.

With `max_promoters_per_line == 2` an assist (position 1) goes to the previous distinct active promoter in
this visitor's click history for the brand; the rate is split 70/30 and the commission is split so the two
parts sum exactly to base × rate.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from tribe.core.events import record_event
from tribe.core.money import quantize

from .clicks import anonymous_keys
from .models import Binding, CampaignRate, LineAttribution, ProductRate, Promoter, PromoterProgram, ShareClick
from .services import program_of

PRIMARY_SHARE = Decimal("0.7")
RATE_PLACES = Decimal("0.0001")


def _bindings(order, request, now) -> dict[int, Binding]:
    """brand id → the buyer's active binding (own, else one of this browser's anonymous ones)."""
    keys = anonymous_keys(request)
    who = Q(visitor_id=order.user_id)
    if keys:
        who |= Q(visitor__isnull=True, session_key__in=keys)
    rows = (Binding.objects.filter(who).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .select_related("promoter", "brand").order_by("bound_at", "id"))
    found: dict[int, Binding] = {}
    for row in rows:
        current = found.get(row.brand_id)
        if current is None or (current.visitor_id is None and row.visitor_id is not None):
            found[row.brand_id] = row  # the user's own binding wins over an anonymous one
    return found


def _assist(order, request, brand_id: int, primary: Promoter) -> Promoter | None:
    """The previous distinct active promoter (not the buyer) in this visitor's clicks for the brand."""
    keys = anonymous_keys(request)
    who = Q(visitor_id=order.user_id) | (Q(session_key__in=keys) if keys else Q(pk__in=[]))
    sharers = (ShareClick.objects.filter(who, brand_id=brand_id).exclude(sharer_id__in=[primary.user_id, order.user_id])
               .order_by("-created_at", "-id").values_list("sharer_id", flat=True)[:50])
    active = {p.user_id: p for p in Promoter.objects.filter(brand_id=brand_id, user_id__in=set(sharers),
                                                             state=Promoter.State.ACTIVE)}
    return next((active[s] for s in sharers if s in active), None)


def snapshot(order, request=None) -> list[LineAttribution]:
    """Create the order's LineAttribution rows. Returns them (empty when no line is attributed)."""
    now = timezone.now()
    bindings = _bindings(order, request, now)
    if not bindings:
        return []
    lines = list(order.lines.select_related("product").all())
    product_ids = {line.product_id for line in lines}
    rates = dict(ProductRate.objects.filter(product_id__in=product_ids).values_list("product_id", "rate"))
    # a running campaign the order came from overrides product and program rates for its brand
    campaign_rates = dict(CampaignRate.objects.filter(
        campaign=order.campaign, starts_at__lte=now, ends_at__gt=now).values_list("brand_id", "rate")) \
        if order.campaign else {}
    programs: dict[int, PromoterProgram] = {}
    assists: dict[int, Promoter | None] = {}
    rows: list[LineAttribution] = []
    for line in lines:
        product = line.product
        binding = bindings.get(product.brand_id)
        if binding is None or not product.published:
            continue
        promoter = binding.promoter
        if promoter.state != Promoter.State.ACTIVE or promoter.user_id == order.user_id:
            continue  # frozen/banned earn nothing; a promoter buying through their own link earns nothing
        if product.brand_id not in programs:
            programs[product.brand_id] = program_of(binding.brand)
        program = programs[product.brand_id]
        rate = campaign_rates.get(product.brand_id) or rates.get(product.pk, program.default_rate)
        base = line.paid_amount
        total = quantize(base * rate)
        parties = [(promoter, rate, total)]
        if min(program.max_promoters_per_line, 2) == 2:
            if product.brand_id not in assists:
                assists[product.brand_id] = _assist(order, request, product.brand_id, promoter)
            helper = assists[product.brand_id]
            if helper is not None:
                first = quantize(total * PRIMARY_SHARE)
                parties = [(promoter, (rate * PRIMARY_SHARE).quantize(RATE_PLACES, ROUND_HALF_UP), first),
                           (helper, (rate - rate * PRIMARY_SHARE).quantize(RATE_PLACES, ROUND_HALF_UP),
                            total - first)]
        for position, (who, share_rate, commission) in enumerate(parties):
            rows.append(LineAttribution(line=line, promoter=who, brand_id=product.brand_id, position=position,
                                        rule=binding.rule if position == 0 else "assist", rate=share_rate,
                                        base_amount=base, commission=commission, created_at=now))
    if not rows:
        return []
    LineAttribution.objects.bulk_create(rows)
    record_event("attributed_order", request, actor=order.user, obj=order,
                 props={"promoter_ids": sorted({r.promoter_id for r in rows}),
                        "lines": sorted({r.line_id for r in rows})})
    return rows


def on_order_placed(sender, order, request=None, **kwargs) -> None:
    snapshot(order, request)
