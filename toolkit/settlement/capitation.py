"""Insurance capitation per health management unit: the big package and the chronic small package.

Seed 000 §3.1 (rules.md §2–3): each unit's budget is its average per-capita fund spending of the
previous ``baseline_years`` years times its population this year, optionally raised by a growth
coefficient (seed 001; seed 002 Huangzhong). The budget is advanced monthly
(``advance_rate`` × budget / 12), settled at year end, savings retained and split county :
township : village (4:4:2), an overspend carried by the medical community except the share
``overspend_share`` the insurer takes (seed 001 合理超支分担).

* big package (大包干): ``fund_general`` per ``insured_pop`` — the general population, outpatient
  and inpatient, critical-illness insurance excluded (data contract);
* chronic small package (小包干): ``fund_chronic_outpatient`` per ``chronic_pop`` — the outpatient
  fund of the 41 chronic-disease groups, carved out of the big package.

All amounts are integer fen inside (:mod:`toolkit.settlement.money`); the statement converts them
to yuan. Every split adds up to its whole exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from toolkit.errors import Problem, ToolkitError
from toolkit.params.snapshot import ParamSnapshot
from toolkit.settlement.money import allocate_rows, yuan_to_fen
from toolkit.settlement.rows import UnitYearIndex

MONTHS = 12


@dataclass(frozen=True)
class Package:
    """Which columns and parameters a capitation package reads; ``prefix`` names its outputs."""

    prefix: str
    spending: str
    population: str
    split_key: str
    overspend_key: str


BIG = Package("", "fund_general", "insured_pop", "savings_split", "overspend_share")
CHRONIC = Package(
    "chronic_", "fund_chronic_outpatient", "chronic_pop", "chronic_savings_split", "chronic_overspend_share"
)


def _baseline(
    spend_a: np.ndarray, pop_a: np.ndarray, package: Package, year: int, method: str
) -> dict[str, np.ndarray]:
    """Per-capita spending of each baseline year (lag columns) and their average, per unit.

    ``spend_a`` and ``pop_a`` are units × baseline years, oldest first.
    ``mean_of_per_capita``: the mean of the yearly per-capita figures (人均年均支出, seed 000
    §3.1); a year with no population is left out of the mean. ``pooled``: total spending over
    total person-years. A unit with no population in any baseline year has a baseline of 0.
    """
    n_years = spend_a.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_capita = np.where(pop_a > 0, spend_a / pop_a, np.nan)
    out = {}
    for i in range(n_years):
        out[f"{package.prefix}baseline_pc_lag{n_years - i}"] = per_capita[:, i]
    if method == "pooled":
        total_pop = pop_a.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(total_pop > 0, spend_a.sum(axis=1) / total_pop, 0.0)
    else:
        counted = np.sum(~np.isnan(per_capita), axis=1)
        with np.errstate(invalid="ignore"):
            mean = np.where(counted > 0, np.nansum(per_capita, axis=1) / np.maximum(counted, 1), 0.0)
    out[f"{package.prefix}baseline_per_capita"] = mean
    return out


def _missing_years(county_id: str, years: list[int], missing: list[tuple[str, int]]) -> None:
    shown = sorted({y for _, y in missing})
    problems = [
        Problem(
            "unit_year",
            f"a row for every unit of county {county_id} in each of {years[0]}–{years[-1]} (settlement year and baseline)",
            column="year",
            value=f"{u} {y}",
        )
        for u, y in missing[:20]
    ]
    raise ToolkitError(
        f"cannot settle county {county_id}: {len(missing)} unit-year rows are missing (years {', '.join(map(str, shown))}); "
        "the baseline needs the previous years of every unit",
        problems,
    )


def settle_package(
    unit_year: pd.DataFrame,
    units: pd.DataFrame,
    county_id: str,
    year: int,
    snap: ParamSnapshot,
    package: Package = BIG,
    county_year: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Settle one capitation package for every unit of ``county_id`` in ``year``; money in fen
    (see :func:`package_columns`, which this wraps in a DataFrame)."""
    return pd.DataFrame(package_columns(unit_year, units, county_id, year, snap, package, county_year=county_year))


#: county_year columns each budget method reads (rules.md §12)
METHOD_COLUMNS = {
    "per_capita_average": (),
    "total_with_growth": ("admissions", "visits", "price_index"),
    "income_growth": ("disposable_income_pc",),
}


def _county_values(
    county_year: pd.DataFrame | None, county_id: str, method: str, wanted: dict[str, tuple[int, ...]]
) -> dict[tuple[str, int], float]:
    """``{(column, year): value}`` of the county's county_year rows; a missing table, column, row
    or value is one clear error naming what the budget method needs."""
    needs = ", ".join(f"county_year.{c}" for c in wanted)
    if county_year is None:
        raise ToolkitError(
            f"budget method {method} of county {county_id} is not computable: needs {needs}",
            [Problem("county_year", f"the table with {needs}")],
        )
    missing = [c for c in wanted if c not in county_year.columns]
    if missing:
        raise ToolkitError(
            f"budget method {method} of county {county_id} is not computable: needs "
            + ", ".join(f"county_year.{c}" for c in missing),
            [Problem("county_year", "this column (budget method " + method + ")", column=c) for c in missing],
        )
    rows = county_year.loc[county_year["county_id"] == county_id]
    out, problems, gaps = {}, [], []
    for col, years in wanted.items():
        for y in years:
            vals = pd.to_numeric(rows.loc[rows["year"] == y, col], errors="coerce")
            v = float(vals.iloc[0]) if len(vals) and not pd.isna(vals.iloc[0]) else np.nan
            if np.isnan(v):
                gaps.append(f"{col} {y}")
                problems.append(
                    Problem("county_year", f"a value for {county_id} {y} (budget method {method})", column=col)
                )
            out[(col, y)] = v
    if problems:
        raise ToolkitError(
            f"budget method {method} of county {county_id} is not computable: county_year values are missing "
            f"({', '.join(gaps)})",
            problems,
        )
    return out


def budget_inputs(
    method: str,
    snap: ParamSnapshot,
    spend_a: np.ndarray,
    baseline_pc: np.ndarray,
    county_year: pd.DataFrame | None,
    county_id: str,
    year: int,
) -> dict[str, np.ndarray]:
    """The base (yuan) and growth coefficient of each unit's budget, with every input shown.

    ``spend_a``: spending, units × baseline years (oldest first), the settlement year excluded;
    ``baseline_pc``: the Suixi base (baseline per-capita spending × this year's population).

    * ``per_capita_average`` (Suixi, seed 000 §3.1): base = the baseline per-capita spending × this
      year's population; growth = ``budget_growth``.
    * ``total_with_growth`` (Zhejiang, seed 001 医共体总额预算: 按照往年…实际发生总医疗费用确定…基数;
      考虑医疗服务数量、质量以及物价指数…确定增速调节系数): base = the mean of the unit's actual
      totals of the baseline years; growth = Σ weight × factor over service volume (growth of the
      county's admissions + visits from year−2 to year−1), quality (``budget_quality_growth``) and
      price (county_year.price_index of year−1), weights ``budget_growth_weights``.
    * ``income_growth`` (Huangzhong, seed 002: 按照上年城乡居民人均可支配收入增幅): base = the
      unit's actual total of year−1; growth = disposable_income_pc of year−1 over year−2, − 1.
    """
    n = spend_a.shape[0]
    nan = np.full(n, np.nan)
    out = {"growth_volume": nan, "growth_quality": nan, "growth_price": nan, "income_growth": nan}
    if method == "per_capita_average":
        return {**out, "base": baseline_pc, "growth": np.full(n, float(snap["budget_growth"]))}
    prev, prev2 = year - 1, year - 2
    if method == "total_with_growth":
        values = _county_values(
            county_year,
            county_id,
            method,
            {"admissions": (prev2, prev), "visits": (prev2, prev), "price_index": (prev,)},
        )
        before = values[("admissions", prev2)] + values[("visits", prev2)]
        after = values[("admissions", prev)] + values[("visits", prev)]
        volume = after / before - 1.0 if before > 0 else 0.0
        quality = float(snap["budget_quality_growth"])
        price = values[("price_index", prev)]
        w = snap["budget_growth_weights"]
        growth = w["volume"] * volume + w["quality"] * quality + w["price"] * price
        base = spend_a.mean(axis=1)
        return {
            "base": base,
            "growth": np.full(n, growth),
            "growth_volume": np.full(n, volume),
            "growth_quality": np.full(n, quality),
            "growth_price": np.full(n, price),
            "income_growth": nan,
        }
    if method == "income_growth":
        values = _county_values(county_year, county_id, method, {"disposable_income_pc": (prev2, prev)})
        before, after = values[("disposable_income_pc", prev2)], values[("disposable_income_pc", prev)]
        growth = after / before - 1.0 if before > 0 else 0.0
        return {**out, "base": spend_a[:, -1], "growth": np.full(n, growth), "income_growth": np.full(n, growth)}
    raise ValueError(f"unknown budget method {method!r}")


def package_columns(
    unit_year: pd.DataFrame,
    units: pd.DataFrame,
    county_id: str,
    year: int,
    snap: ParamSnapshot,
    package: Package = BIG,
    index: UnitYearIndex | None = None,
    county_year: pd.DataFrame | None = None,
) -> dict[str, np.ndarray]:
    """Settle one capitation package for every unit of ``county_id`` in ``year``; money in fen.

    Returns one row per unit (sorted by unit_id) with the baseline, budget, monthly advances,
    actual spending, savings or overspend and their splits. Integer columns ending in ``_fen``
    hold money; :func:`toolkit.settlement.statement.to_yuan` converts them for people.
    """
    p = package.prefix
    n_years = int(snap["baseline_years"])
    if index is not None:  # built by the caller for this county's sorted units (settle_county)
        unit_ids = index.unit_ids
    else:
        county_units = units.loc[units["county_id"] == county_id, ["unit_id"]].sort_values("unit_id")
        unit_ids = county_units["unit_id"].tolist()
    if not unit_ids:
        raise ToolkitError(
            f"county {county_id} has no units in the units table",
            [Problem("units", "at least one unit of the county", column="county_id", value=county_id)],
        )
    years = list(range(year - n_years, year + 1))
    if index is None:
        index = UnitYearIndex(unit_year, unit_ids)
    spend, pop, missing = [], [], []
    for y in years:
        present = index.present(y)
        if not present.all():
            missing += [(u, y) for u, ok in zip(unit_ids, present) if not ok]
        spend.append(index.column(package.spending, y))
        pop.append(index.column(package.population, y))
    if missing:
        _missing_years(county_id, years, sorted(missing, key=lambda t: (t[1], t[0])))
    spend_a, pop_a = np.column_stack(spend), np.column_stack(pop)
    base = _baseline(spend_a[:, :-1], pop_a[:, :-1], package, year, str(snap["baseline_method"]))
    out: dict[str, object] = {
        "unit_id": np.asarray(unit_ids, dtype=object),
        f"{p}baseline_first_year": np.full(len(unit_ids), year - n_years, dtype="int64"),
        f"{p}baseline_last_year": np.full(len(unit_ids), year - 1, dtype="int64"),
    }
    out.update(base)
    population = pop_a[:, -1].astype("int64")
    out[package.population] = population
    method = str(snap["budget_method"]) if "budget_method" in snap else "per_capita_average"
    inputs = budget_inputs(
        method,
        snap,
        spend_a[:, :-1],
        base[f"{p}baseline_per_capita"] * population,
        county_year,
        county_id,
        year,
    )
    out[f"{p}budget_method"] = np.full(len(unit_ids), method, dtype=object)
    base_fen = yuan_to_fen(inputs["base"])
    out[f"{p}budget_base_fen"] = base_fen
    out[f"{p}budget_growth"] = inputs["growth"]
    for name in ("growth_volume", "growth_quality", "growth_price", "income_growth"):
        out[f"{p}{name}"] = inputs[name]
    # the base is rounded to the fen once and shown; the budget is computed from the exact base
    budget = yuan_to_fen(inputs["base"] * (1.0 + inputs["growth"]))
    out[f"{p}budget_fen"] = budget
    rate = float(snap["advance_rate"])
    out[f"{p}advance_rate"] = np.full(len(unit_ids), rate)
    advance_total = yuan_to_fen(budget / 100.0 * rate)
    out[f"{p}advance_total_fen"] = advance_total
    months = allocate_rows(advance_total, [1] * MONTHS)
    for m in range(MONTHS):
        out[f"{p}advance_m{m + 1:02d}_fen"] = months[:, m]
    actual = yuan_to_fen(spend_a[:, -1])
    out[f"{p}actual_fen"] = actual
    savings = budget - actual
    out[f"{p}savings_fen"] = savings
    retained = np.maximum(savings, 0)
    split = snap[package.split_key]
    parts = allocate_rows(retained, list(split.values()))
    for i, tier in enumerate(split):
        out[f"{p}savings_{tier}_fen"] = parts[:, i]
    overspend = np.maximum(-savings, 0)
    share = float(snap[package.overspend_key])
    out[f"{p}overspend_fen"] = overspend
    out[f"{p}overspend_share"] = np.full(len(unit_ids), share)
    exact = Fraction(str(share))  # 0.9 and 1 − 0.9 split exactly 9 : 1
    carried = allocate_rows(overspend, [exact, 1 - exact])
    out[f"{p}overspend_insurer_fen"] = carried[:, 0]
    out[f"{p}overspend_community_fen"] = carried[:, 1]
    # the insurer pays the whole budget (savings are retained) plus its share of an overspend
    out[f"{p}insurer_paid_fen"] = budget + carried[:, 0]
    out[f"{p}year_end_payment_fen"] = budget + carried[:, 0] - advance_total
    return out
