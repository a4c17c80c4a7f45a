"""The three core insurance indicators of each health management unit (seed 000 §3.1; rules.md §4).

1. the unit's basic-insurance fund savings — budget minus actual spending, taken from the
   settlement result (``toolkit.settlement`` owns the capitation rule and its dated parameters;
   this module does not re-implement it);
2. year-on-year change of the unit's per-capita basic-insurance fund spending
   ((fund_general + fund_chronic_outpatient) / insured_pop);
3. year-on-year change of the unit's per-capita total medical spending
   (total_medical_spending / insured_pop).

Per-capita levels are reported too (``unit_fund_per_capita``, ``unit_total_spending_per_capita``).
Results carry county_id, unit_id and year; a unit's per-capita figure is its own sums divided once.
The ratios and their changes are defined in ``registry.yaml`` (numerator and denominator
expressions, scale, the growth indicators' ``base``) and computed from there: this module only
evaluates them on the unit rows.
"""

from __future__ import annotations

import pandas as pd

from toolkit.errors import Problem, ToolkitError
from toolkit.indicators import expr, registry, tidy
from toolkit.indicators.growth import yoy_table

KEYS = ["county_id", "unit_id", "year"]
#: the unit-level ratios this module computes; their formulas are the registry's
RATIOS = ("unit_fund_per_capita", "unit_total_spending_per_capita")


def _ratio_definitions() -> list[registry.Indicator]:
    found = [registry.get(i) for i in RATIOS]
    for ind in found:
        if ind.level != "unit_year" or ind.kind != "ratio" or ind.numerator is None or ind.denominator is None:
            raise ValueError(f"registry.yaml: {ind.id} must be a unit_year ratio with numerator and denominator")
    return found


def _growth_definitions() -> list[registry.Indicator]:
    """The registry's unit_year growth indicators of the ratios above (their ``base``)."""
    return [i for i in registry.load_registry() if i.kind == "growth" and i.level == "unit_year" and i.base in RATIOS]


def _county_of(unit_year: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    frame = unit_year.reset_index(drop=True).assign(_row=lambda f: f.index + 1)
    if "county_id" in frame.columns:
        return frame
    joined = frame.merge(
        units[["unit_id", "county_id"]].drop_duplicates(), on="unit_id", how="left", validate="many_to_one"
    )
    if joined["county_id"].isna().any():
        bad = joined.loc[joined["county_id"].isna()]
        raise ToolkitError(
            "unit_year names units missing from the units table",
            [
                Problem(
                    "unit_year",
                    "a unit_id listed in units",
                    column="unit_id",
                    rows=tuple(int(r) for r in bad["_row"][:20]),
                    value=str(bad["unit_id"].iloc[0]),
                )
            ],
        )
    return joined


def unit_insurance_indicators(
    unit_year: pd.DataFrame, units: pd.DataFrame, settlement: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per-capita levels and their year-on-year changes per unit; savings when ``settlement`` (a
    table with unit_id, year, budget, actual_spending in yuan) is given. Tidy, with unit_id."""
    ratios = _ratio_definitions()
    needed = dict.fromkeys(c for ind in ratios for t in (ind.numerator, ind.denominator) for c in t.column_names())
    tidy.require_columns(unit_year, "unit_year", ["unit_id", "year", *needed])
    frame = _county_of(unit_year, units)
    for column in dict.fromkeys(ind.denominator.expr for ind in ratios):  # a column: insured_pop
        tidy.require_positive(frame, "unit_year", column, "per-capita spending of the unit", keys=("unit_id", "year"))
    base = frame[KEYS]
    levels = {}
    for ind in ratios:
        numerator = expr.evaluate(ind.numerator.expr, frame)
        denominator = expr.evaluate(ind.denominator.expr, frame)
        levels[ind.id] = base.assign(
            indicator=ind.id, value=numerator / denominator * ind.scale, numerator=numerator, denominator=denominator
        )
    parts = list(levels.values()) + [
        yoy_table(levels[g.base], ["county_id", "unit_id"], g.id, g.base) for g in _growth_definitions()
    ]
    if settlement is not None:
        tidy.require_columns(settlement, "settlement", ["unit_id", "year", "budget", "actual_spending"])
        s = settlement.merge(frame[KEYS], on=["unit_id", "year"], how="inner", validate="one_to_one")
        parts.append(
            s[KEYS].assign(
                indicator="unit_fund_savings",
                value=s["budget"] - s["actual_spending"],
                numerator=s["budget"].astype("float64"),
                denominator=s["actual_spending"].astype("float64"),
            )
        )
    return tidy.finish(pd.concat(parts, ignore_index=True), tidy.UNIT_COLUMNS)


def settlement_totals(year: int, *packages: pd.DataFrame) -> pd.DataFrame:
    """Budget and actual spending per unit from ``toolkit.settlement.capitation.settle_package``
    results (the big package's ``budget_fen``/``actual_fen`` and the chronic package's
    ``chronic_budget_fen``/``chronic_actual_fen``), summed in fen and converted to yuan once —
    the ``settlement`` input of :func:`unit_insurance_indicators`."""
    total: pd.DataFrame | None = None
    for pkg in packages:
        prefix = "chronic_" if "chronic_budget_fen" in pkg.columns else ""
        part = pd.DataFrame(
            {
                "unit_id": pkg["unit_id"].astype(str),
                "budget_fen": pkg[f"{prefix}budget_fen"].astype("int64"),
                "actual_fen": pkg[f"{prefix}actual_fen"].astype("int64"),
            }
        )
        total = (
            part
            if total is None
            else total.set_index("unit_id").add(part.set_index("unit_id"), fill_value=0).reset_index()
        )
    if total is None:
        raise ValueError("settlement_totals needs at least one settled package")
    return pd.DataFrame(
        {
            "unit_id": total["unit_id"],
            "year": int(year),
            "budget": total["budget_fen"].astype("int64") / 100,
            "actual_spending": total["actual_fen"].astype("int64") / 100,
        }
    ).sort_values("unit_id", ignore_index=True)
