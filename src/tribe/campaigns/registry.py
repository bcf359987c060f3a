"""The plays that exist, so the console's 营销活动 index and the public 活动 page can list them all.

A play app registers in its AppConfig.ready():

    register_play(PlayKind("groupbuy", _("拼团"), model=GroupBuy, console_url="console:groupbuy",
                           public_url=lambda play: reverse("web:groupbuy", args=[play.pk])))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PlayKind:
    kind: str
    label: str
    model: Any  # a concrete tribe.campaigns.models.Play subclass
    console_url: str  # URL name taking brand_slug: the play's console list
    public_url: Callable[[Any], str]  # the play's campaign page


_PLAYS: dict[str, PlayKind] = {}


def register_play(play: PlayKind) -> None:
    _PLAYS[play.kind] = play


def plays() -> list[PlayKind]:
    return [_PLAYS[k] for k in sorted(_PLAYS)]


def get_play(kind: str) -> PlayKind | None:
    return _PLAYS.get(kind)
