"""Circle test world: one public and one members-only circle (both approval), each with an owner, a moderator,
a member, a pending applicant, a banned member, and one post; plus a stranger."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.api.conftest import Api
from tests.factories import UserFactory
from tribe.accounts.services import issue_token
from tribe.circles import services
from tribe.circles.models import Circle

ROLES = ["anonymous", "stranger", "pending", "banned", "member", "moderator"]
SEES = {"anonymous": False, "stranger": False, "pending": False, "banned": False, "member": True,
        "moderator": True}


@dataclass
class World:
    public: Circle
    private: Circle
    users: dict

    def circle(self, visibility: str) -> Circle:
        return self.public if visibility == "public" else self.private


def _populate(circle, users):
    services.join_circle(users["moderator"], circle)
    services.decide_request(users["owner"], circle, users["moderator"].pk, approve=True)
    services.set_role(users["owner"], circle, users["moderator"].pk, "moderator")
    for name in ("member", "banned"):
        services.join_circle(users[name], circle)
        services.decide_request(users["moderator"], circle, users[name].pk, approve=True)
    services.join_circle(users["pending"], circle)
    services.create_post(users["member"], circle, text=f"秘密帖子-{circle.slug}")
    services.ban(users["moderator"], circle, users["banned"].pk)


@pytest.fixture
def world(db) -> World:
    users = {name: UserFactory(username=name, nickname=f"昵称-{name}")
             for name in ["owner", "moderator", "member", "pending", "banned", "stranger"]}
    public = services.create_circle(users["owner"], name="公开圈", slug="open-c", join_policy="approval")
    private = services.create_circle(users["owner"], name="私密圈", slug="private-c", join_policy="approval",
                                     visibility="members_only")
    _populate(public, users)
    _populate(private, users)
    return World(public=public, private=private, users=users)


@pytest.fixture
def api_as(client, world):
    def make(role: str) -> Api:
        if role == "anonymous":
            return Api(client)
        return Api(client, issue_token(world.users[role]))
    return make


@pytest.fixture
def page_as(client, world):
    def make(role: str):
        if role != "anonymous":
            client.force_login(world.users[role])
        return client
    return make
