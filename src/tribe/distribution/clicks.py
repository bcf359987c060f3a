"""Share clicks and bindings: who brought a visitor to a brand, and who the visitor is bound to now.

The rule is the brand's `PromoterProgram.binding`:
- first_click: the first active promoter's click binds the visitor for good; later clicks change nothing.
- window: a click binds for `window_days`; while that binding lasts other promoters' clicks change nothing,
  the same promoter's click restarts the window; after it ends the next click binds anew.
- last_click: every click by an active promoter replaces the binding (no end).

Only a click on a valid (signed) share link counts, and only a sharer who is an ACTIVE promoter of the brand
binds anyone; a click never binds the sharer to themself. An anonymous visitor is bound by session key; the
keys are kept in the session so the binding moves to the user at login or registration (django rotates the
key but keeps the session data).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tribe.core.events import record_event

from .models import Binding, Promoter, PromoterProgram, ShareClick
from .services import program_of

log = logging.getLogger(__name__)
SESSION_KEYS = "tribe_dist_keys"
MAX_KEYS = 5


def _brand_of(kind: str, obj: Any):
    """The brand a shared object sells for, or None (unpublished products bind nobody)."""
    if kind == "station":
        return obj if getattr(obj, "is_active", True) else None
    if kind == "product":
        return obj.brand if getattr(obj, "published", False) else None
    brand_id = getattr(obj, "brand_id", None)
    return getattr(obj, "brand", None) if brand_id else None


def _brand_ids_of(kind: str, obj: Any) -> set[int]:
    """Brands sold by a shared piece of content that shows several products (a 达人's album/look, a guide, a
    post, a bundle): buying from it attributes the sale to the sharer for each brand they promote."""
    from tribe.catalog.models import Product

    if kind == "album":
        qs = Product.objects.published().filter(album_items__album=obj)
    elif kind == "guide":
        qs = Product.objects.published().filter(guide_steps__step__guide=obj)
    elif kind == "post":
        qs = Product.objects.published().filter(post_tags__post=obj)
    elif kind == "bundle":
        qs = Product.objects.published().filter(bundle_items__bundle=obj)
    else:
        return set()
    return set(qs.values_list("brand_id", flat=True).distinct())


def _client_ip(request) -> str | None:
    ip = (request.META.get("REMOTE_ADDR") or "").strip()
    return ip or None


def _session_key(request) -> str:
    session = getattr(request, "session", None)
    if session is None:
        return ""
    if session.session_key is None:
        session.save()
    keys = session.get(SESSION_KEYS) or []
    if session.session_key not in keys:
        session[SESSION_KEYS] = (keys + [session.session_key])[-MAX_KEYS:]
    return session.session_key or ""


def on_share_open(request, kind: str, obj: Any, touch) -> None:
    """tribe.sharing hook: a valid share link was opened. Never breaks the page that was opened."""
    try:
        record_click(request, kind, obj, sharer_id=touch.sharer_id, channel=touch.channel or "")
    except Exception:  # recording a click must not take the product page down
        log.exception("share click not recorded")


def record_click(request, kind: str, obj: Any, *, sharer_id: int, channel: str = "",
                 now: datetime | None = None) -> ShareClick | None:
    """Store the click and, when the sharer actively promotes the object's brand, apply the binding rule."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    if not get_user_model().objects.filter(pk=sharer_id).exists():
        return None  # a signed code for a deleted account
    user = getattr(request, "user", None)
    visitor = user if user is not None and user.is_authenticated else None
    brand = _brand_of(kind, obj)
    with transaction.atomic():
        click = ShareClick.objects.create(
            sharer_id=sharer_id, brand=brand, kind=kind[:20], object_id=getattr(obj, "pk", None),
            channel=channel[:80], visitor=visitor, session_key="" if visitor else _session_key(request),
            ip=_client_ip(request), created_at=now)
        binding = None
        if visitor is None or visitor.pk != sharer_id:
            brand_ids = {brand.pk} if brand is not None else _brand_ids_of(kind, obj)
            for promoter in Promoter.objects.filter(brand_id__in=brand_ids, user_id=sharer_id,
                                                    state=Promoter.State.ACTIVE).select_related("brand"):
                binding = bind(promoter.brand, promoter, visitor=visitor, session_key=click.session_key, now=now)
    record_event("share_click", request, obj=obj, brand_id=brand.pk if brand else None,
                 props={"kind": kind, "sharer_id": sharer_id, "channel": channel,
                        "bound": binding is not None and binding.promoter_id is not None})
    return click


def _expiry(program: PromoterProgram, now: datetime) -> datetime | None:
    if program.binding == PromoterProgram.Binding.WINDOW:
        return now + timedelta(days=program.window_days)
    return None


def bind(brand, promoter: Promoter, *, visitor=None, session_key: str = "", now: datetime | None = None) -> Binding:
    """Apply the brand's rule to a click by `promoter`: create, keep or replace the visitor's binding."""
    now = now or timezone.now()
    program = program_of(brand)
    who = {"visitor": visitor} if visitor is not None else {"visitor__isnull": True, "session_key": session_key}
    with transaction.atomic():
        current = Binding.objects.select_for_update().filter(brand=brand, **who).first()
        if current is None:
            try:
                with transaction.atomic():
                    return Binding.objects.create(
                        brand=brand, visitor=visitor, session_key="" if visitor else session_key,
                        promoter=promoter, rule=program.binding, bound_at=now, expires_at=_expiry(program, now))
            except IntegrityError:  # a twin click created it: apply the rule to that row
                current = Binding.objects.select_for_update().get(brand=brand, **who)
        if not _replaces(program, current, promoter, now):
            return current
        current.promoter = promoter
        current.rule = program.binding
        current.bound_at = now
        current.expires_at = _expiry(program, now)
        current.save(update_fields=["promoter", "rule", "bound_at", "expires_at"])
        return current


def _replaces(program: PromoterProgram, current: Binding, promoter: Promoter, now: datetime) -> bool:
    if not current.is_active(now):
        return True
    if program.binding == PromoterProgram.Binding.LAST_CLICK:
        return True
    if program.binding == PromoterProgram.Binding.WINDOW:
        return current.promoter_id == promoter.pk  # the same promoter restarts the window
    # first click: lasts, unless the brand switched rule since and this row came from another rule's window
    return False


def anonymous_keys(request) -> list[str]:
    """The anonymous session keys this browser clicked under (survive login's key rotation)."""
    session = getattr(request, "session", None) if request is not None else None
    if session is None:
        return []
    keys = list(session.get(SESSION_KEYS) or [])
    if session.session_key and session.session_key not in keys:
        keys.append(session.session_key)
    return [k for k in keys if isinstance(k, str) and k][:MAX_KEYS + 1]


def move_to_user(keys: list[str], user, now: datetime | None = None) -> int:
    """After login/registration: anonymous bindings and clicks of these session keys become the user's.
    Where the user already has a binding for the brand, the brand's rule decides which one stays."""
    if not keys or user is None:
        return 0
    now = now or timezone.now()
    moved = 0
    with transaction.atomic():
        ShareClick.objects.filter(session_key__in=keys, visitor__isnull=True).update(visitor=user)
        anon = list(Binding.objects.select_for_update(of=("self",)).filter(session_key__in=keys, visitor__isnull=True)
                    .select_related("brand__promoter_program").order_by("bound_at", "id"))
        for row in anon:
            mine = Binding.objects.select_for_update().filter(brand_id=row.brand_id, visitor=user).first()
            if mine is None:
                row.visitor = user
                row.session_key = ""
                row.save(update_fields=["visitor", "session_key"])
                moved += 1
                continue
            program = program_of(row.brand)
            keep_anon = (not mine.is_active(now)) or (
                program.binding == PromoterProgram.Binding.LAST_CLICK and row.bound_at > mine.bound_at)
            if keep_anon and row.is_active(now) and row.promoter.user_id != user.pk:
                for field in ("promoter_id", "rule", "bound_at", "expires_at"):
                    setattr(mine, field, getattr(row, field))
                mine.save(update_fields=["promoter", "rule", "bound_at", "expires_at"])
                moved += 1
            row.delete()
    return moved


def on_login(sender, request, user, **kwargs) -> None:
    """django's user_logged_in: move this browser's anonymous bindings to the user."""
    if request is None:
        return
    move_to_user(anonymous_keys(request), user)
