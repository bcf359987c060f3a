"""Property: whatever the start, floor, number of helps, new-user weight and order of new/old helpers, every cut
is at least one fen, the cuts sum exactly to start − floor, and the floor is reached at the N-th help, never
before. Checked on the pure draw and through the service (real rows, the same generator)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tribe.bargain.cuts import cut_bounds, draw_cut, from_fen


@st.composite
def bargains(draw):
    helps = draw(st.integers(min_value=1, max_value=60))
    spread = draw(st.integers(min_value=helps, max_value=2_000_000))  # fen to cut: at least one per help
    floor = draw(st.integers(min_value=0, max_value=1_000_000))
    weight = draw(st.decimals(min_value=1, max_value=10, places=2))
    newness = draw(st.lists(st.booleans(), min_size=helps, max_size=helps))
    seed = draw(st.integers(min_value=0, max_value=2**32))
    return floor + spread, floor, helps, weight, newness, seed


@given(bargains())
@settings(max_examples=400)
def test_cuts_are_exact_positive_and_reach_the_floor_at_the_last_help(case):
    start, floor, helps, weight, newness, seed = case
    rng = random.Random(seed)
    price = start
    cuts = []
    for i, new in enumerate(newness, start=1):
        cut = draw_cut(price - floor, helps - i + 1, weight if new else 1, rng)
        cuts.append(cut)
        price -= cut
        assert cut >= 1
        assert (price == floor) == (i == helps)  # reached exactly at the N-th help, never before
        assert price >= floor + (helps - i)  # every later help can still cut a fen
    assert sum(cuts) == start - floor
    assert sum(from_fen(c) for c in cuts) == from_fen(start) - from_fen(floor)


@given(st.integers(min_value=2, max_value=50), st.integers(min_value=0, max_value=100_000),
       st.decimals(min_value=1, max_value=10, places=2))
def test_a_new_user_draws_from_a_range_at_least_as_high(left, extra, weight):
    remaining = left + extra
    old, new = cut_bounds(remaining, left, 1), cut_bounds(remaining, left, weight)
    assert new[0] >= old[0] and new[1] >= old[1]
    assert 1 <= new[0] <= new[1] <= remaining - (left - 1)


def test_impossible_bounds_are_refused():
    with pytest.raises(ValueError):
        cut_bounds(2, 3)


@pytest.mark.django_db
@given(helps=st.integers(min_value=1, max_value=8), floor_fen=st.integers(min_value=0, max_value=5000),
       newness=st.lists(st.booleans(), min_size=8, max_size=8), weight=st.sampled_from(["1.00", "1.50", "4.00"]))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
def test_service_helps_keep_the_sum_exact(shop, helps, floor_fen, newness, weight):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import UserFactory
    from tribe.bargain import services
    from tribe.bargain.models import Bargain, BargainHelp

    from .conftest import make_campaign

    old_day = timezone.now() - timedelta(days=60)
    campaign = make_campaign(shop, floor_price=str(from_fen(floor_fen)), helps_needed=helps, new_user_days=7,
                             new_user_weight=weight)
    bargain = services.start_bargain(UserFactory(date_joined=old_day), campaign.pk)
    for i in range(helps):
        helper = UserFactory() if newness[i] else UserFactory(date_joined=old_day)
        services.help_bargain(helper, bargain.pk)
        bargain.refresh_from_db()
        assert (bargain.current_price == bargain.floor_price) == (i + 1 == helps)
    cuts = list(BargainHelp.objects.filter(bargain=bargain).values_list("amount", flat=True))
    assert all(c >= Decimal("0.01") for c in cuts)
    assert sum(cuts) == Decimal("100.00") - from_fen(floor_fen)
    assert bargain.state == Bargain.State.REACHED
