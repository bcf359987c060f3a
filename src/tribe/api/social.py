"""Social graph: follow users (达人 included), brands and stores; block and mute; public profiles and lists.

Follow / block / mute calls are idempotent and answer 200 with the resulting state: following twice keeps one
follow and is not an error, unfollowing what you do not follow is not an error either.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from ninja import Field, Query, Router, Schema

from tribe.brands.models import Brand, Store
from tribe.core.errors import NotFound
from tribe.social import selectors, services

from .auth import OPTIONAL, REQUIRED
from .common import actor, by_slug
from .pagination import Page, PageQuery, page_of, paginate
from .schemas import absolute

router = Router(tags=["social"])
User = get_user_model()


class UserCard(Schema):
    username: str
    nickname: str
    display_name: str
    avatar_url: str | None
    city: str
    is_promoter: bool = Field(description="达人")

    @staticmethod
    def resolve_avatar_url(obj, context):
        return absolute(context, obj.avatar)


class PublicProfileOut(UserCard):
    bio: str
    followers_count: int
    following_count: int = Field(description="users, brands and stores this user follows")
    friends_count: int = Field(description="mutual follows")
    i_follow: bool = Field(description="the signed-in caller follows this user (false when anonymous)")
    follows_me: bool = Field(description="this user follows the signed-in caller")
    is_friend: bool

    @staticmethod
    def resolve_is_friend(obj):
        return bool(obj.i_follow and obj.follows_me)


class FollowStateOut(Schema):
    following: bool
    followers: int = Field(description="how many follow the target now (computed, never stored)")


class BlockStateOut(Schema):
    blocked: bool


class MuteStateOut(Schema):
    muted: bool


def _user(username: str):
    user = User.objects.filter(username=username, is_active=True).first() if len(username) <= 150 else None
    if user is None:
        raise NotFound(f"user '{username}' not found")
    return user


def _brand(slug: str) -> Brand:
    return by_slug(Brand.objects.filter(is_active=True), slug, "brand")


def _store(slug: str) -> Store:
    return by_slug(Store.objects.filter(is_active=True), slug, "store")


# ---- follow ------------------------------------------------------------------------------------------------


@router.post("/users/{username}/follow", response=FollowStateOut, auth=REQUIRED, summary="Follow a user")
def follow_user(request, username: str):
    """Idempotent. 422 `cannot_follow_self`; 403 `cannot_follow` when a block stands between the two
    (which side blocked is not said). Records `follow` the first time."""
    target = _user(username)
    services.follow_user(request.user, target, request)
    return selectors.follow_state(request.user, user=target)


@router.delete("/users/{username}/follow", response=FollowStateOut, auth=REQUIRED, summary="Unfollow a user")
def unfollow_user(request, username: str):
    target = _user(username)
    services.unfollow_user(request.user, target)
    return selectors.follow_state(request.user, user=target)


@router.post("/brands/{slug}/follow", response=FollowStateOut, auth=REQUIRED, summary="Follow a brand")
def follow_brand(request, slug: str):
    brand = _brand(slug)
    services.follow_brand(request.user, brand, request)
    return selectors.follow_state(request.user, brand=brand)


@router.delete("/brands/{slug}/follow", response=FollowStateOut, auth=REQUIRED, summary="Unfollow a brand")
def unfollow_brand(request, slug: str):
    brand = _brand(slug)
    services.unfollow_brand(request.user, brand)
    return selectors.follow_state(request.user, brand=brand)


@router.post("/stores/{slug}/follow", response=FollowStateOut, auth=REQUIRED, summary="Follow a store")
def follow_store(request, slug: str):
    store = _store(slug)
    services.follow_store(request.user, store, request)
    return selectors.follow_state(request.user, store=store)


@router.delete("/stores/{slug}/follow", response=FollowStateOut, auth=REQUIRED, summary="Unfollow a store")
def unfollow_store(request, slug: str):
    store = _store(slug)
    services.unfollow_store(request.user, store)
    return selectors.follow_state(request.user, store=store)


# ---- block and mute ----------------------------------------------------------------------------------------


@router.post("/users/{username}/block", response=BlockStateOut, auth=REQUIRED, summary="Block a user")
def block_user(request, username: str):
    """Removes follows both ways; neither can follow the other until unblocked."""
    services.block_user(request.user, _user(username))
    return {"blocked": True}


@router.delete("/users/{username}/block", response=BlockStateOut, auth=REQUIRED, summary="Unblock a user")
def unblock_user(request, username: str):
    services.unblock_user(request.user, _user(username))
    return {"blocked": False}


@router.post("/users/{username}/mute", response=MuteStateOut, auth=REQUIRED, summary="Mute a user")
def mute_user(request, username: str):
    """The follow stays; the user's items are left out of my feeds."""
    services.mute_user(request.user, _user(username))
    return {"muted": True}


@router.delete("/users/{username}/mute", response=MuteStateOut, auth=REQUIRED, summary="Unmute a user")
def unmute_user(request, username: str):
    services.unmute_user(request.user, _user(username))
    return {"muted": False}


@router.post("/brands/{slug}/mute", response=MuteStateOut, auth=REQUIRED, summary="Mute a brand")
def mute_brand(request, slug: str):
    services.mute_brand(request.user, _brand(slug))
    return {"muted": True}


@router.delete("/brands/{slug}/mute", response=MuteStateOut, auth=REQUIRED, summary="Unmute a brand")
def unmute_brand(request, slug: str):
    services.unmute_brand(request.user, _brand(slug))
    return {"muted": False}


# ---- profiles and lists ------------------------------------------------------------------------------------


@router.get("/users/{username}", response=PublicProfileOut, auth=OPTIONAL, summary="A user's public profile")
def public_profile(request, username: str):
    """Nickname, city, avatar, counts, and how the caller relates to this user. One query."""
    user = selectors.public_user(username, actor(request))
    if user is None:
        raise NotFound(f"user '{username}' not found")
    return user


def _page_of_users(qs, attr: str, paging: PageQuery) -> dict:
    page = paginate(qs, paging)
    return page_of([getattr(f, attr) for f in page["items"]], page["count"], paging.page, paging.page_size)


@router.get("/users/{username}/followers", response=Page[UserCard], auth=OPTIONAL, summary="Who follows a user")
def followers(request, username: str, paging: Query[PageQuery]):
    """Most recent first."""
    return _page_of_users(selectors.followers_of(_user(username)), "follower", paging)


@router.get("/users/{username}/following", response=Page[UserCard], auth=OPTIONAL,
            summary="Users a user follows")
def following(request, username: str, paging: Query[PageQuery]):
    """Users only, most recent first; followed brands and stores are not listed here."""
    return _page_of_users(selectors.following_of(_user(username)), "followed_user", paging)


@router.get("/me/friends", response=Page[UserCard], auth=REQUIRED, summary="My friends (mutual follows)")
def my_friends(request, paging: Query[PageQuery]):
    return paginate(selectors.friends_of(request.user), paging)
