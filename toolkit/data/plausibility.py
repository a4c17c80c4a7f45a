"""Plausibility rules of the contract, checked in one place on every load.

The per-cell bounds (``MONEY_MAX``, ``COUNT_MAX``; toolkit.data.contract) are column ranges and are
checked with the other ranges. This module checks the rules that need more than one cell:

* :func:`table_problems`: ``PositiveWhen`` — a unit with spending but 0 insured residents is an
  error (settle would otherwise set a budget of 0 where indicators refuses the same data);
* :func:`dataset_problems`: ``ShareAtMost`` — e.g. the village share of the public-health subsidy
  (Σ unit lump sums / county subsidy) above 100% is an error naming both inputs;
* :func:`warnings`: ``PerCapitaBand`` — per-capita spending far outside a wide band is a warning
  (one :class:`~toolkit.errors.Problem` per offending row) that commands print and carry into
  their outputs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from toolkit.data.contract import (
    CONTROL_CHARACTERS,
    IDENTIFIER_COLUMNS,
    PER_CAPITA_BANDS,
    SHARES,
    PerCapitaBand,
    Table,
)
from toolkit.errors import Problem, ToolkitError

#: environment variable overriding every per-capita band: ``LOW-HIGH`` in yuan
BAND_ENV = "TOOLKIT_PER_CAPITA_BAND"
WITHHELD = "value withheld (identifier)"
#: warnings listed one by one before the rest are counted
MAX_WARNINGS = 20


def table_problems(table: Table, typed: pd.DataFrame, rows: np.ndarray, source: str) -> list[Problem]:
    """``PositiveWhen`` rules of one table; ``rows`` maps positions to 1-based file rows."""
    out: list[Problem] = []
    for rule in table.positive_when:
        if rule.column not in typed:
            continue
        present = [c for c in rule.when if c in typed]
        if not present:
            continue
        base = typed[rule.column].to_numpy(dtype="float64", na_value=np.nan)
        spent = np.zeros(len(typed), dtype=bool)
        for c in present:
            spent |= np.nan_to_num(typed[c].to_numpy(dtype="float64", na_value=np.nan)) > 0
        bad = spent & (base == 0)
        for i in np.flatnonzero(bad)[:50]:
            total = sum(float(np.nan_to_num(typed[c].iloc[i])) for c in present)
            out.append(
                Problem(
                    table.name,
                    f"{rule.column} > 0 where any of {', '.join(present)} > 0 ({rule.why})",
                    column=rule.column,
                    rows=(int(rows[i]),),
                    value=f"0 with spending {_amount(total)}",
                    source=source,
                )
            )
    return out


def text_problems(table: Table, typed: pd.DataFrame, rows: np.ndarray, source: str) -> list[Problem]:
    """Text and id cells holding a control character (``CONTROL_CHARACTERS``): named, escaped."""
    out: list[Problem] = []
    pattern = re.compile(CONTROL_CHARACTERS)
    for c in table.columns:
        if c.kind not in ("id", "text") or c.name not in typed:
            continue
        s = typed[c.name]
        # each distinct text scanned once, by pyarrow (ids repeat on every row of their unit)
        if not _any_match(s, CONTROL_CHARACTERS):
            continue
        hits = s.astype("string").str.contains(CONTROL_CHARACTERS, regex=True, na=False).to_numpy(dtype=bool)
        for i in np.flatnonzero(hits)[:50]:
            value = s.iloc[i]
            char = pattern.search(value).group()
            out.append(
                Problem(
                    table.name,
                    f"text without control characters (found U+{ord(char):04X}; a broken export?)",
                    column=c.name,
                    rows=(int(rows[i]),),
                    value=WITHHELD if c.name in IDENTIFIER_COLUMNS else value,
                    source=source,
                )
            )
    return out


def _any_match(s: pd.Series, pattern: str) -> bool:
    """Whether any non-empty cell of a text column matches ``pattern`` (checked on the distinct texts)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pd.api.types.is_numeric_dtype(s.dtype):  # whole-number ids (check_frame): no text in them
        return False
    cells = pa.array(s, from_pandas=True)  # text columns are pyarrow-backed: no copy
    if not pa.types.is_string(cells.type) and not pa.types.is_large_string(cells.type):
        cells = pa.array(s.astype("str"), from_pandas=True)
    return bool(pc.any(pc.match_substring_regex(pc.unique(cells), pattern)).as_py())


def _amount(v) -> str:
    return "empty" if pd.isna(v) else f"{float(v):,.2f}".rstrip("0").rstrip(".")


def _county_sums(tables: Mapping[str, pd.DataFrame], part_table: str, column: str) -> pd.DataFrame | None:
    part = tables.get(part_table)
    units = tables.get("units")
    if part is None or units is None or column not in part or "unit_id" not in part:
        return None
    county_of = units[["unit_id", "county_id"]].drop_duplicates("unit_id")
    joined = part[["unit_id", "year", column]].merge(county_of, on="unit_id", how="inner")
    # exact: sums in integer fen, independent of row order
    fen = np.round(joined[column].to_numpy(dtype="float64", na_value=0.0) * 100).astype("int64")
    joined = joined.assign(_fen=fen)
    return joined.groupby(["county_id", "year"], sort=True, as_index=False)["_fen"].sum()


def dataset_problems(
    tables: Mapping[str, pd.DataFrame], rows: Mapping[str, np.ndarray], sources: Mapping[str, str]
) -> list[Problem]:
    """``ShareAtMost`` rules across tables (names both inputs, the share and the likely cause)."""
    out: list[Problem] = []
    for rule in SHARES:
        whole = tables.get(rule.whole_table)
        if whole is None or rule.whole_column not in whole:
            continue
        sums = _county_sums(tables, rule.part_table, rule.part_column)
        if sums is None:
            continue
        w = whole[["county_id", "year", rule.whole_column]].reset_index(drop=True)
        w = w.assign(_pos=np.arange(len(w)))
        merged = w.merge(sums, on=["county_id", "year"], how="inner")
        merged = merged[merged[rule.whole_column].notna() & (merged[rule.whole_column] > 0)]
        part_yuan = merged["_fen"].to_numpy() / 100.0
        share = part_yuan / merged[rule.whole_column].to_numpy(dtype="float64")
        for i in np.flatnonzero(share > rule.at_most + 1e-12):
            r = merged.iloc[i]
            pos = int(r["_pos"])
            part_source = sources.get(rule.part_table, rule.part_table)
            out.append(
                Problem(
                    rule.whole_table,
                    f"Σ {rule.part_table}.{rule.part_column} of the county-year's units "
                    f"({_amount(part_yuan[i])} in {part_source}) ≤ {rule.at_most:.0%} of "
                    f"{rule.whole_table}.{rule.whole_column} ({_amount(r[rule.whole_column])}) — "
                    f"{rule.name}: {rule.why}",
                    column=rule.whole_column,
                    rows=(int(rows[rule.whole_table][pos]) if rule.whole_table in rows else pos + 1,),
                    value=f"{r['county_id']} {int(r['year'])}: share {share[i]:.2%}",
                    source=sources.get(rule.whole_table),
                )
            )
    return out


def bands() -> tuple[PerCapitaBand, ...]:
    """The contract's per-capita bands, with ``$TOOLKIT_PER_CAPITA_BAND`` (``LOW-HIGH``) applied."""
    text = os.environ.get(BAND_ENV, "").strip()
    if not text:
        return PER_CAPITA_BANDS
    try:
        low, high = (float(x) for x in text.split("-", 1))
        if not 0 <= low < high:
            raise ValueError
    except ValueError:
        raise ToolkitError(
            f"${BAND_ENV}={text!r} — expected LOW-HIGH in yuan with 0 ≤ LOW < HIGH, e.g. 50-50000"
        ) from None
    from dataclasses import replace

    return tuple(replace(b, low=low, high=high) for b in PER_CAPITA_BANDS)


def warnings(tables: Mapping[str, pd.DataFrame], county: str | None = None) -> list[Problem]:
    """Rows whose per-capita value is outside its band (the rows of one county when ``county``)."""
    out: list[Problem] = []
    for band in bands():
        frame = tables.get(band.table)
        if frame is None or band.numerator not in frame or band.denominator not in frame:
            continue
        if county is not None and "units" in tables and "unit_id" in frame:
            ids = set(tables["units"].loc[tables["units"]["county_id"] == county, "unit_id"])
            frame = frame[frame["unit_id"].isin(ids)]
        num = frame[band.numerator].to_numpy(dtype="float64", na_value=np.nan)
        den = frame[band.denominator].to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            pc = np.where(den > 0, num / den, np.nan)
        outside = np.isfinite(pc) & ((pc < band.low) | (pc > band.high))
        for i in np.flatnonzero(outside):
            key = " ".join(str(frame[k].iloc[i]) for k in ("unit_id", "year") if k in frame)
            out.append(
                Problem(
                    band.table,
                    f"{band.why} between {band.low:,.0f} and {band.high:,.0f} — money in 万元 or 分 instead of 元?",
                    column=band.numerator,
                    value=f"{key}: {pc[i]:,.2f} yuan per {band.denominator}",
                )
            )
    return out


def warning_lines(found: list[Problem]) -> list[str]:
    """``warning: …`` lines for stderr (the first MAX_WARNINGS, then a count)."""
    lines = [f"warning 警告: implausible value — {p}" for p in found[:MAX_WARNINGS]]
    if len(found) > MAX_WARNINGS:
        lines.append(f"warning 警告: … and {len(found) - MAX_WARNINGS} more implausible values")
    return lines
