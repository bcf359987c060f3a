"""Reads of 拼团 for pages and the API: groups with their member counts (from member rows, never a stored
number someone could fake) and a deal's completion figures."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from .models import Group, GroupBuy, GroupMember


def groups_with_counts(deal: GroupBuy, *, open_only: bool = False, limit: int = 200) -> list[Group]:
    """Groups of a deal with `members_n` (reserved or paid) and `paid_n`, in one query."""
    qs = Group.objects.filter(deal=deal).select_related("leader").annotate(
        members_n=Count("members", filter=Q(members__state__in=GroupMember.ACTIVE)),
        paid_n=Count("members", filter=Q(members__state=GroupMember.State.PAID)),
    )
    if open_only:
        qs = qs.filter(state=Group.State.OPEN, deadline__gt=timezone.now()).order_by("deadline", "id")
    else:
        qs = qs.order_by("-id")
    return list(qs[:limit])


def deal_stats(deal: GroupBuy) -> dict:
    """Completion rate = complete ÷ (complete + failed): groups still open are not decided yet."""
    counts = dict(Group.objects.filter(deal=deal).values_list("state").annotate(n=Count("id")))
    complete, failed = counts.get("complete", 0), counts.get("failed", 0)
    decided = complete + failed
    rate = (Decimal(complete) / Decimal(decided)).quantize(Decimal("0.0001")) if decided else Decimal("0.0000")
    return {"total": sum(counts.values()), "open": counts.get("open", 0), "complete": complete, "failed": failed,
            "rate": rate}
