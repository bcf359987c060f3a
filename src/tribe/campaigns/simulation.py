"""The interface between `tribe simulate` and the plays.

A play app may provide `tribe/<app>/simulation.py` with:

    def setup(sim: Sim) -> None            # once, after the catalogue and consumers exist: create the play(s)
    def play_day(sim: Sim) -> None         # every simulated day: consumers act (open/join groups, help, draw…)
    def finish(sim: Sim) -> None           # at the end: run the play's periodic jobs with sim.now_end
    def check(sim: Sim) -> dict[str, bool] # invariants, e.g. {"groupbuy_no_overfill": True, …}

All writes go through the play's services (never ORM shortcuts), counting what happened in `sim.totals`
(e.g. sim.totals["groupbuy_completed"] += 1) so the simulate report shows each play's activity. Expected
refusals (group full, already helped, sold out) are caught as tribe.core.errors.DomainError and counted.
"""

from __future__ import annotations

import importlib
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PLAY_APPS = ["loyalty", "coupons", "groupbuy", "bargain", "flashsale", "lottery", "trials", "presale", "reach"]

ADDRESS = {"name": "模拟买家", "phone": "13800138000", "province": "浙江省", "city": "杭州市",
           "district": "西湖区", "detail": "文三路 100 号"}


@dataclass
class Sim:
    rng: random.Random
    consumers: list  # User objects
    brands: list  # Brand objects with published products
    staff_of: dict[int, Any]  # brand id → a staff user of that brand
    products_of: dict[int, list]  # brand id → published products
    pay: Callable[[Any, Any], None]  # pay(user, order): the dummy gateway's verified success notification
    request_for: Callable[[Any], Any]  # a RequestFactory request signed in as the user (with a session)
    day: int = 0
    day_time: datetime | None = None  # the simulated calendar's day (start of day)
    now_end: datetime | None = None  # for finish(): a "now" after the last day
    totals: Counter = field(default_factory=Counter)
    state: dict = field(default_factory=dict)  # each play keeps its own objects under its app name


def play_modules() -> list:
    """The simulation modules of the plays that provide one."""
    found = []
    for app in PLAY_APPS:
        try:
            found.append(importlib.import_module(f"tribe.{app}.simulation"))
        except ModuleNotFoundError as exc:
            if exc.name != f"tribe.{app}.simulation":
                raise
    return found
