"""Trend test for a yearly series: Mann–Kendall with Sen's slope (rules.md §13, seed 000 §4.1).

A report may say an indicator is "稳步下降" (declining steadily, seed 000 §4.1 on premature NCD
mortality) only when a trend test over the whole period supports it, not because the last year is
below the first. The test:

* **Mann–Kendall**: S = Σ_{i<j} sign(x_j − x_i) over the years in order; it is Kendall's rank
  correlation between year and value, computed by :func:`scipy.stats.kendalltau` (exact null
  distribution when no value repeats and n ≤ 33, otherwise the normal approximation with the tie
  correction). Two-sided p-value.
* **Sen's slope** (Theil–Sen): the median of the pairwise slopes (x_j − x_i)/(t_j − t_i), with its
  95% interval, by :func:`scipy.stats.theilslopes` — the change per year, robust to one odd year.

The verdict is ``decreasing`` / ``increasing`` when p < :data:`ALPHA` (and the slope has that
sign), otherwise ``no_trend``; fewer than :data:`MIN_YEARS` years, or a constant series, is
``no_trend`` with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: significance level of the two-sided Mann–Kendall test
ALPHA = 0.05
#: with 4 years even a perfectly monotone series has exact p = 2/24 ≈ 0.083 > 0.05: 5 is the least
MIN_YEARS = 5
DIRECTIONS = ("decreasing", "increasing", "no_trend")


@dataclass(frozen=True)
class TrendResult:
    n: int
    s: int  # Mann–Kendall S
    tau: float
    p_value: float
    slope: float  # Sen's slope, value units per year
    slope_low: float
    slope_high: float
    direction: str  # decreasing | increasing | no_trend
    reason: str = ""  # why no test was possible (too few years, constant series)

    @property
    def significant(self) -> bool:
        return self.direction != "no_trend"


def mann_kendall(years: Sequence[float], values: Sequence[float], alpha: float = ALPHA) -> TrendResult:
    """Mann–Kendall test with Sen's slope for ``values`` observed in ``years`` (any order; NaN dropped)."""
    from scipy.stats import kendalltau, theilslopes

    t = np.asarray(years, dtype=float)
    x = np.asarray(values, dtype=float)
    keep = np.isfinite(t) & np.isfinite(x)
    t, x = t[keep], x[keep]
    order = np.argsort(t, kind="stable")
    t, x = t[order], x[order]
    n = int(len(x))
    nan = math.nan
    if n < MIN_YEARS:
        return TrendResult(n, 0, nan, nan, nan, nan, nan, "no_trend", reason=f"fewer than {MIN_YEARS} years")
    i, j = np.triu_indices(n, k=1)
    s = int(np.sign(x[j] - x[i]).sum())
    if np.all(x == x[0]):
        return TrendResult(n, 0, 0.0, 1.0, 0.0, 0.0, 0.0, "no_trend", reason="constant series")
    tau, p = kendalltau(t, x)
    sen = theilslopes(x, t, alpha=0.95)
    slope = float(sen.slope)
    direction = "no_trend"
    if float(p) < alpha and slope != 0:
        direction = "decreasing" if s < 0 else "increasing"
    return TrendResult(
        n=n,
        s=s,
        tau=float(tau),
        p_value=float(p),
        slope=slope,
        slope_low=float(sen.low_slope),
        slope_high=float(sen.high_slope),
        direction=direction,
    )
