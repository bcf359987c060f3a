"""Reads of the social graph. Every number is computed from Follow rows, in a fixed number of queries."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from .models import Block, Follow, Mute

User = get_user_model()


def _count(qs: QuerySet) -> Coalesce:
    """A scalar `SELECT COUNT(*)` subquery (an ungrouped COUNT in a subquery, not a GROUP BY)."""
    counted = qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _mutual() -> Exists:
    """For a Follow row of user → user: does the followed user follow back?"""
    return Exists(Follow.objects.filter(follower=OuterRef("followed_user"), followed_user=OuterRef("follower")))


def friend_follows(user) -> QuerySet:
    """The user's follows of users who follow back: one row per friend."""
    return Follow.objects.filter(follower=user, followed_user__isnull=False).filter(_mutual())


def friend_ids(user) -> set[int]:
    """Ids of the user's friends (mutual follows), in one query."""
    if user is None or not user.is_authenticated:
        return set()
    return set(friend_follows(user).values_list("followed_user_id", flat=True))


def are_friends(a, b) -> bool:
    if a is None or b is None or a.pk == b.pk:
        return False
    pair = Q(follower=a, followed_user=b) | Q(follower=b, followed_user=a)
    return Follow.objects.filter(pair).count() == 2


def with_counts(qs: QuerySet, viewer=None) -> QuerySet:
    """Users annotated with followers / following / friends counts and, for a signed-in viewer, the
    relation to them (i_follow, follows_me) — all in the one query that loads the users."""
    qs = qs.annotate(
        followers_count=_count(Follow.objects.filter(followed_user=OuterRef("pk"))),
        following_count=_count(Follow.objects.filter(follower=OuterRef("pk"))),
        friends_count=_count(
            Follow.objects.filter(follower=OuterRef("pk"), followed_user__isnull=False).filter(_mutual())
        ),
    )
    if viewer is not None and viewer.is_authenticated:
        qs = qs.annotate(
            i_follow=Exists(Follow.objects.filter(follower=viewer, followed_user=OuterRef("pk"))),
            follows_me=Exists(Follow.objects.filter(follower=OuterRef("pk"), followed_user=viewer)),
        )
    else:
        qs = qs.annotate(i_follow=Value(False), follows_me=Value(False))
    return qs


def public_user(username: str, viewer=None):
    """An active user by username with counts and the viewer's relation, or None. One query."""
    if not username or len(username) > 150:
        return None
    return with_counts(User.objects.filter(username=username, is_active=True), viewer).first()


def follow_state(viewer, *, user=None, brand=None, store=None) -> dict:
    """{"following": bool, "followers": int} for one target, in one query."""
    target = {"followed_user": user} if user is not None else {"brand": brand} if brand is not None else {
        "store": store}
    mine = Q(follower_id=viewer.pk) if viewer is not None and viewer.is_authenticated else Q(pk__in=[])
    row = Follow.objects.filter(**target).aggregate(followers=Count("pk"), mine=Count("pk", filter=mine))
    return {"following": row["mine"] > 0, "followers": row["followers"]}


def followers_of(user) -> QuerySet:
    """Follow rows onto `user` with the follower loaded, most recent first (read `.follower`)."""
    return (Follow.objects.filter(followed_user=user, follower__is_active=True)
            .select_related("follower").order_by("-created_at", "-id"))


def following_of(user) -> QuerySet:
    """Follow rows from `user` onto users, most recent first (read `.followed_user`). Brands and stores
    followed are not in this list."""
    return (Follow.objects.filter(follower=user, followed_user__is_active=True)
            .select_related("followed_user").order_by("-created_at", "-id"))


def friends_of(user) -> QuerySet:
    return User.objects.filter(
        is_active=True, pk__in=friend_follows(user).values("followed_user_id")
    ).order_by("username")


def is_blocked_between(a, b) -> bool:
    """Either blocked the other. Callers must not tell the user which way round it is."""
    pair = Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)
    return Block.objects.filter(pair).exists()


def muted_user_ids(user) -> set[int]:
    return set(Mute.objects.filter(user=user, muted_user__isnull=False).values_list("muted_user_id", flat=True))


def muted_brand_ids(user) -> set[int]:
    return set(Mute.objects.filter(user=user, brand__isnull=False).values_list("brand_id", flat=True))
