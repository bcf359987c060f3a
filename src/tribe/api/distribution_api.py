"""API: distribution (分销). A brand's promoter program and its promoters (console), joining a program (free),
my promoter roles, and a 达人's store page. Clicks, bindings and attribution snapshots are not endpoints: they
happen when share links are opened and orders placed (tribe.distribution.clicks / .attribution)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.core.errors import NotFound
from tribe.curation import selectors as curation
from tribe.distribution import selectors, services
from tribe.distribution.models import Promoter
from tribe.social import selectors as social

from .auth import OPTIONAL, REQUIRED
from .common import actor, by_slug
from .pagination import Page, PageQuery, paginate
from .schemas import In, Money

router = Router(tags=["distribution"])

RATE_DOC = 'a decimal string with up to 4 places, e.g. "0.1000" = 10%'


class ProgramOut(Schema):
    brand: str
    join_policy: str = Field(description="anyone | apply | invite")
    binding: str = Field(description="first_click | window | last_click")
    window_days: int
    default_rate: str = Field(description=RATE_DOC)
    reward_kind: str
    max_promoters_per_line: int = Field(description="1, or 2 (the second is an assist, rate split 70/30)")
    min_withdrawal: Money
    rebate_coupon_id: int | None = Field(None, description="reward_kind coupon: the amount-off coupon given per "
                                                           "face value of available commission")
    gift_sku_id: int | None = Field(None, description="reward_kind gift: the SKU the promoter claims")
    gift_value: str | None = Field(None, description="reward_kind gift: available commission value a gift takes")


class ProgramIn(In):
    join_policy: Literal["anyone", "apply", "invite"] | None = None
    binding: Literal["first_click", "window", "last_click"] | None = None
    window_days: int | None = None
    default_rate: str | None = Field(None, description=RATE_DOC)
    reward_kind: Literal["cash", "points", "coupon", "gift"] | None = None
    max_promoters_per_line: int | None = Field(None, description="refused above 2 (anti-pyramid)")
    min_withdrawal: str | None = None
    rebate_coupon_id: int | None = None
    gift_sku_id: int | None = None
    gift_value: str | None = None


class PromoterOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    state: str = Field(description="pending | active | frozen | rejected | banned")
    invited: bool
    created_at: datetime
    decided_at: datetime | None
    clicks: int | None = Field(None, description="clicks on this promoter's links for the brand")
    orders: int | None = Field(None, description="orders with a line attributed to this promoter")


class RoleOut(Schema):
    id: int
    brand_slug: str
    brand_name: str
    state: str
    created_at: datetime


class DarenAlbumOut(Schema):
    id: int
    title: str
    item_count: int
    like_count: int
    product_ids: list[int]


class DarenOut(Schema):
    username: str
    name: str
    bio: str
    followers: int
    following: bool
    brands: list[str] = Field(description="slugs of brands this 达人 actively promotes")
    albums: list[DarenAlbumOut]


def _program_changes(body: ProgramIn) -> dict:
    """What the body sets; the in-kind references may be cleared with an explicit null."""
    data = body.model_dump(exclude_none=True)
    data.update({k: None for k, v in body.model_dump(exclude_unset=True).items()
                 if v is None and k in ("rebate_coupon_id", "gift_sku_id", "gift_value")})
    return data


def _program_out(brand: Brand) -> dict:
    p = services.program_of(brand)
    return {"brand": brand.slug, "join_policy": p.join_policy, "binding": p.binding, "window_days": p.window_days,
            "default_rate": f"{Decimal(p.default_rate):.4f}", "reward_kind": p.reward_kind,
            "max_promoters_per_line": p.max_promoters_per_line, "min_withdrawal": p.min_withdrawal,
            "rebate_coupon_id": p.rebate_coupon_id, "gift_sku_id": p.gift_sku_id,
            "gift_value": f"{p.gift_value:.2f}" if p.gift_value is not None else None}


def _promoter_out(p: Promoter) -> dict:
    return {"id": p.pk, "user_id": p.user_id, "username": p.user.username, "name": p.user.display_name,
            "state": p.state, "invited": p.invited_at is not None, "created_at": p.created_at,
            "decided_at": p.decided_at, "clicks": getattr(p, "click_count", None),
            "orders": getattr(p, "order_count", None)}


def _staff_brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return brand


class StateQuery(PageQuery):
    state: Literal["pending", "active", "frozen", "rejected", "banned"] | None = None


@router.get("/console/brands/{slug}/promoter-program", response=ProgramOut, auth=REQUIRED, tags=["console"],
            summary="The brand's promoter program")
def get_program(request, slug: str):
    return _program_out(_staff_brand(request, slug))


@router.put("/console/brands/{slug}/promoter-program", response=ProgramOut, auth=REQUIRED, tags=["console"],
            summary="Set the program's terms (omitted fields keep their value)")
def put_program(request, slug: str, body: ProgramIn):
    brand = _staff_brand(request, slug)
    services.save_program(request.user, brand, **_program_changes(body))
    return _program_out(brand)


@router.get("/console/brands/{slug}/promoters", response=Page[PromoterOut], auth=REQUIRED, tags=["console"],
            summary="Promoters with clicks and attributed orders (computed)")
def list_promoters(request, slug: str, params: Query[StateQuery]):
    brand = _staff_brand(request, slug)
    page = paginate(selectors.promoters_with_counts(brand, params.state), params)
    page["items"] = [_promoter_out(p) for p in page["items"]]
    return page


@router.post("/console/brands/{slug}/promoters/{int:promoter_id}/{action}", response=PromoterOut,
             auth=REQUIRED, tags=["console"], summary="approve | reject | freeze | unfreeze | ban")
def promoter_action(request, slug: str, promoter_id: int, action: Literal["approve", "reject", "freeze",
                                                                            "unfreeze", "ban"]):
    brand = _staff_brand(request, slug)
    promoter = services.decide(request.user, brand, promoter_id, action)
    return _promoter_out(Promoter.objects.select_related("user").get(pk=promoter.pk))


@router.post("/promote/{brand_slug}/join", response={200: PromoterOut, 201: PromoterOut}, auth=REQUIRED,
             summary="Join a brand's promoter program (free; pending when the brand reviews applications)")
def join(request, brand_slug: str):
    brand = by_slug(Brand.objects.filter(is_active=True), brand_slug, "brand")
    existed = Promoter.objects.filter(brand=brand, user=request.user, state__in=["active", "pending"]).exists()
    promoter = services.join(request.user, brand, request=request)
    promoter.user = request.user
    return Status(200 if existed else 201, _promoter_out(promoter))


@router.get("/me/promoter-roles", response=list[RoleOut], auth=REQUIRED, summary="My promoter roles")
def my_roles(request):
    return [{"id": p.pk, "brand_slug": p.brand.slug, "brand_name": p.brand.name, "state": p.state,
             "created_at": p.created_at} for p in selectors.roles_of(request.user)]


@router.get("/daren/{username}", response=DarenOut, auth=OPTIONAL, summary="A 达人's store page")
def daren(request, username: str):
    viewer = actor(request)
    profile = social.public_user(username, viewer)
    roles = selectors.active_roles(profile) if profile is not None else []
    roles = [r for r in roles if r.brand.is_active]
    if not roles:
        raise NotFound(f"daren '{username}' not found")
    albums = curation.user_albums(viewer, profile).filter(is_public=True)[:20]
    return {"username": profile.username, "name": profile.display_name, "bio": getattr(profile, "bio", ""),
            "followers": profile.followers_count, "following": bool(profile.i_follow),
            "brands": [r.brand.slug for r in roles],
            "albums": [{"id": a.pk, "title": a.title, "item_count": a.item_count, "like_count": a.like_count,
                        "product_ids": [i.product_id for i in a.preview_items]} for a in albums]}


class RateIn(In):
    rate: str | None = Field(description='e.g. "0.1500"; null removes the override')


class ProductRateOut(Schema):
    product_id: int
    rate: str | None


class CampaignRateIn(In):
    rate: str | None = Field(description='e.g. "0.2000"; null removes the campaign rate')
    starts_at: datetime | None = Field(None, strict=False, description="ISO 8601 with a time zone")
    ends_at: datetime | None = Field(None, strict=False, description="ISO 8601 with a time zone")


class CampaignRateOut(Schema):
    campaign: str
    rate: str
    starts_at: datetime
    ends_at: datetime


@router.put("/console/brands/{slug}/products/{int:product_id}/commission-rate", response=ProductRateOut,
            auth=REQUIRED, tags=["console"], summary="Set or clear a product's own commission rate")
def put_product_rate(request, slug: str, product_id: int, payload: RateIn):
    from tribe.catalog.models import Product

    brand = _staff_brand(request, slug)
    product = Product.objects.filter(pk=min(product_id, 2**63 - 1), brand=brand).first()
    if product is None:
        raise NotFound(f"product {product_id} not found")
    services.set_product_rate(request.user, product, payload.rate)
    return {"product_id": product.pk, "rate": payload.rate and f"{Decimal(payload.rate):.4f}"}


@router.get("/console/brands/{slug}/campaign-rates", response=list[CampaignRateOut], auth=REQUIRED,
            tags=["console"], summary="The brand's campaign commission rates")
def list_campaign_rates(request, slug: str):
    from tribe.distribution.models import CampaignRate

    brand = _staff_brand(request, slug)
    return [{"campaign": c.campaign, "rate": f"{c.rate:.4f}", "starts_at": c.starts_at, "ends_at": c.ends_at}
            for c in CampaignRate.objects.filter(brand=brand).order_by("-starts_at", "campaign")]


@router.put("/console/brands/{slug}/campaign-rates/{campaign}", response={200: CampaignRateOut, 204: None},
            auth=REQUIRED, tags=["console"],
            summary="Set a campaign's commission rate (orders from links with this campaign code while it runs)")
def put_campaign_rate(request, slug: str, campaign: str, payload: CampaignRateIn):
    brand = _staff_brand(request, slug)
    row = services.set_campaign_rate(request.user, brand, campaign, payload.rate, starts_at=payload.starts_at,
                                     ends_at=payload.ends_at)
    if row is None:
        return Status(204, None)
    return {"campaign": row.campaign, "rate": f"{row.rate:.4f}", "starts_at": row.starts_at,
            "ends_at": row.ends_at}
