"""Using coupons at checkout: the price adjuster, the "best coupon" helper, and what happens to a used coupon
when its order is placed, cancelled or refunded.

Checkout passes `options={"coupons": [user_coupon_id, ...]}`. The adjuster (priority 60, after play prices
and friend deals) validates each named coupon — owner, state, window, scope, threshold, stacking — and turns
its benefit into Adjustments with code "coupon:<user_coupon_id>"; the orders core splits them over the lines
by largest remainder and keeps each line's share (LineAdjustment), so refunds reverse exactly. A coupon named
explicitly that cannot apply is an error (422, or 409 when it is already used), never silently dropped.

Placement marks each coupon used with a guarded UPDATE inside the order's transaction: of two tabs redeeming
the same single-use coupon, the second UPDATE finds state != available (on PostgreSQL it waits for the first
transaction's row lock, then re-checks) and raises Conflict coupon_used, which rolls its whole order back.
"""

from __future__ import annotations

from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from tribe.campaigns.services import play_event
from tribe.core.errors import Conflict, DomainError, ValidationFailed
from tribe.core.money import quantize
from tribe.orders.pricing import Adjustment, PricedLine, PricingContext, apply_adjustment

from .models import Benefit, CouponTemplate, Scope, UserCoupon

ZERO = Decimal("0.00")
MAX_ID = 2**63 - 1
MAX_PER_ORDER = 5
U = UserCoupon.State

# The coupons the last pricing in this thread/context accepted, as (user id, coupon ids). Set by every run of
# the adjuster; the order_placed receiver of the same checkout reads it (place_order prices, then creates the
# order and sends order_placed in the same call). It names coupons that leave no line share (free shipping).
_APPLIED: ContextVar[tuple[int | None, tuple[int, ...]]] = ContextVar("coupons_applied", default=(None, ()))


def free_shipping_option() -> str | None:
    """The options key through which the orders core waives a store's shipping fee, once it supports it."""
    from tribe.orders import checkout

    return getattr(checkout, "FREE_SHIPPING_OPTION", None)


def parse_ids(raw) -> list[int]:
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise ValidationFailed("coupons: a list of coupon ids", fields={"coupons": "invalid"})
    if len(raw) > MAX_PER_ORDER:
        raise ValidationFailed(f"coupons: at most {MAX_PER_ORDER}", fields={"coupons": "too many"})
    ids = []
    for value in raw:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
            raise ValidationFailed("coupons: a list of coupon ids", fields={"coupons": "invalid"})
        if value in ids:
            raise ValidationFailed(f"coupon {value} named twice", fields={"coupons": "duplicates"})
        ids.append(value)
    return ids


def ids_from_form(values: list[str]) -> list[int]:
    """Coupon ids from a page form (checkboxes named "coupons"): digit strings, blanks ignored; else 422."""
    raw = [v.strip() for v in values if v and v.strip()]
    if any(not v.isdigit() or len(v) > 19 for v in raw):
        raise ValidationFailed("coupons: a list of coupon ids", fields={"coupons": "invalid"})
    return parse_ids([int(v) for v in raw])


@dataclass
class Plan:
    adjustments: list[Adjustment] = field(default_factory=list)
    applied: list[tuple[UserCoupon, Decimal]] = field(default_factory=list)  # coupon, money off
    free_stores: set[int] = field(default_factory=set)

    @property
    def discount(self) -> Decimal:
        return sum((a for _, a in self.applied), ZERO)


class Scoper:
    """Which priced lines a template applies to. Every scope stays inside the template's brand (its products
    or its stores' products); loads what it needs in one query per kind of lookup, not per line."""

    def __init__(self, templates: list[CouponTemplate]):
        from tribe.brands.models import Store
        from tribe.catalog.models import Category

        brand_ids = {t.brand_id for t in templates}
        self.stores = defaultdict(set)
        for sid, bid in Store.objects.filter(brand_id__in=brand_ids).values_list("pk", "brand_id"):
            self.stores[bid].add(sid)
        tpl_ids = [t.pk for t in templates if t.scope == Scope.PRODUCTS]
        self.products = defaultdict(set)
        if tpl_ids:
            through = CouponTemplate.scope_products.through
            for tid, pid in through.objects.filter(coupontemplate_id__in=tpl_ids).values_list(
                    "coupontemplate_id", "product_id"):
                self.products[tid].add(pid)
        self.categories = {}
        cats = {t.scope_category_id: t for t in templates if t.scope == Scope.CATEGORY}
        if cats:
            paths = dict(Category.objects.filter(pk__in=list(cats)).values_list("pk", "path"))
            query = Q(pk__in=[])
            for path in paths.values():
                query |= Q(path__startswith=path)
            rows = list(Category.objects.filter(query).values_list("pk", "path"))
            for cid, path in paths.items():
                self.categories[cid] = {pk for pk, p in rows if p.startswith(path)}

    def covers(self, t: CouponTemplate, line: PricedLine) -> bool:
        product = line.product
        if product.brand_id != t.brand_id and line.store_id not in self.stores[t.brand_id]:
            return False
        if t.scope == Scope.STORE:
            return line.store_id == t.scope_store_id
        if t.scope == Scope.CATEGORY:
            return product.category_id in self.categories.get(t.scope_category_id, ())
        if t.scope == Scope.PRODUCTS:
            return product.pk in self.products[t.pk]
        return True


def _refuse(coupon: UserCoupon, message: str, code: str, cls=ValidationFailed) -> DomainError:
    return cls(f"coupon {coupon.pk}: {message}", code=code, fields={"coupons": f"{coupon.pk}: {code}"})


def _check_coupon(coupon: UserCoupon, now) -> None:
    if coupon.state == U.USED:
        raise _refuse(coupon, "already used", "coupon_used", Conflict)
    if coupon.state == U.EXPIRED or (coupon.state == U.AVAILABLE and now >= coupon.valid_to):
        raise _refuse(coupon, "expired", "coupon_expired")
    if coupon.state != U.AVAILABLE:
        raise _refuse(coupon, f"is {coupon.get_state_display()}", "coupon_unavailable")
    if now < coupon.valid_from:
        raise _refuse(coupon, "not usable yet", "coupon_not_started")


def _benefit(coupon: UserCoupon, lines: list[PricedLine]) -> list[Adjustment]:
    """The adjustments a coupon gives on its in-scope lines (their payable after earlier discounts)."""
    t = coupon.template
    code, label = coupon.code, t.title[:80]
    payable = sum((ln.payable for ln in lines), ZERO)
    keys = [ln.key for ln in lines]
    if t.benefit == Benefit.AMOUNT_OFF:
        return [Adjustment(code, label, min(t.amount, payable), keys)]
    if t.benefit == Benefit.PERCENT_OFF:
        off = quantize(payable * t.percent_off / 100)
        if t.max_discount is not None:
            off = min(off, t.max_discount)
        return [Adjustment(code, label, off, keys)]
    if t.benefit == Benefit.FIXED_PRICE:
        return [Adjustment(code, label, ln.payable - t.amount * ln.quantity, [ln.key]) for ln in lines
                if ln.payable > t.amount * ln.quantity]
    if t.benefit == Benefit.NTH_DISCOUNT:
        adjs = []
        for ln in lines:
            units = ln.quantity // t.nth
            if units:
                off = quantize(ln.payable * units / ln.quantity * t.percent_off / 100)
                adjs.append(Adjustment(code, label, off, [ln.key]))
        return adjs
    return []  # free shipping: no line share


def plan(coupons: list[UserCoupon], lines: list[PricedLine], *, campaign: str = "", now=None,
         scoper: Scoper | None = None) -> Plan:
    """Validate a set of coupons against priced lines and compute what each takes off, in order (priority
    high first), each seeing the lines as the previous ones left them. Works on copies: `lines` is untouched.
    Raises the first reason a coupon cannot apply."""
    now = now or timezone.now()
    result = Plan()
    if not coupons:
        return result
    work = [replace(ln, shares=list(ln.shares)) for ln in lines]
    scoper = scoper or Scoper([c.template for c in coupons])
    templates = [c.template_id for c in coupons]
    for coupon in coupons:
        t = coupon.template
        _check_coupon(coupon, now)
        if len(coupons) > 1 and (not t.stackable or t.exclusive):
            raise _refuse(coupon, "cannot be combined with other coupons", "coupon_not_stackable")
        if templates.count(t.pk) > 1:
            raise _refuse(coupon, "one coupon of a kind per order", "coupon_not_stackable")
        if campaign and not t.with_play_price:
            raise _refuse(coupon, "not usable with a campaign price", "coupon_not_with_play_price")
        if t.benefit == Benefit.FREE_SHIPPING and free_shipping_option() is None:
            raise _refuse(coupon, "free-shipping coupons are not supported by checkout yet", "coupon_unsupported")
    ordered = sorted(coupons, key=lambda c: (-c.template.priority, c.template_id, c.pk))
    for coupon in ordered:
        t = coupon.template
        scoped = [ln for ln in work if scoper.covers(t, ln)]
        if not scoped:
            raise _refuse(coupon, "no item in this order is covered by the coupon", "coupon_out_of_scope")
        if t.exclusive and any(ln.shares for ln in scoped):
            raise _refuse(coupon, "cannot be combined with other discounts", "coupon_exclusive")
        base = sum((ln.payable for ln in scoped), ZERO)
        if base < t.threshold:
            raise _refuse(coupon, f"needs ¥{t.threshold} of covered items (now ¥{base})", "coupon_threshold")
        if t.benefit == Benefit.FREE_SHIPPING:
            result.free_stores.update(ln.store_id for ln in scoped)
            result.applied.append((coupon, ZERO))
            continue
        taken = ZERO
        for adj in _benefit(coupon, scoped):
            amount = apply_adjustment(work, adj)
            if amount > 0:
                taken += amount
                result.adjustments.append(Adjustment(adj.code, adj.label, amount, adj.line_keys))
        if taken <= 0:
            hint = f"buy {t.nth} of one item" if t.benefit == Benefit.NTH_DISCOUNT else "nothing to take off"
            raise _refuse(coupon, hint, "coupon_not_applicable")
        result.applied.append((coupon, taken))
    return result


def _load(user, ids: list[int]) -> list[UserCoupon]:
    found = {c.pk: c for c in UserCoupon.objects.select_related("template").filter(user=user, pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationFailed(f"coupon {missing[0]} is not yours or does not exist", code="coupon_not_found",
                               fields={"coupons": f"{missing[0]}: unknown"})
    return [found[i] for i in ids]


def adjuster(ctx: PricingContext) -> list[Adjustment]:
    user = ctx.user if getattr(ctx.user, "is_authenticated", False) else None
    _APPLIED.set((getattr(user, "pk", None), ()))
    ids = parse_ids(ctx.options.get("coupons"))
    if not ids:
        return []
    if user is None:
        raise ValidationFailed("sign in to use coupons", code="coupon_not_found", fields={"coupons": "sign in"})
    result = plan(_load(user, ids), ctx.lines, campaign=str(ctx.options.get("campaign") or ""))
    _APPLIED.set((user.pk, tuple(c.pk for c, _ in result.applied)))
    if result.free_stores:
        key = free_shipping_option()
        ctx.options[key] = set(ctx.options.get(key) or ()) | result.free_stores
    return result.adjustments


def best_coupons(user, quote_lines: list[PricedLine], *, campaign: str = "", now=None) -> dict:
    """The checkout page's "best coupon" pick among the user's usable coupons for lines priced WITHOUT coupons
    (e.g. `[ln for s in checkout.quote(user, cart).stores for ln in s.lines]`).

    Returns {"coupons": [ids], "discount": Decimal, "options": [{"coupon", "discount", "error"}]}: the best
    single coupon, then greedily each stackable coupon of another template that still adds money off.
    """
    now = now or timezone.now()
    if not getattr(user, "is_authenticated", False) or not quote_lines:
        return {"coupons": [], "discount": ZERO, "options": []}
    mine = list(UserCoupon.objects.select_related("template__brand").filter(
        user=user, state=U.AVAILABLE, valid_from__lte=now, valid_to__gt=now).order_by("valid_to", "pk")[:50])
    scoper = Scoper([c.template for c in mine]) if mine else None
    options = []
    for coupon in mine:
        try:
            single = plan([coupon], quote_lines, campaign=campaign, now=now, scoper=scoper)
            options.append({"coupon": coupon, "discount": single.discount, "error": ""})
        except DomainError as exc:
            options.append({"coupon": coupon, "discount": None, "error": exc.code})
    usable = sorted((o for o in options if o["discount"] is not None),
                    key=lambda o: (-o["discount"], o["coupon"].valid_to, o["coupon"].pk))
    if not usable:
        return {"coupons": [], "discount": ZERO, "options": options}
    chosen = [usable[0]["coupon"]]
    best = usable[0]["discount"]
    if chosen[0].template.stackable and not chosen[0].template.exclusive:
        for option in usable[1:]:
            candidate = chosen + [option["coupon"]]
            try:
                total = plan(candidate, quote_lines, campaign=campaign, now=now, scoper=scoper).discount
            except DomainError:
                continue
            if total > best:
                chosen, best = candidate, total
    return {"coupons": [c.pk for c in chosen], "discount": best, "options": options}


# ---- order lifecycle --------------------------------------------------------------------------------------


def on_order_placed(order, request=None) -> None:
    """Mark the order's coupons used (guarded: a coupon another order took meanwhile → 409, order rolled back)."""
    from tribe.orders.models import LineAdjustment

    user_id, ids = _APPLIED.get()
    _APPLIED.set((None, ()))
    ids = set(ids) if user_id == order.user_id else set()
    if not ids and order.discount_total <= 0:
        return  # no coupon share can exist: a plain order costs no query here
    shares = {}
    for code, amount in (LineAdjustment.objects.filter(line__order=order, code__startswith="coupon:")
                         .values_list("code").annotate(total=Sum("amount")).values_list("code", "total")):
        pk = int(code.split(":", 1)[1])
        shares[pk] = quantize(Decimal(amount))
        ids.add(pk)
    if not ids:
        return
    now = timezone.now()
    for pk in sorted(ids):
        moved = UserCoupon.objects.filter(pk=pk, user_id=order.user_id, state=U.AVAILABLE, valid_to__gt=now).update(
            state=U.USED, order=order, used_at=now, discount=shares.get(pk, ZERO))
        if moved != 1:
            raise Conflict(f"coupon {pk} was used by another order", code="coupon_used",
                           fields={"coupons": f"{pk}: used"})
    for coupon in UserCoupon.objects.select_related("template").filter(pk__in=sorted(ids)):
        play_event("coupon_redeemed", request, coupon.template, actor=order.user, obj=coupon,
                   props={"order": order.number, "discount": str(coupon.discount)})


def on_order_cancelled(order, reason: str = "") -> None:
    from .services import give_back

    give_back(order, why=reason or "cancelled")


def on_line_refunded(line, amount) -> None:
    """A full refund (everything paid on the lines is back) returns the coupons whose template says so; a partial
    refund never does (the line's share of the discount already reduced what was refunded)."""
    from tribe.orders.models import OrderLine

    from .services import give_back

    if not UserCoupon.objects.filter(order_id=line.order_id, state=U.USED).exists():
        return
    sums = OrderLine.objects.filter(order_id=line.order_id).aggregate(p=Sum("paid_amount"), r=Sum("refunded_amount"))
    if sums["r"] is not None and quantize(Decimal(sums["r"])) >= quantize(Decimal(sums["p"])):
        give_back(line.order, why="refunded")
