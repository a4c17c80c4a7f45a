"""One entry point: every computable county-year indicator of a dataset, as one tidy table.

``compute_indicators(tables)`` takes the dataset's tables (``load_dataset(...).tables``) and
returns the rows (county_id, year, indicator, value, numerator, denominator, lower, upper) for
the indicators whose tables are present: ``county_year`` → monitoring indicators (seed 004, seed
000 §4.1); ``deaths`` → premature mortality (SDG 3.4.1); ``units`` + ``unit_year`` +
``county_year.ph_subsidy_total`` → village-level public-health share (seed 000 §3.2).
``compute_unit_indicators`` gives the unit-level insurance indicators (rules.md §4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from toolkit.errors import ToolkitError
from toolkit.indicators import tidy
from toolkit.indicators.monitoring import county_indicators
from toolkit.indicators.mortality import premature_mortality
from toolkit.indicators.unit_insurance import unit_insurance_indicators
from toolkit.years import parse_years


def year_list(years: tuple[int, int] | str | None) -> list[int] | None:
    """``"2017-2023"`` (any form :func:`toolkit.years.parse_years` reads) or (2017, 2023) → the years."""
    if years is None:
        return None
    if isinstance(years, str):
        return parse_years(years)
    lo, hi = years
    return list(range(lo, hi + 1))


def select_rows(frame: pd.DataFrame | None, counties: set[str] | None, first_year: int | None) -> pd.DataFrame | None:
    """Rows of the chosen counties, from the year before the window (growth needs it)."""
    if frame is None:
        return None
    keep = pd.Series(True, index=frame.index)
    if counties is not None and "county_id" in frame.columns:
        keep &= frame["county_id"].astype(str).isin(counties)
    if first_year is not None and "year" in frame.columns:
        keep &= frame["year"] >= first_year - 1
    return frame.loc[keep]


def keep_years(result: pd.DataFrame, years: list[int] | None) -> pd.DataFrame:
    """The rows of ``result`` in ``years`` (all of them for ``None``), renumbered."""
    if years is None:
        return result
    return result.loc[result["year"].isin(years)].reset_index(drop=True)


def _check_counties(tables: Mapping[str, pd.DataFrame], counties: set[str] | None) -> None:
    if counties is None:
        return
    known = set()
    for name in ("county_year", "deaths", "units"):
        if name in tables and "county_id" in tables[name].columns:
            known |= set(tables[name]["county_id"].astype(str))
    unknown = sorted(counties - known)
    if unknown:
        raise ToolkitError(
            f"--county: unknown county {', '.join(unknown)}; the dataset has {', '.join(sorted(known)) or 'none'}"
        )


def compute_indicators(
    tables: Mapping[str, pd.DataFrame],
    counties: Iterable[str] | str | None = None,
    years: tuple[int, int] | str | None = None,
    include_not_computable: bool = False,
) -> pd.DataFrame:
    """Every computable county-year indicator of the dataset, tidy and sorted (county, year, registry order).

    ``include_not_computable``: also the rows that cannot be computed (empty value and a ``note``
    "not computable: needs table.column"), so every registry indicator appears for every county-year.
    """
    counties = {counties} if isinstance(counties, str) else (set(map(str, counties)) if counties is not None else None)
    years = year_list(years)
    _check_counties(tables, counties)
    first = years[0] if years else None
    parts = []
    selected = {
        name: select_rows(tables.get(name), counties, first)
        for name in ("county_year", "facility_year", "units", "unit_year")
        if tables.get(name) is not None
    }
    if "unit_year" in selected and "units" in selected:
        selected["unit_year"] = selected["unit_year"].loc[
            selected["unit_year"]["unit_id"].isin(selected["units"]["unit_id"])
        ]
    if "county_year" in selected or "facility_year" in selected:
        parts.append(county_indicators(selected, include_not_computable))
    deaths = select_rows(tables.get("deaths"), counties, first)
    if deaths is not None:
        parts.append(premature_mortality(deaths))
    if not parts:
        raise ToolkitError("no indicator can be computed: the dataset has neither county_year nor deaths")
    columns = tidy.COUNTY_COLUMNS + (["note"] if include_not_computable else [])
    return keep_years(
        tidy.finish(pd.concat(parts, ignore_index=True), columns, allow_empty=include_not_computable), years
    )


def compute_unit_indicators(
    tables: Mapping[str, pd.DataFrame],
    counties: Iterable[str] | str | None = None,
    years: tuple[int, int] | str | None = None,
    settlement: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Unit-level insurance indicators (rules.md §4), tidy with unit_id; empty if unit_year is absent."""
    if "unit_year" not in tables or "units" not in tables:
        return tidy.empty(tidy.UNIT_COLUMNS)
    counties = {counties} if isinstance(counties, str) else (set(map(str, counties)) if counties is not None else None)
    years = year_list(years)
    units = tables["units"]
    if counties is not None:
        units = units.loc[units["county_id"].astype(str).isin(counties)]
    unit_year = tables["unit_year"]
    unit_year = unit_year.loc[unit_year["unit_id"].isin(units["unit_id"])]
    if years is not None:
        unit_year = unit_year.loc[unit_year["year"] >= years[0] - 1]
    return keep_years(unit_insurance_indicators(unit_year, units, settlement), years)


def compare_with_targets(result: pd.DataFrame) -> pd.DataFrame:
    """Rows of a tidy result whose indicator has a seed target, with the target and whether it is met.

    ``met`` respects the direction: value ≥ target when higher is better, ≤ when lower is better.
    Targets come from the registry (seed 001 Zhejiang: in-county visit rate 90%, primary visit
    rate 65%; seed 000 §3.2: village share of public-health money ≥ 48%).
    """
    from toolkit.indicators.registry import load_registry

    rows = [
        {
            "indicator": ind.id,
            "target": t.value,
            "target_source": t.source,
            "higher_is_better": ind.direction == "higher_is_better",
        }
        for ind in load_registry()
        for t in ind.targets
    ]
    targets = pd.DataFrame(rows, columns=["indicator", "target", "target_source", "higher_is_better"])
    out = result[["county_id", "year", "indicator", "value"]].merge(targets, on="indicator", how="inner")
    out["met"] = (
        (out["value"] >= out["target"]).where(out["higher_is_better"], out["value"] <= out["target"]).astype(bool)
    )
    return out.drop(columns="higher_is_better").reset_index(drop=True)
