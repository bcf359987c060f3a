"""Invites and rewards: my invite link, my referrals and rewards; the brand's review queue for held rewards."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import Count
from django.urls import reverse
from ninja import Query, Router, Schema

from tribe.brands.models import Brand
from tribe.brands.selectors import require_brand_staff
from tribe.referrals import services
from tribe.referrals.models import FriendDeal, FriendDealPolicy, Referral, Reward

from .auth import REQUIRED
from .common import by_slug
from .pagination import Page, PageQuery, paginate
from .schemas import In

router = Router(tags=["referrals"])


class RewardOut(Schema):
    id: int
    kind: str
    state: str
    benefit: str
    amount: str
    order: str
    reasons: list[str]
    beneficiary: str
    created_at: datetime


class InviteOut(Schema):
    link: str
    invited: int
    converted: int
    rewards: list[RewardOut]


class RewardQuery(PageQuery):
    state: Literal["granted", "held", "rejected", "void", "capped"] | None = None


def _reward(r: Reward) -> dict:
    return {"id": r.pk, "kind": r.kind, "state": r.state, "benefit": r.benefit, "amount": f"{r.amount:.2f}",
            "order": r.order.number, "reasons": r.reasons, "beneficiary": r.beneficiary.display_name,
            "created_at": r.created_at}


@router.get("/me/invite", response=InviteOut, auth=REQUIRED, summary="My invite link, invitations and rewards")
def my_invite(request):
    mine = Referral.objects.filter(inviter=request.user)
    rewards = Reward.objects.filter(beneficiary=request.user).select_related("order", "beneficiary")[:100]
    return {"link": request.build_absolute_uri(reverse("web:invite", args=[services.invite_code(request.user)])),
            "invited": mine.count(), "converted": mine.filter(state=Referral.State.CONVERTED).count(),
            "rewards": [_reward(r) for r in rewards]}


class FriendDealOut(Schema):
    code: str
    link: str
    product_id: int
    product_name: str
    order: str
    percent: str
    uses: int
    max_uses: int
    expires_at: datetime


class FriendDealPolicyIn(In):
    enabled: bool
    percent: str
    hours: int
    max_uses: int
    reward_points: str


class FriendDealPolicyOut(Schema):
    enabled: bool
    percent: str
    hours: int
    max_uses: int
    reward_points: str


@router.get("/me/friend-deals", response=list[FriendDealOut], auth=REQUIRED,
            summary="My buy-with-friends links (made when my orders are paid)")
def my_deals(request):
    rows = (FriendDeal.objects.filter(owner=request.user).select_related("product", "order")
            .annotate(n=Count("uses")).order_by("-id")[:100])
    return [{"code": d.code, "link": request.build_absolute_uri(reverse("web:deal", args=[d.code])),
             "product_id": d.product_id, "product_name": d.product.name, "order": d.order.number,
             "percent": f"{d.percent:.2f}", "uses": d.n, "max_uses": d.max_uses, "expires_at": d.expires_at}
            for d in rows]


def _policy_out(p) -> dict:
    return {"enabled": p.enabled, "percent": f"{p.percent:.2f}", "hours": p.hours, "max_uses": p.max_uses,
            "reward_points": f"{p.reward_points:.2f}"}


def _brand(request, slug: str) -> Brand:
    brand = by_slug(Brand.objects.all(), slug, "brand")
    require_brand_staff(request.user, brand.pk)
    return brand


@router.get("/console/brands/{slug}/rewards", response=Page[RewardOut], auth=REQUIRED,
            summary="Invite and share rewards of a brand's orders (held ones wait for review)")
def brand_rewards(request, slug: str, q: Query[RewardQuery]):
    qs = Reward.objects.filter(brand=_brand(request, slug)).select_related("order", "beneficiary")
    if q.state:
        qs = qs.filter(state=q.state)
    page = paginate(qs, q)
    page["items"] = [_reward(r) for r in page["items"]]
    return page


@router.post("/console/brands/{slug}/rewards/{int:reward_id}/{action}", response=RewardOut, auth=REQUIRED,
             summary="Approve (grant) or reject a held reward")
def decide(request, slug: str, reward_id: int, action: Literal["approve", "reject"]):
    brand = _brand(request, slug)
    if not Reward.objects.filter(pk=min(reward_id, 2**63 - 1), brand=brand).exists():
        from tribe.core.errors import NotFound

        raise NotFound(f"reward {reward_id} not found")
    reward = services.decide(request.user, reward_id, approve=action == "approve")
    reward = Reward.objects.select_related("order", "beneficiary").get(pk=reward.pk)
    return _reward(reward)


@router.get("/console/brands/{slug}/friend-deal-policy", response=FriendDealPolicyOut, auth=REQUIRED,
            summary="The brand's buy-with-friends settings")
def get_policy(request, slug: str):
    brand = _brand(request, slug)
    return _policy_out(FriendDealPolicy.objects.filter(brand=brand).first() or FriendDealPolicy(brand=brand))


@router.put("/console/brands/{slug}/friend-deal-policy", response=FriendDealPolicyOut, auth=REQUIRED,
            summary="Turn buy-with-friends on or off and set its discount, duration, uses and reward")
def put_policy(request, slug: str, payload: FriendDealPolicyIn):
    brand = _brand(request, slug)
    return _policy_out(services.save_friend_deal_policy(request.user, brand, **payload.model_dump()))


class RewardPolicyIn(In):
    benefit: Literal["points", "coupon"]
    coupon_template_id: int | None = None


class RewardPolicyOut(Schema):
    benefit: str
    coupon_template_id: int | None


@router.get("/console/brands/{slug}/reward-policy", response=RewardPolicyOut, auth=REQUIRED,
            summary="What the brand's invite/share/buy-with-friends rewards are paid in")
def get_reward_policy(request, slug: str):
    from tribe.referrals.models import RewardPolicy

    brand = _brand(request, slug)
    policy = RewardPolicy.objects.filter(brand=brand).first()
    return {"benefit": policy.benefit if policy else "points",
            "coupon_template_id": policy.coupon_template_id if policy else None}


@router.put("/console/brands/{slug}/reward-policy", response=RewardPolicyOut, auth=REQUIRED,
            summary="Pay rewards in points, or as one coupon of one of the brand's coupon templates")
def put_reward_policy(request, slug: str, payload: RewardPolicyIn):
    brand = _brand(request, slug)
    policy = services.save_reward_policy(request.user, brand, benefit=payload.benefit,
                                         coupon_template_id=payload.coupon_template_id)
    return {"benefit": policy.benefit, "coupon_template_id": policy.coupon_template_id}
