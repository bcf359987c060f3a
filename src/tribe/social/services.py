"""Writes to the social graph. Following is idempotent: a second follow returns the existing row (no error),
unfollowing something not followed does nothing. A block removes follows both ways and stops new ones; the
refusal never says who blocked whom (the same neutral 403 either way)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from tribe.core.errors import PermissionDenied, ValidationFailed
from tribe.core.events import record_event

from .models import Block, Follow, Mute
from .selectors import is_blocked_between

User = get_user_model()


def _lock_pair(a, b) -> None:
    """Lock both users' rows (primary-key order: no deadlocks), so a follow between two people and a block
    between them are serialized: otherwise a follow could pass its block check, a concurrent block could
    delete the (not yet visible) follow rows, and the follow would then land despite the block."""
    list(User.objects.select_for_update().filter(pk__in=[a.pk, b.pk]).order_by("pk").values_list("pk"))


def _cannot_follow() -> PermissionDenied:
    return PermissionDenied(_("无法关注该用户"), code="cannot_follow")


def _follow(follower, target: dict, request, *, brand_id: int | None, obj) -> Follow:
    # get_or_create retries the read when a concurrent twin wins the unique constraint
    follow, created = Follow.objects.get_or_create(follower=follower, **target)
    if created:
        record_event("follow", request, actor=follower, obj=obj, brand_id=brand_id,
                     props={"target": obj._meta.model_name})
    return follow


def follow_user(follower, target, request=None) -> Follow:
    if follower.pk == target.pk:
        raise ValidationFailed(_("不能关注自己"), code="cannot_follow_self")
    with transaction.atomic():
        _lock_pair(follower, target)
        if not target.is_active or is_blocked_between(follower, target):
            raise _cannot_follow()
        return _follow(follower, {"followed_user": target}, request, brand_id=None, obj=target)


def follow_brand(follower, brand, request=None) -> Follow:
    with transaction.atomic():
        return _follow(follower, {"brand": brand}, request, brand_id=brand.id, obj=brand)


def follow_store(follower, store, request=None) -> Follow:
    with transaction.atomic():
        return _follow(follower, {"store": store}, request, brand_id=store.brand_id, obj=store)


def unfollow_user(follower, target) -> bool:
    """True when a follow was removed; False when there was none (not an error)."""
    return Follow.objects.filter(follower=follower, followed_user=target).delete()[0] > 0


def unfollow_brand(follower, brand) -> bool:
    return Follow.objects.filter(follower=follower, brand=brand).delete()[0] > 0


def unfollow_store(follower, store) -> bool:
    return Follow.objects.filter(follower=follower, store=store).delete()[0] > 0


def block_user(blocker, target) -> Block:
    """Blocks `target` and removes the follows between the two, both ways, in one transaction."""
    if blocker.pk == target.pk:
        raise ValidationFailed(_("不能拉黑自己"), code="cannot_block_self")
    with transaction.atomic():
        _lock_pair(blocker, target)
        block, _created = Block.objects.get_or_create(blocker=blocker, blocked=target)
        Follow.objects.filter(
            Q(follower=blocker, followed_user=target) | Q(follower=target, followed_user=blocker)
        ).delete()
    return block


def unblock_user(blocker, target) -> bool:
    """Lifts the block; the follows it removed stay removed."""
    return Block.objects.filter(blocker=blocker, blocked=target).delete()[0] > 0


def mute_user(user, target) -> Mute:
    if user.pk == target.pk:
        raise ValidationFailed(_("不能屏蔽自己"), code="cannot_mute_self")
    with transaction.atomic():
        return Mute.objects.get_or_create(user=user, muted_user=target)[0]


def unmute_user(user, target) -> bool:
    return Mute.objects.filter(user=user, muted_user=target).delete()[0] > 0


def mute_brand(user, brand) -> Mute:
    with transaction.atomic():
        return Mute.objects.get_or_create(user=user, brand=brand)[0]


def unmute_brand(user, brand) -> bool:
    return Mute.objects.filter(user=user, brand=brand).delete()[0] > 0
