"""API of 会员积分与等级: my points (balance, tier, history), daily sign-in, my tier; a brand's tier prices."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Query, Router, Schema, Status

from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.loyalty import selectors, services, tiers
from tribe.loyalty.models import PointsEntry, TierPrice

from .auth import REQUIRED
from .common import by_slug
from .pagination import Page, PageQuery, paginate
from .schemas import In, MoneyIn, ObjectId

router = Router(tags=["loyalty"])


class EntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    points: int
    reason: str
    reason_label: str
    ref: str
    brand: str | None
    expires_at: datetime | None
    created_at: datetime


class ExpiringOut(Schema):
    expires_at: datetime
    points: int


class TierOut(Schema):
    tier: str | None
    rank: int | None
    next_tier: str | None
    spend: str
    points_earned: int
    to_next_spend: str | None
    to_next_points: int | None
    progress_percent: int
    window_days: int


class PointsOut(Schema):
    balance: int
    tier: TierOut
    signed_in_today: bool
    expiring_soon: list[ExpiringOut]
    entries: Page[EntryOut]


class SignInOut(Schema):
    day: date
    streak: int
    points: int
    balance: int


class TierPriceOut(Schema):
    id: int
    sku_id: int
    sku_code: str
    product_id: int
    product_name: str
    list_price: str
    tier_id: int
    tier: str
    price: str


class TierPriceIn(In):
    sku_id: ObjectId
    tier_id: ObjectId
    price: MoneyIn


def _entry(e: PointsEntry) -> dict:
    return {"id": e.pk, "kind": e.kind, "kind_label": str(e.get_kind_display()), "points": e.points,
            "reason": e.reason, "reason_label": e.reason_label, "ref": e.ref,
            "brand": e.brand.name if e.brand_id else None,
            "expires_at": e.expires_at if e.points > 0 else None, "created_at": e.created_at}


def tier_out(status: tiers.MemberStatus) -> dict:
    return {"tier": status.tier.name if status.tier else None, "rank": status.tier.rank if status.tier else None,
            "next_tier": status.next_tier.name if status.next_tier else None, "spend": f"{status.spend:.2f}",
            "points_earned": status.points,
            "to_next_spend": f"{status.to_next_spend:.2f}" if status.to_next_spend is not None else None,
            "to_next_points": status.to_next_points, "progress_percent": status.progress_percent,
            "window_days": status.window_days}


@router.get("/me/points", response=PointsOut, auth=REQUIRED, summary="My points: balance, tier, history")
def my_points(request, q: Query[PageQuery]):
    page = paginate(selectors.history(request.user), q)
    page["items"] = [_entry(e) for e in page["items"]]
    return {"balance": services.balance(request.user), "tier": tier_out(tiers.member_status(request.user)),
            "signed_in_today": services.signed_in_today(request.user) is not None,
            "expiring_soon": selectors.expiring_soon(request.user), "entries": page}


@router.post("/me/points/sign-in", response={201: SignInOut}, auth=REQUIRED,
             summary="Daily sign-in (签到); 409 already_signed_in on a second try the same day")
def sign_in(request):
    row = services.sign_in(request.user, request=request)
    return Status(201, {"day": row.day, "streak": row.streak, "points": row.points,
                        "balance": services.balance(request.user)})


@router.get("/me/tier", response=TierOut, auth=REQUIRED, summary="My member tier and progress to the next")
def my_tier(request):
    return tier_out(tiers.member_status(request.user))


def _brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return brand


def _tier_price(tp: TierPrice) -> dict:
    return {"id": tp.pk, "sku_id": tp.sku_id, "sku_code": tp.sku.code, "product_id": tp.sku.product_id,
            "product_name": tp.sku.product.name, "list_price": f"{tp.sku.price:.2f}", "tier_id": tp.tier_id,
            "tier": tp.tier.name, "price": f"{tp.price:.2f}"}


@router.get("/console/brands/{slug}/tier-prices", response=Page[TierPriceOut], auth=REQUIRED, tags=["console"],
            summary="The brand's member prices per SKU and tier")
def brand_tier_prices(request, slug: str, q: Query[PageQuery]):
    page = paginate(tiers.brand_tier_prices(_brand(request, slug)), q)
    page["items"] = [_tier_price(tp) for tp in page["items"]]
    return page


@router.post("/console/brands/{slug}/tier-prices", response={201: TierPriceOut}, auth=REQUIRED, tags=["console"],
             summary="Set a member price for one of the brand's SKUs and a tier (below the list price)")
def set_tier_price(request, slug: str, payload: TierPriceIn):
    row = tiers.set_tier_price(request.user, _brand(request, slug), sku_id=payload.sku_id, tier_id=payload.tier_id,
                               price=payload.price)
    return Status(201, _tier_price(TierPrice.objects.select_related("sku__product", "tier").get(pk=row.pk)))


@router.delete("/console/brands/{slug}/tier-prices/{int:tier_price_id}", response={204: None}, auth=REQUIRED,
               tags=["console"], summary="Remove a member price")
def remove_tier_price(request, slug: str, tier_price_id: int):
    tiers.remove_tier_price(request.user, _brand(request, slug), tier_price_id)
    return Status(204, None)
