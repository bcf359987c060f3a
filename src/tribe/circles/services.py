"""Circle writes: create, join/leave, requests and invitations, roles, moderation, posts.

Each verb runs in one transaction and raises a DomainError (422/403/404/409) for anything a user can fix.
Rows of one circle's membership are taken with select_for_update so concurrent joins/decisions serialize.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from tribe.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tribe.core.events import record_event
from tribe.core.text import clean_text

from .models import Circle, Membership

M = Membership
SLUG_RE = re.compile(r"^[-a-z0-9]{2,60}$")
POST_MAX = 2000
MAX_MUTE_MINUTES = 60 * 24 * 30


def _membership(circle: Circle, user, *, lock: bool = False) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    qs = Membership.objects.filter(circle=circle, user=user)
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def _require_moderator(circle: Circle, actor) -> Membership:
    mine = _membership(circle, actor)
    if mine is None or not mine.is_moderator:
        raise PermissionDenied("only the circle's moderators may do this", code="not_moderator")
    return mine


def _target(circle: Circle, user_id: int, *, lock: bool = True) -> Membership:
    qs = Membership.objects.filter(circle=circle, user_id=user_id)
    if lock:
        qs = qs.select_for_update()
    target = qs.first()
    if target is None:
        raise NotFound(f"user {user_id} has no membership in this circle")
    return target


@transaction.atomic
def create_circle(owner, *, name: str, slug: str, description: str = "", join_policy: str = "open",
                  visibility: str = "public", allow_product_cards: bool = True,
                  allow_promotions: bool = False) -> Circle:
    name = clean_text(name, "name", max_length=60, required=True)
    description = clean_text(description, "description", max_length=1000)
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug):
        raise ValidationFailed("slug: 2–60 lowercase letters, digits or hyphens", fields={"slug": "invalid"})
    if join_policy not in Circle.JoinPolicy.values:
        raise ValidationFailed("join_policy: unknown", fields={"join_policy": "unknown"})
    if visibility not in Circle.Visibility.values:
        raise ValidationFailed("visibility: unknown", fields={"visibility": "unknown"})
    try:
        with transaction.atomic():
            circle = Circle.objects.create(
                name=name, slug=slug, description=description, owner=owner, join_policy=join_policy,
                visibility=visibility, allow_product_cards=bool(allow_product_cards),
                allow_promotions=bool(allow_promotions))
    except IntegrityError:
        raise Conflict(f"slug '{slug}' is taken", code="slug_taken", fields={"slug": "taken"}) from None
    Membership.objects.create(circle=circle, user=owner, role=M.Role.OWNER, state=M.State.ACTIVE)
    return circle


@transaction.atomic
def join_circle(user, circle: Circle, *, request=None) -> Membership:
    """open → active; approval → pending request; invite → refused unless invited (then active).
    Already a member or already applied → 409; banned → 403."""
    mine = _membership(circle, user, lock=True)
    if mine is not None:
        if mine.state == M.State.INVITED:
            mine.state = M.State.ACTIVE
            mine.save(update_fields=["state"])
            record_event("join_circle", request, actor=user, obj=circle, props={"via": "invite"})
            return mine
        if mine.state == M.State.BANNED:
            raise PermissionDenied("you are banned from this circle", code="banned")
        if mine.state == M.State.PENDING:
            raise Conflict("your request to join is already pending", code="already_requested")
        raise Conflict("you are already a member of this circle", code="already_member")
    if circle.join_policy == Circle.JoinPolicy.INVITE:
        raise PermissionDenied("this circle is invite-only", code="invite_only")
    state = M.State.ACTIVE if circle.join_policy == Circle.JoinPolicy.OPEN else M.State.PENDING
    try:
        with transaction.atomic():
            mine = Membership.objects.create(circle=circle, user=user, role=M.Role.MEMBER, state=state)
    except IntegrityError:  # a concurrent join by the same user won
        raise Conflict("you are already a member of this circle", code="already_member") from None
    if state == M.State.ACTIVE:
        record_event("join_circle", request, actor=user, obj=circle, props={"via": "open"})
    return mine


@transaction.atomic
def decide_request(actor, circle: Circle, user_id: int, *, approve: bool, request=None) -> Membership | None:
    _require_moderator(circle, actor)
    target = _target(circle, user_id)
    if target.state != M.State.PENDING:
        raise Conflict("there is no pending request from this user", code="no_pending_request")
    if not approve:
        target.delete()
        return None
    target.state = M.State.ACTIVE
    target.save(update_fields=["state"])
    record_event("join_circle", request, actor=target.user, obj=circle, props={"via": "approval"})
    return target


@transaction.atomic
def invite(actor, circle: Circle, user_id: int) -> Membership:
    _require_moderator(circle, actor)
    if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
        raise NotFound(f"user {user_id} not found")
    target = Membership.objects.select_for_update().filter(circle=circle, user_id=user_id).first()
    if target is None:
        return Membership.objects.create(circle=circle, user_id=user_id, state=M.State.INVITED)
    if target.state == M.State.PENDING:  # inviting an applicant lets them in
        target.state = M.State.ACTIVE
        target.save(update_fields=["state"])
        return target
    if target.state == M.State.BANNED:
        raise Conflict("this user is banned; unban first", code="banned")
    raise Conflict("this user is already a member or invited", code="already_member")


@transaction.atomic
def accept_invite(user, circle: Circle, *, request=None) -> Membership:
    mine = _membership(circle, user, lock=True)
    if mine is None or mine.state != M.State.INVITED:
        raise Conflict("you have no invitation to this circle", code="no_invitation")
    return join_circle(user, circle, request=request)


@transaction.atomic
def leave_circle(user, circle: Circle) -> None:
    mine = _membership(circle, user, lock=True)
    if mine is None:
        raise Conflict("you are not a member of this circle", code="not_member")
    if mine.state == M.State.BANNED:
        raise PermissionDenied("you are banned from this circle", code="banned")
    if mine.role == M.Role.OWNER:
        raise Conflict("the owner must transfer ownership before leaving", code="owner_must_transfer")
    mine.delete()  # also withdraws a pending request or declines an invitation


@transaction.atomic
def set_role(actor, circle: Circle, user_id: int, role: str) -> Membership:
    """Owner only. role "owner" transfers ownership (the old owner becomes a moderator)."""
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if actor is None or circle.owner_id != actor.pk:
        raise PermissionDenied("only the owner may change roles", code="not_owner")
    if role not in M.Role.values:
        raise ValidationFailed("role: unknown", fields={"role": "unknown"})
    target = _target(circle, user_id)
    if not target.is_active:
        raise Conflict("only active members can be given a role", code="not_member")
    if target.user_id == actor.pk:
        raise Conflict("transfer ownership to someone else first", code="owner_must_transfer")
    if role == M.Role.OWNER:
        Membership.objects.filter(circle=circle, user=actor).update(role=M.Role.MODERATOR)
        circle.owner_id = target.user_id
        circle.save(update_fields=["owner"])
    target.role = role
    target.save(update_fields=["role"])
    return target


def _require_outranks(mine: Membership, target: Membership) -> None:
    if target.role == M.Role.OWNER or (target.role == M.Role.MODERATOR and mine.role != M.Role.OWNER):
        raise PermissionDenied("you cannot moderate this member", code="outranked")


@transaction.atomic
def ban(actor, circle: Circle, user_id: int) -> Membership:
    mine = _require_moderator(circle, actor)
    target = _target(circle, user_id)
    _require_outranks(mine, target)
    target.state, target.role = M.State.BANNED, M.Role.MEMBER
    target.save(update_fields=["state", "role"])
    return target


@transaction.atomic
def unban(actor, circle: Circle, user_id: int) -> None:
    _require_moderator(circle, actor)
    target = _target(circle, user_id)
    if target.state != M.State.BANNED:
        raise Conflict("this user is not banned", code="not_banned")
    target.delete()


@transaction.atomic
def mute(actor, circle: Circle, user_id: int, minutes: int) -> Membership:
    mine = _require_moderator(circle, actor)
    if not isinstance(minutes, int) or not 0 <= minutes <= MAX_MUTE_MINUTES:
        raise ValidationFailed(f"minutes: 0–{MAX_MUTE_MINUTES}", fields={"minutes": "out of range"})
    target = _target(circle, user_id)
    if not target.is_active:
        raise Conflict("only active members can be muted", code="not_member")
    _require_outranks(mine, target)
    target.muted_until = timezone.now() + timedelta(minutes=minutes) if minutes else None
    target.save(update_fields=["muted_until"])
    return target


def create_post(author, circle: Circle, *, text: str, product_id: int | None = None, product_ids=None,
                images=None, request=None):
    """A post in a circle: see tribe.posts.services.create_post (membership, mute, product-card and
    promotion rules are enforced there)."""
    from tribe.posts.services import create_post as _create

    ids = list(product_ids or []) + ([product_id] if product_id is not None else [])
    return _create(author, text=text, images=images, product_ids=ids, circle=circle, request=request)


def remove_post(actor, post):
    """Moderators remove posts in their circle (authors delete their own through tribe.posts.services)."""
    from tribe.posts.services import remove_post as _remove

    if post.circle_id is None:
        raise PermissionDenied("not a circle post", code="not_moderator")
    with transaction.atomic():
        _require_moderator(post.circle, actor)
        return _remove(actor, post)
