"""Money to the fen: half-up conversion and largest-remainder splits (rules.md §5, conservation)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.settlement.money import allocate, allocate_rows, fen_to_yuan, integer_weights, to_fen, yuan_to_fen


def test_yuan_to_fen_rounds_half_up_as_written():
    # 1.005 yuan is stored as 1.00499999…; written it is half a fen, which rounds up to 101
    assert to_fen(1.005) == 101
    assert to_fen(2.675) == 268
    assert to_fen(0.004) == 0
    # negative amounts round half away from zero: -1.005 → -101
    assert to_fen(-1.005) == -101
    assert yuan_to_fen([12.34, 0.0, 99999999.99]).tolist() == [1234, 0, 9999999999]


def test_fen_to_yuan():
    assert fen_to_yuan(12345) == 123.45
    assert fen_to_yuan(np.array([1, 100])).tolist() == [0.01, 1.0]


def test_integer_weights_read_decimals_exactly():
    assert integer_weights([0.4, 0.4, 0.2]) == [2, 2, 1]
    assert integer_weights([0.7, 0.2, 0.1]) == [7, 2, 1]
    assert integer_weights([0.2, 0.2, 0.2, 0.4]) == [1, 1, 1, 2]


def test_allocate_hand_worked():
    # 100 fen by 4:4:2 → 40, 40, 20 exactly
    assert allocate(100, [0.4, 0.4, 0.2]) == [40, 40, 20]
    # 101 fen by 4:4:2: floors 40, 40, 20 (remainders 0.4, 0.4, 0.2) → one fen left;
    # the tie between the first two remainders goes to the first weight → 41, 40, 20
    assert allocate(101, [0.4, 0.4, 0.2]) == [41, 40, 20]
    # 100 fen in three equal parts: 33 each + 1 left, tie → first → 34, 33, 33
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    # 7:2:1 of 999 fen: 699.3, 199.8, 99.9 → floors 699, 199, 99 (sum 997), remainders
    # .3, .8, .9 → the two fen go to the 3rd then the 2nd → 699, 200, 100
    assert allocate(999, [0.7, 0.2, 0.1]) == [699, 200, 100]
    # an overspend of -101 splits like a saving, negated
    assert allocate(-101, [0.4, 0.4, 0.2]) == [-41, -40, -20]


def test_allocate_zero_weight_gets_nothing():
    assert allocate(5, [0, 1]) == [0, 5]
    assert allocate(0, [0, 0]) == [0, 0]


def test_allocate_huge_totals_do_not_overflow():
    total = 10**15 + 7
    parts = allocate(total, [1 / 3, 1 / 3, 1 / 3])
    assert sum(parts) == total


@settings(max_examples=200, deadline=None)
@given(
    totals=st.lists(st.integers(min_value=-(10**11), max_value=10**11), min_size=1, max_size=20),
    weights=st.lists(
        st.floats(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False), min_size=1, max_size=12
    ).filter(lambda w: sum(w) > 0),
)
def test_allocation_conserves_every_fen(totals, weights):
    parts = allocate_rows(totals, weights)
    assert parts.sum(axis=1).tolist() == totals
    # each part is within one fen of its exact share
    iw = integer_weights(weights)
    for t, row in zip(totals, parts):
        for w, p in zip(iw, row):
            exact = abs(t) * w / sum(iw)
            assert abs(abs(int(p)) - exact) < 1 + 1e-6


@settings(max_examples=100, deadline=None)
@given(total=st.integers(min_value=0, max_value=10**9), n=st.integers(min_value=1, max_value=50))
def test_equal_split_differs_by_at_most_one_fen(total, n):
    parts = allocate(total, [1] * n)
    assert sum(parts) == total and max(parts) - min(parts) <= 1
