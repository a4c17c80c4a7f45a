"""Public-health capitation at village level (公卫经费包干), seed 000 §3.2 (rules.md §5).

Each unit's lump sum (``unit_year.ph_lump_sum``) is split 70 : 20 : 10 (``evaluation_split``):

* **process** (70%): per sub-project, the quality coefficient is the weighted quarterly score
  (20% Q1 + 20% Q2 + 20% Q3 + 40% Q4, ``quarter_weights``) / 100. Two-card projects earn
  calibrated credits × yuan per credit; the others earn their planned amount × coefficient.
  The unit's process amount is the sum, never above its 70% share (``process_excess`` = cap);
  the difference is the process deduction.
  *Calibration* (``credit_calibration``): seed 000 §3.2 writes "calibrated credits = quarterly
  (annual) project credits × project quality coefficient" and "the quarterly (annual) score is
  the quality coefficient". The default ``annual`` multiplies the year's credits by the annual
  coefficient built from the weighted quarters — the only reading in which the 20/20/20/40
  weights act on two-card money, and the year-end total evaluation (年终总评) the seed describes;
  ``quarterly`` multiplies each quarter's credits by that quarter's score instead.
* **objective** (20%): split among the indicators by ``objective_weights``; an indicator at or
  above its benchmark (``objective_benchmarks``) gets its full share, below it nothing, and a
  veto event on an indicator listed in ``objective_vetoes`` zeroes it. The rest is the objective
  deduction.
* **effect** (10% + every deduction of the county): units ranked by the year-on-year change of
  per-capita total medical spending (largest decline first); the brackets of ``effect_brackets``
  (top 12.5% → 40%, … 37.5–50% → 10%) share the pool; the bottom half gets nothing.

Final amount = (lump × 70% − process deduction) + (lump × 20% − objective deduction) + effect
allocation. The pool is a county's units (a county settles its own public-health money), and the
final amounts of a county add up to its lump sums to the fen (or to lump sums minus an amount
the parameters say the county retains, reported as ``ph_effect_retained``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from toolkit.errors import Problem, ToolkitError, ValidationError
from toolkit.params.snapshot import ParamSnapshot
from toolkit.settlement.money import allocate, allocate_rows, yuan_to_fen

QUARTERS = (1, 2, 3, 4)
#: changes are compared after rounding to this many decimals so binary noise does not break ties
CHANGE_DECIMALS = 12


@dataclass
class PublicHealthResult:
    """Per-unit amounts (fen) plus the detail tables a clerk follows."""

    units: pd.DataFrame            # one row per unit, money columns in fen
    process_detail: pd.DataFrame   # unit × project
    objective_detail: pd.DataFrame  # unit × indicator
    effect_pool: dict = field(default_factory=dict)  # county totals: pool make-up, retained


def _raise(message: str, problems: list[Problem]) -> None:
    raise ValidationError(message + "; nothing was written.", problems)


# ── process evaluation ─────────────────────────────────────────────────────────────────────────

def _process_detail(ph_process: pd.DataFrame, unit_ids: list[str], year: int, snap: ParamSnapshot) -> pd.DataFrame:
    """One row per unit and project: quarterly scores and credits, coefficient, amount (fen)."""
    rows = ph_process.loc[ph_process["year"] == year]
    rows = rows.loc[rows["unit_id"].isin(unit_ids)]
    projects = list(snap["ph_projects"])
    two_card = set(snap["two_card_projects"])
    problems: list[Problem] = []
    unknown = sorted(set(rows["project"]) - set(projects))
    if unknown:
        problems.append(Problem("ph_process", f"a project listed in ph_projects ({', '.join(projects)})", column="project", value=unknown[0]))
    bad_q = sorted(set(rows["quarter"]) - set(QUARTERS))
    if bad_q:
        problems.append(Problem("ph_process", "quarter 1, 2, 3 or 4", column="quarter", value=bad_q[0]))
    dup = rows.duplicated(["unit_id", "project", "quarter"], keep=False)
    if dup.any():
        first = rows.loc[dup].iloc[0]
        problems.append(Problem("ph_process", "one row per unit, year, project and quarter", column="quarter",
                                value=f"{first['unit_id']} {first['project']} Q{first['quarter']} appears {int(dup.sum())} times"))
    if problems:
        _raise("ph_process does not fit the parameters", problems)
    wide = rows.pivot(index=["unit_id", "project"], columns="quarter", values=["score", "credits"])
    wide = wide.reindex(columns=pd.MultiIndex.from_product([["score", "credits"], list(QUARTERS)]))
    scores = wide["score"].to_numpy(dtype="float64")
    missing_q = np.isnan(scores)
    if missing_q.any():
        idx = np.argwhere(missing_q)
        shown = [f"{wide.index[i][0]} {wide.index[i][1]} Q{QUARTERS[j]}" for i, j in idx[:20]]
        _raise(f"ph_process is missing {len(idx)} quarter rows",
               [Problem("ph_process", "a row (with a score) for each of the four quarters of every project a unit reports",
                        column="quarter", value=s) for s in shown])
    present = set(rows["unit_id"])
    absent = [u for u in unit_ids if u not in present]
    if absent:
        _raise(f"{len(absent)} units of the county have no ph_process rows in {year}",
               [Problem("ph_process", f"process evaluation rows for every unit of the county in {year}", column="unit_id", value=u) for u in absent[:20]])
    detail = pd.DataFrame({"unit_id": wide.index.get_level_values(0), "project": wide.index.get_level_values(1)})
    weights = snap["quarter_weights"]
    w = np.array([weights[f"q{q}"] for q in QUARTERS])
    for j, q in enumerate(QUARTERS):
        detail[f"score_q{q}"] = scores[:, j]
    coefficient = scores @ w / 100.0
    detail["quality_coefficient"] = coefficient
    is_two_card = detail["project"].isin(two_card).to_numpy()
    detail["two_card"] = is_two_card
    credits = wide["credits"].to_numpy(dtype="float64")
    for j, q in enumerate(QUARTERS):
        detail[f"credits_q{q}"] = credits[:, j]
    need_credits = is_two_card[:, None] & np.isnan(credits)
    if need_credits.any():
        idx = np.argwhere(need_credits)
        _raise("two-card projects need their credits",
               [Problem("ph_process", "credits for every quarter of a two-card project", column="credits",
                        value=f"{wide.index[i][0]} {wide.index[i][1]} Q{QUARTERS[j]}") for i, j in idx[:20]])
    credits0 = np.nan_to_num(credits)
    credits_year = credits0.sum(axis=1)
    detail["credits_year"] = np.where(is_two_card, credits_year, np.nan)
    if snap["credit_calibration"] == "quarterly":
        calibrated = (credits0 * scores / 100.0).sum(axis=1)
    else:
        calibrated = credits_year * coefficient
    detail["calibrated_credits"] = np.where(is_two_card, calibrated, np.nan)
    ypc = float(snap["yuan_per_credit"])
    detail["yuan_per_credit"] = np.where(is_two_card, ypc, np.nan)
    # planned amount: the same on every quarter row of a non-two-card project
    planned = rows.loc[~rows["project"].isin(two_card)].groupby(["unit_id", "project"], sort=False)["planned_amount"].agg(["min", "max", "count"])
    planned_full = planned.reindex(pd.MultiIndex.from_arrays([detail["unit_id"], detail["project"]]))
    bad = (~is_two_card) & (planned_full["min"].isna().to_numpy() | (planned_full["count"].to_numpy() < len(QUARTERS))
                            | (planned_full["min"].to_numpy() != planned_full["max"].to_numpy()))
    if bad.any():
        idx = np.flatnonzero(bad)
        _raise("planned amounts of non-two-card projects are missing or differ between quarters",
               [Problem("ph_process", "the same planned_amount on all four quarter rows of a project outside the two-card system",
                        column="planned_amount", value=f"{detail['unit_id'].iat[i]} {detail['project'].iat[i]}") for i in idx[:20]])
    detail["planned_amount"] = np.where(is_two_card, np.nan, planned_full["min"].to_numpy())
    amount = np.where(is_two_card, calibrated * ypc, np.nan_to_num(detail["planned_amount"].to_numpy()) * coefficient)
    detail["amount_fen"] = yuan_to_fen(amount)
    detail.insert(0, "year", year)
    order = {p: i for i, p in enumerate(projects)}
    detail = detail.assign(_o=detail["project"].map(order)).sort_values(["unit_id", "_o"], kind="stable").drop(columns="_o")
    return detail.reset_index(drop=True)


# ── objective evaluation ───────────────────────────────────────────────────────────────────────

def _objective_detail(ph_targets: pd.DataFrame, unit_ids: list[str], year: int, share_fen: np.ndarray,
                      snap: ParamSnapshot) -> pd.DataFrame:
    """One row per unit and indicator: value, benchmark, veto, met, share and amount (fen)."""
    bench = snap["objective_benchmarks"]
    indicators = list(bench)
    weights = snap["objective_weights"]
    vetoes = set(snap["objective_vetoes"])
    rows = ph_targets.loc[(ph_targets["year"] == year) & ph_targets["unit_id"].isin(unit_ids)]
    problems: list[Problem] = []
    unknown = sorted(set(rows["indicator"]) - set(indicators))
    if unknown:
        problems.append(Problem("ph_targets", "one of the indicators of objective_benchmarks", column="indicator", value=unknown[0]))
    dup = rows.duplicated(["unit_id", "indicator"], keep=False)
    if dup.any():
        first = rows.loc[dup].iloc[0]
        problems.append(Problem("ph_targets", "one row per unit, year and indicator", column="indicator", value=f"{first['unit_id']} {first['indicator']}"))
    if problems:
        _raise("ph_targets does not fit the parameters", problems)
    grid = pd.MultiIndex.from_product([unit_ids, indicators], names=["unit_id", "indicator"])
    got = rows.set_index(["unit_id", "indicator"])[["value", "veto"]].reindex(grid)
    missing = got["value"].isna().to_numpy()
    if missing.any():
        idx = np.flatnonzero(missing)
        _raise(f"ph_targets is missing {len(idx)} unit-indicator rows for {year}",
               [Problem("ph_targets", "a value for every indicator of every unit of the county", column="indicator",
                        value=f"{grid[i][0]} {grid[i][1]}") for i in idx[:20]])
    n_u, n_i = len(unit_ids), len(indicators)
    shares = allocate_rows(share_fen, [weights[i] for i in indicators])  # (units, indicators)
    detail = got.reset_index()
    detail.insert(0, "year", year)
    values = detail["value"].to_numpy(dtype="float64")
    benchmarks = np.tile(np.array([bench[i] for i in indicators], dtype="float64"), n_u)
    veto_flag = detail["veto"].fillna(False).astype(bool).to_numpy()
    veto_applies = np.tile(np.array([i in vetoes for i in indicators]), n_u)
    detail["benchmark"] = benchmarks
    detail["veto_applies"] = veto_applies
    detail["met"] = values >= benchmarks
    detail["vetoed"] = veto_flag & veto_applies
    paid = detail["met"].to_numpy() & ~detail["vetoed"].to_numpy()
    detail["share_fen"] = shares.reshape(-1)
    detail["amount_fen"] = np.where(paid, shares.reshape(-1), 0)
    detail["value"] = values
    detail["veto"] = veto_flag
    return detail


# ── effect evaluation ──────────────────────────────────────────────────────────────────────────

def _round_count(x: float, how: str) -> int:
    if how == "floor":
        return math.floor(x + 1e-9)
    if how == "ceil":
        return math.ceil(x - 1e-9)
    return math.floor(x + 0.5 + 1e-9)  # half up


def bracket_cuts(n: int, uppers: list[float], how: str) -> list[int]:
    """How many ranked units lie at or above each bracket's lower edge: ``cut_k = how(n × upper_k)``.

    With 10 units and the Suixi brackets (12.5/25/37.5/50%) and ``round`` (half up): 1.25 → 1,
    2.5 → 3, 3.75 → 4, 5 → 5, so the brackets hold ranks 1 | 2–3 | 4 | 5.
    """
    cuts, previous = [], 0
    for u in uppers:
        c = min(n, max(previous, _round_count(n * u, how)))
        cuts.append(c)
        previous = c
    return cuts


def _effect(units: pd.DataFrame, pool_fen: int, snap: ParamSnapshot) -> tuple[np.ndarray, int, pd.DataFrame]:
    """Allocate the county's effect pool; returns (amount per unit in fen, retained fen, ranking)."""
    n_units = len(units)
    change = units["ph_effect_change"].to_numpy(dtype="float64")
    ranked_mask = ~np.isnan(change)
    amounts = np.zeros(n_units, dtype="int64")
    ranking = pd.DataFrame({"unit_id": units["unit_id"], "rank": pd.array([pd.NA] * n_units, dtype="Int64"),
                            "bracket": pd.array([pd.NA] * n_units, dtype="Int64")})
    if pool_fen < 0:
        raise ToolkitError(f"the effect pool of county {snap.county_id} is negative ({pool_fen / 100:.2f} yuan): "
                           "process amounts above the 70% share exceed the pool (process_excess = pay_from_effect_pool)")
    n = int(ranked_mask.sum())
    if n == 0:
        if snap["effect_no_ranked_units"] == "equal_all_units" and n_units:
            return np.asarray(allocate(pool_fen, [1] * n_units), dtype="int64"), 0, ranking
        return amounts, pool_fen, ranking
    brackets = snap["effect_brackets"]
    shares = [Fraction(str(b["share"])) for b in brackets]
    cuts = bracket_cuts(n, [b["upper"] for b in brackets], str(snap["effect_bracket_edges"]))
    sizes = [c - p for c, p in zip(cuts, [0] + cuts[:-1])]
    retained = 0
    if snap["effect_empty_bracket"] == "redistribute":
        live = [s if size > 0 else Fraction(0) for s, size in zip(shares, sizes)]
        if sum(live) == 0:  # every bracket empty (cannot happen with n ≥ 1 and a top edge ≥ 1/n)
            live = shares
        bracket_money = allocate(pool_fen, live)
    else:
        bracket_money = allocate(pool_fen, shares)
        retained = sum(m for m, size in zip(bracket_money, sizes) if size == 0)
        bracket_money = [m if size > 0 else 0 for m, size in zip(bracket_money, sizes)]
    # ranking: largest decline first; equal changes ordered by unit_id (already the row order)
    idx = np.flatnonzero(ranked_mask)
    rounded = np.round(change[idx], CHANGE_DECIMALS)
    order = idx[np.argsort(rounded, kind="stable")]
    by_lump = snap["effect_bracket_sharing"] == "lump_sum"
    lump = units["ph_lump_sum_fen"].to_numpy()
    position_money = np.zeros(n, dtype="int64")
    position_bracket = np.zeros(n, dtype="int64")
    start = 0
    for k, (size, money) in enumerate(zip(sizes, bracket_money), start=1):
        if size == 0:
            continue
        members = order[start:start + size]
        weights = [int(lump[m]) for m in members] if by_lump and lump[members].sum() > 0 else [1] * size
        position_money[start:start + size] = allocate(money, weights)
        position_bracket[start:start + size] = k
        start += size
    ranks = np.arange(1, n + 1)
    sorted_change = np.round(change[order], CHANGE_DECIMALS)
    if snap["effect_ties"] == "average":
        # tied units share the money of the positions they occupy (competition rank = first position)
        group_start = np.r_[0, np.flatnonzero(np.diff(sorted_change) != 0) + 1]
        group_end = np.r_[group_start[1:], n]
        for s, e in zip(group_start, group_end):
            if e - s > 1:
                members = order[s:e]
                total = int(position_money[s:e].sum())
                weights = [int(lump[m]) for m in members] if by_lump and lump[members].sum() > 0 else [1] * (e - s)
                position_money[s:e] = allocate(total, weights)
                ranks[s:e] = s + 1
    amounts[order] = position_money
    rank_col = np.full(n_units, -1)
    rank_col[order] = ranks
    bracket_col = np.zeros(n_units, dtype="int64")
    bracket_col[order] = position_bracket
    ranking["rank"] = pd.Series(rank_col, dtype="Int64").where(rank_col > 0, pd.NA).array
    ranking["bracket"] = pd.Series(bracket_col, dtype="Int64").where(bracket_col > 0, pd.NA).array
    ranking["ranked_units"] = n
    return amounts, retained, ranking


# ── the whole public-health settlement ─────────────────────────────────────────────────────────

def settle_public_health(unit_year: pd.DataFrame, units: pd.DataFrame, ph_process: pd.DataFrame, ph_targets: pd.DataFrame,
                         county_id: str, year: int, snap: ParamSnapshot) -> PublicHealthResult:
    """Settle the public-health lump sums of every unit of ``county_id`` in ``year`` (fen)."""
    unit_ids = sorted(units.loc[units["county_id"] == county_id, "unit_id"].tolist())
    known = set(units["unit_id"])
    problems = []
    for name, table in (("ph_process", ph_process), ("ph_targets", ph_targets)):
        strangers = sorted(set(table.loc[table["year"] == year, "unit_id"]) - known)
        if strangers:
            problems += [Problem(name, "a unit_id listed in units", column="unit_id", value=u) for u in strangers[:20]]
    if problems:
        _raise("public-health tables name units that are not in the units table", problems)
    this = unit_year.loc[(unit_year["year"] == year) & unit_year["unit_id"].isin(unit_ids)].set_index("unit_id")
    prev = unit_year.loc[(unit_year["year"] == year - 1) & unit_year["unit_id"].isin(unit_ids)].set_index("unit_id")
    absent = [u for u in unit_ids if u not in this.index]
    if absent:
        _raise(f"{len(absent)} units of county {county_id} have no unit_year row for {year}",
               [Problem("unit_year", f"a row for every unit in {year} (its ph_lump_sum)", column="year", value=u) for u in absent[:20]])
    this = this.reindex(unit_ids)
    lump_yuan = this["ph_lump_sum"].to_numpy(dtype="float64")
    if np.isnan(lump_yuan).any():
        u = unit_ids[int(np.flatnonzero(np.isnan(lump_yuan))[0])]
        _raise("a unit has no public-health lump sum", [Problem("unit_year", "a ph_lump_sum for every unit of the county", column="ph_lump_sum", value=u)])
    lump = yuan_to_fen(lump_yuan)
    out = pd.DataFrame({"unit_id": unit_ids, "ph_lump_sum_fen": lump})
    split = snap["evaluation_split"]
    parts = allocate_rows(lump, [split["process"], split["objective"], split["effect"]])
    out["ph_process_share_fen"], out["ph_objective_share_fen"], out["ph_effect_share_fen"] = parts[:, 0], parts[:, 1], parts[:, 2]

    process = _process_detail(ph_process, unit_ids, year, snap)
    earned = process.groupby("unit_id")["amount_fen"].sum().reindex(unit_ids).to_numpy(dtype="int64")
    out["ph_process_earned_fen"] = earned
    if snap["process_excess"] == "cap":
        paid = np.minimum(earned, parts[:, 0])
    else:
        paid = earned
    out["ph_process_fen"] = paid
    out["ph_process_deduction_fen"] = parts[:, 0] - paid

    objective = _objective_detail(ph_targets, unit_ids, year, parts[:, 1], snap)
    grouped = objective.groupby("unit_id", sort=False)
    out["ph_indicators_met"] = grouped["met"].sum().reindex(unit_ids).to_numpy()
    out["ph_indicators_vetoed"] = grouped["vetoed"].sum().reindex(unit_ids).to_numpy()
    obj_paid = grouped["amount_fen"].sum().reindex(unit_ids).to_numpy(dtype="int64")
    out["ph_objective_fen"] = obj_paid
    out["ph_objective_deduction_fen"] = parts[:, 1] - obj_paid

    # effect indicator: year-on-year change of per-capita total medical spending
    prev = prev.reindex(unit_ids)
    pc_now = _per_capita(this["total_medical_spending"], this["insured_pop"])
    pc_prev = _per_capita(prev["total_medical_spending"], prev["insured_pop"]) if len(prev.columns) else np.full(len(unit_ids), np.nan)
    out["ph_spending_pc"] = pc_now
    out["ph_spending_pc_prev"] = pc_prev
    with np.errstate(divide="ignore", invalid="ignore"):
        if snap["effect_change"] == "absolute":
            change = pc_now - pc_prev
        else:
            change = np.where(pc_prev > 0, pc_now / pc_prev - 1.0, np.nan)
    out["ph_effect_change"] = change
    out["ph_effect_not_ranked"] = np.where(np.isnan(pc_now), "no insured population this year",
                                           np.where(np.isnan(pc_prev), f"no spending per insured person in {year - 1}",
                                                    np.where(np.isnan(change), "previous per-capita spending is 0", "")))
    pool_parts = {
        "effect_share_fen": int(parts[:, 2].sum()),
        "process_deductions_fen": int(out["ph_process_deduction_fen"].sum()),
        "objective_deductions_fen": int(out["ph_objective_deduction_fen"].sum()),
    }
    pool = sum(pool_parts.values())
    effect, retained, ranking = _effect(out, pool, snap)
    out["ph_effect_rank"] = ranking["rank"].array
    out["ph_effect_bracket"] = ranking["bracket"].array
    out["ph_effect_fen"] = effect
    out["ph_final_fen"] = out["ph_process_fen"] + out["ph_objective_fen"] + out["ph_effect_fen"]
    total_final = int(out["ph_final_fen"].sum())
    if total_final + retained != int(lump.sum()):  # a settlement whose parts miss its pool is a bug
        raise RuntimeError(f"public-health money not conserved: {total_final} + {retained} != {int(lump.sum())} fen")
    pool_info = {"county_id": county_id, "year": year, **pool_parts, "effect_pool_fen": pool, "effect_retained_fen": retained,
                 "ranked_units": int((~np.isnan(change)).sum()), "units": len(unit_ids)}
    return PublicHealthResult(units=out, process_detail=process, objective_detail=objective, effect_pool=pool_info)


def _per_capita(spending: pd.Series, pop: pd.Series) -> np.ndarray:
    s = spending.to_numpy(dtype="float64")
    p = pop.to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, s / p, np.nan)


def village_share_check(county_year: pd.DataFrame | None, lump_fen_total: int, county_id: str, year: int, snap: ParamSnapshot) -> dict:
    """Seed 000 §3.2: at least 48% of the approved subsidy goes to the village level.

    Returns the share (Σ units' lump sums / ``county_year.ph_subsidy_total``), the minimum and
    whether it is met; ``meets`` is ``None`` when the subsidy total is not in the data.
    """
    minimum = float(snap["ph_village_share_min"])
    total = None
    if county_year is not None and "ph_subsidy_total" in county_year.columns:
        row = county_year.loc[(county_year["county_id"] == county_id) & (county_year["year"] == year), "ph_subsidy_total"]
        if len(row) and not pd.isna(row.iloc[0]):
            total = float(row.iloc[0])
    lump = lump_fen_total / 100.0
    if total is None or total <= 0:
        return {"county_id": county_id, "year": year, "ph_subsidy_total": None, "ph_lump_sum_total": lump,
                "village_share": None, "village_share_min": minimum, "meets_minimum": None,
                "note": "county_year.ph_subsidy_total not given: the 48% rule cannot be checked"}
    share = lump / total
    return {"county_id": county_id, "year": year, "ph_subsidy_total": total, "ph_lump_sum_total": lump,
            "village_share": share, "village_share_min": minimum, "meets_minimum": bool(share >= minimum - 1e-12),
            "note": "" if share >= minimum - 1e-12 else f"village share {share:.2%} is below the minimum {minimum:.0%}"}
