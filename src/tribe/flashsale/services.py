"""秒杀 writes: create and edit a sale, start (carve the stock out), buy, give back on cancel, end (return).

Lock order, the same everywhere so nothing deadlocks: the sale row (lifecycle moves) → the SKU rows (in pk
order) → the flash item rows → the per-user quota row. A buyer takes the SKU lock first (its give-back below),
a cancellation holds it from inventory.release(), the end takes it explicitly before the items.

Why a buyer gives back before it orders: place_direct_order() reserves units from `Sku.stock` (and refuses when
the public stock is short — which it is once everything is carved). The flash units live in `FlashItem.left`,
so one transaction moves `qty` from the item to the SKU (guarded: `left >= qty`) and then lets the order
reserve them from the SKU: the public stock ends where it began, the item is `qty` lower, and if anything
fails (address, limit, idempotency replay) the whole transaction rolls back — no unit is created or lost.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tribe.brands.selectors import require_brand_staff
from tribe.campaigns.models import PlayStatus
from tribe.campaigns.services import check_window, move, play_event, require_live
from tribe.catalog.models import Sku
from tribe.core.errors import Conflict, DomainError, NotAuthenticated, NotFound, ValidationFailed
from tribe.core.money import to_money
from tribe.core.text import clean_text
from tribe.inventory import services as inventory
from tribe.orders.checkout import KEY_RE, CampaignPrice, check_address, place_direct_order
from tribe.orders.models import Address, Order

from . import rush
from .models import FlashItem, FlashPurchase, FlashQuota, FlashSale

S = PlayStatus
MAX_QUANTITY = 99
MAX_ITEMS = 50
LABEL = "秒杀价"


class SoldOut(Conflict):
    code = "sold_out"


class LimitReached(Conflict):
    code = "limit_reached"


class TryAgain(DomainError):
    """Too many checkouts of this item are running right now; the client retries after `retry_after` s."""

    status = 429
    code = "try_again"
    retry_after = 1


class _Replayed(Exception):
    """A twin request with the same idempotency key placed the order first: roll our writes back."""

    def __init__(self, order: Order):
        self.order = order


# ---- staff: sales and items --------------------------------------------------------------------------------


def create_sale(actor, brand, *, title: str, starts_at: datetime | None, ends_at: datetime | None,
                description: str = "") -> FlashSale:
    require_brand_staff(actor, brand.pk)
    title = clean_text(title, "title", max_length=80, required=True)
    description = clean_text(description, "description", max_length=500)
    starts_at, ends_at = check_window(starts_at, ends_at)
    return FlashSale.objects.create(brand=brand, title=title, description=description, starts_at=starts_at,
                                    ends_at=ends_at, created_by=actor)


def update_sale(actor, sale: FlashSale, *, title: str | None = None, description: str | None = None,
                starts_at: datetime | None = None, ends_at: datetime | None = None) -> FlashSale:
    """Title and description until the sale ends; the time slot only while it is a draft."""
    require_brand_staff(actor, sale.brand_id)
    changes: dict = {}
    if title is not None:
        changes["title"] = clean_text(title, "title", max_length=80, required=True)
    if description is not None:
        changes["description"] = clean_text(description, "description", max_length=500)
    if starts_at is not None or ends_at is not None:
        changes["starts_at"], changes["ends_at"] = check_window(starts_at or sale.starts_at, ends_at or sale.ends_at)
        if (changes["starts_at"], changes["ends_at"]) == (sale.starts_at, sale.ends_at):
            del changes["starts_at"], changes["ends_at"]
    allowed = [S.DRAFT] if "starts_at" in changes else [S.DRAFT, S.RUNNING, S.PAUSED]
    if changes:
        changes["updated_at"] = timezone.now()
        if not FlashSale.objects.filter(pk=sale.pk, status__in=allowed).update(**changes):
            raise Conflict("the time slot can only change while the sale is a draft (and nothing after it ends)",
                           code="not_editable")
        for k, v in changes.items():
            setattr(sale, k, v)
    return sale


def _check_int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"{name}: a whole number from {low} to {high}", fields={name: "out of range"})
    return value


def add_item(actor, sale: FlashSale, *, sku_id: int, flash_price, quantity: int,
             per_user_limit: int = 1) -> FlashItem:
    """Put a SKU of the brand's own stores on the sale (draft only). The flash price must be below list."""
    require_brand_staff(actor, sale.brand_id)
    quantity = _check_int(quantity, "quantity", 1, 100_000)
    per_user_limit = _check_int(per_user_limit, "per_user_limit", 1, MAX_QUANTITY)
    price = to_money(flash_price, field="flash_price")
    sku = (Sku.objects.select_related("product__store")
           .filter(pk=sku_id, is_active=True, product__store__brand_id=sale.brand_id).first()
           if isinstance(sku_id, int) and not isinstance(sku_id, bool) else None)
    if sku is None:
        raise NotFound("no such SKU among this brand's products", fields={"sku_id": "unknown"})
    if price >= sku.price:
        raise ValidationFailed("flash_price: must be below the list price", code="price_not_lower",
                               fields={"flash_price": f"list price {sku.price}"})
    with transaction.atomic():
        locked = FlashSale.objects.select_for_update().get(pk=sale.pk)
        if locked.status != S.DRAFT:
            raise Conflict("items can only change while the sale is a draft", code="not_editable")
        if FlashItem.objects.filter(sale=sale).count() >= MAX_ITEMS:
            raise ValidationFailed(f"at most {MAX_ITEMS} items per sale", code="too_many_items")
        if FlashItem.objects.filter(sale=sale, sku=sku).exists():
            raise Conflict("this SKU is already on the sale", code="item_exists", fields={"sku_id": "duplicate"})
        position = FlashItem.objects.filter(sale=sale).count()
        return FlashItem.objects.create(sale=sale, sku=sku, flash_price=price, quantity=quantity,
                                        per_user_limit=per_user_limit, position=position)


def update_item(actor, item: FlashItem, *, flash_price=None, quantity: int | None = None,
                per_user_limit: int | None = None) -> FlashItem:
    require_brand_staff(actor, item.sale.brand_id)
    changes: dict = {}
    if flash_price is not None:
        changes["flash_price"] = to_money(flash_price, field="flash_price")
        if changes["flash_price"] >= item.sku.price:
            raise ValidationFailed("flash_price: must be below the list price", code="price_not_lower",
                                   fields={"flash_price": f"list price {item.sku.price}"})
    if quantity is not None:
        changes["quantity"] = _check_int(quantity, "quantity", 1, 100_000)
    if per_user_limit is not None:
        changes["per_user_limit"] = _check_int(per_user_limit, "per_user_limit", 1, MAX_QUANTITY)
    if changes and not FlashItem.objects.filter(pk=item.pk, sale__status=S.DRAFT).update(**changes):
        raise Conflict("items can only change while the sale is a draft", code="not_editable")
    for k, v in changes.items():
        setattr(item, k, v)
    return item


def remove_item(actor, item: FlashItem) -> None:
    require_brand_staff(actor, item.sale.brand_id)
    if not FlashItem.objects.filter(pk=item.pk, sale__status=S.DRAFT).delete()[0]:
        raise Conflict("items can only change while the sale is a draft", code="not_editable")


# ---- lifecycle: start carves, end returns ------------------------------------------------------------------


def start_sale(actor, sale: FlashSale, *, request=None) -> FlashSale:
    """Publish the sale and carve each item's units out of its SKU, all or nothing (409 insufficient_stock
    names the SKUs when one lacks them, and the sale stays a draft). Before starts_at it shows as upcoming."""
    require_brand_staff(actor, sale.brand_id)
    if sale.ends_at <= timezone.now():
        raise Conflict("the time slot is already over; change it first", code="window_over")
    with transaction.atomic():
        move(actor, sale, "start", request=request)
        carve(sale)
    return sale


def carve(sale: FlashSale) -> dict[int, int]:
    """Take every item's quantity from its SKU into `left`, exactly once (guarded by carved_at)."""
    if not FlashSale.objects.filter(pk=sale.pk, carved_at__isnull=True).update(carved_at=timezone.now()):
        return {}
    items = list(FlashItem.objects.filter(sale=sale).values_list("pk", "sku_id", "quantity"))
    if not items:
        raise ValidationFailed("add at least one item before starting", code="no_items")
    inventory.take({sku_id: qty for _, sku_id, qty in items})  # locks the SKUs in pk order; all or nothing
    FlashItem.objects.filter(sale=sale).update(left=F("quantity"))
    counts = {pk: qty for pk, _, qty in items}

    def publish():
        rush.redis_set(counts)
        for pk in counts:
            rush.clear_sold_out(pk)

    transaction.on_commit(publish)
    return counts


def pause_sale(actor, sale: FlashSale, *, request=None) -> FlashSale:
    return move(actor, sale, "pause", request=request)


def resume_sale(actor, sale: FlashSale, *, request=None) -> FlashSale:
    return move(actor, sale, "resume", request=request)


def end_sale(actor, sale: FlashSale, *, request=None) -> FlashSale:
    return move(actor, sale, "end", on_end=return_stock, request=request)


def return_stock(sale: FlashSale) -> dict[int, int]:
    """Put what is left of every item back into its SKU, exactly once (guarded by returned_at); call inside
    the transaction that ends the sale. Units still in unpaid orders come back through their cancellation,
    which then finds the sale over and leaves them in the SKU."""
    if not FlashSale.objects.filter(pk=sale.pk, returned_at__isnull=True).update(returned_at=timezone.now()):
        return {}
    sku_ids = sorted(FlashItem.objects.filter(sale=sale).values_list("sku_id", flat=True))
    list(Sku.objects.select_for_update().filter(pk__in=sku_ids).order_by("pk").values_list("pk", flat=True))
    items = list(FlashItem.objects.select_for_update().filter(sale=sale).order_by("pk").values_list(
        "pk", "sku_id", "left"))
    amounts = {sku_id: left for _, sku_id, left in items if left > 0}
    FlashItem.objects.filter(sale=sale, left__gt=0).update(left=0)
    inventory.give_back(amounts)
    item_ids = [pk for pk, _, _ in items]
    transaction.on_commit(lambda: rush.redis_drop(item_ids))
    return amounts


def end_due_sales(now: datetime | None = None) -> int:
    """The periodic sweep: sales whose slot is over end and return their stock. Safe to run concurrently with
    itself and with the console's end button (the status and returned_at guards let one of them act)."""
    now = now or timezone.now()
    ended = 0
    due = FlashSale.objects.filter(Q(status__in=[S.RUNNING, S.PAUSED], ends_at__lte=now)
                                   | Q(status=S.ENDED, returned_at__isnull=True, carved_at__isnull=False))
    for sale in due.order_by("pk"):
        with transaction.atomic():
            moved = FlashSale.objects.filter(pk=sale.pk, status__in=[S.RUNNING, S.PAUSED]).update(
                status=S.ENDED, updated_at=timezone.now())
            returned = return_stock(sale)
            if moved:
                sale.status = S.ENDED
                play_event("campaign_end", None, sale, props={"auto": True, "returned": sum(returned.values())})
                ended += 1
    return ended


# ---- buying -----------------------------------------------------------------------------------------------


def _check_buy_input(user, quantity, idempotency_key, address, address_id) -> None:
    if user is None or not user.is_authenticated:
        raise NotAuthenticated("sign in to buy")
    _check_int(quantity, "quantity", 1, MAX_QUANTITY)
    if not isinstance(idempotency_key, str) or not KEY_RE.match(idempotency_key):
        raise ValidationFailed("idempotency_key: 8–64 letters, digits or _.:-", fields={"idempotency_key": "invalid"})
    if address_id is not None:
        if not Address.objects.filter(user=user, pk=address_id).exists():
            raise NotFound("no such address", fields={"address_id": "unknown"})
    else:
        check_address(address or {})


def buy(user, sale_id: int, item_id: int, *, quantity: int = 1, address: dict | None = None,
        address_id: int | None = None, idempotency_key: str, shipping: str = "standard", request=None) -> Order:
    """A flash order at the flash price (pending payment; pay before it expires or the units go back).

    Refusals, cheapest first, writing nothing: 422 bad input, 404 unknown item, 409 campaign_* (not live),
    409 limit_reached, 409 sold_out (cached flag, Redis counter, or the database), 429 try_again (too many
    checkouts of this item at once in this process). The same idempotency key returns the first order."""
    _check_buy_input(user, quantity, idempotency_key, address, address_id)
    existing = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
    if existing is not None:
        existing.replayed = True
        return existing
    item = FlashItem.objects.select_related("sale").filter(pk=item_id, sale_id=sale_id).first()
    if item is None:
        raise NotFound("no such flash item", fields={"item_id": "unknown"})
    sale = item.sale
    require_live(sale)
    if quantity > item.per_user_limit:
        raise LimitReached(f"at most {item.per_user_limit} per person", fields={"quantity": "over the limit"})
    # A hint (the guarded quota update decides): tell a user at the limit so, even once the item is sold out.
    held = FlashQuota.objects.filter(item=item, user=user).values_list("bought", flat=True).first() or 0
    if held + quantity > item.per_user_limit:
        raise LimitReached(f"at most {item.per_user_limit} per person; you hold {held}",
                           fields={"quantity": "over the limit"})
    if rush.is_sold_out(item.pk):
        raise SoldOut("sold out", fields={"item_id": str(item.pk)})
    sem = rush.slot(item.pk)
    if not sem.acquire(blocking=False):
        raise TryAgain("too many buyers right now; try again in a moment")
    try:
        pre = rush.redis_take(item.pk, quantity)
        if pre == rush.EMPTY:
            if rush.redis_value(item.pk) == 0:  # not just fewer than this buyer asked for
                rush.mark_sold_out(item.pk)
            raise SoldOut("sold out", fields={"item_id": str(item.pk)})
        try:
            order = _buy_in_db(user, sale, item, quantity, address=address, address_id=address_id,
                               idempotency_key=idempotency_key, shipping=shipping, request=request)
        except _Replayed as replay:
            if pre == rush.TAKEN:
                rush.redis_give(item.pk, quantity)
            return replay.order
        except BaseException:
            if pre == rush.TAKEN:
                rush.redis_give(item.pk, quantity)
            raise
    finally:
        sem.release()
    play_event("flash_order", request, sale, actor=user, obj=order,
               props={"item": item.pk, "sku": item.sku_id, "quantity": quantity, "total": str(order.total)})
    return order


def _sold_out(item: FlashItem, quantity: int):
    """Refuse; flag the item sold out (for the next buyers' fast answer) only when nothing at all is left."""
    if quantity == 1 or not FlashItem.objects.filter(pk=item.pk, left__gt=0).exists():
        rush.mark_sold_out(item.pk)
        raise SoldOut("sold out", fields={"item_id": str(item.pk)})
    raise SoldOut("fewer units left than asked for", fields={"quantity": "more than left"})


def _buy_in_db(user, sale, item, quantity, *, address, address_id, idempotency_key, shipping, request) -> Order:
    # A hint, not a guard (the guarded update below is): answer a sold-out rush without taking any lock.
    if not FlashItem.objects.filter(pk=item.pk, left__gte=quantity).exists():
        _sold_out(item, quantity)
    with transaction.atomic():
        # Fund the order's reservation from the flash units: first the SKU (its row lock first, like cancel
        # and end), then the guarded decrement of the item. Net zero on the public stock.
        inventory.give_back({item.sku_id: quantity})
        if not FlashItem.objects.filter(pk=item.pk, left__gte=quantity).update(
                left=F("left") - quantity, sold=F("sold") + quantity):
            _sold_out(item, quantity)
        quota, _ = FlashQuota.objects.get_or_create(item=item, user=user)
        if not FlashQuota.objects.filter(pk=quota.pk, bought__lte=item.per_user_limit - quantity).update(
                bought=F("bought") + quantity):
            raise LimitReached(f"at most {item.per_user_limit} per person", fields={"quantity": "over the limit"})

        def link(order: Order) -> None:
            FlashPurchase.objects.create(item=item, user=user, order=order, quantity=quantity)

        order = place_direct_order(
            user, item.sku_id, quantity, address=address, address_id=address_id, shipping=shipping,
            idempotency_key=idempotency_key, campaign=CampaignPrice(sale.code, LABEL, item.flash_price),
            before_commit=link, request=request)
        if order.replayed:
            raise _Replayed(order)
    return order


def on_order_cancelled(sender, order: Order, reason: str = "", **kwargs) -> None:
    """An unpaid flash order was cancelled or expired (inventory.release() already put its units into the
    SKU, holding the SKU's lock): while the sale is not over the units go back to the item (and the Redis
    counter); after the end they stay in the SKU. The user's quota is freed either way."""
    purchases = list(FlashPurchase.objects.filter(order=order, state=FlashPurchase.State.LIVE)
                     .values_list("pk", "item_id", "user_id", "quantity"))
    for pk, item_id, user_id, qty in purchases:
        if not FlashPurchase.objects.filter(pk=pk, state=FlashPurchase.State.LIVE).update(
                state=FlashPurchase.State.CANCELLED):
            continue
        item = FlashItem.objects.select_for_update(of=("self",)).select_related("sale").get(pk=item_id)
        FlashQuota.objects.filter(item_id=item_id, user_id=user_id).update(bought=F("bought") - qty)
        back = item.sale.returned_at is None and item.sale.status != S.ENDED
        if back:
            try:
                with transaction.atomic():
                    inventory.take({item.sku_id: qty})
            except inventory.InsufficientStock:  # the SKU was switched off meanwhile: the units stay there
                back = False
        if back:
            FlashItem.objects.filter(pk=item_id).update(left=F("left") + qty, sold=F("sold") - qty)
            FlashPurchase.objects.filter(pk=pk).update(returned_to_sale=True)

            def reopen(item_id=item_id, qty=qty):
                rush.redis_give(item_id, qty)
                rush.clear_sold_out(item_id)

            transaction.on_commit(reopen)
        else:
            FlashItem.objects.filter(pk=item_id).update(sold=F("sold") - qty)

