"""API of 抽奖: a lottery with its published odds, draw, share for a chance, my draws, claim a goods prize; the
brand console's CRUD, lifecycle and audit."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status
from pydantic import model_validator

from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.core.errors import NotFound
from tribe.lottery import draws, odds, selectors, services
from tribe.lottery.models import Draw, Lottery, Prize
from tribe.sharing.services import share_link

from .auth import OPTIONAL, REQUIRED
from .common import by_slug
from .order_schemas import AddressIn
from .pagination import Page, PageQuery, paginate
from .schemas import In, MoneyIn, ObjectId, OkOut

router = Router(tags=["lottery"])


class OddsOut(Schema):
    prize_id: int | None
    name: str
    kind: str
    percent: str = Field(description="probability in %, 3 decimals, from the configuration")
    stock_left: int | None = Field(description="None: unlimited (谢谢参与)")


class ChancesOut(Schema):
    order: int
    share: int
    points: int | None = Field(description="draws the points balance pays for (None: not offered / signed out)")
    shared_today: bool
    today_left: int | None
    total_left: int | None


class LotteryOut(Schema):
    id: int
    code: str
    brand: str
    title: str
    description: str
    status: str
    phase: str
    starts_at: datetime
    ends_at: datetime
    odds_mode: str
    entries: list[str]
    points_cost: int
    order_min_amount: str | None
    chances_per_order: int
    daily_limit: int
    total_limit: int
    claim_days: int
    odds: list[OddsOut]
    chances: ChancesOut | None = None
    url: str


class DrawOut(Schema):
    id: int
    lottery_id: int
    entry: str
    random_value: int
    random_range: int
    won: bool
    prize: str | None
    prize_kind: str | None
    award: str
    claim_by: datetime | None
    order: str | None
    created_at: datetime


class DrawIn(In):
    entry: Literal["points", "order", "share"]


class ShareOut(Schema):
    link: str
    granted: bool = Field(description="True when this share granted today's chance")


class ClaimIn(In):
    address: AddressIn | None = None
    address_id: ObjectId | None = None

    @model_validator(mode="after")
    def _one_address(self):
        if (self.address is None) == (self.address_id is None):
            raise ValueError("send either address or address_id")
        return self


def _odds(lottery: Lottery, prizes: list[Prize]) -> list[dict]:
    return [{"prize_id": r.prize.pk if r.prize else None, "name": r.name, "kind": r.kind,
             "percent": f"{r.percent:.3f}", "stock_left": r.stock_left} for r in odds.published(lottery, prizes)]


def _lottery(request, lottery: Lottery, *, with_chances: bool = True) -> dict:
    user = request.user if getattr(request, "user", None) is not None and request.user.is_authenticated else None
    return {"id": lottery.pk, "code": lottery.code, "brand": lottery.brand.name, "title": lottery.title,
            "description": lottery.description, "status": lottery.status, "phase": lottery.phase,
            "starts_at": lottery.starts_at, "ends_at": lottery.ends_at, "odds_mode": lottery.odds_mode,
            "entries": lottery.entries, "points_cost": lottery.points_cost,
            "order_min_amount": None if lottery.order_min_amount is None else f"{lottery.order_min_amount:.2f}",
            "chances_per_order": lottery.chances_per_order, "daily_limit": lottery.daily_limit,
            "total_limit": lottery.total_limit, "claim_days": lottery.claim_days,
            "odds": _odds(lottery, list(lottery.prizes.all())),
            "chances": draws.chances(user, lottery) if user and with_chances else None,
            "url": request.build_absolute_uri(reverse("web:lottery", args=[lottery.pk]))}


def _draw(d: Draw) -> dict:
    return {"id": d.pk, "lottery_id": d.lottery_id, "entry": d.entry, "random_value": d.random_value,
            "random_range": d.random_range, "won": d.prize_id is not None,
            "prize": d.prize.name if d.prize else None, "prize_kind": d.prize.kind if d.prize else None,
            "award": d.award, "claim_by": d.claim_by, "order": d.order.number if d.order else None,
            "created_at": d.created_at}


def _one_draw(pk: int) -> dict:
    return _draw(Draw.objects.select_related("prize", "order").get(pk=pk))


@router.get("/lotteries/{int:lottery_id}", response=LotteryOut, auth=OPTIONAL,
            summary="A lottery with its published odds (and my chances when signed in)")
def get_lottery(request, lottery_id: int):
    return _lottery(request, draws.public_lottery(lottery_id))


@router.post("/lotteries/{int:lottery_id}/draw", response={201: DrawOut}, auth=REQUIRED,
             summary="Draw once, paying with points, a chance from a paid order, or today's share chance")
def draw(request, lottery_id: int, payload: DrawIn):
    record = draws.draw(request.user, lottery_id, payload.entry, request=request)
    return Status(201, _one_draw(record.pk))


@router.post("/lotteries/{int:lottery_id}/share", response=ShareOut, auth=REQUIRED,
             summary="Share the lottery: my share link, and one draw chance per day")
def share(request, lottery_id: int):
    granted = draws.share(request.user, lottery_id, request=request)
    lottery = draws.public_lottery(lottery_id)
    return {"link": share_link("lottery", lottery, request.user, "api", base_url=request.build_absolute_uri("/")),
            "granted": granted}


class MyDrawsQuery(PageQuery):
    lottery: ObjectId | None = None
    won: bool | None = None


@router.get("/me/draws", response=Page[DrawOut], auth=REQUIRED, summary="My draws, newest first")
def my_draws(request, q: Query[MyDrawsQuery]):
    qs = selectors.my_draws(request.user)
    if q.lottery:
        qs = qs.filter(lottery_id=q.lottery)
    if q.won is not None:
        qs = qs.filter(prize__isnull=not q.won)
    page = paginate(qs, q)
    page["items"] = [_draw(d) for d in page["items"]]
    return page


@router.post("/draws/{int:draw_id}/claim", response=DrawOut, auth=REQUIRED,
             summary="Claim a won goods prize: a zero-price order to this address")
def claim(request, draw_id: int, payload: ClaimIn):
    record = draws.claim(request.user, draw_id, address=payload.address.model_dump() if payload.address else None,
                         address_id=payload.address_id, request=request)
    return _one_draw(record.pk)


# ---- console ---------------------------------------------------------------------------------------------


class LotteryIn(In):
    title: str
    description: str = ""
    starts_at: datetime = Field(strict=False)
    ends_at: datetime = Field(strict=False)
    odds_mode: Literal["weight", "permille"] = "permille"
    points_cost: int = 0
    order_min_amount: MoneyIn | None = None
    chances_per_order: int = 1
    share_enabled: bool = False
    daily_limit: int = 0
    total_limit: int = 0
    claim_days: int = 7


class LotteryPatch(In):
    title: str | None = None
    description: str | None = None
    starts_at: datetime | None = Field(None, strict=False)
    ends_at: datetime | None = Field(None, strict=False)
    odds_mode: Literal["weight", "permille"] | None = None
    points_cost: int | None = None
    order_min_amount: MoneyIn | None = None
    chances_per_order: int | None = None
    share_enabled: bool | None = None
    daily_limit: int | None = None
    total_limit: int | None = None
    claim_days: int | None = None


class PrizeIn(In):
    kind: Literal["coupon", "points", "goods", "none"]
    name: str
    weight: int
    stock: int = 0
    points: int = 0
    coupon_template_id: ObjectId | None = None
    sku_id: ObjectId | None = None


class PrizePatch(In):
    name: str | None = None
    weight: int | None = None
    stock: int | None = None
    points: int | None = None
    coupon_template_id: ObjectId | None = None
    sku_id: ObjectId | None = None


class RestockIn(In):
    quantity: int


class PrizeOut(Schema):
    id: int
    kind: str
    name: str
    weight: int
    initial_stock: int
    stock: int
    given: int
    points: int
    coupon_template_id: int | None
    sku_id: int | None


class PrizeTotalOut(Schema):
    prize: PrizeOut
    picked: int
    won: int
    out_of_stock: int
    reconciles: bool


class AuditOut(Schema):
    draws: int
    winners: int
    by_entry: dict[str, int]
    reconciles: bool
    prizes: list[PrizeTotalOut]


class AuditDrawOut(DrawOut):
    user_id: int
    picked: str | None
    stock_before: int | None
    stock_after: int | None
    note: str


def _brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return brand


def _staff_lottery(request, lottery_id: int) -> Lottery:
    lottery = Lottery.objects.select_related("brand").filter(pk=min(lottery_id, 2**63 - 1)).first()
    if lottery is None:
        raise NotFound(f"lottery {lottery_id} not found")
    require_brand_staff(request.user, lottery.brand_id)
    return lottery


def _staff_prize(request, prize_id: int) -> Prize:
    prize = Prize.objects.select_related("lottery").filter(pk=min(prize_id, 2**63 - 1)).first()
    if prize is None:
        raise NotFound(f"prize {prize_id} not found")
    require_brand_staff(request.user, prize.lottery.brand_id)
    return prize


def _prize(p: Prize) -> dict:
    return {"id": p.pk, "kind": p.kind, "name": p.name, "weight": p.weight, "initial_stock": p.initial_stock,
            "stock": p.stock, "given": p.given, "points": p.points, "coupon_template_id": p.coupon_template_id,
            "sku_id": p.sku_id}


@router.get("/console/brands/{slug}/lotteries", response=Page[LotteryOut], auth=REQUIRED,
            summary="A brand's lotteries")
def console_list(request, slug: str, q: Query[PageQuery]):
    qs = Lottery.objects.filter(brand=_brand(request, slug)).select_related("brand").prefetch_related("prizes")
    page = paginate(qs, q)
    page["items"] = [_lottery(request, x, with_chances=False) for x in page["items"]]
    return page


@router.post("/console/brands/{slug}/lotteries", response={201: LotteryOut}, auth=REQUIRED,
             summary="Create a lottery (a draft: add prizes, then start it)")
def console_create(request, slug: str, payload: LotteryIn):
    lottery = services.create_lottery(request.user, _brand(request, slug), **payload.model_dump())
    return Status(201, _lottery(request, lottery, with_chances=False))


@router.get("/console/lotteries/{int:lottery_id}", response=LotteryOut, auth=REQUIRED, summary="A lottery")
def console_get(request, lottery_id: int):
    return _lottery(request, _staff_lottery(request, lottery_id), with_chances=False)


@router.patch("/console/lotteries/{int:lottery_id}", response=LotteryOut, auth=REQUIRED,
              summary="Edit a lottery (not once ended; the odds mode only while a draft)")
def console_update(request, lottery_id: int, payload: LotteryPatch):
    data = payload.model_dump(exclude_unset=True)
    lottery = services.update_lottery(request.user, _staff_lottery(request, lottery_id), **data)
    return _lottery(request, lottery, with_chances=False)


@router.post("/console/lotteries/{int:lottery_id}/prizes", response={201: PrizeOut}, auth=REQUIRED,
             summary="Add a prize (draft only)")
def console_add_prize(request, lottery_id: int, payload: PrizeIn):
    prize = services.add_prize(request.user, _staff_lottery(request, lottery_id), **payload.model_dump())
    return Status(201, _prize(prize))


@router.patch("/console/prizes/{int:prize_id}", response=PrizeOut, auth=REQUIRED, summary="Edit a prize (draft only)")
def console_update_prize(request, prize_id: int, payload: PrizePatch):
    prize = services.update_prize(request.user, _staff_prize(request, prize_id),
                                  **payload.model_dump(exclude_unset=True))
    return _prize(prize)


@router.delete("/console/prizes/{int:prize_id}", response=OkOut, auth=REQUIRED, summary="Delete a prize (draft only)")
def console_delete_prize(request, prize_id: int):
    services.delete_prize(request.user, _staff_prize(request, prize_id))
    return {"ok": True}


@router.post("/console/prizes/{int:prize_id}/restock", response=PrizeOut, auth=REQUIRED,
             summary="Add units to a prize (any time)")
def console_restock(request, prize_id: int, payload: RestockIn):
    return _prize(services.restock(request.user, _staff_prize(request, prize_id), payload.quantity))


@router.get("/console/lotteries/{int:lottery_id}/audit", response=AuditOut, auth=REQUIRED,
            summary="Totals that must reconcile: prizes given = initial stock − stock left")
def console_audit(request, lottery_id: int):
    audit = selectors.audit(_staff_lottery(request, lottery_id))
    return {"draws": audit.draws, "winners": audit.winners, "by_entry": audit.by_entry,
            "reconciles": audit.reconciles,
            "prizes": [{"prize": _prize(t.prize), "picked": t.picked, "won": t.won, "out_of_stock": t.out_of_stock,
                        "reconciles": t.reconciles} for t in audit.prizes]}


@router.get("/console/lotteries/{int:lottery_id}/draws", response=Page[AuditDrawOut], auth=REQUIRED,
            summary="Every draw with the random number drawn, oldest first")
def console_draws(request, lottery_id: int, q: Query[PageQuery]):
    page = paginate(selectors.audit_rows(_staff_lottery(request, lottery_id)).select_related("order"), q)
    page["items"] = [{**_draw(d), "user_id": d.user_id, "picked": d.picked.name if d.picked else None,
                      "stock_before": d.stock_before, "stock_after": d.stock_after, "note": d.note}
                     for d in page["items"]]
    return page


@router.post("/console/lotteries/{int:lottery_id}/{action}", response=LotteryOut, auth=REQUIRED,
             summary="start | pause | resume | end")
def console_move(request, lottery_id: int, action: Literal["start", "pause", "resume", "end"]):
    lottery = services.move(request.user, _staff_lottery(request, lottery_id), action, request=request)
    return _lottery(request, lottery, with_chances=False)
