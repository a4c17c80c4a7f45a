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
from toolkit.settlement.capitation import BIG, CHRONIC, settle_package
from toolkit.settlement.money import yuan_to_fen
from toolkit.settlement.public_health import settle_public_health, village_share_check

TIERS = ("county", "township", "village")
#: columns every per-unit statement has, in this order, ahead of the rest (docs/settlement.md)
STABLE_COLUMNS = [
    "unit_id", "county_id", "year", "budget", "actual", "savings", "savings_county", "savings_township",
    "savings_village", "chronic_budget", "chronic_actual", "chronic_savings", "ph_lump_sum", "ph_process",
    "ph_objective", "ph_effect", "ph_final",
]
REQUIRED_TABLES = ("units", "unit_year", "ph_process", "ph_targets")


@dataclass
class CountySettlement:
    county_id: str
    year: int
    units: pd.DataFrame             # the per-unit statement, money in yuan
    ph_process: pd.DataFrame        # unit × project detail
    ph_objective: pd.DataFrame      # unit × indicator detail
    by_township: pd.DataFrame
    by_community: pd.DataFrame
    by_county: pd.DataFrame
    by_tier: pd.DataFrame
    checks: pd.DataFrame            # conservation, 48% village share, effect pool
    params: pd.DataFrame            # the parameter snapshot used
    params_digest: str
    money: frozenset = frozenset()  # columns (any table) holding yuan to the fen

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every output table by its file stem (``settlement_<name>.csv``)."""
        return {"units": self.units, "ph_process": self.ph_process, "ph_objective": self.ph_objective,
                "by_township": self.by_township, "by_community": self.by_community, "by_county": self.by_county,
                "by_tier": self.by_tier, "checks": self.checks, "params": self.params}


def to_yuan(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename every ``*_fen`` column to its name without the suffix, in yuan (fen / 100)."""
    columns = {}
    for col in frame.columns:
        if col.endswith("_fen"):
            columns[col[:-4]] = frame[col].to_numpy(dtype="int64") / 100.0
        else:
            columns[col] = frame[col].array
    return pd.DataFrame(columns, index=frame.index)


def _sum_fen(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    money = [c for c in frame.columns if c.endswith("_fen")]
    g = frame.groupby(keys, sort=True)
    out = g[money].sum()
    out.insert(0, "units", g.size())
    return out.reset_index()


def _money_cols(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.endswith("_fen")]


def settle_county(tables: dict[str, pd.DataFrame], county_id: str, year: int, snap: ParamSnapshot) -> CountySettlement:
    """Settle the big package, the chronic small package and public health for one county-year."""
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise ValidationError.from_problems([Problem(t, "this table in the dataset (settlement needs it)") for t in missing], what="the dataset")
    if snap.county_id != county_id or snap.year != year:
        raise ValueError(f"parameter snapshot is for {snap.county_id} {snap.year}, not {county_id} {year}")
    units = tables["units"]
    unit_year = tables["unit_year"]
    big = settle_package(unit_year, units, county_id, year, snap, BIG)
    chronic = settle_package(unit_year, units, county_id, year, snap, CHRONIC)
    ph = settle_public_health(unit_year, units, tables["ph_process"], tables["ph_targets"], county_id, year, snap)

    info = units.loc[units["county_id"] == county_id, ["unit_id", "unit_name", "county_id", "township_id", "community_id"]] \
        if "unit_name" in units.columns else units.loc[units["county_id"] == county_id, ["unit_id", "county_id", "township_id", "community_id"]]
    info = info.sort_values("unit_id").reset_index(drop=True)
    fen = info.assign(year=year).merge(big, on="unit_id").merge(chronic, on="unit_id").merge(ph.units, on="unit_id")

    # the three core insurance indicators (seed 000 §3.1, rules.md §4)
    fen["fund_savings_fen"] = fen["savings_fen"] + fen["chronic_savings_fen"]
    uy = unit_year.loc[unit_year["unit_id"].isin(fen["unit_id"]) & unit_year["year"].isin([year - 1, year])]
    per_capita = uy.assign(pc=(uy["fund_general"] + uy["fund_chronic_outpatient"]) / uy["insured_pop"].where(uy["insured_pop"] > 0))
    pc = per_capita.pivot(index="unit_id", columns="year", values="pc").reindex(index=fen["unit_id"], columns=[year - 1, year])
    fen["fund_pc"] = pc[year].to_numpy()
    fen["fund_pc_prev"] = pc[year - 1].to_numpy()
    fen["fund_pc_change"] = fen["fund_pc"] / fen["fund_pc_prev"].where(fen["fund_pc_prev"] > 0) - 1.0
    fen["total_pc_change"] = fen["ph_effect_change"] if snap["effect_change"] == "relative" else \
        fen["ph_spending_pc"] / fen["ph_spending_pc_prev"].where(fen["ph_spending_pc_prev"] > 0) - 1.0

    keys = ["county_id", "township_id", "community_id"]
    by_township = to_yuan(_sum_fen(fen, ["county_id", "township_id"]))
    by_community = to_yuan(_sum_fen(fen, ["county_id", "community_id"]))
    by_county = _sum_fen(fen, ["county_id"])
    by_county["ph_effect_retained_fen"] = ph.effect_pool["effect_retained_fen"]
    by_county = to_yuan(by_county)
    for frame in (by_township, by_community, by_county):
        frame.insert(1, "year", year)

    tier_rows = []
    for tier in TIERS:
        a = int(fen[f"savings_{tier}_fen"].sum())
        b = int(fen[f"chronic_savings_{tier}_fen"].sum())
        tier_rows.append({"county_id": county_id, "year": year, "tier": tier, "savings_fen": a, "chronic_savings_fen": b, "total_fen": a + b})
    by_tier_fen = pd.DataFrame(tier_rows)
    by_tier = to_yuan(by_tier_fen)

    # checks a clerk (and a test) can read: every pool against its parts
    lump_total = int(fen["ph_lump_sum_fen"].sum())
    village = village_share_check(tables.get("county_year"), lump_total, county_id, year, snap)
    checks = [
        _check("big package savings split", int(fen["savings_fen"].clip(lower=0).sum()),
               int(sum(fen[f"savings_{t}_fen"].sum() for t in TIERS))),
        _check("chronic package savings split", int(fen["chronic_savings_fen"].clip(lower=0).sum()),
               int(sum(fen[f"chronic_savings_{t}_fen"].sum() for t in TIERS))),
        _check("public health: final amounts + retained = lump sums", lump_total,
               int(fen["ph_final_fen"].sum()) + ph.effect_pool["effect_retained_fen"]),
        _check("public health: effect pool = 10% shares + deductions", ph.effect_pool["effect_pool_fen"],
               int(fen["ph_effect_fen"].sum()) + ph.effect_pool["effect_retained_fen"]),
        {"check": "village share of the public-health subsidy ≥ minimum", "expected": village["village_share_min"],
         "found": village["village_share"], "ok": village["meets_minimum"], "note": village["note"]},
        {"check": "effect ranking", "expected": ph.effect_pool["units"], "found": ph.effect_pool["ranked_units"],
         "ok": None, "note": f"{ph.effect_pool['ranked_units']} of {ph.effect_pool['units']} units ranked; "
                             f"pool {ph.effect_pool['effect_pool_fen'] / 100:.2f} yuan = 10% shares {ph.effect_pool['effect_share_fen'] / 100:.2f}"
                             f" + process deductions {ph.effect_pool['process_deductions_fen'] / 100:.2f}"
                             f" + objective deductions {ph.effect_pool['objective_deductions_fen'] / 100:.2f};"
                             f" retained {ph.effect_pool['effect_retained_fen'] / 100:.2f}"},
    ]
    check_frame = pd.DataFrame(checks)
    check_frame.insert(0, "year", year)
    check_frame.insert(0, "county_id", county_id)
    if not all(c["ok"] is not False for c in checks[:4]):
        raise RuntimeError(f"settlement of {county_id} {year} does not add up: {checks[:4]}")

    digest = snap.digest()
    statement = to_yuan(fen)
    statement["params_digest"] = digest
    rest = [c for c in statement.columns if c not in STABLE_COLUMNS]
    statement = statement[STABLE_COLUMNS + rest]
    money = frozenset(c[:-4] for f in (fen, ph.process_detail, ph.objective_detail, by_tier_fen) for c in _money_cols(f)) | {"ph_effect_retained"}
    process = to_yuan(ph.process_detail.assign(county_id=county_id))
    objective = to_yuan(ph.objective_detail.assign(county_id=county_id))
    return CountySettlement(
        county_id=county_id, year=year, units=statement, ph_process=_lead(process, ["county_id", "year", "unit_id"]),
        ph_objective=_lead(objective, ["county_id", "year", "unit_id"]), by_township=by_township, by_community=by_community,
        by_county=by_county, by_tier=by_tier, checks=check_frame, params=snap.to_frame(), params_digest=digest,
        money=money,
    )


def _lead(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    return frame[first + [c for c in frame.columns if c not in first]]


def _check(name: str, expected: int, found: int) -> dict:
    return {"check": name, "expected": expected / 100.0, "found": found / 100.0, "ok": expected == found, "note": "yuan, to the fen"}
