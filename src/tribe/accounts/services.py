"""Account writes: registration, login, API tokens, profile and consent changes."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tribe.core.errors import NotAuthenticated, ValidationFailed
from tribe.core.events import record_event

from .models import ApiToken, User

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@")
PROFILE_FIELDS = {
    "nickname", "city", "gender", "birth_year", "bio",
    "allow_promotions", "allow_email_digest", "show_purchases_to_friends", "show_reviews_to_friends",
    "share_purchases_nearby",
}
TEXT_LIMITS = {"nickname": 40, "city": 40, "bio": 200}


def check_registration(username: str, password: str, nickname: str = "") -> None:
    errors: dict[str, str] = {}
    if not (3 <= len(username) <= 30) or not set(username) <= USERNAME_CHARS:
        errors["username"] = "3–30 letters, digits or _ . - @"
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = "already taken"
    try:
        password_validation.validate_password(password, User(username=username))
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if len(nickname) > TEXT_LIMITS["nickname"]:
        errors["nickname"] = "at most 40 characters"
    if errors:
        raise ValidationFailed("registration is invalid: " + "; ".join(f"{k}: {v}" for k, v in errors.items()),
                               fields=errors)


def register_user(username: str, password: str, *, nickname: str = "", city: str = "", request=None) -> User:
    username = username.strip()
    check_registration(username, password, nickname)
    with transaction.atomic():
        user = User(username=username, nickname=nickname.strip() or username, city=city.strip()[:40])
        user.set_password(password)
        user.save()
        record_event("register", request, actor=user, obj=user)
    return user


def login_user(username: str, password: str, request=None) -> User:
    """Check credentials; the caller then starts a session (pages) or issues a token (API)."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise NotAuthenticated("wrong username or password", code="bad_credentials")
    record_event("login", request, actor=user, obj=user)
    return user


def issue_token(user: User, name: str = "api") -> str:
    raw = "trb_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, key_hash=ApiToken.hash(raw), name=name[:60],
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return raw


def token_expires_at(raw: str) -> datetime | None:
    """When a token issued by issue_token stops working (None if unknown)."""
    return ApiToken.objects.filter(key_hash=ApiToken.hash(raw)).values_list("expires_at", flat=True).first()


def revoke_token(raw: str) -> int:
    deleted, _ = ApiToken.objects.filter(key_hash=ApiToken.hash(raw)).delete()
    return deleted


def user_for_token(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(raw), expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    return token.user if token else None


def update_profile(user: User, changes: dict) -> User:
    """Apply profile/consent changes. Unknown fields and bad values are refused before anything is saved."""
    errors: dict[str, str] = {}
    unknown = set(changes) - PROFILE_FIELDS
    for name in unknown:
        errors[name] = "unknown field"
    clean: dict = {}
    for name, value in changes.items():
        if name in unknown:
            continue
        if name in TEXT_LIMITS:
            if not isinstance(value, str):
                errors[name] = "must be text"
            elif len(value.strip()) > TEXT_LIMITS[name]:
                errors[name] = f"at most {TEXT_LIMITS[name]} characters"
            else:
                clean[name] = value.strip()
        elif name == "gender":
            if value not in User.Gender.values:
                errors[name] = "one of: '', f, m, o"
            else:
                clean[name] = value
        elif name == "birth_year":
            this_year = timezone.localdate().year
            if value in (None, ""):
                clean[name] = None
            elif not isinstance(value, int) or isinstance(value, bool) or not (1900 <= value <= this_year):
                errors[name] = f"a year between 1900 and {this_year}"
            else:
                clean[name] = value
        else:  # consent and privacy switches
            if not isinstance(value, bool):
                errors[name] = "must be true or false"
            else:
                clean[name] = value
    if errors:
        raise ValidationFailed("profile is invalid", fields=errors)
    with transaction.atomic():
        for name, value in clean.items():
            setattr(user, name, value)
        user.save(update_fields=list(clean) or None)
    return user


def set_avatar(user: User, upload) -> User:
    """Replace the avatar with a checked, re-encoded image (the 400px version: avatars are shown small).

    check_image runs before anything is written, so a non-image leaves the old avatar in place. The old file
    is deleted only once the new one is committed, so a rolled-back change never leaves a user without one.
    """
    from tribe.core.images import check_image

    checked = check_image(upload, field="avatar")
    old = user.avatar.name if user.avatar else ""
    with transaction.atomic():
        user.avatar.save(checked.thumb.name, checked.thumb, save=False)
        user.save(update_fields=["avatar"])
        if old:
            storage = user.avatar.storage
            transaction.on_commit(lambda: storage.delete(old))
    return user
