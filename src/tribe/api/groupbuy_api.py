"""API of 拼团: the campaign and its groups, opening and joining (each answers the order to pay), and the
brand console's CRUD of deals with their groups and completion figures."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Router, Schema, Status
from pydantic import model_validator

from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.core.errors import NotFound
from tribe.groupbuy import groups, selectors, services
from tribe.groupbuy.models import Group, GroupBuy, GroupBuySku, GroupMember

from .auth import OPTIONAL, REQUIRED
from .common import by_slug
from .order_schemas import AddressIn, OrderDetail
from .orders import order_detail
from .schemas import In, Money, MoneyIn, ObjectId

router = Router(tags=["groupbuy"])
MAX_ID = 2**63 - 1


class SkuPriceOut(Schema):
    sku_id: int
    label: str
    list_price: Money
    price: Money
    leader_price: Money | None


class GroupBrief(Schema):
    id: int
    state: str
    size: int
    members: int = Field(description="members holding a seat (reserved or paid), counted from member rows")
    paid: int
    seats_left: int
    deadline: datetime
    leader: str


class DealOut(Schema):
    id: int
    code: str
    title: str
    description: str
    status: str
    phase: str
    product_id: int
    product_name: str
    group_size: int
    hours: int
    per_user_limit: int
    starts_at: datetime
    ends_at: datetime
    skus: list[SkuPriceOut]
    open_groups: list[GroupBrief]


class MemberOut(Schema):
    user: str
    avatar_url: str | None
    is_leader: bool
    state: str
    joined_at: datetime


class GroupOut(GroupBrief):
    deal_id: int
    share_url: str
    completed_at: datetime | None
    failed_at: datetime | None
    member_list: list[MemberOut]


class BuyIn(In):
    sku_id: ObjectId | None = Field(None, description="one of the deal's SKUs (default: the first)")
    address: AddressIn | None = None
    address_id: ObjectId | None = None
    idempotency_key: str = Field(description="8–64 of A-Z a-z 0-9 _.:- ; a repeat answers 200 with the order")

    @model_validator(mode="after")
    def _one_address(self):
        if (self.address is None) == (self.address_id is None):
            raise ValueError("send either address or address_id")
        return self


def _sku(s: GroupBuySku) -> dict:
    return {"sku_id": s.sku_id, "label": s.sku.label, "list_price": s.sku.price, "price": s.price,
            "leader_price": s.leader_price}


def _brief(g: Group, members: int, paid: int) -> dict:
    return {"id": g.pk, "state": g.state, "size": g.size, "members": members, "paid": paid,
            "seats_left": max(0, g.size - members) if g.state == Group.State.OPEN else 0, "deadline": g.deadline,
            "leader": g.leader.display_name}


def _deal(deal: GroupBuy, *, public: bool) -> dict:
    rows = selectors.groups_with_counts(deal, open_only=public)
    return {"id": deal.pk, "code": deal.code, "title": deal.title, "description": deal.description,
            "status": deal.status, "phase": deal.phase, "product_id": deal.product_id,
            "product_name": deal.product.name, "group_size": deal.group_size, "hours": deal.hours,
            "per_user_limit": deal.per_user_limit, "starts_at": deal.starts_at, "ends_at": deal.ends_at,
            "skus": [_sku(s) for s in GroupBuySku.objects.filter(deal=deal).select_related("sku").order_by("id")],
            "open_groups": [_brief(g, g.members_n, g.paid_n) for g in rows if not public or g.members_n < g.size]}


def _public_deal(deal_id: int) -> GroupBuy:
    deal = (GroupBuy.objects.select_related("product").exclude(status="draft").filter(pk=deal_id).first()
            if 0 < deal_id <= MAX_ID else None)
    if deal is None:
        raise NotFound("no such group buy", fields={"deal_id": "unknown"})
    return deal


@router.get("/groupbuys/{int:deal_id}", response=DealOut, auth=OPTIONAL, summary="A 拼团 campaign and its open groups")
def get_deal(request, deal_id: int):
    return _deal(_public_deal(deal_id), public=True)


@router.get("/groups/{int:group_id}", response=GroupOut, auth=OPTIONAL,
            summary="A group: members (real ones only), seats left, deadline")
def get_group(request, group_id: int):
    group = groups.get_group(group_id)  # fails it first if past its deadline
    members = list(GroupMember.objects.filter(group=group).exclude(state=GroupMember.State.LEFT)
                   .select_related("user").order_by("joined_at", "id"))
    live = [m for m in members if m.state in GroupMember.ACTIVE]
    group = Group.objects.select_related("leader").get(pk=group.pk)
    out = _brief(group, len(live), sum(1 for m in live if m.state == GroupMember.State.PAID))
    from django.urls import reverse

    out.update(deal_id=group.deal_id, completed_at=group.completed_at, failed_at=group.failed_at,
               share_url=request.build_absolute_uri(reverse("web:group", args=[group.pk])),
               member_list=[{"user": m.user.display_name,
                             "avatar_url": request.build_absolute_uri(m.user.avatar.url) if m.user.avatar else None,
                             "is_leader": m.is_leader, "state": m.state, "joined_at": m.joined_at} for m in live])
    return out


def _buy_args(request, payload: BuyIn) -> dict:
    return {"sku_id": payload.sku_id, "address": payload.address.model_dump() if payload.address else None,
            "address_id": payload.address_id, "idempotency_key": payload.idempotency_key, "request": request}


@router.post("/groupbuys/{int:deal_id}/groups", response={200: OrderDetail, 201: OrderDetail}, auth=REQUIRED,
             summary="Open a group (the order to pay holds seat 1)")
def open_group(request, deal_id: int, payload: BuyIn):
    """Answers the order (pay it with POST /orders/{number}/pay). 409 campaign_* when the campaign is not live,
    groupbuy_limit_reached over the per-user limit; 422 for a bad SKU or address."""
    order = groups.open_group(request.user, min(deal_id, MAX_ID), **_buy_args(request, payload))
    return Status(200 if order.replayed else 201, order_detail(order.pk))


@router.post("/groups/{int:group_id}/join", response={200: OrderDetail, 201: OrderDetail}, auth=REQUIRED,
             summary="Join a group (the order to pay holds a seat)")
def join_group(request, group_id: int, payload: BuyIn):
    """409 group_full (open a new group instead: POST /groupbuys/{deal_id}/groups, deal_id in `fields`),
    group_expired, already_joined, groupbuy_limit_reached; nothing is written on a refusal."""
    order = groups.join_group(request.user, min(group_id, MAX_ID), **_buy_args(request, payload))
    return Status(200 if order.replayed else 201, order_detail(order.pk))


# ---- console -------------------------------------------------------------------------------------------------


class SkuPriceIn(In):
    sku_id: ObjectId
    price: MoneyIn
    leader_price: MoneyIn | None = None


class DealIn(In):
    title: str
    description: str = ""
    product_id: ObjectId
    starts_at: datetime = Field(strict=False)
    ends_at: datetime = Field(strict=False)
    group_size: int = Field(ge=2, le=50)
    hours: int = Field(ge=1, le=720)
    per_user_limit: int = Field(1, ge=1, le=99)
    skus: list[SkuPriceIn] = Field(min_length=1, max_length=100)


class DealEditIn(In):
    title: str
    description: str = ""
    starts_at: datetime = Field(strict=False)
    ends_at: datetime = Field(strict=False)
    group_size: int = Field(ge=2, le=50)
    hours: int = Field(ge=1, le=720)
    per_user_limit: int = Field(1, ge=1, le=99)
    skus: list[SkuPriceIn] | None = Field(None, min_length=1, max_length=100)


class DealStatsOut(DealOut):
    groups_total: int
    groups_complete: int
    groups_failed: int
    completion_rate: str = Field(description="complete ÷ (complete + failed), 4 places; groups still open excluded")


def _brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return brand


def _console_deal(deal: GroupBuy) -> dict:
    out = _deal(deal, public=False)
    stats = selectors.deal_stats(deal)
    out.update(groups_total=stats["total"], groups_complete=stats["complete"], groups_failed=stats["failed"],
               completion_rate=f"{stats['rate']:.4f}")
    return out


def _data(payload) -> dict:
    data = payload.model_dump(exclude={"skus"})
    if payload.skus is not None:
        data["prices"] = {s.sku_id: (s.price, s.leader_price) for s in payload.skus}
    return data


@router.get("/console/brands/{slug}/groupbuys", response=list[DealStatsOut], auth=REQUIRED,
            summary="The brand's 拼团 campaigns with their completion figures")
def console_list(request, slug: str):
    brand = _brand(request, slug)
    return [_console_deal(d) for d in GroupBuy.objects.filter(brand=brand).select_related("product")[:100]]


@router.post("/console/brands/{slug}/groupbuys", response={201: DealStatsOut}, auth=REQUIRED,
             summary="Create a 拼团 campaign (a draft)")
def console_create(request, slug: str, payload: DealIn):
    deal = services.create_deal(request.user, _brand(request, slug), _data(payload))
    return Status(201, _console_deal(services.get_deal(deal.pk)))


@router.get("/console/brands/{slug}/groupbuys/{int:deal_id}", response=DealStatsOut, auth=REQUIRED,
            summary="A campaign with every group and its completion rate")
def console_get(request, slug: str, deal_id: int):
    return _console_deal(services.get_deal(min(deal_id, MAX_ID), brand=_brand(request, slug)))


@router.put("/console/brands/{slug}/groupbuys/{int:deal_id}", response=DealStatsOut, auth=REQUIRED,
            summary="Edit a campaign that has not ended")
def console_edit(request, slug: str, deal_id: int, payload: DealEditIn):
    deal = services.get_deal(min(deal_id, MAX_ID), brand=_brand(request, slug))
    return _console_deal(services.update_deal(request.user, deal, _data(payload)))


@router.post("/console/brands/{slug}/groupbuys/{int:deal_id}/{action}", response=DealStatsOut, auth=REQUIRED,
             summary="start | pause | resume | end (ending fails open groups and refunds their paid members)")
def console_move(request, slug: str, deal_id: int, action: Literal["start", "pause", "resume", "end"]):
    deal = services.get_deal(min(deal_id, MAX_ID), brand=_brand(request, slug))
    return _console_deal(services.move_deal(request.user, deal, action, request=request))


