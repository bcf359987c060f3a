"""粉丝社区 (brand fan communities): the community, joining, my tier and progress, polls and votes; and the
brand console's settings, member list with computed points, polls with results, and early access.

Every number here is computed from rows (see tribe.fans.selectors). Poll results are shown to the brand's
staff and to fans who have voted, nobody else.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from tribe.brands.models import Brand
from tribe.brands.selectors import can_manage_brand, require_brand_staff
from tribe.catalog.models import Product
from tribe.core.errors import NotFound
from tribe.fans import selectors, services
from tribe.fans.models import EarlyAccess, FanCommunity, Poll

from .auth import OPTIONAL, REQUIRED
from .common import actor, by_id, by_slug
from .pagination import Page, PageQuery, paginate
from .schemas import In, ObjectId, OkOut

router = Router(tags=["fans"])


class FanSettingsIn(In):
    name: str
    intro: str = ""
    active_threshold: int = 50
    core_threshold: int = 200
    points_post: int = 5
    points_review: int = 10
    points_answer: int = 5
    points_purchase: int = 20


class FanBrandRef(Schema):
    slug: str
    name: str


class FanPointsSource(Schema):
    source: str = Field(description="post | review | answer | purchase")
    count: int
    points: int


class FanStandingOut(Schema):
    is_member: bool
    points: int
    tier: str = Field(description="core | active | regular")
    next_tier: str | None
    next_threshold: int | None
    to_next: int = Field(description="points still needed for the next tier (0 for a core fan)")
    progress_percent: int
    breakdown: list[FanPointsSource]


class FanCommunityOut(Schema):
    brand: FanBrandRef
    name: str
    intro: str
    active_threshold: int
    core_threshold: int
    points_post: int
    points_review: int
    points_answer: int
    points_purchase: int
    member_count: int
    me: FanStandingOut | None = Field(None, description="the caller's standing; null when anonymous")


class FanJoinedOut(Schema):
    joined_at: datetime


class PollOptionOut(Schema):
    id: int
    text: str


class PollOptionResult(Schema):
    id: int
    text: str
    votes: int
    percent: int = Field(description="share of ballots that chose this option")


class PollTierResult(Schema):
    tier: str
    label: str
    voters: int
    percent: int


class PollResultsOut(Schema):
    ballots: int
    options: list[PollOptionResult]
    tiers: list[PollTierResult] = Field(description="voters by their tier when they voted")


class PollOut(Schema):
    id: int
    question: str
    multiple: bool
    core_only: bool
    closes_at: datetime | None
    is_open: bool
    created_at: datetime
    options: list[PollOptionOut]
    my_votes: list[int] | None = Field(None, description="option ids I chose; null if I have not voted")
    can_vote: bool = False
    results: PollResultsOut | None = Field(
        None, description="on a single poll, to voters and brand staff only; null in lists")


class PollIn(In):
    question: str
    options: list[str]
    multiple: bool = False
    core_only: bool = True
    closes_at: datetime | None = Field(None, strict=False, description="ISO 8601; null for no deadline")


class PollVoteIn(In):
    options: list[ObjectId] = Field(description="option ids: one for a single-choice poll")


class FanMemberOut(Schema):
    user_id: int
    name: str
    joined_at: datetime
    posts: int
    reviews: int
    answers: int
    purchases: int
    points: int
    tier: str


class EarlyAccessIn(In):
    public_at: datetime = Field(strict=False, description="ISO 8601; until then only core fans may buy")


class EarlyAccessOut(Schema):
    product_id: int
    product_name: str
    public_at: datetime
    active: bool


# ---- helpers -----------------------------------------------------------------------------------------------

def _community(brand_slug: str) -> FanCommunity:
    brand = by_slug(Brand.objects.filter(is_active=True), brand_slug, "brand")
    community = FanCommunity.objects.select_related("brand").filter(brand=brand).first()
    if community is None:
        raise NotFound(f"brand '{brand_slug}' has no fan community", code="no_community")
    return community


def _staff_brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return brand


def _staff_community(request, slug: str) -> FanCommunity:
    brand = _staff_brand(request, slug)
    community = FanCommunity.objects.select_related("brand").filter(brand=brand).first()
    if community is None:
        raise NotFound("this brand has no fan community yet", code="no_community")
    return community


def _standing_out(s: selectors.Standing) -> dict:
    return {"is_member": s.is_member, "points": s.points, "tier": s.tier, "next_tier": s.next_tier,
            "next_threshold": s.next_threshold, "to_next": s.to_next, "progress_percent": s.progress_percent,
            "breakdown": s.breakdown}


def _community_out(c: FanCommunity, user) -> dict:
    out = {k: getattr(c, k) for k in ("name", "intro", "active_threshold", "core_threshold", *services.WEIGHTS)}
    out["brand"] = {"slug": c.brand.slug, "name": c.brand.name}
    out["member_count"] = selectors.member_count(c)
    out["me"] = _standing_out(selectors.points_of(user, c)) if user else None
    return out


def _results_out(r: selectors.Results) -> dict:
    return {"ballots": r.ballots, "options": r.options, "tiers": r.tiers}


def _poll_out(poll: Poll, user, *, staff: bool, ballot=..., standing=None, with_results: bool = True) -> dict:
    """`ballot`/`standing` may be given (lists load them once for all polls); results only on a single poll."""
    if ballot is ...:
        ballot = selectors.my_ballot(user, poll)
    mine = [v.option_id for v in ballot.votes.all()] if ballot else None
    can_vote = bool(user) and ballot is None and poll.is_open and services.may_vote(user, poll, standing)[0]
    out = {"id": poll.pk, "question": poll.question, "multiple": poll.multiple, "core_only": poll.core_only,
           "closes_at": poll.closes_at, "is_open": poll.is_open, "created_at": poll.created_at,
           "options": [{"id": o.pk, "text": o.text} for o in poll.options.all()], "my_votes": mine,
           "can_vote": can_vote}
    if with_results and (staff or ballot is not None):
        out["results"] = _results_out(selectors.poll_results(poll))
    return out


def _poll(community: FanCommunity, poll_id: int) -> Poll:
    qs = Poll.objects.filter(community=community).select_related("community__brand").prefetch_related("options")
    return by_id(qs, poll_id, "poll")


def _brand_product(brand: Brand, product_id: int) -> Product:
    qs = Product.objects.filter(Q(brand=brand) | Q(brand__parent=brand)).select_related("brand")
    return by_id(qs, product_id, "product")


def _early_out(ea: EarlyAccess) -> dict:
    return {"product_id": ea.product_id, "product_name": ea.product.name, "public_at": ea.public_at,
            "active": ea.is_active}


# ---- fans ----------------------------------------------------------------------------------------------------

@router.get("/fans/{brand_slug}", response=FanCommunityOut, auth=OPTIONAL, summary="A brand's fan community")
def get_community(request, brand_slug: str):
    return _community_out(_community(brand_slug), actor(request))


@router.post("/fans/{brand_slug}/join", response={201: FanJoinedOut}, auth=REQUIRED, summary="Join")
def join(request, brand_slug: str):
    member = services.join_fans(request.user, _community(brand_slug), request=request)
    return Status(201, {"joined_at": member.joined_at})


@router.post("/fans/{brand_slug}/leave", response=OkOut, auth=REQUIRED, summary="Leave")
def leave(request, brand_slug: str):
    services.leave_fans(request.user, _community(brand_slug))
    return {"ok": True}


@router.get("/fans/{brand_slug}/me", response=FanStandingOut, auth=REQUIRED,
            summary="My points (computed), tier and progress to the next tier")
def me(request, brand_slug: str):
    return _standing_out(selectors.points_of(request.user, _community(brand_slug)))


@router.get("/fans/{brand_slug}/polls", response=Page[PollOut], auth=OPTIONAL, summary="The community's polls")
def list_polls(request, brand_slug: str, params: Query[PageQuery]):
    community = _community(brand_slug)
    user = actor(request)
    staff = bool(user) and can_manage_brand(user, community.brand_id)
    page = paginate(selectors.polls_of(community).prefetch_related("options"), params)
    ballots = selectors.ballots_of(user, page["items"])
    standing = selectors.points_of(user, community) if user else None
    page["items"] = [_poll_out(p, user, staff=staff, ballot=ballots.get(p.pk), standing=standing,
                               with_results=False) for p in page["items"]]
    return page


@router.get("/fans/{brand_slug}/polls/{int:poll_id}", response=PollOut, auth=OPTIONAL, summary="A poll")
def get_poll(request, brand_slug: str, poll_id: int):
    community = _community(brand_slug)
    user = actor(request)
    return _poll_out(_poll(community, poll_id), user, staff=bool(user) and can_manage_brand(user, community.brand_id))


@router.post("/fans/{brand_slug}/polls/{int:poll_id}/vote", response={201: PollOut}, auth=REQUIRED,
             summary="Vote (members; core fans only when the poll says so)")
def vote(request, brand_slug: str, poll_id: int, payload: PollVoteIn):
    community = _community(brand_slug)
    poll = _poll(community, poll_id)
    services.vote(request.user, poll, list(payload.options), request=request)
    return Status(201, _poll_out(poll, request.user, staff=can_manage_brand(request.user, community.brand_id)))


# ---- brand console -----------------------------------------------------------------------------------------

@router.put("/console/brands/{slug}/fans", response=FanCommunityOut, auth=REQUIRED, tags=["console"],
            summary="Create or update the brand's fan community (brand staff)")
def save_settings(request, slug: str, payload: FanSettingsIn):
    community = services.save_community(request.user, _staff_brand(request, slug), **payload.dict())
    return _community_out(community, request.user)


@router.get("/console/brands/{slug}/fans/members", response=Page[FanMemberOut], auth=REQUIRED, tags=["console"],
            summary="Members with their computed points and tier, most points first (brand staff)")
def list_members(request, slug: str, params: Query[PageQuery]):
    community = _staff_community(request, slug)
    page = paginate(selectors.members_with_points(community).order_by("-points", "joined_at", "id"), params)
    page["items"] = [
        {"user_id": m.user_id, "name": m.user.display_name, "joined_at": m.joined_at, "posts": m.n_post,
         "reviews": m.n_review, "answers": m.n_answer, "purchases": m.n_purchase, "points": m.points,
         "tier": m.tier}
        for m in page["items"]
    ]
    return page


@router.post("/console/brands/{slug}/fans/polls", response={201: PollOut}, auth=REQUIRED, tags=["console"],
             summary="Ask the fans (brand staff)")
def create_poll(request, slug: str, payload: PollIn):
    community = _staff_community(request, slug)
    poll = services.create_poll(request.user, community, **payload.dict())
    return Status(201, _poll_out(_poll(community, poll.pk), request.user, staff=True))


@router.post("/console/brands/{slug}/fans/polls/{int:poll_id}/close", response=PollOut, auth=REQUIRED,
             tags=["console"], summary="Close a poll (brand staff)")
def close_poll(request, slug: str, poll_id: int):
    community = _staff_community(request, slug)
    poll = services.close_poll(request.user, _poll(community, poll_id))
    return _poll_out(poll, request.user, staff=True)


@router.get("/console/brands/{slug}/fans/polls/{int:poll_id}/results", response=PollResultsOut, auth=REQUIRED,
            tags=["console"], summary="Votes per option and voters by tier (brand staff)")
def poll_results(request, slug: str, poll_id: int):
    community = _staff_community(request, slug)
    return _results_out(selectors.poll_results(_poll(community, poll_id)))


@router.get("/console/brands/{slug}/fans/early-access", response=list[EarlyAccessOut], auth=REQUIRED,
            tags=["console"], summary="The brand's early-access products (brand staff)")
def list_early_access(request, slug: str):
    brand = _staff_brand(request, slug)
    rows = (EarlyAccess.objects.filter(Q(product__brand=brand) | Q(product__brand__parent=brand))
            .select_related("product").order_by("-public_at", "-id")[:200])
    return [_early_out(ea) for ea in rows]


@router.put("/console/brands/{slug}/fans/early-access/{int:product_id}", response=EarlyAccessOut, auth=REQUIRED,
            tags=["console"], summary="Core fans first: set when the product goes on public sale (brand staff)")
def set_early_access(request, slug: str, product_id: int, payload: EarlyAccessIn):
    brand = _staff_brand(request, slug)
    ea = services.set_early_access(request.user, brand, _brand_product(brand, product_id), payload.public_at)
    return _early_out(ea)


@router.delete("/console/brands/{slug}/fans/early-access/{int:product_id}", response=OkOut, auth=REQUIRED,
               tags=["console"], summary="End early access now (brand staff)")
def clear_early_access(request, slug: str, product_id: int):
    brand = _staff_brand(request, slug)
    services.clear_early_access(request.user, brand, _brand_product(brand, product_id))
    return {"ok": True}
