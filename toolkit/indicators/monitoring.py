"""County-year monitoring indicators: the registry's expressions evaluated for every county.

The national monitoring indicator system (seed 004 附2, 国卫办基层发〔2020〕12号; rules.md §9: all
20 indicators, from ``county_year`` and ``facility_year``), family-doctor contracting (seed 001,
seed 004 Sichuan), the hospitalisation rate and the village doctors' subsidy (seed 000 §4.1) and
the village-level share of the public-health subsidy (seed 000 §3.2, from ``unit_year``). There
is no second table of definitions here: :mod:`toolkit.indicators.evaluate` reads each
indicator's numerator and denominator from ``registry.yaml``, sums them over the county's rows
and divides once. A zero denominator is a :class:`~toolkit.errors.ToolkitError` naming table,
row, county, year and column.
"""

from __future__ import annotations

import pandas as pd

from toolkit.indicators import tidy
from toolkit.indicators.evaluate import NOT_COMPUTABLE, evaluate
from toolkit.indicators.registry import load_registry

KEYS = ["county_id", "year"]


def county_indicators(tables: dict[str, pd.DataFrame], include_not_computable: bool = False) -> pd.DataFrame:
    """Every evaluated county-year indicator of ``tables`` in the tidy long format.

    ``include_not_computable``: keep the rows that cannot be computed (empty value, ``note``
    "not computable: needs table.column"); the tidy table then carries a ``note`` column.
    """
    out = evaluate(tables, "county")
    out = out.drop(columns=["level", "county_id"]).rename(columns={"entity_id": "county_id"})
    if include_not_computable:
        return tidy.finish(out, tidy.COUNTY_COLUMNS + ["note"], allow_empty=True)
    return tidy.finish(out.loc[out["note"] == ""], tidy.COUNTY_COLUMNS)


def monitoring_indicators(
    county_year: pd.DataFrame,
    units: pd.DataFrame | None = None,
    unit_year: pd.DataFrame | None = None,
    facility_year: pd.DataFrame | None = None,
    include_not_computable: bool = False,
) -> pd.DataFrame:
    """The county-year indicators of these tables (see :func:`county_indicators`)."""
    tables = {"county_year": county_year}
    for name, frame in (("units", units), ("unit_year", unit_year), ("facility_year", facility_year)):
        if frame is not None:
            tables[name] = frame
    return county_indicators(tables, include_not_computable)


def not_computable(result: pd.DataFrame) -> pd.DataFrame:
    """The rows of a tidy result (with ``note``) that could not be computed, one per indicator and reason."""
    if "note" not in result.columns:
        return result.iloc[0:0]
    bad = result.loc[result["note"].astype(str).str.startswith(NOT_COMPUTABLE)]
    return bad.drop_duplicates(["indicator", "note"]).reset_index(drop=True)


def monitoring_ids(sets: tuple[str, ...] = ("monitoring",)) -> list[str]:
    """Registry ids of the given sets, in registry (seed) order."""
    return [i.id for i in load_registry() if i.set in sets]
