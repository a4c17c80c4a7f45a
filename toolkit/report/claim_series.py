"""Series a stated figure may name that come from the settlement, as tidy indicator rows.

``big_package_savings`` (the claims check's :data:`~toolkit.indicators.claims_check.SERIES`): the
county's insurance fund savings of each year — both capitation packages, budget − actual summed
over its units (rules.md §2–4, seed 000 §3.1; :func:`toolkit.settlement.series.savings_by_year`) —
behind "包干资金自2017年起连续7年结余" (seed 000 §4.1). A year is settled when the parameters are in
force and the data has its ``baseline_years`` earlier years; other years are left out, so a streak
over them is reported as not checkable.
"""

from __future__ import annotations

import pandas as pd

TIDY = ["county_id", "year", "indicator", "value"]


def settleable_years(tables: dict[str, pd.DataFrame], county_id: str, years, params_dir=None) -> list[int]:
    """The ``years`` that can be settled for the county (parameters in force, baseline years in the data)."""
    from toolkit.params.load import load_params
    from toolkit.params.snapshot import resolve

    units = tables["units"]
    ids = set(units.loc[units["county_id"] == county_id, "unit_id"])
    present = sorted(set(tables["unit_year"].loc[tables["unit_year"]["unit_id"].isin(ids), "year"].astype(int)))
    if not present:
        return []
    params = load_params(params_dir)
    first_rule = max(min(e.values) for e in params.province.values())  # before it no complete rule set
    out = []
    for y in sorted({int(v) for v in years} & set(present)):
        if y < first_rule:
            continue
        if y - int(resolve(params, county_id, y)["baseline_years"]) >= present[0]:
            out.append(y)
    return out


def savings_rows(tables: dict[str, pd.DataFrame], county_id: str, years, params_dir=None) -> pd.DataFrame:
    """Tidy rows (county_id, year, indicator ``big_package_savings``, value = fund savings in yuan)."""
    from toolkit.params.snapshot import snapshot
    from toolkit.settlement.series import savings_by_year
    from toolkit.settlement.statement import settle_county

    results = [
        settle_county(tables, county_id, y, snapshot(county_id, y, params_dir))
        for y in settleable_years(tables, county_id, years, params_dir)
    ]
    if not results:
        return pd.DataFrame(columns=TIDY)
    county = savings_by_year(results)[1]
    return pd.DataFrame(
        {
            "county_id": county["county_id"].to_numpy(dtype=object),
            "year": county["year"].astype("int64").to_numpy(),
            "indicator": "big_package_savings",
            "value": county["fund_savings"].astype(float).to_numpy(),
        }
    )


def with_settlement_series(values: pd.DataFrame, tables, claims, params_dir=None) -> pd.DataFrame:
    """``values`` plus the settlement series rows of every county and period the claims name."""
    from toolkit.indicators.claims_check import SERIES

    wanted: dict[str, set[int]] = {}
    for c in claims:
        if c.indicator in SERIES and c.county:
            wanted.setdefault(c.county, set()).update(range(c.start, c.end + 1))
    if not wanted or not all(t in tables for t in ("units", "unit_year", "ph_process", "ph_targets")):
        return values
    extra = [savings_rows(tables, county, years, params_dir) for county, years in sorted(wanted.items())]
    return pd.concat([values[TIDY], *extra], ignore_index=True)
