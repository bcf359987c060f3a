from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tribe.core.errors import ValidationFailed
from tribe.core.money import split_by_largest_remainder, to_money


def test_to_money_parses_two_places():
    assert to_money("12.5") == Decimal("12.50")
    assert to_money(3) == Decimal("3.00")


@pytest.mark.parametrize("bad", ["abc", "1.234", "-1", "NaN", "Infinity", "99999999999", ""])
def test_to_money_refuses_bad_amounts(bad):
    with pytest.raises(ValidationFailed):
        to_money(bad)


def test_split_by_largest_remainder_gives_leftover_fen_to_largest_remainders():
    # 10.00 over 3 equal lines: 3.34 + 3.33 + 3.33, the extra fen to the first (ties go to the earlier line)
    assert split_by_largest_remainder(Decimal("10.00"), [Decimal(1)] * 3) == [
        Decimal("3.34"), Decimal("3.33"), Decimal("3.33"),
    ]


@given(
    total=st.decimals(min_value=0, max_value=100000, places=2),
    weights=st.lists(st.decimals(min_value=Decimal("0.01"), max_value=10000, places=2), min_size=1, max_size=20),
)
def test_split_always_sums_exactly(total, weights):
    parts = split_by_largest_remainder(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
