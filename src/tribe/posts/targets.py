"""What comments and likes can point at. Each content app registers a kind in its AppConfig.ready():

    from tribe.posts.targets import Target, register
    register(Target("album", find=find_visible_album, owner_id=lambda album: album.owner_id))

`find(viewer, id)` returns the object if it exists and `viewer` (possibly anonymous) may see it, else None:
commenting on or liking something you cannot see is a 404, exactly like something that does not exist.
`owner_id(obj)` is who gets notified. `url(obj)` is the page where the object (and its comments) is shown.
`circle_id(obj)` is the members-only circle the object lives in, if any, so notifications about it are
hidden from anyone who is not (or no longer) an active member.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Target:
    kind: str
    find: Callable[[Any, int], Any | None]
    owner_id: Callable[[Any], int | None]
    url: Callable[[Any], str]
    circle_id: Callable[[Any], int | None] = lambda obj: None


_TARGETS: dict[str, Target] = {}


def register(target: Target) -> None:
    _TARGETS[target.kind] = target


def get(kind: str) -> Target | None:
    return _TARGETS.get(kind)


def kinds() -> list[str]:
    return sorted(_TARGETS)
