"""The settlement of one county-year: all three packages, the core indicators, roll-ups.

:func:`settle_county` is a pure function over the data contract's tables (rules.md §2–5, seed 000
§3.1–3.2). It returns a :class:`CountySettlement` whose ``units`` table is the per-unit statement
(``settlement_units.csv``): every intermediate amount in yuan with two decimals, so a commission
clerk can follow each number from the inputs to the final amount. Column names are stable and
documented in docs/settlement.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.errors import Problem, ValidationError
from toolkit.params.snapshot import ParamSnapshot
from toolkit.settlement.capitation import BIG, CHRONIC, package_columns
from toolkit.settlement.public_health import settle_public_health, village_share_check
from toolkit.settlement.rows import UnitYearIndex

TIERS = ("county", "township", "village")
#: columns every per-unit statement has, in this order, ahead of the rest (docs/settlement.md)
STABLE_COLUMNS = [
    "unit_id",
    "county_id",
    "year",
    "budget",
    "actual",
    "savings",
    "savings_county",
    "savings_township",
    "savings_village",
    "chronic_budget",
    "chronic_actual",
    "chronic_savings",
    "ph_lump_sum",
    "ph_process",
    "ph_objective",
    "ph_effect",
    "ph_final",
]
REQUIRED_TABLES = ("units", "unit_year", "ph_process", "ph_targets")


@dataclass
class CountySettlement:
    county_id: str
    year: int
    units: pd.DataFrame  # the per-unit statement, money in yuan
    ph_process: pd.DataFrame  # unit × project detail
    ph_objective: pd.DataFrame  # unit × indicator detail
    by_township: pd.DataFrame
    by_community: pd.DataFrame
    by_county: pd.DataFrame
    by_tier: pd.DataFrame
    checks: pd.DataFrame  # conservation, 48% village share, effect pool
    params: pd.DataFrame  # the parameter snapshot used
    params_digest: str
    money: frozenset = frozenset()  # columns (any table) holding yuan to the fen

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every output table by its file stem (``settlement_<name>.csv``)."""
        return {
            "units": self.units,
            "ph_process": self.ph_process,
            "ph_objective": self.ph_objective,
            "by_township": self.by_township,
            "by_community": self.by_community,
            "by_county": self.by_county,
            "by_tier": self.by_tier,
            "checks": self.checks,
            "params": self.params,
        }


def to_yuan(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename every ``*_fen`` column to its name without the suffix, in yuan (fen / 100)."""
    money = [c for c in frame.columns if c.endswith("_fen")]
    if not money:
        return frame.copy()
    yuan = pd.DataFrame(
        frame[money].to_numpy(dtype="int64") / 100.0, columns=[c[:-4] for c in money], index=frame.index
    )
    out = pd.concat([frame.drop(columns=money), yuan], axis=1)
    return out[[c[:-4] if c.endswith("_fen") else c for c in frame.columns]]


def _sum_fen(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    money = [c for c in frame.columns if c.endswith("_fen")]
    g = frame.groupby(keys, sort=True)
    out = g[money].sum()
    out.insert(0, "units", g.size())
    return out.reset_index()


def _money_cols(frame) -> list[str]:
    names = frame.columns if isinstance(frame, pd.DataFrame) else list(frame)
    return [c for c in names if c.endswith("_fen")]


def settle_county(
    tables: dict[str, pd.DataFrame], county_id: str, year: int, snap: ParamSnapshot, check_units: bool = True
) -> CountySettlement:
    """Settle the big package, the chronic small package and public health for one county-year."""
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise ValidationError.from_problems(
            [Problem(t, "this table in the dataset (settlement needs it)") for t in missing], what="the dataset"
        )
    if snap.county_id != county_id or snap.year != year:
        raise ValueError(f"parameter snapshot is for {snap.county_id} {snap.year}, not {county_id} {year}")
    units = tables["units"]
    unit_year = tables["unit_year"]
    ids = sorted(units.loc[units["county_id"] == county_id, "unit_id"].tolist())
    index = UnitYearIndex(unit_year, ids)  # built once, shared by the three packages
    big = package_columns(unit_year, units, county_id, year, snap, BIG, index)
    chronic = package_columns(unit_year, units, county_id, year, snap, CHRONIC, index)
    ph = settle_public_health(
        unit_year,
        units,
        tables["ph_process"],
        tables["ph_targets"],
        county_id,
        year,
        snap,
        index,
        check_units=check_units,
    )

    wanted = [c for c in ("unit_id", "unit_name", "county_id", "township_id", "community_id") if c in units.columns]
    info = units.loc[units["county_id"] == county_id, wanted].sort_values("unit_id").reset_index(drop=True)
    # every rule returns its rows in unit_id order, so the parts sit side by side
    for part in (big, chronic, ph.columns):
        if not np.array_equal(np.asarray(part["unit_id"], dtype=object), info["unit_id"].to_numpy(dtype=object)):
            raise RuntimeError("settlement parts are not in unit_id order")
    columns = {c: info[c].to_numpy(dtype=object) for c in wanted}
    columns["year"] = np.full(len(info), year, dtype="int64")
    for part in (big, chronic, ph.columns):
        for c, v in part.items():
            if c != "unit_id":
                columns[c] = v

    # the three core insurance indicators (seed 000 §3.1, rules.md §4)
    columns["fund_savings_fen"] = columns["savings_fen"] + columns["chronic_savings_fen"]
    pcs = []
    for y in (year - 1, year):
        pop = index.column("insured_pop", y)
        fund = index.column("fund_general", y) + index.column("fund_chronic_outpatient", y)
        with np.errstate(divide="ignore", invalid="ignore"):
            pcs.append(np.where(pop > 0, fund / pop, np.nan))
    columns["fund_pc"], columns["fund_pc_prev"] = pcs[1], pcs[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["fund_pc_change"] = np.where(pcs[0] > 0, pcs[1] / pcs[0] - 1.0, np.nan)
        now, before = columns["ph_spending_pc"], columns["ph_spending_pc_prev"]
        columns["total_pc_change"] = np.where(before > 0, now / before - 1.0, np.nan)
    money_cols = [c for c in columns if c.endswith("_fen")]
    fen = columns  # name → array; money in fen
    # roll-ups sum the money columns except the twelve monthly instalments (their total is kept)
    rollup_cols = [c for c in money_cols if "advance_m" not in c]

    by_township = _rollup(fen, "township_id", rollup_cols, county_id, year)
    by_community = _rollup(fen, "community_id", rollup_cols, county_id, year)
    by_county = _rollup(fen, "county_id", rollup_cols, county_id, year)
    by_county["ph_effect_retained"] = ph.effect_pool["effect_retained_fen"] / 100.0

    tier_rows = []
    for tier in TIERS:
        a = int(fen[f"savings_{tier}_fen"].sum())
        b = int(fen[f"chronic_savings_{tier}_fen"].sum())
        tier_rows.append(
            {
                "county_id": county_id,
                "year": year,
                "tier": tier,
                "savings_fen": a,
                "chronic_savings_fen": b,
                "total_fen": a + b,
            }
        )
    by_tier_fen = pd.DataFrame(tier_rows)
    by_tier = pd.DataFrame(
        {
            "county_id": [county_id] * 3,
            "year": [year] * 3,
            "tier": list(TIERS),
            **{c[:-4]: [r[c] / 100.0 for r in tier_rows] for c in ("savings_fen", "chronic_savings_fen", "total_fen")},
        }
    )

    # checks a clerk (and a test) can read: every pool against its parts
    lump_total = int(fen["ph_lump_sum_fen"].sum())
    village = village_share_check(tables.get("county_year"), lump_total, county_id, year, snap)
    checks = [
        _check(
            "big package savings split",
            int(np.maximum(fen["savings_fen"], 0).sum()),
            int(sum(fen[f"savings_{t}_fen"].sum() for t in TIERS)),
        ),
        _check(
            "chronic package savings split",
            int(np.maximum(fen["chronic_savings_fen"], 0).sum()),
            int(sum(fen[f"chronic_savings_{t}_fen"].sum() for t in TIERS)),
        ),
        _check(
            "public health: final amounts + retained = lump sums",
            lump_total,
            int(fen["ph_final_fen"].sum()) + ph.effect_pool["effect_retained_fen"],
        ),
        _check(
            "public health: effect pool = 10% shares + deductions",
            ph.effect_pool["effect_pool_fen"],
            int(fen["ph_effect_fen"].sum()) + ph.effect_pool["effect_retained_fen"],
        ),
        {
            "check": "village share of the public-health subsidy ≥ minimum",
            "expected": village["village_share_min"],
            "found": village["village_share"],
            "ok": village["meets_minimum"],
            "note": village["note"],
        },
        {
            "check": "effect ranking",
            "expected": ph.effect_pool["units"],
            "found": ph.effect_pool["ranked_units"],
            "ok": None,
            "note": f"{ph.effect_pool['ranked_units']} of {ph.effect_pool['units']} units ranked; "
            f"pool {ph.effect_pool['effect_pool_fen'] / 100:.2f} yuan = 10% shares {ph.effect_pool['effect_share_fen'] / 100:.2f}"
            f" + process deductions {ph.effect_pool['process_deductions_fen'] / 100:.2f}"
            f" + objective deductions {ph.effect_pool['objective_deductions_fen'] / 100:.2f};"
            f" retained {ph.effect_pool['effect_retained_fen'] / 100:.2f}",
        },
    ]
    check_frame = pd.DataFrame([{"county_id": county_id, "year": year, **c} for c in checks])
    if not all(c["ok"] is not False for c in checks[:4]):
        raise RuntimeError(f"settlement of {county_id} {year} does not add up: {checks[:4]}")

    digest = snap.digest()
    yuan = {(c[:-4] if c.endswith("_fen") else c): (v / 100.0 if c.endswith("_fen") else v) for c, v in fen.items()}
    yuan["params_digest"] = np.full(len(info), digest, dtype=object)
    order = STABLE_COLUMNS + [c for c in yuan if c not in STABLE_COLUMNS]
    statement = pd.DataFrame({c: yuan[c] for c in order})
    money = (
        frozenset(c[:-4] for c in money_cols)
        | frozenset(c[:-4] for f in (ph.process_columns, ph.objective_columns, by_tier_fen) for c in _money_cols(f))
        | {"ph_effect_retained"}
    )
    process = _detail_in_yuan(ph.process_columns, county_id)
    objective = _detail_in_yuan(ph.objective_columns, county_id)
    return CountySettlement(
        county_id=county_id,
        year=year,
        units=statement,
        ph_process=process,
        ph_objective=objective,
        by_township=by_township,
        by_community=by_community,
        by_county=by_county,
        by_tier=by_tier,
        checks=check_frame,
        params=snap.to_frame(),
        params_digest=digest,
        money=money,
    )


def _rollup(fen: dict[str, np.ndarray], by: str, money: list[str], county_id: str, year: int) -> pd.DataFrame:
    """Sums of the money columns (exact, integer fen → yuan) and unit counts per value of ``by``."""
    keys = np.asarray(fen[by], dtype=object).astype(str)
    groups, inverse = np.unique(keys, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(inverse[order])) + 1]
    matrix = np.column_stack([np.asarray(fen[c], dtype="int64") for c in money])[order]
    sums = np.add.reduceat(matrix, starts, axis=0) if len(order) else np.zeros((0, len(money)), dtype="int64")
    out: dict[str, object] = {
        "county_id": np.full(len(groups), county_id, dtype=object),
        "year": np.full(len(groups), year, dtype="int64"),
    }
    if by != "county_id":
        out[by] = groups.astype(object)
    out["units"] = np.bincount(inverse, minlength=len(groups))
    for j, c in enumerate(money):
        out[c[:-4]] = sums[:, j] / 100.0
    return pd.DataFrame(out)


def _detail_in_yuan(frame: dict, county_id: str) -> pd.DataFrame:
    """A detail table (name → array) with county_id, year, unit_id first and ``*_fen`` columns in yuan."""
    cols: dict[str, object] = {"county_id": np.full(len(frame["year"]), county_id, dtype=object)}
    for c in ["year", "unit_id"] + [c for c in frame if c not in ("year", "unit_id")]:
        v = np.asarray(frame[c])
        if c.endswith("_fen"):
            cols[c[:-4]] = v.astype("int64") / 100.0
        else:
            cols[c] = v
    return pd.DataFrame(cols)


def _lead(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    return frame[first + [c for c in frame.columns if c not in first]]


def _check(name: str, expected: int, found: int) -> dict:
    return {
        "check": name,
        "expected": expected / 100.0,
        "found": found / 100.0,
        "ok": expected == found,
        "note": "yuan, to the fen",
    }


def split_by_county(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, pd.DataFrame]]:
    """The settlement tables of each county (rows of units not in ``units`` stay with no county,
    so each county's settlement still sees—and reports—strangers in its own year via the full
    unit list: strangers are checked once here instead)."""
    units = tables["units"]
    county_of = pd.Series(units["county_id"].to_numpy(), index=units["unit_id"].to_numpy())
    out: dict[str, dict[str, pd.DataFrame]] = {c: {"units": g} for c, g in units.groupby("county_id", sort=True)}
    counties = pd.Index(np.asarray(sorted(out), dtype=object), dtype=object)
    unit_county = counties.get_indexer(county_of.to_numpy())  # position of each unit's county
    known = pd.Index(np.asarray(units["unit_id"].to_numpy(), dtype=object), dtype=object)
    for name in ("unit_year", "ph_process", "ph_targets"):
        frame = tables[name]
        # one stable sort by county code, then each county is a contiguous slice (rows keep their
        # order and index labels, as a groupby would give them); strangers (-1) sort first
        pos = known.get_indexer(frame["unit_id"])
        code = np.where(pos >= 0, unit_county[np.maximum(pos, 0)], -1) if len(known) else np.full(len(frame), -1)
        order = np.argsort(code, kind="stable")
        bounds = np.searchsorted(code[order], np.arange(len(counties) + 1) - 0.5)
        ordered = frame.take(order)
        for k, c in enumerate(counties):
            out[c][name] = ordered.iloc[bounds[k] : bounds[k + 1]] if bounds[k + 1] > bounds[k] else frame.iloc[0:0]
    if "county_year" in tables:
        cy = tables["county_year"]
        for c in out:
            out[c]["county_year"] = cy.loc[cy["county_id"] == c]
    return out


ID_COLUMNS = ("unit_id", "county_id", "township_id", "community_id", "project", "indicator")


def _ids_as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame.astype({id column: object})``, built from each distinct id once: the rows share one
    Python string per id (whose hash Python keeps), which makes the copy and every later lookup cheaper."""
    wanted = [c for c in ID_COLUMNS if c in frame.columns]
    if not wanted:
        return frame.astype({})
    out = frame.astype({c: object for c in wanted if not isinstance(frame[c].dtype, pd.StringDtype)})
    for c in wanted:
        col = frame[c]
        if isinstance(col.dtype, pd.StringDtype):
            codes, uniques = pd.factorize(col)
            pool = np.append(
                np.asarray(uniques, dtype=object), col.dtype.na_value
            )  # code -1 (missing) → the dtype's NA
            out[c] = pd.Series(pool[codes], index=col.index, dtype=object)
    return out


def settle_province(
    tables: dict[str, pd.DataFrame], year: int, snapshots: dict[str, ParamSnapshot]
) -> dict[str, CountySettlement]:
    """Settle every county of ``snapshots`` (county id → its parameters) in ``year``.

    Units named in ph_process / ph_targets but missing from ``units`` are an error, as in
    :func:`settle_county`; the tables are split by county once so each county reads only its rows.
    """
    from toolkit.settlement.public_health import check_known_units

    # ids as plain Python strings: hashing them is several times faster than Arrow-backed text
    # when every county looks its units up again and again
    tables = {name: _ids_as_objects(frame) for name, frame in tables.items()}
    check_known_units(tables["units"], tables["ph_process"], tables["ph_targets"], year)
    parts = split_by_county(tables)
    results = {}
    for county_id in sorted(snapshots):
        own = parts.get(county_id, {"units": tables["units"].iloc[0:0]})
        for name in REQUIRED_TABLES:
            own.setdefault(name, tables[name].iloc[0:0])
        results[county_id] = settle_county(
            own, county_id, year, snapshots[county_id], check_units=False
        )  # checked above
    return results
