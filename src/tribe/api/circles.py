"""Circles (圈子): list, create, detail, join/leave, posts, members, requests and moderation.

Visibility (tribe.circles.selectors): lists carry only circles the caller may see. A members-only circle's
detail answers to anyone who has its slug, but without counts (null) unless the caller is an active member;
its posts and members are 404 for non-members, exactly like a circle that does not exist.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from tribe.circles import selectors, services
from tribe.circles.models import Circle, Membership
from tribe.core.errors import NotFound
from tribe.posts.models import Post

from .auth import OPTIONAL, REQUIRED
from .common import actor, by_id, by_slug
from .pagination import Page, PageQuery, paginate
from .schemas import In, OkOut

router = Router(tags=["circles"])


class CircleIn(In):
    name: str
    slug: str
    description: str = ""
    join_policy: Literal["open", "approval", "invite"] = "open"
    visibility: Literal["public", "members_only"] = "public"
    allow_product_cards: bool = True
    allow_promotions: bool = False


class CircleOut(Schema):
    slug: str
    name: str
    description: str
    join_policy: str
    visibility: str
    allow_product_cards: bool
    allow_promotions: bool
    created_at: datetime
    can_view: bool = Field(description="whether the caller may read posts, members and counts")
    member_count: int | None = Field(None, description="null when the caller may not see it")
    post_count: int | None = Field(None, description="null when the caller may not see it")
    my_state: str | None = Field(None, description="active | pending | banned | invited, or null")
    my_role: str | None = None


class CircleUserRef(Schema):
    id: int
    name: str


class CircleMemberOut(Schema):
    user: CircleUserRef
    role: str
    state: str
    muted_until: datetime | None


class CircleProductRef(Schema):
    id: int
    name: str


class CirclePostIn(In):
    text: str
    product: int | None = Field(None, description="one product to tag (kept for compatibility)")
    products: list[int] = Field(default_factory=list, max_length=9, description="products to tag (up to 9)")


class CirclePostOut(Schema):
    id: int
    author: CircleUserRef
    text: str
    product: CircleProductRef | None = Field(description="the first tagged product")
    products: list[CircleProductRef]
    images: list[str]
    created_at: datetime


class CircleRoleIn(In):
    role: Literal["owner", "moderator", "member"]


class CircleMuteIn(In):
    minutes: int = Field(ge=0, le=services.MAX_MUTE_MINUTES)


def _user_ref(user) -> dict:
    return {"id": user.pk, "name": user.display_name}


def _circle_out(circle: Circle, mine: Membership | None, *, counts: dict | None) -> dict:
    visible = selectors.can_view(None, circle, mine)
    return {
        "slug": circle.slug, "name": circle.name, "description": circle.description,
        "join_policy": circle.join_policy, "visibility": circle.visibility,
        "allow_product_cards": circle.allow_product_cards, "allow_promotions": circle.allow_promotions,
        "created_at": circle.created_at, "can_view": visible,
        "member_count": counts["member_count"] if visible and counts else None,
        "post_count": counts["post_count"] if visible and counts else None,
        "my_state": mine.state if mine else None, "my_role": mine.role if mine and mine.is_active else None,
    }


def _member_out(m: Membership) -> dict:
    return {"user": _user_ref(m.user), "role": m.role, "state": m.state, "muted_until": m.muted_until}


def _post_out(p: Post) -> dict:
    products = [{"id": t.product.pk, "name": t.product.name} for t in p.tags.all()]
    return {"id": p.pk, "author": _user_ref(p.author), "text": p.text, "created_at": p.created_at,
            "product": products[0] if products else None, "products": products,
            "images": [i.image.url for i in p.images.all()]}


def _circle(slug: str) -> Circle:
    return by_slug(Circle.objects.all(), slug, "circle")


def _readable(request, slug: str) -> tuple[Circle, Membership | None]:
    """The circle if the caller may read its content; 404 otherwise (same as a circle that does not exist)."""
    circle = _circle(slug)
    mine = selectors.membership_of(actor(request), circle)
    if not selectors.can_view(actor(request), circle, mine):
        raise NotFound(f"circle '{slug}' not found")
    return circle, mine


@router.get("/circles", response=Page[CircleOut], auth=OPTIONAL, summary="Circles I may see")
def list_circles(request, params: Query[PageQuery]):
    user = actor(request)
    page = paginate(selectors.with_counts(selectors.visible_circles(user)).order_by("-created_at", "-id"), params)
    ids = [c.pk for c in page["items"]]
    mine = {m.circle_id: m for m in Membership.objects.filter(user=user, circle_id__in=ids)} if user else {}
    page["items"] = [
        _circle_out(c, mine.get(c.pk), counts={"member_count": c.member_count, "post_count": c.post_count})
        for c in page["items"]
    ]
    return page


@router.post("/circles", response={201: CircleOut}, auth=REQUIRED, summary="Create a circle")
def create_circle(request, payload: CircleIn):
    circle = services.create_circle(request.user, **payload.dict())
    mine = selectors.membership_of(request.user, circle)
    return Status(201, _circle_out(circle, mine, counts={"member_count": 1, "post_count": 0}))


@router.get("/circles/{slug}", response=CircleOut, auth=OPTIONAL, summary="A circle")
def get_circle(request, slug: str):
    circle = _circle(slug)
    mine = selectors.membership_of(actor(request), circle)
    counts = None
    if selectors.can_view(None, circle, mine):
        counts = selectors.with_counts(Circle.objects.filter(pk=circle.pk)).values(
            "member_count", "post_count").get()
    return _circle_out(circle, mine, counts=counts)


@router.post("/circles/{slug}/join", response={200: CircleMemberOut, 202: CircleMemberOut}, auth=REQUIRED,
             summary="Join (open), ask to join (approval) or accept an invitation")
def join(request, slug: str):
    m = services.join_circle(request.user, _circle(slug), request=request)
    return Status(200 if m.is_active else 202, _member_out(m))


@router.post("/circles/{slug}/leave", response=OkOut, auth=REQUIRED, summary="Leave or withdraw a request")
def leave(request, slug: str):
    services.leave_circle(request.user, _circle(slug))
    return {"ok": True}


@router.get("/circles/{slug}/posts", response=Page[CirclePostOut], auth=OPTIONAL, summary="A circle's posts")
def list_posts(request, slug: str, params: Query[PageQuery]):
    circle, _mine = _readable(request, slug)
    page = paginate(selectors.circle_posts(circle), params)
    page["items"] = [_post_out(p) for p in page["items"]]
    return page


@router.post("/circles/{slug}/posts", response={201: CirclePostOut}, auth=REQUIRED, summary="Post in a circle")
def create_post(request, slug: str, payload: CirclePostIn):
    post = services.create_post(request.user, _circle(slug), text=payload.text, product_id=payload.product,
                                product_ids=payload.products, request=request)
    return Status(201, _post_out(post))


@router.post("/circles/{slug}/posts/{int:post_id}/remove", response=OkOut, auth=REQUIRED,
             summary="Remove a post (moderators)")
def remove_post(request, slug: str, post_id: int):
    post = by_id(Post.objects.filter(circle=_circle(slug), removed=False).select_related("circle"), post_id, "post")
    services.remove_post(request.user, post)
    return {"ok": True}


@router.get("/circles/{slug}/members", response=Page[CircleMemberOut], auth=OPTIONAL, summary="Active members")
def list_members(request, slug: str, params: Query[PageQuery]):
    circle, _mine = _readable(request, slug)
    page = paginate(selectors.circle_members(circle), params)
    page["items"] = [_member_out(m) for m in page["items"]]
    return page


@router.get("/circles/{slug}/requests", response=Page[CircleMemberOut], auth=REQUIRED,
            summary="Pending join requests (moderators)")
def list_requests(request, slug: str, params: Query[PageQuery]):
    circle = _circle(slug)
    services._require_moderator(circle, request.user)
    page = paginate(selectors.pending_requests(circle), params)
    page["items"] = [_member_out(m) for m in page["items"]]
    return page


@router.post("/circles/{slug}/requests/{int:user_id}/{action}", response={200: OkOut}, auth=REQUIRED,
             summary="Approve or reject a join request (moderators)")
def decide(request, slug: str, user_id: int, action: Literal["approve", "reject"]):
    services.decide_request(request.user, _circle(slug), user_id, approve=action == "approve", request=request)
    return {"ok": True}


@router.post("/circles/{slug}/members/{int:user_id}/invite", response={201: CircleMemberOut}, auth=REQUIRED,
             summary="Invite a user (moderators)")
def invite(request, slug: str, user_id: int):
    return Status(201, _member_out(services.invite(request.user, _circle(slug), user_id)))


@router.post("/circles/{slug}/members/{int:user_id}/ban", response=CircleMemberOut, auth=REQUIRED,
             summary="Ban a member (moderators)")
def ban(request, slug: str, user_id: int):
    return _member_out(services.ban(request.user, _circle(slug), user_id))


@router.post("/circles/{slug}/members/{int:user_id}/unban", response=OkOut, auth=REQUIRED,
             summary="Lift a ban (moderators)")
def unban(request, slug: str, user_id: int):
    services.unban(request.user, _circle(slug), user_id)
    return {"ok": True}


@router.post("/circles/{slug}/members/{int:user_id}/mute", response=CircleMemberOut, auth=REQUIRED,
             summary="Mute a member for some minutes; 0 lifts the mute (moderators)")
def mute(request, slug: str, user_id: int, payload: CircleMuteIn):
    return _member_out(services.mute(request.user, _circle(slug), user_id, payload.minutes))


@router.post("/circles/{slug}/members/{int:user_id}/role", response=CircleMemberOut, auth=REQUIRED,
             summary="Set a member's role; owner transfers ownership (owner only)")
def set_role(request, slug: str, user_id: int, payload: CircleRoleIn):
    return _member_out(services.set_role(request.user, _circle(slug), user_id, payload.role))
