"""The tidy long result table every indicator function returns, and its checks.

Columns: county_id, year, indicator, value, numerator, denominator, lower, upper (unit-level
tables add unit_id after county_id). Rows are sorted by the keys and then by the indicator's
position in the registry, so the same inputs always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit.errors import Problem, ToolkitError
from toolkit.indicators.registry import load_registry

COUNTY_COLUMNS = ["county_id", "year", "indicator", "value", "numerator", "denominator", "lower", "upper"]
UNIT_COLUMNS = ["county_id", "unit_id", "year", "indicator", "value", "numerator", "denominator", "lower", "upper"]


def empty(columns: Sequence[str] = COUNTY_COLUMNS) -> pd.DataFrame:
    return finish(pd.DataFrame({c: [] for c in columns}), columns)


def finish(frame: pd.DataFrame, columns: Sequence[str] = COUNTY_COLUMNS, allow_empty: bool = False) -> pd.DataFrame:
    """Select, type and sort the tidy columns (keys, then registry order of the indicator).

    ``allow_empty``: rows whose ``note`` says why they are not computable may have an empty value.
    """
    out = frame.reindex(columns=list(columns)).copy()
    for col in ("county_id", "unit_id", "indicator"):
        if col in out:
            out[col] = out[col].astype(str)
    out["year"] = out["year"].astype("int64")
    for col in ("value", "numerator", "denominator", "lower", "upper"):
        out[col] = out[col].astype("float64")
    if "note" in out:
        out["note"] = out["note"].fillna("").astype(str)
    position = {ind.id: i for i, ind in enumerate(load_registry())}
    keys = [c for c in columns if c in ("county_id", "unit_id", "year")]
    out["_order"] = out["indicator"].map(position)
    if out["_order"].isna().any():  # programming error: an id not in the registry
        raise ValueError(
            f"indicator ids not in the registry: {sorted(set(out.loc[out['_order'].isna(), 'indicator']))}"
        )
    out = out.sort_values(keys + ["_order"], kind="mergesort").drop(columns="_order").reset_index(drop=True)
    bad = ~np.isfinite(out["value"].to_numpy())
    if allow_empty and "note" in out:
        bad &= out["note"].to_numpy(dtype=object) == ""
    if bad.any():  # never a silent NaN/inf: the computing functions raise before this
        raise ValueError(
            f"non-finite indicator values: {out.loc[bad, ['indicator']].drop_duplicates().to_dict('records')}"
        )
    return out


def require_columns(frame: pd.DataFrame, table: str, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ToolkitError(
            f"table {table} lacks columns needed for the indicators"
            + (
                " (a dataset that brings claims instead: derive them with toolkit.data.claims.aggregate_claims, "
                "as `python -m toolkit indicators --from-claims` does)"
                if table in ("county_year", "unit_year")
                else ""
            ),
            [Problem(table, "the column of the data contract (docs: domain/data.md)", column=c) for c in missing],
        )


def require_positive(
    frame: pd.DataFrame, table: str, column: str, what: str, keys: Sequence[str] = ("county_id", "year")
) -> None:
    """Raise a ToolkitError for rows where ``column`` (a denominator) is zero or negative.

    ``frame`` carries the 1-based data row numbers in column ``_row`` when they are known.
    """
    values = frame[column].to_numpy(dtype="float64")
    bad = ~(values > 0)
    if not bad.any():
        return
    problems = []
    for _, row in frame.loc[bad].iterrows():
        where = ", ".join(f"{k} {row[k]}" for k in keys if k in frame.columns)
        rows = (int(row["_row"]),) if "_row" in frame.columns and pd.notna(row["_row"]) else ()
        problems.append(
            Problem(
                table,
                f"a positive {column} ({where}): it is the denominator of {what}",
                column=column,
                rows=rows,
                value=_plain(row[column]),
            )
        )
    raise ToolkitError(f"cannot compute {what}: zero denominator", problems)


def _plain(value):
    """A numpy scalar as the Python number a person reads in an error message."""
    return value.item() if hasattr(value, "item") else value
