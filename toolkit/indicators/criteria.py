"""The 评判标准: ten yes/no criteria of a close-knit county medical community (seed 004 附1;
rules.md §10), and a county's result "x / 10" by dimension.

The criteria are data (``criteria.yaml`` beside this module: id, number, dimension, Chinese and
English text, source); the commission states them in ``criteria_year`` (met, evidence). Criteria
9 (医保管理改革) and 10 (基本公共卫生经费依据医共体统一考核结果拨付) can be decided from the
settlement itself: when a county gives no row for them, the toolkit derives them and marks them
"derived"; a given row overrides the derived value, and both are shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from toolkit.data.contract import CRITERIA
from toolkit.errors import Problem, ToolkitError

CRITERIA_FILE = Path(__file__).with_name("criteria.yaml")
SOURCE = "seed 004 附1 (紧密型县域医疗卫生共同体建设评判标准, 国卫办基层发〔2020〕12号)"


@dataclass(frozen=True)
class Dimension:
    id: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Criterion:
    id: str
    number: int
    dimension: str
    name_zh: str
    name_en: str
    text_zh: str
    text_en: str
    derivable: str | None = None
    source: str = SOURCE


@lru_cache(maxsize=1)
def load_criteria() -> tuple[tuple[Dimension, ...], tuple[Criterion, ...]]:
    """(dimensions, criteria) in the seed's order; the ids must be the contract's (programming error otherwise)."""
    with open(CRITERIA_FILE, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    dims = tuple(Dimension(**d) for d in raw["dimensions"])
    crits = tuple(Criterion(**c) for c in raw["criteria"])
    if tuple(c.id for c in crits) != CRITERIA:
        raise ValueError("criteria.yaml ids differ from toolkit.data.contract.CRITERIA")
    if {c.dimension for c in crits} - {d.id for d in dims}:
        raise ValueError("criteria.yaml: a criterion names an unknown dimension")
    return dims, crits


def get_criterion(criterion_id: str) -> Criterion:
    """The criterion with this id; an unknown id is a user error naming the known ones."""
    by_id = {c.id: c for c in load_criteria()[1]}
    if criterion_id not in by_id:
        raise ToolkitError(
            f"unknown criterion {criterion_id!r}",
            [Problem("criteria_year", f"one of {', '.join(CRITERIA)}", column="criterion", value=criterion_id)],
        )
    return by_id[criterion_id]


def _reformed(tables: Mapping[str, pd.DataFrame], county_id: str, year: int) -> bool | None:
    cy = tables.get("county_year")
    if cy is None or "reform_year" not in cy.columns:
        return None
    r = cy.loc[(cy["county_id"].astype(str) == county_id) & (cy["year"] == year), "reform_year"]
    if r.empty:
        return None
    return bool(pd.notna(r.iloc[0]) and int(r.iloc[0]) <= year)


def derive(
    tables: Mapping[str, pd.DataFrame], county_id: str, year: int, settlement=None
) -> dict[str, tuple[bool, str]]:
    """Criteria 9–10 decided from the settlement: {criterion id: (met, evidence)}; absent = not derivable.

    ``settlement``: a :class:`toolkit.settlement.statement.CountySettlement` of this county-year when
    one was computed (the county report has it); otherwise the settlement's inputs decide: the
    county is under the reform in the year and every unit has the rows the settlement reads.
    """
    reformed = _reformed(tables, county_id, year)
    units = tables.get("units")
    if reformed is None or units is None:
        return {}
    ids = set(units.loc[units["county_id"].astype(str) == county_id, "unit_id"].astype(str))
    if not ids:
        return {}
    out: dict[str, tuple[bool, str]] = {}
    since = f"reform since {_reform_year(tables, county_id)}" if reformed else "not under the reform in this year"
    if settlement is not None:
        c = settlement.by_county.iloc[0]
        budget_ok = bool(c["budget"] > 0)
        ph_ok = bool(c["ph_final"] > 0)
        out["insurance_reform"] = (
            reformed and budget_ok,
            f"derived from the settlement: {since}; big-package budget {c['budget']:,.2f} yuan over {len(ids)} units",
        )
        out["unified_fiscal_funding"] = (
            reformed and ph_ok,
            f"derived from the settlement: {since}; public-health money {c['ph_final']:,.2f} yuan paid by the "
            "unified process, objective and effect evaluation",
        )
        return out
    uy = tables.get("unit_year")
    if uy is not None:
        have = set(uy.loc[uy["year"] == year, "unit_id"].astype(str)) & ids
        out["insurance_reform"] = (
            reformed and have == ids,
            f"derived from the settlement inputs: {since}; capitation rows for {len(have)} of {len(ids)} units",
        )
    proc, targ = tables.get("ph_process"), tables.get("ph_targets")
    if proc is not None and targ is not None:
        p = set(proc.loc[proc["year"] == year, "unit_id"].astype(str)) & ids
        t = set(targ.loc[targ["year"] == year, "unit_id"].astype(str)) & ids
        out["unified_fiscal_funding"] = (
            reformed and p == ids and t == ids,
            f"derived from the settlement inputs: {since}; unified public-health evaluation rows for "
            f"{len(p & t)} of {len(ids)} units",
        )
    return out


def _reform_year(tables, county_id: str):
    cy = tables["county_year"]
    r = cy.loc[cy["county_id"].astype(str) == county_id, "reform_year"].dropna()
    return int(r.iloc[0]) if len(r) else "—"


def criteria_table(tables: Mapping[str, pd.DataFrame], county_id: str, year: int, settlement=None) -> pd.DataFrame:
    """One row per criterion: number, id, dimension, names, met, source (given | derived | missing),
    evidence, and what the toolkit derived (``derived_met``) where it can."""
    dims, crits = load_criteria()
    dim = {d.id: d for d in dims}
    given = tables.get("criteria_year")
    rows_given = {}
    if given is not None:
        g = given.loc[(given["county_id"].astype(str) == county_id) & (given["year"] == year)]
        for _, r in g.iterrows():
            get_criterion(str(r["criterion"]))
            ev = r.get("evidence") if "evidence" in g.columns else None
            rows_given[str(r["criterion"])] = (bool(r["met"]), "" if pd.isna(ev) else str(ev))
    derived = derive(tables, county_id, year, settlement)
    rows = []
    for c in crits:
        d_met, d_ev = derived.get(c.id, (None, ""))
        if c.id in rows_given:
            met, evidence = rows_given[c.id]
            source = "given"
        elif c.id in derived:
            met, evidence, source = d_met, d_ev, "derived"
        else:
            met, evidence, source = None, "", "missing"
        rows.append(
            {
                "number": c.number,
                "criterion": c.id,
                "dimension": c.dimension,
                "dimension_zh": dim[c.dimension].name_zh,
                "dimension_en": dim[c.dimension].name_en,
                "name_zh": c.name_zh,
                "name_en": c.name_en,
                "met": met,
                "source": source,
                "evidence": evidence,
                "derived_met": d_met,
            }
        )
    out = pd.DataFrame(rows)
    out["met"] = out["met"].astype("boolean")
    out["derived_met"] = out["derived_met"].astype("boolean")
    return out


def criteria_score(table: pd.DataFrame) -> pd.DataFrame:
    """Per dimension (and a total row ``all``): criteria met, criteria, and unknown (not given, not derivable)."""
    rows = []
    for dim_id, g in table.groupby("dimension", sort=False):
        rows.append(
            {
                "dimension": dim_id,
                "dimension_zh": g["dimension_zh"].iloc[0],
                "dimension_en": g["dimension_en"].iloc[0],
                "met": int(g["met"].fillna(False).sum()),
                "total": len(g),
                "unknown": int(g["met"].isna().sum()),
            }
        )
    rows.append(
        {
            "dimension": "all",
            "dimension_zh": "合计",
            "dimension_en": "Total",
            "met": int(table["met"].fillna(False).sum()),
            "total": len(table),
            "unknown": int(table["met"].isna().sum()),
        }
    )
    out = pd.DataFrame(rows)
    out["result"] = [f"{m} / {t}" for m, t in zip(out["met"], out["total"])]
    return out


def province_criteria(tables: Mapping[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """Every county's result of the year: county_id, one "x / n" column per dimension, and the total."""
    cy = tables.get("county_year")
    if cy is None:
        return pd.DataFrame()
    counties = sorted(cy.loc[cy["year"] == year, "county_id"].astype(str).unique())
    rows = []
    for cid in counties:
        score = criteria_score(criteria_table(tables, cid, year)).set_index("dimension")
        row = {"county_id": cid}
        for dim_id, r in score.iterrows():
            row[dim_id] = r["result"]
        row["met"] = int(score.loc["all", "met"])
        row["unknown"] = int(score.loc["all", "unknown"])
        rows.append(row)
    return pd.DataFrame(rows)
