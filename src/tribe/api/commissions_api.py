"""Commissions (佣金): a promoter's balances and ledger, payout requests, and the brand console's payout queue.

Money is in five buckets (pending → frozen → available → withdrawing → withdrawn); `debt` is what the
promoter owes when refunds after a withdrawal pushed `available` below zero. Payout requests move available →
withdrawing (422 below the program's threshold or above what is available); brand staff approve (the dummy
method pays at once) or reject (back to available); a second decision is 409.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.commissions import selectors, services

from .auth import REQUIRED
from .common import by_slug, ref_by_slug
from .pagination import Page, PageQuery, paginate
from .schemas import In, Money, MoneyIn

router = Router(tags=["commissions"])


class BalanceOut(Schema):
    brand: str = Field(description="brand slug")
    brand_name: str
    pending: Money
    frozen: Money
    available: Money
    withdrawing: Money
    withdrawn: Money
    debt: Money = Field(description="owed after refunds of withdrawn commission; repaid by new commission")
    min_withdrawal: Money


class EntryOut(Schema):
    id: int
    brand: str
    kind: str
    reward_kind: str
    d_pending: Money
    d_frozen: Money
    d_available: Money
    d_withdrawing: Money
    d_withdrawn: Money
    order_line: int | None
    payout: int | None
    frozen_until: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_brand(obj):
        return obj.brand.slug

    @staticmethod
    def resolve_order_line(obj):
        return obj.attribution.line_id if obj.attribution_id else None

    @staticmethod
    def resolve_payout(obj):
        return obj.payout_id


class CommissionsOut(Schema):
    balances: list[BalanceOut]
    entries: Page[EntryOut]


class PayoutIn(In):
    brand: str = Field(description="brand slug of the program to withdraw from")
    amount: MoneyIn


class PayoutOut(Schema):
    id: int
    brand: str
    promoter_user: int
    amount: Money
    state: str
    method: str
    requested_at: datetime
    decided_at: datetime | None
    reference: str
    note: str

    @staticmethod
    def resolve_brand(obj):
        return obj.brand.slug

    @staticmethod
    def resolve_promoter_user(obj):
        return obj.promoter.user_id


class PayoutQuery(PageQuery):
    state: Literal["requested", "approved", "rejected", "paid"] | None = None


class RejectIn(In):
    note: str = ""


def _balances(user) -> list[dict]:
    return [{"brand": row["brand"].slug, "brand_name": row["brand"].name, **row["balance"], "debt": row["debt"],
             "min_withdrawal": row["min_withdrawal"]} for row in selectors.balances_of_user(user)]


@router.get("/me/commissions", response=CommissionsOut, auth=REQUIRED, summary="My commission balances and ledger")
def my_commissions(request, params: Query[PageQuery]):
    """Balances per brand (cash rewards), and the ledger entries of every brand, newest first."""
    return {"balances": _balances(request.user),
            "entries": paginate(selectors.entries_of_user(request.user), params)}


@router.post("/me/payouts", response={201: PayoutOut}, auth=REQUIRED, summary="Request a payout")
def request_payout(request, payload: PayoutIn):
    """Withdraw from the available balance of one brand's program. 422 `below_minimum` under the program's
    threshold, 422 `insufficient_balance` above what is available, 404 `not_promoter`."""
    brand = ref_by_slug(Brand.objects, payload.brand, "brand", "brand")
    payout = services.request_payout(request.user, brand.pk, payload.amount, request=request)
    return Status(201, selectors.payouts_of_user(request.user).get(pk=payout.pk))


@router.get("/me/payouts", response=Page[PayoutOut], auth=REQUIRED, summary="My payouts")
def my_payouts(request, params: Query[PageQuery]):
    return paginate(selectors.payouts_of_user(request.user), params)


def _staff_brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects, slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return brand


@router.get("/console/brands/{slug}/payouts", response=Page[PayoutOut], auth=REQUIRED, tags=["console"],
            summary="Payout requests of a brand (brand staff)")
def brand_payouts(request, slug: str, params: Query[PayoutQuery]):
    brand = _staff_brand(request, slug)
    return paginate(selectors.payouts_of_brand(brand.pk, params.state), params)


@router.post("/console/brands/{slug}/payouts/{int:payout_id}/approve", response=PayoutOut, auth=REQUIRED,
             tags=["console"], summary="Approve a payout (brand staff); the dummy method pays at once")
def approve_payout(request, slug: str, payout_id: int):
    brand = _staff_brand(request, slug)
    payout = services.approve_payout(request.user, payout_id, brand_id=brand.pk, request=request)
    return selectors.payouts_of_brand(brand.pk).get(pk=payout.pk)


@router.post("/console/brands/{slug}/payouts/{int:payout_id}/reject", response=PayoutOut, auth=REQUIRED,
             tags=["console"], summary="Reject a payout (brand staff); the amount returns to available")
def reject_payout(request, slug: str, payout_id: int, payload: RejectIn | None = None):
    brand = _staff_brand(request, slug)
    note = payload.note if payload is not None else ""
    payout = services.reject_payout(request.user, payout_id, brand_id=brand.pk, note=note, request=request)
    return selectors.payouts_of_brand(brand.pk).get(pk=payout.pk)


CSV_COLUMNS = ["id", "promoter_user_id", "promoter_name", "amount", "state", "method", "requested_at",
               "decided_at", "reference"]


def payouts_csv(brand: Brand, state: str | None = None) -> HttpResponse:
    """The brand's payouts for finance, oldest first; amounts as two-decimal strings."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for p in selectors.payouts_of_brand(brand.pk, state).order_by("requested_at", "id").iterator(chunk_size=500):
        name = p.promoter.user.display_name
        writer.writerow([p.pk, p.promoter.user_id, _csv_safe(name), f"{p.amount:.2f}", p.state, p.method,
                         p.requested_at.isoformat(), p.decided_at.isoformat() if p.decided_at else "",
                         _csv_safe(p.reference)])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payouts-{brand.slug}.csv"'
    return response


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; a user-chosen name must not."""
    value = str(value or "")
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@router.get("/console/brands/{slug}/payouts.csv", auth=REQUIRED, tags=["console"],
            summary="Payouts of a brand as CSV (brand staff)")
def brand_payouts_csv(request, slug: str):
    return payouts_csv(_staff_brand(request, slug))



class InKindOut(Schema):
    brand: str
    kind: str
    balance: dict[str, str]
    gift_ready: bool


class GiftIn(In):
    brand: str
    idempotency_key: str
    address_id: int | None = None
    address: dict | None = None


@router.get("/me/commissions/in-kind", response=list[InKindOut], auth=REQUIRED,
            summary="My non-cash rewards per brand (points, rebate coupons, gift)")
def my_in_kind(request):
    return [{"brand": r["brand"].slug, "kind": r["kind"], "gift_ready": r["gift_ready"],
             "balance": {k: f"{v:.2f}" for k, v in r["balance"].items()}}
            for r in selectors.in_kind_of_user(request.user)]


@router.post("/me/commissions/gift", response={201: dict, 200: dict}, auth=REQUIRED,
             summary="Claim the brand's gift reward (a free order) once its value is available")
def claim_gift(request, payload: GiftIn):
    """422 `insufficient_balance` until the gift's value is available; 409 `no_gift` when the brand does not reward
    with a gift. A repeat with the same idempotency key answers 200 with the first order."""
    brand = ref_by_slug(Brand.objects.all(), payload.brand, "brand", "brand")
    order = services.claim_gift(request.user, brand.pk, idempotency_key=payload.idempotency_key,
                                address=payload.address, address_id=payload.address_id, request=request)
    return Status(200 if getattr(order, "replayed", False) else 201, {"order": order.number})
