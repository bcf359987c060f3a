"""Reading fan communities: participation points and tiers, computed from rows every time.

A member's points about a brand = posts tagging the brand's products × points_post + real (not imported)
reviews of its products × points_review + answers to questions about its products × points_answer + paid
orders containing its products (not fully refunded) × points_purchase. "The brand's products" are those of
the brand and of its sub-brands, so a group brand's community counts purchases across its labels.

Nothing here is a stored counter: each count is a correlated subquery, so a whole page of members with their
points and tiers is one query, and a refund, a removed post or a changed weight shows at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from tribe.brands.models import Brand
from tribe.content.models import Review
from tribe.content.services import REVIEWABLE_STATUSES
from tribe.orders.models import Order, OrderLine
from tribe.posts.models import Post, PostProduct

from .models import EarlyAccess, FanCommunity, FanMember, Poll, PollBallot, PollOption, Tier

SOURCES = ("post", "review", "answer", "purchase")


def _brand_products(brand_ref, prefix: str = "product__") -> Q:
    return Q(**{f"{prefix}brand_id": brand_ref}) | Q(**{f"{prefix}brand__parent_id": brand_ref})


def answer_model():
    """tribe.qa's Answer, once that app defines it (answers then count); None before."""
    try:
        model = apps.get_model("qa", "Answer")
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    return model if {"author", "question"} <= names else None


def _count(qs: QuerySet, group: str):
    sub = qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def source_counts(user_ref, brand_ref) -> dict:
    """One count expression per source, for a user (an OuterRef or an id) and a brand (same)."""
    # the brand inside a subquery of a subquery is one more OuterRef away
    inner_brand = OuterRef(brand_ref) if isinstance(brand_ref, OuterRef) else brand_ref
    tagged = PostProduct.objects.filter(_brand_products(inner_brand), post=OuterRef("pk"))
    posts = Post.objects.filter(Exists(tagged), author_id=user_ref, removed=False)
    reviews = Review.objects.filter(_brand_products(brand_ref), author_id=user_ref, imported_from="")
    bought = OrderLine.objects.filter(_brand_products(inner_brand), order=OuterRef("pk"),
                                      refunded_quantity__lt=F("quantity"))
    orders = Order.objects.filter(Exists(bought), user_id=user_ref, status__in=REVIEWABLE_STATUSES)
    counts = {"n_post": _count(posts, "author_id"), "n_review": _count(reviews, "author_id"),
              "n_purchase": _count(orders, "user_id")}
    Answer = answer_model()
    if Answer is None:
        counts["n_answer"] = Value(0, output_field=IntegerField())
    else:
        answers = Answer.objects.filter(_brand_products(brand_ref, "question__product__"), author_id=user_ref)
        if "removed" in {f.name for f in Answer._meta.get_fields()}:
            answers = answers.filter(removed=False)
        counts["n_answer"] = _count(answers, "author_id")
    return counts


def _with_points(qs: QuerySet, user_ref, brand_ref, prefix: str) -> QuerySet:
    """Annotate n_<source>, points and tier; `prefix` reaches the community's weights and thresholds."""
    qs = qs.annotate(**source_counts(user_ref, brand_ref))
    points = sum((F(f"n_{s}") * F(f"{prefix}points_{s}") for s in SOURCES), Value(0))
    return qs.annotate(points=points).annotate(tier=Case(
        When(points__gte=F(f"{prefix}core_threshold"), then=Value(Tier.CORE.value)),
        When(points__gte=F(f"{prefix}active_threshold"), then=Value(Tier.ACTIVE.value)),
        default=Value(Tier.REGULAR.value), output_field=CharField()))


def members_with_points(community: FanCommunity) -> QuerySet[FanMember]:
    """The console's member list: every member with counts, points and tier, in one query per page."""
    qs = FanMember.objects.filter(community=community).select_related("user", "community")
    return _with_points(qs, OuterRef("user_id"), OuterRef("community__brand_id"), "community__")


@dataclass
class Standing:
    """Where a user stands in a community: computed points, the tier they give, and the way to the next."""

    community: FanCommunity
    counts: dict = field(default_factory=dict)  # source -> number of rows
    points: int = 0
    tier: str = Tier.REGULAR
    is_member: bool = False

    @property
    def breakdown(self) -> list[dict]:
        return [{"source": s, "count": self.counts.get(s, 0),
                 "points": self.counts.get(s, 0) * getattr(self.community, f"points_{s}")} for s in SOURCES]

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label)

    @property
    def next_tier(self) -> str | None:
        return {Tier.REGULAR: Tier.ACTIVE, Tier.ACTIVE: Tier.CORE}.get(self.tier)

    @property
    def next_threshold(self) -> int | None:
        return {Tier.ACTIVE: self.community.active_threshold, Tier.CORE: self.community.core_threshold}.get(
            self.next_tier)

    @property
    def to_next(self) -> int:
        return max(0, self.next_threshold - self.points) if self.next_threshold is not None else 0

    @property
    def progress_percent(self) -> int:
        """Progress from the current tier's threshold to the next one's (100 for a core fan)."""
        if self.next_threshold is None:
            return 100
        start = self.community.active_threshold if self.tier == Tier.ACTIVE else 0
        span = self.next_threshold - start
        return max(0, min(100, (self.points - start) * 100 // span)) if span > 0 else 100


def points_of(user, community: FanCommunity) -> Standing:
    """The user's standing (one query; none for an anonymous visitor). Non-members see what they would be."""
    standing = Standing(community=community)
    if user is None or not user.is_authenticated:
        return standing
    row = (_with_points(FanCommunity.objects.filter(pk=community.pk), user.pk, OuterRef("brand_id"), "")
           .annotate(is_member=Exists(FanMember.objects.filter(community=OuterRef("pk"), user_id=user.pk)))
           .values("points", "tier", "is_member", *(f"n_{s}" for s in SOURCES)).first())
    if row is None:
        return standing
    standing.counts = {s: row[f"n_{s}"] for s in SOURCES}
    standing.points, standing.tier, standing.is_member = row["points"], row["tier"], row["is_member"]
    return standing


def community_of(brand: Brand) -> FanCommunity | None:
    return FanCommunity.objects.filter(brand=brand).select_related("brand").first()


def tier_of(user, brand: Brand | int) -> str | None:
    """The member's tier in the brand's community (or, for a sub-brand without one, its group's); None for
    non-members and anonymous visitors. One query given a Brand (two given an id)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if isinstance(brand, int):
        brand = Brand.objects.filter(pk=brand).only("id", "parent_id").first()
        if brand is None:
            return None
    ids = [i for i in (brand.pk, brand.parent_id) if i is not None]
    qs = FanMember.objects.filter(community__brand_id__in=ids, user=user)
    tiers = dict(_with_points(qs, OuterRef("user_id"), OuterRef("community__brand_id"), "community__")
                 .values_list("community__brand_id", "tier"))
    if brand.pk in tiers:  # the brand's own community decides when the user joined it
        return tiers[brand.pk]
    return tiers.get(brand.parent_id)


def is_core(user, brand: Brand | int) -> bool:
    """Core fan of this brand: a member whose computed points reach the community's core threshold.
    For later use by trials (priority) and used now by early access."""
    return tier_of(user, brand) == Tier.CORE


def member_count(community: FanCommunity) -> int:
    return FanMember.objects.filter(community=community).count()


def is_member(user, community: FanCommunity) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return FanMember.objects.filter(community=community, user=user).exists()


# ---- early access ------------------------------------------------------------------------------------------

def pending_early_access(product_ids) -> list[EarlyAccess]:
    from django.utils import timezone

    return list(EarlyAccess.objects.filter(product_id__in=list(product_ids), public_at__gt=timezone.now())
                .select_related("product__brand"))


# ---- polls ---------------------------------------------------------------------------------------------------

def polls_of(community: FanCommunity) -> QuerySet[Poll]:
    return (Poll.objects.filter(community=community).select_related("community__brand")
            .annotate(ballot_count=Count("ballots", distinct=True)).order_by("-created_at", "-id"))


def my_ballot(user, poll: Poll) -> PollBallot | None:
    if user is None or not user.is_authenticated:
        return None
    return PollBallot.objects.filter(poll=poll, user=user).prefetch_related("votes").first()


def ballots_of(user, polls) -> dict[int, PollBallot]:
    """The user's ballots on these polls, with their votes: two queries however many polls."""
    if user is None or not user.is_authenticated or not polls:
        return {}
    rows = PollBallot.objects.filter(user=user, poll__in=[p.pk for p in polls]).prefetch_related("votes")
    return {b.poll_id: b for b in rows}


@dataclass
class Results:
    ballots: int
    options: list[dict]  # {"id", "text", "votes", "percent"}
    tiers: list[dict]  # {"tier", "label", "voters", "percent"}


def _percent(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0


def poll_results(poll: Poll) -> Results:
    """Votes per option (percent of ballots: a multiple-choice poll's percents may sum past 100) and the
    voters' tier when they voted. Two queries."""
    options = list(PollOption.objects.filter(poll=poll).annotate(n=Count("votes")).order_by("position", "id"))
    by_tier = dict(PollBallot.objects.filter(poll=poll).order_by().values_list("tier").annotate(n=Count("pk")))
    total = sum(by_tier.values())
    return Results(
        ballots=total,
        options=[{"id": o.pk, "text": o.text, "votes": o.n, "percent": _percent(o.n, total)} for o in options],
        tiers=[{"tier": t.value, "label": str(t.label), "voters": by_tier.get(t.value, 0),
                "percent": _percent(by_tier.get(t.value, 0), total)} for t in Tier],
    )
