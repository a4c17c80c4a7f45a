"""Display names of the township, medical community and county of each unit.

A clerk reads names, not codes (rules.md §1: a unit belongs to one township and one medical
community). The names come, in this order, from the optional ``units.township_name`` /
``units.community_name`` columns and ``county_year.county_name`` (data contract); otherwise a
township is named by the place in its units' names (``濉溪县濉溪镇第1健康管理单元`` → ``濉溪镇``)
and a community by its county and its number in code order (``濉溪县第1医共体``). A name that
cannot be found falls back to the code, so no unit is ever left without a label.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: the place part of a unit name: the shortest prefix ending in a township-level suffix
_TOWNSHIP = re.compile(r"^(.+?(?:镇|乡|街道|街|苏木))")


def county_name(county_year: pd.DataFrame | None, county_id: str) -> str:
    """The county's name from ``county_year.county_name`` (any year), else its code."""
    if county_year is not None and "county_name" in county_year.columns:
        names = county_year.loc[county_year["county_id"] == county_id, "county_name"].dropna()
        if len(names):
            return str(names.iloc[-1])
    return county_id


def _township_from_units(unit_names: list, county: str) -> str | None:
    found = set()
    for name in unit_names:
        if not isinstance(name, str) or not name:
            return None
        text = name[len(county) :] if county and name.startswith(county) else name
        m = _TOWNSHIP.match(text)
        if m is None:
            return None
        found.add(m.group(1))
    return found.pop() if len(found) == 1 else None


def unit_place_names(units: pd.DataFrame, county: str) -> pd.DataFrame:
    """``units`` (one county) with ``township_name`` and ``community_name`` filled in."""
    out = units.copy()
    if "unit_name" not in out.columns:
        out["unit_name"] = out["unit_id"]
    out["unit_name"] = [n if isinstance(n, str) and n else u for n, u in zip(out["unit_name"], out["unit_id"])]
    given_t = out["township_name"] if "township_name" in out.columns else pd.Series([None] * len(out), index=out.index)
    derived_t = {}
    for code, g in out.groupby("township_id", sort=True):
        derived_t[code] = _township_from_units(g["unit_name"].tolist(), county if county != "" else "")
    out["township_name"] = [
        g if isinstance(g, str) and g else (derived_t.get(c) or str(c)) for g, c in zip(given_t, out["township_id"])
    ]
    given_c = (
        out["community_name"] if "community_name" in out.columns else pd.Series([None] * len(out), index=out.index)
    )
    codes = sorted(out["community_id"].astype(str).unique())
    number = {c: k for k, c in enumerate(codes, start=1)}
    prefix = county if county and not re.fullmatch(r"[A-Za-z0-9_-]+", county) else ""
    out["community_name"] = [
        g if isinstance(g, str) and g else f"{prefix}第{number[str(c)]}医共体"
        for g, c in zip(given_c, out["community_id"])
    ]
    return out


def name_map(units: pd.DataFrame, code: str, name: str) -> dict[str, str]:
    """Code → name for one level (``township_id`` → ``township_name``)."""
    pairs = units[[code, name]].drop_duplicates(code)
    return dict(zip(np.asarray(pairs[code], dtype=object).astype(str), pairs[name]))
