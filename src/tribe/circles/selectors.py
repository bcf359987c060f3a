"""Who may see what in circles. Every page and endpoint that shows circle content asks these.

The rule: a public circle is readable by anyone. A members-only circle's posts, member list and counts are
shown to its active members only; everyone else (strangers, applicants, invitees, banned users) is told it
is members-only and nothing more. Lists omit members-only circles the viewer is not an active member of.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import Circle, Membership

M = Membership


def membership_of(user, circle: Circle) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(circle=circle, user=user).first()


def _active_circle_ids(user):
    return Membership.objects.filter(user=user, state=M.State.ACTIVE).values("circle_id")


def visible_circles(user) -> QuerySet[Circle]:
    """Circles this user may see in lists: public ones, and members-only ones they are an active member of."""
    q = Q(visibility=Circle.Visibility.PUBLIC)
    if user is not None and user.is_authenticated:
        q |= Q(pk__in=_active_circle_ids(user))
    return Circle.objects.filter(q)


def with_counts(qs: QuerySet[Circle]) -> QuerySet[Circle]:
    """Annotate member_count (active members) and post_count (not removed). Only for circles the viewer may
    see: callers pass visible_circles(...) or a circle that passed can_view."""
    return qs.annotate(
        member_count=Count("memberships", filter=Q(memberships__state=M.State.ACTIVE), distinct=True),
        post_count=Count("posts", filter=Q(posts__removed=False), distinct=True),
    )


def can_view(user, circle: Circle, membership: Membership | None = ...) -> bool:
    """May this user read the circle's posts, members and counts?"""
    if circle.is_public:
        return True
    if membership is ...:
        membership = membership_of(user, circle)
    return membership is not None and membership.is_active


def is_moderator(membership: Membership | None) -> bool:
    return membership is not None and membership.is_moderator


def circle_posts(circle: Circle) -> QuerySet:
    """The circle's posts (tribe.posts.Post), newest first, with what a post card shows."""
    from tribe.posts.selectors import with_display

    return with_display(circle.posts.filter(removed=False)).order_by("-created_at", "-id")


def circle_members(circle: Circle) -> QuerySet[Membership]:
    return (Membership.objects.filter(circle=circle, state=M.State.ACTIVE)
            .select_related("user").order_by("created_at", "id"))


def pending_requests(circle: Circle) -> QuerySet[Membership]:
    return (Membership.objects.filter(circle=circle, state=M.State.PENDING)
            .select_related("user").order_by("created_at", "id"))
