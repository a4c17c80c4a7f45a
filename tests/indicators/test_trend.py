"""Mann–Kendall with Sen's slope on hand-worked series (toolkit.indicators.trend)."""

import math

import pytest

from toolkit.indicators.trend import mann_kendall

YEARS = [2017, 2018, 2019, 2020, 2021]


def test_declining_series_by_hand():
    # values 20, 18, 17, 15, 14: every one of the 5·4/2 = 10 pairs falls, so S = −10, tau = −1.
    # Exact null distribution of S for n = 5 (120 orderings): only the reversed order has S = −10,
    # so P(S ≤ −10) = 1/120 and the two-sided p = 2/120 = 0.01667 < 0.05 → decreasing.
    # Sen's slope: pairwise slopes −2, −1.5, −1.667, −1.5 (from 20), −1, −1.5, −1.333 (from 18),
    # −2, −1.5 (from 17), −1 (from 15); sorted, the 5th and 6th are −1.5 and −1.5 → median −1.5.
    r = mann_kendall(YEARS, [20, 18, 17, 15, 14])
    assert r.s == -10 and r.tau == pytest.approx(-1.0)
    assert r.p_value == pytest.approx(2 / 120)
    assert r.slope == pytest.approx(-1.5)
    assert r.direction == "decreasing"


def test_one_reversal_in_five_years_is_not_enough():
    # 20, 18, 19, 15, 14: one pair rises (18 → 19), S = 9·(−1) + 1 = −8. Orderings of 5 with S ≤ −8:
    # the reversed one and the 4 with one adjacent swap → 5/120, two-sided p = 10/120 = 0.0833 ≥ 0.05.
    r = mann_kendall(YEARS, [20, 18, 19, 15, 14])
    assert r.s == -8
    assert r.p_value == pytest.approx(10 / 120)
    assert r.direction == "no_trend"


def test_flat_series_by_hand():
    # 15.2, 15.6, 15.1, 15.5, 15.3: signs from 15.2: + − + + (+2); from 15.6: − − − (−3);
    # from 15.1: + + (+2); from 15.5: − (−1). S = 0, tau = 0, p = 1 → no trend, although the last
    # year (15.3) is above the first (15.2).
    r = mann_kendall(YEARS, [15.2, 15.6, 15.1, 15.5, 15.3])
    assert r.s == 0 and r.tau == pytest.approx(0.0) and r.p_value == pytest.approx(1.0)
    assert r.direction == "no_trend"


def test_constant_and_short_series_have_no_trend_with_a_reason():
    assert mann_kendall(YEARS, [3, 3, 3, 3, 3]).reason == "constant series"
    short = mann_kendall(YEARS[:4], [4, 3, 2, 1])  # exact p = 2/24 = 0.083 even when monotone
    assert short.direction == "no_trend" and "fewer than" in short.reason and math.isnan(short.p_value)


def test_order_of_years_does_not_matter_and_gaps_drop():
    r = mann_kendall([2021, 2017, 2019, 2018, 2020, 2022], [14, 20, 17, 18, 15, float("nan")])
    assert r.n == 5 and r.s == -10 and r.direction == "decreasing"
