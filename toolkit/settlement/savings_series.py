"""Savings by year: the settlement of several years as one series per unit and per county.

The basis of the reform's claim "包干资金从2017年起已实现连续7年结余" (seed 000 §4.1; rules.md §2,
§13 streaks): for each settlement year, the big package's and the chronic package's savings (an
overspend is negative) and their sum, the unit insurance fund savings of rules.md §4 (indicator 1).
``saved`` says whether that sum is above zero; :func:`streak` counts the years in a row that end
with a given year. Money in yuan to the fen (summed as integer fen). Built from full county
settlements (``settle --years``); :func:`toolkit.settlement.series.savings_by_year` is the light
big-package-only series the claims check computes straight from the tables.
"""

from __future__ import annotations

import pandas as pd

from toolkit.settlement.money import yuan_to_fen

UNIT_COLUMNS = ["county_id", "unit_id", "unit_name", "year", "budget", "actual", "savings", "chronic_savings"]
MONEY = ("budget", "actual", "savings", "chronic_budget", "chronic_actual", "chronic_savings")


def savings_series(results) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per unit-year, per county-year) savings of the settlements ``results`` (any counties and years).

    Per unit-year: budget, actual, savings, chronic_savings, fund_savings = savings + chronic_savings,
    saved. Per county-year: the same sums, units, units_saving, units_overspending, saved."""
    units, counties = [], []
    for cs in sorted(results, key=lambda r: (r.county_id, r.year)):
        u = cs.units.sort_values("unit_id")
        fen = {c: yuan_to_fen(u[c].to_numpy(dtype="float64")) for c in MONEY}
        fund = fen["savings"] + fen["chronic_savings"]
        frame = pd.DataFrame(
            {
                "county_id": cs.county_id,
                "unit_id": u["unit_id"].to_numpy(dtype=object),
                "unit_name": u["unit_name"].to_numpy(dtype=object) if "unit_name" in u.columns else None,
                "year": int(cs.year),
                **{c: fen[c] / 100.0 for c in MONEY},
                "fund_savings": fund / 100.0,
                "saved": fund > 0,
            }
        )
        units.append(frame)
        counties.append(
            {
                "county_id": cs.county_id,
                "county_name": cs.county_name,
                "year": int(cs.year),
                "units": len(u),
                **{c: int(fen[c].sum()) / 100.0 for c in MONEY},
                "fund_savings": int(fund.sum()) / 100.0,
                "units_saving": int((fund > 0).sum()),
                "units_overspending": int((fund < 0).sum()),
                "saved": bool(fund.sum() > 0),
            }
        )
    unit_frame = pd.concat(units, ignore_index=True) if units else pd.DataFrame(columns=UNIT_COLUMNS)
    return unit_frame, pd.DataFrame(counties)


def streak(series: pd.DataFrame, end: int, column: str = "saved") -> int:
    """How many consecutive years up to and including ``end`` have ``column`` true (one county's
    or one unit's rows of :func:`savings_by_year`); a missing year ends the streak."""
    by_year = dict(zip(series["year"].astype(int), series[column].astype(bool)))
    n, year = 0, int(end)
    while by_year.get(year, False):
        n += 1
        year -= 1
    return n


__all__ = ["savings_series", "streak"]
