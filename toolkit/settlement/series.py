"""Capitation savings by year for one county: the series behind "连续7年结余" (seed 000 §4.1).

The big package (rules.md §2, seed 000 §3.1) is settled for every year the data allows — a year
needs the ``baseline_years`` before it (近3年) for all the county's units, and parameters in force
(none before the reform started) — with the parameters of that year (:func:`toolkit.params.snapshot.snapshot`). Savings = budget − actual summed
over the units in fen (an overspend is negative savings), returned in yuan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.params.load import load_params
from toolkit.params.snapshot import resolve
from toolkit.settlement.capitation import BIG, package_columns
from toolkit.settlement.rows import UnitYearIndex

COLUMNS = ["county_id", "year", "budget", "actual", "savings"]


def settleable_years(tables: dict[str, pd.DataFrame], county_id: str, baseline_years: int) -> list[int]:
    """Years of the county's unit_year rows that have ``baseline_years`` earlier years in the data."""
    units = tables["units"]
    ids = set(units.loc[units["county_id"] == county_id, "unit_id"])
    years = sorted(int(y) for y in tables["unit_year"].loc[tables["unit_year"]["unit_id"].isin(ids), "year"].unique())
    if not years:
        return []
    return [y for y in years if y - baseline_years >= years[0]]


def savings_by_year(tables: dict[str, pd.DataFrame], county_id: str, years=None, params_dir=None) -> pd.DataFrame:
    """One row per settleable year: county_id, year, budget, actual, savings (yuan, exact to the fen).

    ``years``: the years wanted (default every settleable year); years that cannot be settled are
    left out, so a caller checking a period sees which are missing.
    """
    units = tables["units"]
    ids = sorted(units.loc[units["county_id"] == county_id, "unit_id"].tolist())
    if not ids:
        return pd.DataFrame(columns=COLUMNS)
    index = UnitYearIndex(tables["unit_year"], ids)
    rows = []
    present = set(tables["unit_year"].loc[tables["unit_year"]["unit_id"].isin(ids), "year"].astype(int))
    wanted = present if years is None else present & {int(v) for v in years}
    params = load_params(params_dir)  # read once, resolved per year (a rule change is dated)
    first = max(min(e.values) for e in params.province.values())  # before it, no complete rule set
    for y in sorted(wanted):
        if y < first:
            continue
        snap = resolve(params, county_id, y)
        if y not in settleable_years(tables, county_id, int(snap["baseline_years"])):
            continue
        cols = package_columns(tables["unit_year"], units, county_id, y, snap, BIG, index)
        budget, actual = int(np.sum(cols["budget_fen"])), int(np.sum(cols["actual_fen"]))
        rows.append((county_id, y, budget / 100, actual / 100, (budget - actual) / 100))
    return pd.DataFrame(rows, columns=COLUMNS)


def tidy_savings(frame: pd.DataFrame, indicator: str = "big_package_savings") -> pd.DataFrame:
    """The savings as tidy indicator rows (county_id, year, indicator, value) for the claims check."""
    return pd.DataFrame(
        {
            "county_id": frame["county_id"].to_numpy(dtype=object),
            "year": frame["year"].astype("int64").to_numpy(),
            "indicator": indicator,
            "value": frame["savings"].astype(float).to_numpy(),
        }
    )
