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

from toolkit.data.contract import Column, GroupHas, SameWithin, Table
from toolkit.data.load import check_frame
from toolkit.errors import Problem, ToolkitError, ValidationError
from toolkit.params.snapshot import ParamSnapshot
from toolkit.settlement.money import allocate, allocate_rows, yuan_to_fen
from toolkit.settlement.rows import UnitYearIndex

QUARTERS = (1, 2, 3, 4)
#: changes are compared after rounding to this many decimals so binary noise does not break ties
CHANGE_DECIMALS = 12


@dataclass
class PublicHealthResult:
    """Per-unit amounts (fen) plus the detail tables a clerk follows."""

    process_columns: dict  # unit × project, name → array
    objective_columns: dict  # unit × indicator, name → array
    effect_pool: dict = field(default_factory=dict)  # county totals: pool make-up, retained
    columns: dict = field(default_factory=dict)  # the ``units`` table as name → array

    @property
    def units(self) -> pd.DataFrame:
        """One row per unit, money columns in fen (built on demand: the statement reads ``columns``)."""
        return pd.DataFrame(self.columns)

    @property
    def process_detail(self) -> pd.DataFrame:
        """unit × project: quarterly scores and credits, coefficient, amount (fen)."""
        return pd.DataFrame(self.process_columns)

    @property
    def objective_detail(self) -> pd.DataFrame:
        """unit × indicator: value, benchmark, veto, met, share and amount (fen)."""
        return pd.DataFrame(self.objective_columns)


def _raise(message: str, problems: list[Problem]) -> None:
    raise ValidationError(message + "; nothing was written.", problems)


# ── the inputs' rules, declared for the contract engine ──────────────────────────────────────


def process_rules(snap: ParamSnapshot) -> Table:
    """What the settlement needs of ph_process in one year, beyond the data contract: projects of the
    year's parameters, quarters 1–4 each once, a score on every row, one planned amount per project."""
    projects = tuple(snap["ph_projects"])
    four = "every project a unit reports has a row for each of the four quarters"
    return Table(
        "ph_process",
        "公卫过程考核",
        "Public-health process evaluation",
        columns=(
            Column("unit_id", "id", "单元编码", "Unit ID"),
            Column("year", "int", "年度", "Year"),
            Column("project", "enum", "项目", "Sub-project (ph_projects of the year's parameters)", choices=projects),
            Column("quarter", "int", "季度", "Quarter", min=1, max=len(QUARTERS)),
            Column("score", "number", "季度考核得分", "Quarter score (0–100)", min=0, max=100),
            Column("credits", "number", "工分", "Credits", nullable=True, min=0),
            Column("planned_amount", "number", "计划金额", "Planned process amount", nullable=True, min=0),
        ),
        key=("unit_id", "year", "project", "quarter"),
        same_within=(SameWithin("planned_amount", ("unit_id", "year", "project"), "the same on every quarter row"),),
        group_has=tuple(GroupHas(("unit_id", "project"), "quarter", q, four) for q in QUARTERS),
    )


def objective_rules(snap: ParamSnapshot) -> Table:
    """What the settlement needs of ph_targets in one year: the indicators of objective_benchmarks,
    each once per unit, with a value."""
    indicators = tuple(snap["objective_benchmarks"])
    every = "every unit reports every indicator of objective_benchmarks"
    return Table(
        "ph_targets",
        "公卫目标考核",
        "Public-health objective evaluation",
        columns=(
            Column("unit_id", "id", "单元编码", "Unit ID"),
            Column("year", "int", "年度", "Year"),
            Column("indicator", "enum", "指标", "Indicator (objective_benchmarks)", choices=indicators),
            Column("value", "number", "指标值", "Value"),
            Column("veto", "bool", "一票否决", "Veto", nullable=True, required=False),
        ),
        key=("unit_id", "year", "indicator"),
        group_has=tuple(GroupHas(("unit_id",), "indicator", x, every) for x in indicators),
    )


def _positional(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` indexed 0, 1, … in its order, so that index + 1 is the row a person counts."""
    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return frame
    return frame.reset_index(drop=True)


def _explain(message: str, rows: pd.DataFrame, rules: Table) -> None:
    """Raise the contract engine's problems of ``rows`` (numbered as the caller's frame numbers them)."""
    numbers = rows.index.to_numpy() + 1  # callers number their frame 0, 1, … (_positional)
    _, problems = check_frame(rows[[c for c in rules.names if c in rows]], rules, final=False, rows=numbers)
    if problems:
        _raise(message, problems)


# ── process evaluation ─────────────────────────────────────────────────────────────────────────


def _codes(values: pd.Series, categories: list) -> np.ndarray:
    """Position of each value in ``categories`` (-1 when absent), hashed once.

    The categories are held as plain Python objects: looking object-typed ids up in them needs
    no conversion to Arrow text (settle_province passes the ids as objects)."""
    return pd.Index(np.asarray(categories, dtype=object), dtype=object).get_indexer(values)


def _where(frame: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    """``frame.loc[mask]``, without copying the table when every row is kept (the usual case)."""
    return frame if mask.all() else frame.loc[mask]


def _process_detail(
    ph_process: pd.DataFrame, unit_ids: list[str], year: int, snap: ParamSnapshot
) -> tuple[dict, np.ndarray]:
    """One row per unit and project: quarterly scores and credits, coefficient, amount (fen).

    The rows are placed in dense unit × project × quarter arrays, so order in the file never
    matters and a missing or repeated quarter is found by counting.
    """
    ph_process = _positional(ph_process)
    rows = _where(ph_process, ph_process["year"].to_numpy() == year)
    u = _codes(rows["unit_id"], unit_ids)
    rows = _where(rows, u >= 0)
    u = u[u >= 0]
    projects = list(snap["ph_projects"])
    two_card = set(snap["two_card_projects"])
    p = _codes(rows["project"], projects)
    q = rows["quarter"].to_numpy(dtype="int64") - 1
    # the rules are declared (process_rules) and explained by the contract engine; the common case,
    # no problem, is decided here on integer arrays without it
    if (p < 0).any() or ((q < 0) | (q >= len(QUARTERS))).any():
        _explain("ph_process does not fit the parameters", rows, process_rules(snap))
    n_u, n_p, n_q = len(unit_ids), len(projects), len(QUARTERS)
    flat = (u * n_p + p) * n_q + q
    count = np.bincount(flat, minlength=n_u * n_p * n_q).reshape(n_u, n_p, n_q)
    if (count > 1).any():
        _explain("ph_process has repeated rows", rows, process_rules(snap))
    reported = count.sum(axis=2) > 0  # unit × project pairs with any row
    missing_q = reported[:, :, None] & (count == 0)
    if missing_q.any():
        _explain(f"ph_process is missing {int(missing_q.sum())} quarter rows", rows, process_rules(snap))
    absent = [unit_ids[i] for i in np.flatnonzero(~reported.any(axis=1))]
    if absent:
        _raise(
            f"{len(absent)} units of the county have no ph_process rows in {year}",
            [
                Problem(
                    "ph_process",
                    f"process evaluation rows for every unit of the county in {year}",
                    column="unit_id",
                    value=x,
                )
                for x in absent[:20]
            ],
        )

    def dense(column: str) -> np.ndarray:
        arr = np.full(n_u * n_p * n_q, np.nan)
        arr[flat] = rows[column].to_numpy(dtype="float64")
        return arr.reshape(n_u, n_p, n_q)

    scores, credits, planned = dense("score"), dense("credits"), dense("planned_amount")
    pair_u, pair_p = np.nonzero(reported)  # unit-major, projects in ph_projects order
    scores, credits, planned = scores[pair_u, pair_p], credits[pair_u, pair_p], planned[pair_u, pair_p]
    if np.isnan(scores).any():
        _explain("ph_process has a quarter without a score", rows, process_rules(snap))
    is_two_card = np.array([projects[j] in two_card for j in range(n_p)])[pair_p]
    need_credits = is_two_card[:, None] & np.isnan(credits)
    if need_credits.any():
        idx = np.argwhere(need_credits)
        _raise(
            "two-card projects need their credits",
            [
                Problem(
                    "ph_process",
                    "credits for every quarter of a two-card project",
                    column="credits",
                    value=f"{unit_ids[pair_u[i]]} {projects[pair_p[i]]} Q{k + 1}",
                )
                for i, k in idx[:20]
            ],
        )
    bad_plan = ~is_two_card & (
        np.isnan(planned).any(axis=1)
        | (np.nanmax(np.nan_to_num(planned, nan=-1.0), axis=1) != np.nanmin(np.nan_to_num(planned, nan=-1.0), axis=1))
    )
    if bad_plan.any():
        _explain("planned amounts differ between quarters", rows, process_rules(snap))
        _raise(
            "planned amounts of non-two-card projects are missing or differ between quarters",
            [
                Problem(
                    "ph_process",
                    "the same planned_amount on all four quarter rows of a project outside the two-card system",
                    column="planned_amount",
                    value=f"{unit_ids[pair_u[i]]} {projects[pair_p[i]]}",
                )
                for i in np.flatnonzero(bad_plan)[:20]
            ],
        )
    weights = snap["quarter_weights"]
    w = np.array([weights[f"q{k}"] for k in QUARTERS])
    coefficient = scores @ w / 100.0
    credits0 = np.nan_to_num(credits)
    credits_year = credits0.sum(axis=1)
    if snap["credit_calibration"] == "quarterly":
        calibrated = (credits0 * scores / 100.0).sum(axis=1)
    else:
        calibrated = credits_year * coefficient
    ypc = float(snap["yuan_per_credit"])
    planned_year = np.where(is_two_card, np.nan, planned[:, 0])
    amount = np.where(is_two_card, calibrated * ypc, np.nan_to_num(planned_year) * coefficient)
    columns = {
        "year": np.full(len(pair_u), year, dtype="int64"),
        "unit_id": np.asarray(unit_ids, dtype=object)[pair_u],
        "project": np.asarray(projects, dtype=object)[pair_p],
    }
    for k in range(n_q):
        columns[f"score_q{k + 1}"] = scores[:, k]
    columns["quality_coefficient"] = coefficient
    columns["two_card"] = is_two_card
    for k in range(n_q):
        columns[f"credits_q{k + 1}"] = credits[:, k]
    columns["credits_year"] = np.where(is_two_card, credits_year, np.nan)
    columns["calibrated_credits"] = np.where(is_two_card, calibrated, np.nan)
    columns["yuan_per_credit"] = np.where(is_two_card, ypc, np.nan)
    columns["planned_amount"] = planned_year
    columns["amount_fen"] = yuan_to_fen(amount)
    return columns, pair_u


# ── objective evaluation ───────────────────────────────────────────────────────────────────────


def _objective_detail(
    ph_targets: pd.DataFrame, unit_ids: list[str], year: int, share_fen: np.ndarray, snap: ParamSnapshot
) -> dict:
    """One row per unit and indicator: value, benchmark, veto, met, share and amount (fen)."""
    bench = snap["objective_benchmarks"]
    indicators = list(bench)
    weights = snap["objective_weights"]
    vetoes = set(snap["objective_vetoes"])
    ph_targets = _positional(ph_targets)
    rows = _where(ph_targets, ph_targets["year"].to_numpy() == year)
    u = _codes(rows["unit_id"], unit_ids)
    rows = _where(rows, u >= 0)
    u = u[u >= 0]
    i = _codes(rows["indicator"], indicators)
    if (i < 0).any():
        _explain("ph_targets does not fit the parameters", rows, objective_rules(snap))
    n_u, n_i = len(unit_ids), len(indicators)
    flat = u * n_i + i
    count = np.bincount(flat, minlength=n_u * n_i)
    if (count > 1).any():
        _explain("ph_targets has repeated rows", rows, objective_rules(snap))
    values = np.full(n_u * n_i, np.nan)
    values[flat] = rows["value"].to_numpy(dtype="float64")
    missing = (count == 0) | np.isnan(values)
    if missing.any():
        idx = np.flatnonzero(missing)
        _explain(f"ph_targets is missing {len(idx)} unit-indicator rows for {year}", rows, objective_rules(snap))
        _raise(
            f"ph_targets is missing {len(idx)} unit-indicator rows for {year}",
            [
                Problem(
                    "ph_targets",
                    "a value for every indicator of every unit of the county",
                    column="indicator",
                    value=f"{unit_ids[k // n_i]} {indicators[k % n_i]}",
                )
                for k in idx[:20]
            ],
        )
    veto_flag = np.zeros(n_u * n_i, dtype=bool)
    veto_flag[flat] = rows["veto"].fillna(False).to_numpy(dtype=bool)
    shares = allocate_rows(share_fen, [weights[x] for x in indicators]).reshape(-1)  # (units × indicators)
    benchmarks = np.tile(np.array([bench[x] for x in indicators], dtype="float64"), n_u)
    veto_applies = np.tile(np.array([x in vetoes for x in indicators]), n_u)
    met = values >= benchmarks
    vetoed = veto_flag & veto_applies
    return {
        "year": np.full(n_u * n_i, year, dtype="int64"),
        "unit_id": np.repeat(np.asarray(unit_ids, dtype=object), n_i),
        "indicator": np.tile(np.asarray(indicators, dtype=object), n_u),
        "value": values,
        "veto": veto_flag,
        "benchmark": benchmarks,
        "veto_applies": veto_applies,
        "met": met,
        "vetoed": vetoed,
        "share_fen": shares,
        "amount_fen": np.where(met & ~vetoed, shares, 0),
    }


# ── effect evaluation ──────────────────────────────────────────────────────────────────────────


def _int_na(values: np.ndarray) -> pd.arrays.IntegerArray:
    """Whole numbers with 0 (or less) shown as missing: a unit without a rank or bracket."""
    values = np.asarray(values, dtype="int64")
    return pd.arrays.IntegerArray(values, values <= 0)


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


def _effect(units, pool_fen: int, snap: ParamSnapshot) -> tuple[np.ndarray, int, pd.DataFrame]:
    """Allocate the county's effect pool; returns (amount per unit in fen, retained fen, ranking).

    ``units`` maps ``ph_effect_change`` and ``ph_lump_sum_fen`` to one value per unit (a
    DataFrame or a dict of arrays)."""
    change = np.asarray(units["ph_effect_change"], dtype="float64")
    n_units = len(change)
    ranked_mask = ~np.isnan(change)
    amounts = np.zeros(n_units, dtype="int64")
    ranking = {"rank": _int_na(np.zeros(n_units, dtype="int64")), "bracket": _int_na(np.zeros(n_units, dtype="int64"))}
    if pool_fen < 0:
        raise ToolkitError(
            f"the effect pool of county {snap.county_id} is negative ({pool_fen / 100:.2f} yuan): "
            "process amounts above the 70% share exceed the pool (process_excess = pay_from_effect_pool)"
        )
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
    lump = np.asarray(units["ph_lump_sum_fen"])
    position_money = np.zeros(n, dtype="int64")
    position_bracket = np.zeros(n, dtype="int64")
    start = 0
    for k, (size, money) in enumerate(zip(sizes, bracket_money), start=1):
        if size == 0:
            continue
        members = order[start : start + size]
        weights = [int(lump[m]) for m in members] if by_lump and lump[members].sum() > 0 else [1] * size
        position_money[start : start + size] = allocate(money, weights)
        position_bracket[start : start + size] = k
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
    ranking = {"rank": _int_na(rank_col), "bracket": _int_na(bracket_col)}
    return amounts, retained, ranking


# ── the whole public-health settlement ─────────────────────────────────────────────────────────


def _sum_by(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact integer sums of ``values`` per ``index`` in 0..n-1."""
    out = np.zeros(n, dtype="int64")
    np.add.at(out, index, values.astype("int64"))
    return out


def settle_public_health(
    unit_year: pd.DataFrame,
    units: pd.DataFrame,
    ph_process: pd.DataFrame,
    ph_targets: pd.DataFrame,
    county_id: str,
    year: int,
    snap: ParamSnapshot,
    index: UnitYearIndex | None = None,
    check_units: bool = True,
) -> PublicHealthResult:
    """Settle the public-health lump sums of every unit of ``county_id`` in ``year`` (fen).

    ``check_units=False`` skips the check that every unit named in ph_process / ph_targets is in
    ``units`` (for callers that made it once for the whole province)."""
    # an index from the caller was built for this county's sorted units (settle_county)
    unit_ids = (
        index.unit_ids if index is not None else sorted(units.loc[units["county_id"] == county_id, "unit_id"].tolist())
    )
    n = len(unit_ids)
    if check_units:
        check_known_units(units, ph_process, ph_targets, year)
    if index is None:
        index = UnitYearIndex(unit_year, unit_ids)
    has_this = index.present(year)
    absent = [u for u, ok in zip(unit_ids, has_this) if not ok]
    if absent:
        _raise(
            f"{len(absent)} units of county {county_id} have no unit_year row for {year}",
            [
                Problem("unit_year", f"a row for every unit in {year} (its ph_lump_sum)", column="year", value=u)
                for u in absent[:20]
            ],
        )
    lump_yuan = index.column("ph_lump_sum", year)
    if np.isnan(lump_yuan).any():
        u = unit_ids[int(np.flatnonzero(np.isnan(lump_yuan))[0])]
        _raise(
            "a unit has no public-health lump sum",
            [Problem("unit_year", "a ph_lump_sum for every unit of the county", column="ph_lump_sum", value=u)],
        )
    lump = yuan_to_fen(lump_yuan)
    split = snap["evaluation_split"]
    parts = allocate_rows(lump, [split["process"], split["objective"], split["effect"]])
    cols: dict[str, np.ndarray] = {
        "unit_id": np.asarray(unit_ids, dtype=object),
        "ph_lump_sum_fen": lump,
        "ph_process_share_fen": parts[:, 0],
        "ph_objective_share_fen": parts[:, 1],
        "ph_effect_share_fen": parts[:, 2],
    }

    process, process_unit = _process_detail(ph_process, unit_ids, year, snap)
    earned = _sum_by(process_unit, process["amount_fen"], n)
    paid = np.minimum(earned, parts[:, 0]) if snap["process_excess"] == "cap" else earned
    cols["ph_process_earned_fen"] = earned
    cols["ph_process_fen"] = paid
    cols["ph_process_deduction_fen"] = parts[:, 0] - paid

    objective = _objective_detail(ph_targets, unit_ids, year, parts[:, 1], snap)
    n_i = len(objective["year"]) // max(n, 1)
    cols["ph_indicators_met"] = objective["met"].reshape(n, n_i).sum(axis=1)
    cols["ph_indicators_vetoed"] = objective["vetoed"].reshape(n, n_i).sum(axis=1)
    obj_paid = objective["amount_fen"].astype("int64").reshape(n, n_i).sum(axis=1)
    cols["ph_objective_fen"] = obj_paid
    cols["ph_objective_deduction_fen"] = parts[:, 1] - obj_paid

    # effect indicator: year-on-year change of per-capita total medical spending
    pc_now = _per_capita(index.column("total_medical_spending", year), index.column("insured_pop", year))
    pc_prev = _per_capita(index.column("total_medical_spending", year - 1), index.column("insured_pop", year - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        if snap["effect_change"] == "absolute":
            change = pc_now - pc_prev
        else:
            change = np.where(pc_prev > 0, pc_now / pc_prev - 1.0, np.nan)
    cols["ph_spending_pc"] = pc_now
    cols["ph_spending_pc_prev"] = pc_prev
    cols["ph_effect_change"] = change
    cols["ph_effect_not_ranked"] = np.where(
        np.isnan(pc_now),
        "no insured population this year",
        np.where(
            np.isnan(pc_prev),
            f"no spending per insured person in {year - 1}",
            np.where(np.isnan(change), "previous per-capita spending is 0", ""),
        ),
    ).astype(object)
    pool_parts = {
        "effect_share_fen": int(parts[:, 2].sum()),
        "process_deductions_fen": int(cols["ph_process_deduction_fen"].sum()),
        "objective_deductions_fen": int(cols["ph_objective_deduction_fen"].sum()),
    }
    pool = sum(pool_parts.values())
    effect, retained, ranking = _effect({"ph_effect_change": change, "ph_lump_sum_fen": lump}, pool, snap)
    cols["ph_effect_rank"] = ranking["rank"]
    cols["ph_effect_bracket"] = ranking["bracket"]
    cols["ph_effect_fen"] = effect
    cols["ph_final_fen"] = paid + obj_paid + effect
    total_final = int(cols["ph_final_fen"].sum())
    if total_final + retained != int(lump.sum()):  # a settlement whose parts miss its pool is a bug
        raise RuntimeError(f"public-health money not conserved: {total_final} + {retained} != {int(lump.sum())} fen")
    pool_info = {
        "county_id": county_id,
        "year": year,
        **pool_parts,
        "effect_pool_fen": pool,
        "effect_retained_fen": retained,
        "ranked_units": int((~np.isnan(change)).sum()),
        "units": n,
    }
    return PublicHealthResult(process_columns=process, objective_columns=objective, effect_pool=pool_info, columns=cols)


def check_known_units(units: pd.DataFrame, ph_process: pd.DataFrame, ph_targets: pd.DataFrame, year: int) -> None:
    """Every unit named in the public-health tables of ``year`` must be in ``units``."""
    known = pd.Index(np.asarray(units["unit_id"].unique(), dtype=object), dtype=object)  # hashed as Python objects
    problems = []
    for name, table in (("ph_process", ph_process), ("ph_targets", ph_targets)):
        ids = table.loc[table["year"].to_numpy() == year, "unit_id"]
        strange = known.get_indexer(ids) < 0
        if strange.any():
            strangers = sorted(set(ids[strange]))
            problems += [Problem(name, "a unit_id listed in units", column="unit_id", value=u) for u in strangers[:20]]
    if problems:
        _raise("public-health tables name units that are not in the units table", problems)


def _per_capita(spending: np.ndarray, pop: np.ndarray) -> np.ndarray:
    s = np.asarray(spending, dtype="float64")
    p = np.asarray(pop, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, s / p, np.nan)


def village_share_check(
    county_year: pd.DataFrame | None, lump_fen_total: int, county_id: str, year: int, snap: ParamSnapshot
) -> dict:
    """Seed 000 §3.2: at least 48% of the approved subsidy goes to the village level.

    Returns the share (Σ units' lump sums / ``county_year.ph_subsidy_total``), the minimum and
    whether it is met; ``meets`` is ``None`` when the subsidy total is not in the data.
    """
    minimum = float(snap["ph_village_share_min"])
    total = None
    if county_year is not None and "ph_subsidy_total" in county_year.columns:
        row = county_year.loc[
            (county_year["county_id"] == county_id) & (county_year["year"] == year), "ph_subsidy_total"
        ]
        if len(row) and not pd.isna(row.iloc[0]):
            total = float(row.iloc[0])
    lump = lump_fen_total / 100.0
    if total is None or total <= 0:
        return {
            "county_id": county_id,
            "year": year,
            "ph_subsidy_total": None,
            "ph_lump_sum_total": lump,
            "village_share": None,
            "village_share_min": minimum,
            "meets_minimum": None,
            "note": "county_year.ph_subsidy_total not given: the 48% rule cannot be checked",
        }
    share = lump / total
    return {
        "county_id": county_id,
        "year": year,
        "ph_subsidy_total": total,
        "ph_lump_sum_total": lump,
        "village_share": share,
        "village_share_min": minimum,
        "meets_minimum": bool(share >= minimum - 1e-12),
        "note": "" if share >= minimum - 1e-12 else f"village share {share:.2%} is below the minimum {minimum:.0%}",
    }
