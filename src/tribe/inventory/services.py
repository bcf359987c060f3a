"""Stock that never oversells.

`Sku.stock` is what can still be sold. Reserving takes units out of it with ONE guarded conditional UPDATE
over all the order's SKUs (`WHERE id IN (…) AND stock >= <wanted for that id>`), and the number of rows it
changed must equal the number of SKUs: otherwise one SKU was short, we raise, and the caller's transaction
rolls every decrement back. The rows are first locked with SELECT … FOR UPDATE in primary-key order, so two
checkouts that share SKUs queue on the same locks in the same order and cannot deadlock. Never
read-then-write; the query count does not grow with the number of lines.

Reservation state changes (active → consumed / released) are guarded the same way and happen under the
order's row lock (see tribe.orders.services), so a payment and an expiry cannot both act on one reservation.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from tribe.catalog.models import Product, Sku
from tribe.core.errors import Conflict

from .models import Reservation


class InsufficientStock(Conflict):
    code = "insufficient_stock"


def _per_sku(amounts: dict[int, int]) -> Case:
    return Case(*[When(pk=sku_id, then=Value(n)) for sku_id, n in amounts.items()], output_field=IntegerField())


def take(amounts: dict[int, int]) -> None:
    """Take units from several SKUs at once, all or nothing (raises InsufficientStock)."""
    if not amounts:
        return
    ids = sorted(amounts)
    list(Sku.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    updated = Sku.objects.filter(pk__in=ids, is_active=True, stock__gte=_per_sku(amounts)).update(
        stock=F("stock") - _per_sku(amounts)
    )
    if updated != len(ids):
        raise InsufficientStock("not enough stock for one of the items",
                                fields={"sku_ids": ",".join(map(str, ids))})
    refresh_product_stock(ids)


def give_back(amounts: dict[int, int]) -> None:
    if not amounts:
        return
    ids = sorted(amounts)
    Sku.objects.filter(pk__in=ids).update(stock=F("stock") + _per_sku(amounts))
    refresh_product_stock(ids)


def refresh_product_stock(sku_ids) -> None:
    """Product.total_stock (the listing's in-stock filter) = sum of its active SKUs' stock. One UPDATE."""
    per_product = (
        Sku.objects.filter(product_id=OuterRef("pk"), is_active=True)
        .values("product_id").annotate(s=Sum("stock")).values("s")
    )
    Product.objects.filter(skus__pk__in=list(sku_ids)).update(total_stock=Coalesce(Subquery(per_product), 0))


def reserve(order_id: int, lines: list[tuple[int, int, int]], expires_at: datetime) -> list[Reservation]:
    """Reserve (line_id, sku_id, quantity) for an order, inside the caller's transaction."""
    wanted: dict[int, int] = defaultdict(int)
    for _, sku_id, qty in lines:
        wanted[sku_id] += qty
    take(dict(wanted))
    return Reservation.objects.bulk_create(
        Reservation(sku_id=sku_id, order_id=order_id, line_id=line_id, quantity=qty, expires_at=expires_at)
        for line_id, sku_id, qty in lines
    )


def release(order_id: int) -> int:
    """Return an order's active reservations to stock (call under the order's lock). Returns units released."""
    active = list(Reservation.objects.filter(order_id=order_id, state=Reservation.State.ACTIVE)
                  .values_list("pk", "sku_id", "quantity"))
    if not active:
        return 0
    moved = Reservation.objects.filter(pk__in=[a[0] for a in active], state=Reservation.State.ACTIVE).update(
        state=Reservation.State.RELEASED, closed_at=timezone.now()
    )
    if moved != len(active):  # cannot happen under the order lock; refuse rather than double-count
        raise Conflict("reservations changed meanwhile", code="reservation_conflict")
    amounts: dict[int, int] = defaultdict(int)
    for _, sku_id, qty in active:
        amounts[sku_id] += qty
    give_back(dict(amounts))
    return sum(amounts.values())


def consume(order_id: int) -> int:
    """Mark an order's active reservations sold (call under the order's lock). Returns rows consumed."""
    return Reservation.objects.filter(order_id=order_id, state=Reservation.State.ACTIVE).update(
        state=Reservation.State.CONSUMED, closed_at=timezone.now()
    )


def restock(sku_id: int, quantity: int) -> None:
    """Goods came back (a return, or a refund before shipping): on sale again."""
    give_back({sku_id: quantity})


def reserved_by_sku(sku_ids) -> dict[int, int]:
    rows = (
        Reservation.objects.filter(sku_id__in=list(sku_ids), state=Reservation.State.ACTIVE)
        .values("sku_id")
        .annotate(n=Sum("quantity"))
    )
    return {r["sku_id"]: r["n"] for r in rows}
