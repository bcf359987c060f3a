"""Presale writes: create/edit the play, place the deposit, place the balance, close unpaid balances.

Stock is counted once per purchase (the invariant `presale_stock_counted_once`):

- place_deposit: the deposit order reserves qty units (inventory's guarded take); paying consumes them.
- place_balance: under the purchase's row lock we give the deposit's units back to stock and place the
  balance order, whose reservation takes them again — net zero, all in one transaction, so no other buyer
  ever sees those units. The balance order carries money only and never ships (a permanent ship hold); the
  deposit order ships once the balance is paid.
- a balance order that expires or is cancelled releases its reservation; the receiver takes the units back
  in the same transaction (the deposit still owns them) — see receivers.py.
- closing after the window: "refundable" → refund_order(deposit order) (after-sales puts the never-shipped
  units back on sale); "forfeit" → the deposit is kept, the deposit order is closed without shipping and its
  units go back on sale.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone

from tribe.aftersales.services import refund_order
from tribe.brands.selectors import require_brand_staff
from tribe.campaigns import services as campaigns
from tribe.campaigns.models import PlayStatus
from tribe.catalog.models import Sku
from tribe.core.errors import Conflict, NotFound, ValidationFailed
from tribe.core.money import to_money
from tribe.core.text import clean_text
from tribe.inventory import services as inventory
from tribe.inventory.services import InsufficientStock
from tribe.notifications.services import notify
from tribe.orders import pipeline
from tribe.orders.checkout import CampaignPrice, place_direct_order
from tribe.orders.models import Order, OrderLog, StoreOrder
from tribe.orders.services import expire_if_due, lock_order

from .models import Presale, PresaleOrder

log = logging.getLogger(__name__)
P = PresaleOrder.State
LIVE_STATES = [P.DEPOSIT_PENDING, P.DEPOSIT_PAID, P.BALANCE_PAID]  # purchases whose units are out of stock
REMIND_BEFORE = timedelta(hours=24)
EDITABLE = ("title", "description", "sku_id", "price", "deposit", "deposit_value", "starts_at", "ends_at",
            "balance_starts_at", "balance_ends_at", "ship_date", "refund_rule", "quantity_cap", "per_user_limit")


# ---- the play ------------------------------------------------------------------------------------------------

def check_presale(brand, data: dict, *, instance: Presale | None = None) -> dict:
    """Validate a presale's settings (no writes). Money with 2 places, windows aware and ordered, the SKU one of
    the brand's, the deposit inflation sane: deposit ≤ value < price ≤ the SKU's list price."""
    clean: dict = {}
    clean["title"] = clean_text(data.get("title"), "title", max_length=80, required=True)
    clean["description"] = clean_text(data.get("description") or "", "description", max_length=500)
    sku_id = data.get("sku_id")
    if not isinstance(sku_id, int) or isinstance(sku_id, bool) or not 1 <= sku_id <= 2**63 - 1:
        raise ValidationFailed("sku_id: a SKU id", fields={"sku_id": "required"})
    sku = (Sku.objects.select_related("product__store").filter(pk=sku_id, product__store__brand_id=brand.pk)
           .first())
    if sku is None:
        raise ValidationFailed("sku_id: not a SKU of this brand", fields={"sku_id": "unknown"})
    clean["sku_id"] = sku.pk
    for name in ("price", "deposit", "deposit_value"):
        clean[name] = to_money(data.get(name), field=name, allow_zero=False)
    if clean["deposit_value"] < clean["deposit"]:
        raise ValidationFailed("deposit_value: at least the deposit", fields={"deposit_value": "below deposit"})
    if clean["price"] <= clean["deposit_value"]:
        raise ValidationFailed("price: more than the deposit value (a balance must remain)",
                               fields={"price": "not above deposit value"})
    if clean["price"] > sku.price:
        raise ValidationFailed(f"price: at most the SKU's list price {sku.price}", fields={"price": "above list"})
    clean["starts_at"], clean["ends_at"] = campaigns.check_window(data.get("starts_at"), data.get("ends_at"))
    bs, be = data.get("balance_starts_at"), data.get("balance_ends_at")
    try:
        bs, be = campaigns.check_window(bs, be)
    except ValidationFailed as exc:
        raise ValidationFailed("balance window: " + exc.message.replace("starts_at", "balance_starts_at")
                               .replace("ends_at", "balance_ends_at"), code="bad_balance_window",
                               fields={f"balance_{k}": v for k, v in exc.fields.items()}) from None
    if bs < clean["starts_at"]:
        raise ValidationFailed("balance_starts_at: not before the deposit window starts", code="bad_balance_window",
                               fields={"balance_starts_at": "before deposit start"})
    if be < clean["ends_at"]:
        raise ValidationFailed("balance_ends_at: not before the deposit window ends", code="bad_balance_window",
                               fields={"balance_ends_at": "before deposit end"})
    clean["balance_starts_at"], clean["balance_ends_at"] = bs, be
    ship_date = data.get("ship_date")
    if not isinstance(ship_date, date) or isinstance(ship_date, datetime):
        raise ValidationFailed("ship_date: a date", fields={"ship_date": "required"})
    if ship_date < timezone.localtime(bs).date():
        raise ValidationFailed("ship_date: not before the balance window opens", fields={"ship_date": "too early"})
    clean["ship_date"] = ship_date
    if data.get("refund_rule") not in Presale.RefundRule.values:
        raise ValidationFailed("refund_rule: forfeit or refundable", fields={"refund_rule": "unknown"})
    clean["refund_rule"] = data["refund_rule"]
    for name, low in (("quantity_cap", 1), ("per_user_limit", 1)):
        value = data.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= 100000:
            raise ValidationFailed(f"{name}: a whole number from {low} to 100000", fields={name: "out of range"})
        clean[name] = value
    if instance is not None and clean["quantity_cap"] < instance.sold:
        raise ValidationFailed(f"quantity_cap: {instance.sold} units already have deposits",
                               fields={"quantity_cap": f"min {instance.sold}"})
    return clean


def create_presale(actor, brand, data: dict, *, request=None) -> Presale:
    require_brand_staff(actor, brand.pk)
    clean = check_presale(brand, data)
    with transaction.atomic():
        presale = Presale.objects.create(brand=brand, created_by=actor, **clean)
        campaigns.play_event("campaign_create", request, presale, actor=actor)
    return presale


def update_presale(actor, presale: Presale, data: dict) -> Presale:
    """Edit settings. Once deposits exist the money terms and the SKU are frozen (buyers paid under them);
    the cap can grow or shrink down to what is already sold (checked under the row lock)."""
    require_brand_staff(actor, presale.brand_id)
    with transaction.atomic():
        locked = Presale.objects.select_for_update().get(pk=presale.pk)
        if locked.status == PlayStatus.ENDED:
            raise Conflict("the presale has ended", code="campaign_ended")
        clean = check_presale(locked.brand, data, instance=locked)
        if locked.sold or locked.purchases.exists():
            frozen = ("sku_id", "price", "deposit", "deposit_value", "refund_rule", "balance_starts_at",
                      "balance_ends_at")
            changed = [f for f in frozen if getattr(locked, f) != clean[f]]
            if changed:
                raise Conflict("deposits were paid under these terms: " + ", ".join(changed), code="terms_frozen",
                               fields={f: "frozen" for f in changed})
        for key, value in clean.items():
            setattr(locked, key, value)
        locked.save()
    return locked


def move_presale(actor, presale: Presale, action: str, *, request=None) -> Presale:
    return campaigns.move(actor, presale, action, request=request)


# ---- the deposit ---------------------------------------------------------------------------------------------

def _check_qty(quantity) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 999:
        raise ValidationFailed("quantity: a whole number ≥ 1", fields={"quantity": "invalid"})
    return quantity


def place_deposit(user, presale_id: int, quantity: int, *, address: dict | None = None,
                  address_id: int | None = None, idempotency_key: str, request=None) -> Order:
    """The deposit order for `quantity` units. Within the order's transaction: the presale row is locked (the
    per-user limit is a sum that must not race), the cap counter moves by a guarded update, the purchase row is
    written. A repeat with the same key returns the first order."""
    presale = Presale.objects.select_related("sku").filter(pk=presale_id).first()
    if presale is None:
        raise NotFound("no such presale")
    existing = Order.objects.filter(user=user, idempotency_key=str(idempotency_key)[:64]).first()
    if existing is not None and PresaleOrder.objects.filter(deposit_order=existing, presale=presale).exists():
        existing.replayed = True
        return existing
    quantity = _check_qty(quantity)
    campaigns.require_live(presale)
    if quantity > presale.per_user_limit:
        raise ValidationFailed(f"quantity: at most {presale.per_user_limit} per buyer", code="over_limit",
                               fields={"quantity": f"max {presale.per_user_limit}"})
    if presale.deposit > presale.sku.price:
        raise Conflict("the SKU's list price is now below the deposit", code="presale_misconfigured")

    def hold_units(order: Order) -> None:
        locked = Presale.objects.select_for_update().get(pk=presale.pk)
        mine = (PresaleOrder.objects.filter(presale=locked, user=user, state__in=LIVE_STATES)
                .aggregate(n=Sum("quantity"))["n"] or 0)
        if mine + quantity > locked.per_user_limit:
            raise Conflict(f"at most {locked.per_user_limit} per buyer; you have {mine}", code="over_limit",
                           fields={"quantity": f"max {max(0, locked.per_user_limit - mine)}"})
        taken = Presale.objects.filter(pk=locked.pk, sold__lte=F("quantity_cap") - quantity).update(
            sold=F("sold") + quantity)
        if taken != 1:
            raise Conflict(f"only {locked.left} presale units left", code="presale_sold_out",
                           fields={"quantity": f"max {locked.left}"})
        PresaleOrder.objects.create(presale=locked, user=user, quantity=quantity, deposit_order=order)

    order = place_direct_order(
        user, presale.sku_id, quantity, address=address, address_id=address_id, idempotency_key=idempotency_key,
        campaign=CampaignPrice(presale.code, "预售定金", presale.deposit), before_commit=hold_units,
        request=request)
    if order.replayed and not PresaleOrder.objects.filter(deposit_order=order, presale=presale).exists():
        raise Conflict("idempotency_key was already used for another order", code="key_reused",
                       fields={"idempotency_key": "used"})
    if not order.replayed:
        campaigns.play_event("presale_deposit_placed", request, presale, actor=user, obj=order,
                             props={"quantity": quantity, "deposit": str(presale.deposit * quantity)})
    return order


# ---- the balance ---------------------------------------------------------------------------------------------

def place_balance(user, purchase_id: int, *, idempotency_key: str, request=None) -> Order:
    """The balance order, only inside the balance window and only after the deposit is paid (409 otherwise).
    Idempotent per purchase: while a balance order is pending or paid, it is returned again."""
    if not isinstance(purchase_id, int) or not 1 <= purchase_id <= 2**63 - 1:
        raise NotFound("no such presale order")
    previous = PresaleOrder.objects.filter(pk=purchase_id, user=user).values_list("balance_order_id", flat=True)
    previous = previous.first()
    if previous:
        # A pending one past its deadline expires now, in its own transaction and lock order (order, then
        # purchase — as the sweep and the receivers do); the receiver takes its units back for the deposit.
        expire_if_due(Order.objects.get(pk=previous))
    with transaction.atomic():
        purchase = (PresaleOrder.objects.select_for_update().select_related("presale", "deposit_order")
                    .filter(pk=purchase_id, user=user).first())
        if purchase is None:
            raise NotFound("no such presale order")
        if purchase.balance_order_id:
            current = Order.objects.get(pk=purchase.balance_order_id)
            if current.status not in (Order.Status.EXPIRED, Order.Status.CANCELLED):
                current.replayed = True
                return current
        if purchase.state != P.DEPOSIT_PAID:
            raise Conflict(f"this presale order is {purchase.get_state_display()}", code="balance_not_due",
                           fields={"state": purchase.state})
        presale = purchase.presale
        phase = presale.balance_phase(timezone.now())
        if phase == "upcoming":
            raise Conflict("the balance window has not opened yet", code="balance_not_open",
                           fields={"balance_starts_at": presale.balance_starts_at.isoformat()})
        if phase == "closed":
            raise Conflict("the balance window has closed", code="balance_closed",
                           fields={"balance_ends_at": presale.balance_ends_at.isoformat()})
        dep = purchase.deposit_order
        ship = {"name": dep.ship_name, "phone": dep.ship_phone, "province": dep.ship_province,
                "city": dep.ship_city, "district": dep.ship_district, "detail": dep.ship_detail}
        # The deposit's units, handed to the balance order's reservation in this same transaction (net zero).
        inventory.give_back({presale.sku_id: purchase.quantity})
        order = place_direct_order(
            user, presale.sku_id, purchase.quantity, address=ship, idempotency_key=idempotency_key,
            campaign=CampaignPrice(f"{presale.code}:balance", "预售尾款", presale.balance, free_shipping=True),
            note=f"预售尾款 · 定金订单 {dep.number}", request=request)
        if order.replayed:  # the key belongs to some other order: undo the hand-over
            raise Conflict("idempotency_key was already used for another order", code="key_reused",
                           fields={"idempotency_key": "used"})
        PresaleOrder.objects.filter(pk=purchase.pk).update(balance_order=order)
        OrderLog.objects.create(order=dep, message=f"预售尾款订单 {order.number} 已创建")
        campaigns.play_event("presale_balance_placed", request, presale, actor=user, obj=order,
                             props={"purchase": purchase.pk})
    return order


# ---- closing, reminders --------------------------------------------------------------------------------------

def _close_unpaid(purchase_id: int, now) -> str | None:
    """After the balance window, per the rule shown up front. Returns the new state or None (not due)."""
    to_refund = None
    deposit_order_id = PresaleOrder.objects.filter(pk=purchase_id).values_list("deposit_order_id", flat=True).first()
    if deposit_order_id is None:
        return None
    with transaction.atomic():
        order = lock_order(deposit_order_id)  # the order before the purchase, as the orders' signal receivers lock them
        purchase = (PresaleOrder.objects.select_for_update().select_related("presale")
                    .filter(pk=purchase_id).first())
        if purchase is None or purchase.state != P.DEPOSIT_PAID or now < purchase.presale.balance_ends_at:
            return None
        if purchase.balance_order_id:
            bal = Order.objects.get(pk=purchase.balance_order_id)
            if bal.status == Order.Status.PENDING_PAYMENT:
                return None  # placed in the window; its own expiry (minutes) decides, then we come back
        presale = purchase.presale
        if presale.refund_rule == Presale.RefundRule.REFUNDABLE:
            state = P.REFUNDED
            to_refund = purchase.deposit_order_id
        else:
            state = P.FORFEITED
            if order.status == Order.Status.PAID:
                # the deposit is kept by the rule shown up front; the trade closes without shipping and the
                # units go back on sale (after-sales is closed, so they cannot be restocked twice)
                pipeline.transition(order, Order.Status.CLOSED, message="预售尾款逾期未付：定金按规则不退，订单关闭")
                StoreOrder.objects.filter(order=order).update(status=StoreOrder.Status.CLOSED)
                inventory.restock(presale.sku_id, purchase.quantity)
        PresaleOrder.objects.filter(pk=purchase.pk).update(state=state, closed_at=now)
        Presale.objects.filter(pk=presale.pk).update(sold=F("sold") - purchase.quantity)
        name = "presale_forfeit" if state == P.FORFEITED else "presale_refund"
        campaigns.play_event(name, None, presale, actor=purchase.user, obj=purchase,
                             props={"quantity": purchase.quantity})
        notify(purchase.user_id, "presale", url=reverse("web:my_presales"), target_kind="presale",
               target_id=presale.pk,
               text=(f"预售「{presale.title}」尾款未在截止前支付，定金已按规则原路退回" if state == P.REFUNDED
                     else f"预售「{presale.title}」尾款未在截止前支付，定金按规则不予退还"))
    if to_refund is not None:
        # outside the lock: the refund calls the payment provider (after-sales restocks the unshipped units)
        refund_order(to_refund, reason="预售尾款逾期未付，定金按规则退回")
    return state


def _remind(purchase: PresaleOrder, field: str, text: str, now) -> bool:
    """Once per purchase and kind: a guarded UPDATE claims the reminder, then the notification is written in
    the same transaction (a racing second run claims nothing)."""
    with transaction.atomic():
        claimed = PresaleOrder.objects.filter(pk=purchase.pk, state=P.DEPOSIT_PAID, **{f"{field}__isnull": True}
                                              ).update(**{field: now})
        if claimed != 1:
            return False
        notify(purchase.user_id, "presale", text=text, url=reverse("web:my_presales"), target_kind="presale",
               target_id=purchase.presale_id)
    return True


def settle_restock_debt(purchase_id: int) -> int:
    """Take back units that after-sales put on sale for a balance-order refund but we could not take then."""
    with transaction.atomic():
        purchase = PresaleOrder.objects.select_for_update().select_related("presale").get(pk=purchase_id)
        if not purchase.restock_debt:
            return 0
        try:
            inventory.take({purchase.presale.sku_id: purchase.restock_debt})
        except InsufficientStock:
            return 0
        PresaleOrder.objects.filter(pk=purchase.pk).update(restock_debt=0)
        return purchase.restock_debt


def run_presale_due(now=None) -> dict[str, int]:
    """The periodic job: balance-window reminders (opening, 24 h before the end), closing unpaid balances after
    the window per each presale's refund rule, and any pending stock take-backs. Safe to run concurrently."""
    now = now or timezone.now()
    done = {"reminded_open": 0, "reminded_due": 0, "forfeited": 0, "refunded": 0, "restock_taken": 0}
    waiting = PresaleOrder.objects.filter(state=P.DEPOSIT_PAID).select_related("presale")
    for p in waiting.filter(reminded_open_at__isnull=True, presale__balance_starts_at__lte=now,
                            presale__balance_ends_at__gt=now, balance_order__isnull=True):
        end = timezone.localtime(p.presale.balance_ends_at).strftime("%m-%d %H:%M")
        if _remind(p, "reminded_open_at", f"预售「{p.presale.title}」开始付尾款啦，请在 {end} 前支付", now):
            done["reminded_open"] += 1
    for p in waiting.filter(reminded_due_at__isnull=True, presale__balance_ends_at__gt=now,
                            presale__balance_ends_at__lte=now + REMIND_BEFORE,
                            presale__balance_starts_at__lte=now):
        if p.balance_order_id and Order.objects.filter(pk=p.balance_order_id, status=Order.Status.PAID).exists():
            continue
        end = timezone.localtime(p.presale.balance_ends_at).strftime("%m-%d %H:%M")
        rule = "定金不退" if p.presale.refund_rule == Presale.RefundRule.FORFEIT else "定金将退回"
        if _remind(p, "reminded_due_at", f"预售「{p.presale.title}」尾款将于 {end} 截止，逾期{rule}", now):
            done["reminded_due"] += 1
    for pk in waiting.filter(presale__balance_ends_at__lte=now).values_list("pk", flat=True):
        state = _close_unpaid(pk, now)
        if state == P.FORFEITED:
            done["forfeited"] += 1
        elif state == P.REFUNDED:
            done["refunded"] += 1
    for pk in PresaleOrder.objects.filter(restock_debt__gt=0).values_list("pk", flat=True):
        done["restock_taken"] += settle_restock_debt(pk)
    return done


def deposit_discount_total(presale: Presale, quantity: int) -> Decimal:
    """What the deposits of `quantity` units take off the balance (定金膨胀)."""
    return presale.deposit_value * quantity
