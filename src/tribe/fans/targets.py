"""Polls as a comment target (tribe.posts.targets): only the brand's staff and the fans who may vote on a
poll can see its discussion; for anyone else a poll's comments answer 404, like a poll that does not exist."""

from __future__ import annotations

from django.urls import reverse

from .models import Poll

MAX_ID = 2**63 - 1


def find_poll(viewer, poll_id: int) -> Poll | None:
    from .services import can_discuss

    if not 1 <= poll_id <= MAX_ID:
        return None
    poll = Poll.objects.select_related("community__brand").filter(pk=poll_id).first()
    if poll is None or not can_discuss(viewer, poll):
        return None
    return poll


def poll_url(poll: Poll) -> str:
    return reverse("web:fans_poll", args=[poll.community.brand.slug, poll.pk])
