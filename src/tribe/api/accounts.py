"""Accounts: registration, bearer tokens, the signed-in user's profile, consent switches and avatar."""

from __future__ import annotations

from ninja import File, Router, Status, UploadedFile

from tribe.accounts import services
from tribe.brands.models import BrandMembership

from .auth import REQUIRED, token_auth
from .schemas import MeOut, ProfilePatch, RegisterIn, TokenIn, TokenOut

router = Router()


def _me(user):
    user.api_staff_of = list(
        BrandMembership.objects.filter(user=user).select_related("brand").order_by("brand_id")
    )
    return user


@router.post("/auth/register", response={201: MeOut}, auth=None, tags=["auth"], summary="Register an account")
def register(request, payload: RegisterIn):
    """Creates a consumer account (promotions are off until the user turns them on). Records `register`.
    Sign in afterwards with POST /auth/token."""
    user = services.register_user(
        payload.username, payload.password, nickname=payload.nickname, city=payload.city, request=request
    )
    return Status(201, _me(user))


@router.post(
    "/auth/token", response={201: TokenOut}, auth=None, tags=["auth"], summary="Sign in: issue a token"
)
def issue_token(request, payload: TokenIn):
    """Checks the credentials (records `login`) and returns a bearer token, shown only this once."""
    user = services.login_user(payload.username, payload.password, request=request)
    raw = services.issue_token(user)
    return Status(201, {"token": raw, "expires_at": services.token_expires_at(raw)})


@router.delete(
    "/auth/token",
    response={204: None},
    auth=[token_auth],
    tags=["auth"],
    summary="Sign out: revoke this token",
)
def revoke_token(request):
    """Revokes the bearer token this request was made with."""
    raw = request.headers.get("Authorization", "")[7:].strip()
    services.revoke_token(raw)
    return Status(204, None)


@router.get("/me", response=MeOut, auth=REQUIRED, tags=["me"], summary="My profile")
def me(request):
    return _me(request.user)


@router.patch("/me", response=MeOut, auth=REQUIRED, tags=["me"], summary="Update my profile and consent")
def update_me(request, payload: ProfilePatch):
    """Send only the fields to change. Consent switches: allow_promotions, allow_email_digest,
    show_purchases_to_friends, show_reviews_to_friends, share_purchases_nearby."""
    user = services.update_profile(request.user, payload.model_dump(exclude_unset=True))
    return _me(user)


@router.post("/me/avatar", response=MeOut, auth=REQUIRED, tags=["me"], summary="Upload my avatar")
def upload_avatar(request, file: File[UploadedFile]):
    """multipart/form-data with `file`: JPEG, PNG, WebP or GIF within the size limit; stored re-encoded."""
    user = services.set_avatar(request.user, file)
    return _me(user)
