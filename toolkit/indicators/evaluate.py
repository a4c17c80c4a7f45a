"""Evaluate the registry's ratio indicators at every level of the hierarchy (rules.md §9).

The registry (``registry.yaml``) is the computation: each evaluated indicator names its numerator
and denominator as expressions over one contract table (:mod:`toolkit.indicators.expr`). For a
unit of the hierarchy — a facility, a medical community, a county or the province — each side is
summed over the unit's rows first and divided once, never averaged over lower-level ratios
(rules.md §9: "aggregated numerator and denominator first, at every level"; as DHIS2 aggregates
indicators over organisation units). So a province's figure and a community's figure come from
the same definition.

Which table gives which level:

* ``facility_year``: facility, community (its ``community_id``), county, province;
* ``unit_year`` (with ``units``): community, county, province;
* ``county_year``: county and province; a community gets the county's figure only when it is
  the county's one medical community (a county_year row has no community breakdown).

An indicator that cannot be computed for a unit is a row with an empty value and a ``note``
"not computable: needs table.column" (table or column absent, cells empty, or no rows of the
unit) — never dropped and never a zero. A denominator that sums to zero over rows that exist is a
:class:`~toolkit.errors.ToolkitError` naming table, rows, column, unit, year and indicator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from toolkit.errors import Problem, ToolkitError
from toolkit.indicators import expr as expression
from toolkit.indicators.registry import Indicator, Term, load_registry

LEVELS = ("facility", "community", "county", "province")
LEVEL_NAMES = {
    "facility": ("机构", "facility"),
    "community": ("医共体", "medical community"),
    "county": ("县", "county"),
    "province": ("全省", "province"),
}
#: the levels each source table can be summed to
TABLE_LEVELS = {
    "facility_year": ("facility", "community", "county", "province"),
    "unit_year": ("community", "county", "province"),
    "county_year": ("community", "county", "province"),  # community: a county's only community
}
ENTITY_COLUMN = {"facility": "facility_id", "community": "community_id", "county": "county_id"}
PROVINCE = "province"
COLUMNS = ["level", "entity_id", "county_id", "year", "indicator", "value", "numerator", "denominator", "note"]
NOT_COMPUTABLE = "not computable: "


class _Missing(Exception):
    """The term cannot be read for any unit (table or column absent)."""


def _community_of_county(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """(county_id, community_id) pairs known from units and facility_year."""
    parts = []
    for name in ("units", "facility_year"):
        t = tables.get(name)
        if t is not None and {"county_id", "community_id"} <= set(t.columns):
            parts.append(t[["county_id", "community_id"]].dropna())
    if not parts:
        return pd.DataFrame({"county_id": [], "community_id": []}, dtype=object)
    pairs = pd.concat(parts, ignore_index=True).astype(str).drop_duplicates()
    return pairs.sort_values(["county_id", "community_id"], kind="mergesort").reset_index(drop=True)


def _source(tables: Mapping[str, pd.DataFrame], table: str, columns: Sequence[str]) -> pd.DataFrame:
    """The table's rows with 1-based data row numbers ``_row`` and the hierarchy columns."""
    frame = tables.get(table)
    if frame is None:
        raise _Missing(f"needs {', '.join(f'{table}.{c}' for c in columns)} (no {table} table)")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise _Missing(f"needs {', '.join(f'{table}.{c}' for c in missing)}")
    out = frame.reset_index(drop=True).assign(_row=lambda f: f.index + 1)
    if table == "unit_year" and not {"county_id", "community_id"} <= set(out.columns):
        units = tables.get("units")
        if units is None:
            raise _Missing("needs units.county_id, units.community_id (no units table)")
        out = out.merge(
            units[["unit_id", "county_id", "community_id"]].drop_duplicates("unit_id"), on="unit_id", how="left"
        )
        out = out.loc[out["county_id"].notna()]
    return out


def _entities(frame: pd.DataFrame, table: str, level: str, pairs: pd.DataFrame) -> pd.DataFrame:
    """Rows with their unit of ``level`` in column ``_entity`` (rows outside any unit dropped)."""
    if level == PROVINCE:
        return frame.assign(_entity=PROVINCE, _county="")
    if level == "community" and table == "county_year":
        single = pairs.groupby("county_id")["community_id"].transform("size") == 1
        one = pairs.loc[single.to_numpy(dtype=bool)]
        merged = frame.assign(county_id=frame["county_id"].astype(str)).merge(one, on="county_id", how="inner")
        return merged.assign(_entity=merged["community_id"].astype(str), _county=merged["county_id"].astype(str))
    col = ENTITY_COLUMN[level]
    keep = frame.loc[frame[col].notna()]
    return keep.assign(_entity=keep[col].astype(str), _county=keep["county_id"].astype(str))


def _where_text(term: Term) -> str:
    parts = [f"{c} {'given' if a == 'present' else '/'.join(a)}" for c, a in term.where]
    return f" ({'; '.join(parts)})" if parts else ""


class _Level:
    """One level's units and each source table's rows mapped onto them (built once per evaluation)."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], level: str, pairs: pd.DataFrame):
        self.tables, self.level, self.pairs = tables, level, pairs
        self.universe = _universe(tables, level, pairs).reset_index(drop=True)
        self.index = pd.MultiIndex.from_arrays([self.universe["_entity"], self.universe["year"]])
        self._frames: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}

    def rows(self, table: str, columns: Sequence[str]) -> tuple[pd.DataFrame, np.ndarray]:
        """The table's rows of some unit and, per row, the position of its unit-year in the universe."""
        if table not in self.tables:
            raise _Missing(f"needs {', '.join(f'{table}.{c}' for c in columns)} (no {table} table)")
        if table not in self._frames:
            frame = _source(self.tables, table, [])
            frame = _entities(frame, table, self.level, self.pairs)
            pos = self.index.get_indexer(pd.MultiIndex.from_arrays([frame["_entity"], frame["year"].astype("int64")]))
            self._frames[table] = (frame.reset_index(drop=True), pos)
        frame, pos = self._frames[table]
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise _Missing(f"needs {', '.join(f'{table}.{c}' for c in missing)}")
        return frame, pos


def _ordered_sum(g: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Σ weights per group, added in sorted order: the same float result for any order of the input rows."""
    weights = np.asarray(weights, dtype="float64")
    order = np.lexsort((weights, g))
    return np.bincount(np.asarray(g)[order], weights=weights[order], minlength=n)


def _sum_term(ctx: _Level, term: Term) -> dict:
    """Per unit-year of the universe: Σexpr (or Σexpr / Σper), row count, empty flags, empty columns."""
    frame, pos = ctx.rows(term.table, term.column_names())
    mask = np.ones(len(frame), dtype=bool)
    for col, allowed in term.where:
        if allowed == "present":
            mask &= frame[col].notna().to_numpy(dtype=bool) & (frame[col].astype(str) != "").to_numpy(dtype=bool)
        else:
            mask &= frame[col].astype(object).isin(allowed).to_numpy(dtype=bool)
    sub = frame.loc[mask]
    g = pos[mask]
    n = len(ctx.universe)
    values = expression.evaluate(term.expr, sub)
    per = expression.evaluate(term.per, sub) if term.per else np.ones(len(sub))
    count = np.bincount(g, minlength=n)
    sum_v = _ordered_sum(g, np.nan_to_num(values), n)
    sum_p = _ordered_sum(g, np.nan_to_num(per), n)
    empty = np.bincount(g, weights=(np.isnan(values) | np.isnan(per)).astype(float), minlength=n) > 0
    empty_cols = {
        c: np.bincount(g, weights=sub[c].isna().to_numpy(dtype=float), minlength=n) > 0
        for c in term.column_names()
        if c in sub.columns
    }
    return {
        "count": count,
        "sum_v": sum_v,
        "sum_p": sum_p,
        "empty": empty,
        "empty_cols": empty_cols,
        "rows": (sub["_row"].to_numpy(), g),
    }


def _universe(tables: Mapping[str, pd.DataFrame], level: str, pairs: pd.DataFrame) -> pd.DataFrame:
    """Every (entity, year) of ``level`` some table of the dataset knows."""
    parts = []
    for table, levels in TABLE_LEVELS.items():
        if level not in levels or table not in tables:
            continue
        try:
            frame = _source(tables, table, ["year"])
        except _Missing:
            continue
        if level not in (PROVINCE, "community") and ENTITY_COLUMN[level] not in frame.columns:
            continue
        if level == "community" and table != "county_year" and "community_id" not in frame.columns:
            continue
        ent = _entities(frame, table, level, pairs)
        parts.append(ent[["_entity", "_county", "year"]])
    if level == "community" and "county_year" in tables:
        # communities of a county with several: the county_year figure cannot be split among them
        cy = tables["county_year"][["county_id", "year"]].astype({"county_id": str})
        parts.append(
            cy.merge(pairs, on="county_id").rename(columns={"community_id": "_entity", "county_id": "_county"})[
                ["_entity", "_county", "year"]
            ]
        )
    if not parts:
        return pd.DataFrame(
            {"_entity": pd.Series([], dtype=object), "_county": [], "year": pd.Series([], dtype="int64")}
        )
    uni = pd.concat(parts, ignore_index=True).astype({"year": "int64"})
    return uni.drop_duplicates(["_entity", "year"]).sort_values(["_entity", "year"], kind="mergesort")


def _zero_denominator(
    ind: Indicator, term: Term, ctx: _Level, sums: dict, where: np.ndarray, side: str
) -> ToolkitError:
    rows, g = sums["rows"]
    problems = []
    for k in np.flatnonzero(where):
        u = ctx.universe.iloc[k]
        place = f"{ENTITY_COLUMN.get(ctx.level, 'province')} {u['_entity']}, year {int(u['year'])}"
        what = term.per if side == "per" else term.expr
        cols = expression.names(what) or term.column_names()
        problems.append(
            Problem(
                term.table,
                f"a positive {what} ({place}): it is the denominator of {ind.id} ({ind.name_zh})",
                column=", ".join(cols),
                rows=tuple(int(r) for r in sorted(rows[g == k])),
                value=0,
            )
        )
    return ToolkitError(f"cannot compute {ind.id} ({ind.name_zh}): zero denominator", problems)


def _side(ctx: _Level, ind: Indicator, term: Term) -> tuple[dict | None, str]:
    """(sums, reason): the term's sums over the universe, or None and why it cannot be computed at all."""
    if ctx.level not in TABLE_LEVELS.get(term.table, ()):
        return None, f"{term.table} has no {LEVEL_NAMES[ctx.level][1]} breakdown"
    try:
        sums = _sum_term(ctx, term)
    except _Missing as why:
        return None, str(why)
    if term.per:
        zero = (sums["count"] > 0) & ~sums["empty"] & (sums["sum_p"] == 0)
        if zero.any():
            raise _zero_denominator(ind, term, ctx, sums, zero, "per")
        with np.errstate(divide="ignore", invalid="ignore"):
            sums["value"] = sums["sum_v"] / sums["sum_p"]
    else:
        sums["value"] = sums["sum_v"]
    return sums, ""


def evaluate_indicator(
    tables: Mapping[str, pd.DataFrame], ind: Indicator, level: str = "county", ctx=None
) -> pd.DataFrame:
    """One evaluated indicator for every unit of ``level`` the dataset knows (columns: COLUMNS)."""
    if level not in LEVELS:
        raise ToolkitError(f"level {level!r}: expected one of {', '.join(LEVELS)}")
    ctx = ctx or _Level(tables, level, _community_of_county(tables))
    uni = ctx.universe
    n = len(uni)
    notes = np.full(n, "", dtype=object)
    out = {"entity_id": uni["_entity"].to_numpy(dtype=object), "county_id": uni["_county"].to_numpy(dtype=object)}
    terms = [("numerator", ind.numerator)] + ([("denominator", ind.denominator)] if ind.denominator else [])
    sides = {}
    for name, term in terms:
        sums, reason = _side(ctx, ind, term)
        sides[name] = (term, sums)
        if sums is None:
            out[name] = np.full(n, np.nan)
            notes[notes == ""] = NOT_COMPUTABLE + reason
            continue
        out[name] = sums["value"]
        free = notes == ""
        absent = sums["count"] == 0
        for i in np.flatnonzero(free & absent):
            if term.table == "county_year" and level == "community":
                notes[i] = (
                    f"{NOT_COMPUTABLE}county_year has no medical community breakdown "
                    f"(county {out['county_id'][i]} has several communities)"
                )
            else:
                notes[i] = (
                    f"{NOT_COMPUTABLE}needs {term.table} rows{_where_text(term)} for this {LEVEL_NAMES[level][1]}"
                )
        for i in np.flatnonzero(free & ~absent & sums["empty"]):
            cols = ", ".join(f"{term.table}.{c}" for c, flag in sums["empty_cols"].items() if flag[i])
            notes[i] = f"{NOT_COMPUTABLE}needs {cols} (empty cells)"
    computable = notes == ""
    value = np.full(n, np.nan)
    if ind.denominator is not None:
        term, sums = sides["denominator"]
        zero = computable & (out["denominator"] == 0)
        if zero.any():
            raise _zero_denominator(ind, term, ctx, sums, zero, "expr")
        with np.errstate(divide="ignore", invalid="ignore"):
            value[computable] = out["numerator"][computable] / out["denominator"][computable] * ind.scale
    else:
        out["denominator"] = np.full(n, np.nan)
        value[computable] = out["numerator"][computable] * ind.scale
    frame = pd.DataFrame(
        {
            "level": level,
            "entity_id": out["entity_id"],
            "county_id": "" if level == PROVINCE else out["county_id"],
            "year": uni["year"].to_numpy(dtype="int64"),
            "indicator": ind.id,
            "value": value,
            "numerator": np.where(computable, out["numerator"], np.nan),
            "denominator": np.where(computable, out["denominator"], np.nan),
            "note": notes,
        }
    )
    return frame[COLUMNS]


def evaluate(
    tables: Mapping[str, pd.DataFrame],
    level: str = "county",
    indicators: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Every evaluated registry indicator (or the given ids) at ``level``, with not-computable rows.

    Growth indicators whose base is evaluated follow as year-on-year changes of the base.
    """
    from toolkit.indicators.growth import yoy_table

    wanted = set(indicators) if indicators is not None else None
    if level not in LEVELS:
        raise ToolkitError(f"level {level!r}: expected one of {', '.join(LEVELS)}")
    ctx = _Level(tables, level, _community_of_county(tables))
    registry = load_registry()
    parts = []
    by_id = {}
    for ind in registry:
        if ind.evaluated and (wanted is None or ind.id in wanted or _is_base_of(ind.id, wanted, registry)):
            by_id[ind.id] = evaluate_indicator(tables, ind, level, ctx)
            if wanted is None or ind.id in wanted:
                parts.append(by_id[ind.id])
    for ind in registry:
        if ind.kind == "growth" and ind.base in by_id and (wanted is None or ind.id in wanted):
            base = by_id[ind.base]
            ok = base.loc[base["note"] == ""]
            growth = yoy_table(ok.rename(columns={"entity_id": "_e"}), ["_e"], ind.id, ind.base)
            if not growth.empty:
                growth = growth.rename(columns={"_e": "entity_id"}).merge(
                    ok[["entity_id", "county_id"]].drop_duplicates("entity_id"), on="entity_id", how="left"
                )
                growth["level"], growth["note"] = level, ""
                parts.append(growth[COLUMNS])
    if not parts:
        return pd.DataFrame({c: [] for c in COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    order = {ind.id: i for i, ind in enumerate(registry)}
    out["_o"] = out["indicator"].map(order)
    out = out.sort_values(["entity_id", "year", "_o"], kind="mergesort").drop(columns="_o").reset_index(drop=True)
    out["year"] = out["year"].astype("int64")
    return out


def _is_base_of(iid: str, wanted: set[str] | None, registry) -> bool:
    return bool(wanted) and any(i.kind == "growth" and i.base == iid and i.id in wanted for i in registry)


def evaluate_levels(
    tables: Mapping[str, pd.DataFrame], levels: Sequence[str] = LEVELS, indicators=None
) -> pd.DataFrame:
    """:func:`evaluate` at several levels, stacked (facility → province)."""
    return pd.concat([evaluate(tables, lv, indicators) for lv in levels], ignore_index=True)
