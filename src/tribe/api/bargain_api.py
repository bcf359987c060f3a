"""API of 砍价: a campaign, start a bargain, a bargain with its helps, help, buy; and the brand console's CRUD."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from tribe.bargain import selectors, services
from tribe.bargain.models import Bargain, BargainCampaign
from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.campaigns.models import PlayStatus
from tribe.core.errors import ValidationFailed

from .auth import OPTIONAL, REQUIRED
from .common import by_id, by_slug
from .order_schemas import AddressIn, OrderDetail
from .orders import order_detail
from .pagination import Page, PageQuery, paginate
from .schemas import In, Money

router = Router(tags=["bargain"])


class CampaignOut(Schema):
    id: int
    code: str
    title: str
    description: str
    status: str
    phase: str
    starts_at: datetime
    ends_at: datetime
    product_id: int
    product_name: str
    sku_id: int
    sku_label: str
    list_price: Money
    floor_price: Money
    helps_needed: int
    hours: int
    buy_rule: str
    new_user_weight: str
    per_user_limit: int
    stock: int | None
    started: int
    url: str


class HelpOut(Schema):
    seq: int
    helper: str
    amount: Money
    new_user: bool
    created_at: datetime


class BargainOut(Schema):
    id: int
    campaign_id: int
    campaign_code: str
    initiator: str
    product_name: str
    start_price: Money
    floor_price: Money
    current_price: Money
    helps_needed: int
    helps_done: int
    helps_left: int
    progress: int = Field(description="percent of the way from the start price to the floor")
    state: str = Field(description="open | reached | bought | expired")
    buy_rule: str
    deadline: datetime
    mine: bool
    can_buy: bool
    helped: bool = Field(description="the signed-in user already helped")
    order_number: str | None = Field(description="only shown to the initiator")
    url: str
    share_url: str
    helps: list[HelpOut]


class HelpResultOut(Schema):
    amount: Money
    seq: int
    new_user: bool
    bargain: BargainOut


class BuyIn(In):
    address: AddressIn | None = None
    address_id: int | None = None
    idempotency_key: str = Field(min_length=8, max_length=64)


class CampaignIn(In):
    title: str = Field(max_length=80)
    description: str = ""
    sku_id: int
    floor_price: str
    helps_needed: int
    hours: int = 24
    buy_rule: Literal["floor", "any"] = "floor"
    new_user_days: int = 0
    new_user_no_order: bool = False
    new_user_weight: str = "1.00"
    per_user_limit: int = 1
    helper_daily_limit: int = 5
    stock: int | None = None
    starts_at: datetime = Field(strict=False)
    ends_at: datetime = Field(strict=False)


class ConsoleCampaignOut(CampaignOut):
    new_user_days: int
    new_user_no_order: bool
    helper_daily_limit: int
    stats: dict


class ConsoleBargainOut(Schema):
    id: int
    initiator: str
    start_price: Money
    current_price: Money
    helps_done: int
    helps_needed: int
    state: str
    deadline: datetime
    order_number: str | None
    created_at: datetime


def _campaign(request, c: BargainCampaign) -> dict:
    sku = c.sku
    return {"id": c.pk, "code": c.code, "title": c.title, "description": c.description, "status": c.status,
            "phase": c.phase, "starts_at": c.starts_at, "ends_at": c.ends_at, "product_id": sku.product_id,
            "product_name": sku.product.name, "sku_id": sku.pk, "sku_label": sku.label, "list_price": sku.price,
            "floor_price": c.floor_price, "helps_needed": c.helps_needed, "hours": c.hours, "buy_rule": c.buy_rule,
            "new_user_weight": f"{c.new_user_weight:.2f}", "per_user_limit": c.per_user_limit, "stock": c.stock,
            "started": c.started,
            "url": request.build_absolute_uri(reverse("web:bargain_campaign", args=[c.pk]))}


def _bargain(request, b: Bargain, helps=None) -> dict:
    user = request.user
    helps = selectors.helps_of(b) if helps is None else helps
    mine = user.is_authenticated and b.initiator_id == user.pk
    state = b.shown_state
    can_buy = mine and state != Bargain.State.EXPIRED and state != Bargain.State.BOUGHT and (
        b.campaign.buy_rule == "any" or state == Bargain.State.REACHED)
    order = b.order.number if (mine and b.order_id) else None
    url = reverse("web:bargain", args=[b.pk])
    return {"id": b.pk, "campaign_id": b.campaign_id, "campaign_code": b.campaign.code,
            "initiator": b.initiator.display_name, "product_name": b.campaign.sku.product.name,
            "start_price": b.start_price, "floor_price": b.floor_price, "current_price": b.current_price,
            "helps_needed": b.helps_needed, "helps_done": b.helps_done, "helps_left": b.helps_left,
            "progress": b.progress, "state": state, "buy_rule": b.campaign.buy_rule, "deadline": b.deadline,
            "mine": mine, "can_buy": can_buy, "order_number": order,
            "helped": user.is_authenticated and any(h.helper_id == user.pk for h in helps),
            "url": request.build_absolute_uri(url),
            "share_url": request.build_absolute_uri(reverse("web:share", args=["bargain", b.pk])),
            "helps": [{"seq": h.seq, "helper": h.helper.display_name, "amount": h.amount, "new_user": h.new_user,
                       "created_at": h.created_at} for h in helps]}


def _public_campaign(campaign_id: int) -> BargainCampaign:
    return by_id(selectors.campaign_queryset().exclude(status=PlayStatus.DRAFT), campaign_id, "bargain campaign")


def _load_bargain(bargain_id: int) -> Bargain:
    return by_id(selectors.bargain_queryset().select_related("order").exclude(campaign__status=PlayStatus.DRAFT),
                 bargain_id, "bargain")


@router.get("/bargain-campaigns/{int:campaign_id}", response=CampaignOut, auth=OPTIONAL,
            summary="A bargain campaign (砍价活动)")
def get_campaign(request, campaign_id: int):
    return _campaign(request, _public_campaign(campaign_id))


@router.post("/bargain-campaigns/{int:campaign_id}/bargains", response={201: BargainOut}, auth=REQUIRED,
             summary="Start a bargain at the list price")
def start(request, campaign_id: int):
    """409 when the campaign is not live (`campaign_upcoming|paused|ended`), when you still have an active
    bargain in it (`bargain_active`, fields.bargain names it), reached the per-person limit (`initiation_limit`)
    or the campaign's bargains ran out (`bargain_sold_out`)."""
    _public_campaign(campaign_id)
    bargain = services.start_bargain(request.user, campaign_id, request=request)
    return Status(201, _bargain(request, _load_bargain(bargain.pk), helps=[]))


@router.get("/bargains/{int:bargain_id}", response=BargainOut, auth=OPTIONAL,
            summary="A bargain: progress and the friends who helped, with their cuts")
def get_bargain(request, bargain_id: int):
    return _bargain(request, _load_bargain(bargain_id))


@router.post("/bargains/{int:bargain_id}/help", response={201: HelpResultOut}, auth=REQUIRED,
             summary="Help a friend's bargain (once per person)")
def help_(request, bargain_id: int):
    """409 `already_helped`, `own_bargain`, `bargain_reached` (the floor was already reached), `bargain_closed`
    (bought), `bargain_expired`; 429 `help_limit` (helps per day) or `rate_limited` (too many from one network)."""
    _load_bargain(bargain_id)
    done = services.help_bargain(request.user, bargain_id, request=request)
    return Status(201, {"amount": done.amount, "seq": done.seq, "new_user": done.new_user,
                        "bargain": _bargain(request, _load_bargain(bargain_id))})


@router.post("/bargains/{int:bargain_id}/buy", response={201: OrderDetail}, auth=REQUIRED,
             summary="Buy at the bargained price (the initiator only)")
def buy(request, bargain_id: int, payload: BuyIn):
    """An order at the current price, to be paid like any order. 409 `floor_not_reached` under the floor-only
    rule, `bargain_closed` once bought, `price_changed` if a help landed meanwhile; the same idempotency key
    returns the first order. Cancelling the unpaid order reopens the bargain until its deadline."""
    _load_bargain(bargain_id)
    if (payload.address is None) == (payload.address_id is None):
        raise ValidationFailed("give either address or address_id", fields={"address": "one of address, address_id"})
    order = services.buy_bargain(request.user, bargain_id, idempotency_key=payload.idempotency_key,
                                 address=payload.address.model_dump() if payload.address else None,
                                 address_id=payload.address_id, request=request)
    return Status(201, order_detail(order.pk))


# ---- console --------------------------------------------------------------------------------------------------

def _brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return brand


def _brand_campaign(brand: Brand, campaign_id: int) -> BargainCampaign:
    return by_id(selectors.campaign_queryset().filter(brand=brand), campaign_id, "bargain campaign")


def _console_campaign(request, c: BargainCampaign) -> dict:
    return {**_campaign(request, c), "new_user_days": c.new_user_days, "new_user_no_order": c.new_user_no_order,
            "helper_daily_limit": c.helper_daily_limit, "stats": _stats(c)}


def _stats(c: BargainCampaign) -> dict:
    stats = selectors.campaign_stats(c)
    stats["cut_total"] = f"{stats['cut_total']:.2f}"
    return stats


@router.get("/console/brands/{slug}/bargain-campaigns", response=Page[CampaignOut], auth=REQUIRED,
            summary="The brand's bargain campaigns")
def console_list(request, slug: str, q: Query[PageQuery]):
    page = paginate(selectors.campaign_queryset().filter(brand=_brand(request, slug)), q)
    page["items"] = [_campaign(request, c) for c in page["items"]]
    return page


@router.post("/console/brands/{slug}/bargain-campaigns", response={201: ConsoleCampaignOut}, auth=REQUIRED,
             summary="Create a bargain campaign (as a draft)")
def console_create(request, slug: str, payload: CampaignIn):
    brand = _brand(request, slug)
    campaign = services.save_campaign(request.user, brand, payload.model_dump(), request=request)
    return Status(201, _console_campaign(request, _brand_campaign(brand, campaign.pk)))


@router.get("/console/brands/{slug}/bargain-campaigns/{int:campaign_id}", response=ConsoleCampaignOut,
            auth=REQUIRED, summary="A bargain campaign with its figures (started, reached, bought, conversion)")
def console_get(request, slug: str, campaign_id: int):
    return _console_campaign(request, _brand_campaign(_brand(request, slug), campaign_id))


@router.put("/console/brands/{slug}/bargain-campaigns/{int:campaign_id}", response=ConsoleCampaignOut,
            auth=REQUIRED, summary="Edit a bargain campaign (running bargains keep their floor and helps)")
def console_edit(request, slug: str, campaign_id: int, payload: CampaignIn):
    brand = _brand(request, slug)
    campaign = services.save_campaign(request.user, brand, payload.model_dump(),
                                      campaign=_brand_campaign(brand, campaign_id), request=request)
    return _console_campaign(request, _brand_campaign(brand, campaign.pk))


@router.get("/console/brands/{slug}/bargain-campaigns/{int:campaign_id}/bargains", response=Page[ConsoleBargainOut],
            auth=REQUIRED, summary="The campaign's bargains")
def console_bargains(request, slug: str, campaign_id: int, q: Query[PageQuery]):
    campaign = _brand_campaign(_brand(request, slug), campaign_id)
    page = paginate(Bargain.objects.filter(campaign=campaign).select_related("initiator", "order"), q)
    page["items"] = [{"id": b.pk, "initiator": b.initiator.display_name, "start_price": b.start_price,
                      "current_price": b.current_price, "helps_done": b.helps_done, "helps_needed": b.helps_needed,
                      "state": b.shown_state, "deadline": b.deadline,
                      "order_number": b.order.number if b.order_id else None, "created_at": b.created_at}
                     for b in page["items"]]
    return page


@router.post("/console/brands/{slug}/bargain-campaigns/{int:campaign_id}/{action}", response=ConsoleCampaignOut,
             auth=REQUIRED, summary="Start, pause, resume or end a bargain campaign")
def console_move(request, slug: str, campaign_id: int, action: Literal["start", "pause", "resume", "end"]):
    brand = _brand(request, slug)
    services.move_campaign(request.user, _brand_campaign(brand, campaign_id), action, request=request)
    return _console_campaign(request, _brand_campaign(brand, campaign_id))
