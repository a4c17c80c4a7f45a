"""The per-capita plausibility warning as a reader sees it: in the county report and on the unit statement.

:func:`toolkit.data.plausibility.warnings` finds the unit-years whose per-capita spending lies
outside the contract's band (50–50,000 yuan per insured resident, ``$TOOLKIT_PER_CAPITA_BAND``);
``settle`` prints them and adds a row to ``settlement_checks.csv``. This module puts the same
finding into words from the report catalogue (:mod:`toolkit.catalogue`,
``per_capita_warning_county`` / ``per_capita_warning_unit``): one sentence under the settlement
section of the county report, one line on the statement of each unit concerned. It is a warning:
the settlement's amounts do not change.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import pandas as pd

from toolkit.report.labels import message
from toolkit.report.text import each_lang

#: units named in the county report's sentence before the rest are counted
NAMED = 5


def outside_band(tables: Mapping[str, pd.DataFrame], county_id: str, year: int) -> dict[str, tuple[float, object]]:
    """unit_id → (per-capita value, band) for the county's unit rows of ``year`` outside their band."""
    from toolkit.data.plausibility import bands

    units = tables.get("units")
    out: dict[str, tuple[float, object]] = {}
    for band in bands():
        frame = tables.get(band.table)
        if frame is None or units is None or not {"unit_id", "year", band.numerator, band.denominator} <= set(frame):
            continue
        mine = set(units.loc[units["county_id"].astype(str) == str(county_id), "unit_id"].astype(str))
        rows = frame[frame["unit_id"].astype(str).isin(mine) & (pd.to_numeric(frame["year"]) == int(year))]
        num = rows[band.numerator].to_numpy(dtype="float64", na_value=np.nan)
        den = rows[band.denominator].to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            pc = np.where(den > 0, num / den, np.nan)
        for unit, value in zip(rows["unit_id"].astype(str), pc):
            if np.isfinite(value) and not band.low <= value <= band.high:
                out.setdefault(unit, (float(value), band))
    return dict(sorted(out.items()))


def _band_words(band) -> dict[str, str]:
    return {"low": f"{band.low:,.0f}", "high": f"{band.high:,.0f}"}


def county_sentence(
    tables: Mapping[str, pd.DataFrame], county_id: str, year: int, lang: str, names: Mapping[str, str] | None = None
) -> str | None:
    """The county report's sentence (None when every unit is inside the band); units by name."""
    found = outside_band(tables, county_id, year)
    if not found:
        return None
    names = names or {}
    shown = [names.get(u, u) for u in list(found)[:NAMED]]
    band = next(iter(found.values()))[1]

    def sentence(lang: str) -> str:
        listed = message("plaus_list_sep", lang).join(shown)
        if len(found) > NAMED:
            listed = message("plaus_list_more", lang, units=listed)
        return message(
            "per_capita_warning_county", lang, n=len(found), year=int(year), units=listed, **_band_words(band)
        )

    return each_lang(lang, sentence)


def unit_sentences(tables: Mapping[str, pd.DataFrame], county_id: str, year: int) -> dict[str, tuple[str, str]]:
    """unit_id → (zh, en) line of its statement, for the units outside the band."""
    out = {}
    for unit, (value, band) in outside_band(tables, county_id, year).items():
        words = {"year": int(year), "value": f"{value:,.2f}", **_band_words(band)}
        out[unit] = (
            message("per_capita_warning_unit", "zh", **words),
            message("per_capita_warning_unit", "en", **words),
        )
    return out


def with_warnings(statements: list, tables: Mapping[str, pd.DataFrame] | None) -> list:
    """The statements, each unit outside the band with its warning line (``warning_zh``/``warning_en``)."""
    if tables is None or not statements:
        return statements
    lines = unit_sentences(tables, statements[0].county_id, statements[0].year)
    return [
        dataclasses.replace(st, warning_zh=lines[st.unit_id][0], warning_en=lines[st.unit_id][1])
        if st.unit_id in lines
        else st
        for st in statements
    ]
