"""County-year monitoring indicators computed from ``county_year`` (and ``units``/``unit_year``).

National monitoring indicator system (seed 004, 国卫办基层发〔2020〕12号, 附2 一.1–一.4, 一.7),
the hospitalisation rate and the village doctors' subsidy (seed 000 §4.1), and the village-level
share of the public-health subsidy (seed 000 §3.2). Every ratio sums its numerator and
denominator over the rows of the county-year first and divides once. A zero denominator is a
:class:`~toolkit.errors.ToolkitError` naming table, row, county, year and column.
"""

from __future__ import annotations

import pandas as pd

from toolkit.errors import Problem, ToolkitError
from toolkit.indicators import tidy
from toolkit.indicators.growth import yoy_table
from toolkit.indicators.registry import Indicator, load_registry

#: ratio indicators of county_year: id -> (numerator column, denominator column)
COUNTY_RATIOS = {
    "in_county_inpatient_share": ("admissions_in_county", "admissions"),
    "in_county_visit_rate": ("visits_in_county", "visits"),
    "fund_in_county_rate": ("fund_in_county", "fund_spending"),
    "primary_visit_share": ("visits_primary", "visits_in_county"),
    "primary_fund_share": ("fund_primary", "fund_in_county"),
    "village_doctor_subsidy_per_doctor": ("village_doctor_subsidy", "village_doctors"),
    "hospitalisation_rate": ("admissions", "insured_pop"),
}

KEYS = ["county_id", "year"]


def _with_rows(county_year: pd.DataFrame) -> pd.DataFrame:
    """The table with its 1-based data row numbers, so errors can point at the row."""
    return county_year.reset_index(drop=True).assign(_row=lambda f: f.index + 1)


def _ratio(frame: pd.DataFrame, ind: Indicator, num: str, den: str) -> pd.DataFrame:
    tidy.require_positive(frame, "county_year", den, f"{ind.id} ({ind.name_zh})")
    grouped = frame.groupby(KEYS, as_index=False, sort=True)[[num, den]].sum()
    return pd.DataFrame(
        {
            "county_id": grouped["county_id"],
            "year": grouped["year"],
            "indicator": ind.id,
            "value": grouped[num] / grouped[den] * ind.scale,
            "numerator": grouped[num].astype("float64"),
            "denominator": grouped[den].astype("float64"),
        }
    )


def income_ratio(frame: pd.DataFrame) -> pd.DataFrame:
    """Township staff average pay over lead-hospital staff average pay (seed 004 附2 一.7).

    Each average is total pay / staff of the county-year; numerator and denominator of the result
    are those two averages (yuan). Seed 000 §4.1 reports 99.16% for Suixi in 2023.
    """
    what = "income_ratio (基层机构人均工资收入达牵头医院比例)"
    for col in ("township_staff", "lead_hospital_staff", "lead_hospital_pay"):
        tidy.require_positive(frame, "county_year", col, what)
    grouped = frame.groupby(KEYS, as_index=False, sort=True)[
        ["township_pay", "township_staff", "lead_hospital_pay", "lead_hospital_staff"]
    ].sum()
    township_mean = grouped["township_pay"] / grouped["township_staff"]
    lead_mean = grouped["lead_hospital_pay"] / grouped["lead_hospital_staff"]
    return pd.DataFrame(
        {
            "county_id": grouped["county_id"],
            "year": grouped["year"],
            "indicator": "income_ratio",
            "value": township_mean / lead_mean,
            "numerator": township_mean,
            "denominator": lead_mean,
        }
    )


def ph_village_share(county_year: pd.DataFrame, units: pd.DataFrame, unit_year: pd.DataFrame) -> pd.DataFrame:
    """Sum of the units' ``ph_lump_sum`` over the county's ``ph_subsidy_total`` (seed 000 §3.2: at
    least 48% must go to the village level). Only county-years with ``ph_subsidy_total`` given."""
    if "ph_subsidy_total" not in county_year.columns or "ph_lump_sum" not in unit_year.columns:
        return tidy.empty()
    given = county_year.loc[county_year["ph_subsidy_total"].notna()]
    if given.empty:
        return tidy.empty()
    tidy.require_positive(given, "county_year", "ph_subsidy_total", "ph_village_share (公卫经费村级包干占比)")
    county_of = units[["unit_id", "county_id"]].drop_duplicates()
    lumps = unit_year[["unit_id", "year", "ph_lump_sum"]].merge(
        county_of, on="unit_id", how="left", validate="many_to_one"
    )
    if lumps["county_id"].isna().any():
        unknown = sorted(lumps.loc[lumps["county_id"].isna(), "unit_id"].astype(str).unique())
        raise ToolkitError(
            "unit_year names units missing from the units table",
            [Problem("unit_year", "a unit_id listed in units", column="unit_id", value=u) for u in unknown],
        )
    village = lumps.groupby(KEYS, as_index=False, sort=True)["ph_lump_sum"].sum()
    total = given.groupby(KEYS, as_index=False, sort=True)["ph_subsidy_total"].sum()
    joined = total.merge(village, on=KEYS, how="left")
    joined["ph_lump_sum"] = joined["ph_lump_sum"].fillna(0.0)  # a county-year without units has no village money
    return pd.DataFrame(
        {
            "county_id": joined["county_id"],
            "year": joined["year"],
            "indicator": "ph_village_share",
            "value": joined["ph_lump_sum"] / joined["ph_subsidy_total"],
            "numerator": joined["ph_lump_sum"],
            "denominator": joined["ph_subsidy_total"],
        }
    )


def monitoring_indicators(
    county_year: pd.DataFrame, units: pd.DataFrame | None = None, unit_year: pd.DataFrame | None = None
) -> pd.DataFrame:
    """All county-year indicators of ``county_year`` in the tidy long format (lower/upper empty).

    The village doctors' subsidy growth is the year-on-year change of the per-doctor average, for
    years whose previous year is in the table.
    """
    needed = sorted(
        {c for pair in COUNTY_RATIOS.values() for c in pair}
        | {"township_pay", "township_staff", "lead_hospital_pay", "lead_hospital_staff"}
    )
    tidy.require_columns(county_year, "county_year", KEYS + needed)
    frame = _with_rows(county_year)
    by_id = {ind.id: ind for ind in load_registry()}
    parts = [_ratio(frame, by_id[i], num, den) for i, (num, den) in COUNTY_RATIOS.items()]
    parts.append(income_ratio(frame))
    per_doctor = parts[list(COUNTY_RATIOS).index("village_doctor_subsidy_per_doctor")]
    parts.append(
        yoy_table(per_doctor, ["county_id"], "village_doctor_subsidy_growth", "village_doctor_subsidy_per_doctor")
    )
    if units is not None and unit_year is not None:
        parts.append(ph_village_share(frame, units, unit_year))
    parts = [p for p in parts if not p.empty]
    return tidy.finish(pd.concat(parts, ignore_index=True)) if parts else tidy.empty()
