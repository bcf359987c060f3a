"""Which notifications a user sees. One with a circle is shown (and counted) only while the user is an
active member of that circle now: leaving a members-only circle takes its notifications away too."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tribe.circles.models import Membership

from .models import Notification


def visible_notifications(user) -> QuerySet[Notification]:
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    active = Membership.objects.filter(user=user, state=Membership.State.ACTIVE).values("circle_id")
    return Notification.objects.filter(user=user).filter(Q(circle__isnull=True) | Q(circle_id__in=active))


def unread_count(user) -> int:
    """One query."""
    return visible_notifications(user).filter(read_at__isnull=True).count()
