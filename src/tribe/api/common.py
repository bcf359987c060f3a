"""Small helpers shared by the routers: object lookups that answer 404 in the error shape, and the actor."""

from __future__ import annotations

import re

from tribe.core.errors import NotFound, ValidationFailed

MAX_ID = 2**63 - 1  # larger ids cannot be stored; looking them up would overflow the database driver
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")


def by_id(qs, pk: int, what: str):
    if not 1 <= pk <= MAX_ID:
        raise NotFound(f"{what} {pk} not found")
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{what} {pk} not found")
    return obj


def by_slug(qs, slug: str, what: str):
    obj = qs.filter(slug=slug).first() if SLUG_RE.match(slug or "") else None
    if obj is None:
        raise NotFound(f"{what} '{slug}' not found")
    return obj


def ref_by_slug(qs, slug: str, field: str, what: str):
    """A slug inside a body or a filter: unknown is a field error (422), not a missing resource."""
    obj = qs.filter(slug=slug).first() if SLUG_RE.match(slug or "") else None
    if obj is None:
        raise ValidationFailed(f"{field}: unknown {what} '{slug}'", fields={field: f"unknown {what}"})
    return obj


def ref_by_id(qs, pk: int, field: str, what: str):
    obj = qs.filter(pk=pk).first() if 1 <= pk <= MAX_ID else None
    if obj is None:
        raise ValidationFailed(f"{field}: unknown {what} {pk}", fields={field: f"unknown {what}"})
    return obj


def actor(request):
    """The signed-in user (auth callbacks set request.user for Bearer tokens too), or None."""
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
