"""Growth figures: year-on-year change and compound annual growth, always with the period stated.

Seed 000 §4.1 reports "average annual growth 17.20%" for village doctors' subsidy from 41,000
(2017) to 66,000 yuan (2023); the compound rate of those figures is 8.26%, which is why every
growth figure here carries its period and is recomputed from levels, never typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from toolkit.errors import Problem, ToolkitError


@dataclass(frozen=True)
class Growth:
    """A growth rate with the period it covers (start and end years, both stated in reports)."""

    rate: float
    start_year: int
    end_year: int
    start_value: float
    end_value: float
    kind: str  # "yoy" or "cagr"

    @property
    def years(self) -> int:
        return self.end_year - self.start_year

    @property
    def period(self) -> str:
        return f"{self.start_year}–{self.end_year}"


def cagr(start_value: float, end_value: float, start_year: int, end_year: int, what: str = "value") -> Growth:
    """Compound annual growth rate ``(end / start) ** (1 / (end_year − start_year)) − 1``.

    Example (seed 000 §4.1): 41,000 → 66,000 over 2017–2023: (66000/41000)^(1/6) − 1 = 0.0826.
    """
    if end_year <= start_year:
        raise ToolkitError(f"growth of {what}: the period {start_year}–{end_year} must end after it starts")
    if not start_value > 0 or not end_value >= 0:
        raise ToolkitError(
            f"growth of {what} over {start_year}–{end_year} is undefined",
            [
                Problem(
                    "indicators",
                    "a positive start value and a non-negative end value",
                    column=what,
                    value=(start_value, end_value),
                )
            ],
        )
    rate = (end_value / start_value) ** (1.0 / (end_year - start_year)) - 1.0
    return Growth(rate, start_year, end_year, float(start_value), float(end_value), "cagr")


def yoy(previous: float, current: float, year: int, what: str = "value") -> Growth:
    """Year-on-year change ``current / previous − 1`` for ``year`` (period year−1 → year)."""
    if not previous > 0:
        raise ToolkitError(
            f"year-on-year change of {what} in {year} is undefined",
            [Problem("indicators", f"a positive value in {year - 1}", column=what, value=previous)],
        )
    return Growth(current / previous - 1.0, year - 1, year, float(previous), float(current), "yoy")


def yoy_table(levels: pd.DataFrame, keys: Sequence[str], indicator: str, what: str) -> pd.DataFrame:
    """Year-on-year change of the ``value`` column of a tidy table, per ``keys`` (without year).

    Returns rows for years whose previous year is present: value = v(t)/v(t−1) − 1, numerator =
    v(t), denominator = v(t−1). A previous level of zero is an error naming the keys and year.
    """
    keys = list(keys)
    frame = levels[keys + ["year", "value"]].copy()
    prev = frame.assign(year=frame["year"] + 1).rename(columns={"value": "previous"})
    joined = frame.merge(prev, on=keys + ["year"], how="inner", validate="one_to_one")
    bad = ~(joined["previous"] > 0)
    if bad.any():
        problems = [
            Problem(
                "indicators",
                f"a positive {what} in {int(r['year']) - 1} to compute its change in {int(r['year'])}",
                column=", ".join(f"{k} {r[k]}" for k in keys),
                value=float(r["previous"]),
            )
            for _, r in joined.loc[bad].iterrows()
        ]
        raise ToolkitError(f"cannot compute the year-on-year change of {what}", problems)
    return joined.assign(
        indicator=indicator,
        value=joined["value"] / joined["previous"] - 1.0,
        numerator=joined["value"],
        denominator=joined["previous"],
    ).drop(columns="previous")
