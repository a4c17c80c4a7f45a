"""Points-based inpatient settlement (按分值付费), in DuckDB over the claims Parquet.

Seed 001 (统筹医保支付): 对县域内各医共体发生的住院医疗服务进行统一疾病分组和分值折算, 按分值确定
所应分配得到的医保基金 … 亏损负担和结余分成也按分值相应确定; 病种(病组)、床日可折算为点数. Seed 003:
DRG/DIP 双预算. Rules (rules.md §12):

* each in-county inpatient admission of the year earns points: the points of its disease group
  (``points_per_group``), or, without a group, ``points_per_bed_day`` × its bed days;
* point value = the county's inpatient budget (``inpatient_budget``) / Σ points;
* each facility receives its points × point value — split from the budget by largest remainder
  (:mod:`toolkit.settlement.money`), so the payments add up to the budget to the fen;
* the pool's surplus or deficit (budget − Σ fund paid on the admissions) is shared by points too.

Facilities: claims name the provider's level, not the facility; the payee is the community's
county hospital (``<community_id>/county``), the township health centre (``<township_id>/township``)
or the village clinic (``<unit_id>/village``) of the person's unit. Admissions outside the county
(``provider_level = outside``) are not paid from the points pool.

DuckDB does the scan (one streaming GROUP BY, integer fen); the grouped rows (facility × group) are
small and the points arithmetic is exact in integers (points are scaled by the common denominator
of the decimal point values written in the parameters).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.errors import Problem, ToolkitError
from toolkit.params.snapshot import ParamSnapshot
from toolkit.settlement.money import allocate, to_fen

FACILITY_SQL = """
SELECT c.county_id,
       CASE c.provider_level WHEN 'county' THEN u.community_id || '/county'
            WHEN 'township' THEN u.township_id || '/township' ELSE c.unit_id || '/village' END AS facility_id,
       c.provider_level AS level,
       c.disease_group,
       CASE WHEN c.disease_group IS NOT NULL THEN 'group' WHEN c.bed_days IS NOT NULL THEN 'bed_day'
            ELSE 'none' END AS basis,
       count(*) AS admissions,
       coalesce(sum(c.bed_days), 0) AS bed_days,
       coalesce(sum(CAST(round(c.fund_paid * 100) AS BIGINT)), 0) AS fund_fen
FROM claims c JOIN units u ON c.unit_id = u.unit_id
WHERE c.setting = 'inpatient' AND c.provider_level <> 'outside' AND c.year = {year} {county_filter}
GROUP BY ALL
"""


def aggregate_admissions(
    source, units: pd.DataFrame, year: int, counties: list[str] | None = None, *, threads: int = 2
) -> pd.DataFrame:
    """Admissions, bed days and fund paid (fen) per county, facility, disease group and basis.

    ``source``: a claims Parquet file, a folder of them, a glob (:func:`toolkit.data.claims.claims_files`)
    or a list of files.
    Reads only the columns it needs — never person_id or claim_id.
    """
    import duckdb

    from toolkit.data.claims import claims_files

    files = [str(f) for f in source] if isinstance(source, (list, tuple)) else claims_files(source)
    con = duckdb.connect()
    try:
        con.execute(f"SET threads TO {int(threads)}")
        con.execute("SET preserve_insertion_order = false")
        con.register("units", units[["unit_id", "township_id", "community_id"]].astype(str))
        file_list = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
        cols = "unit_id, county_id, year, setting, provider_level, disease_group, bed_days, fund_paid"
        flt = ""
        if counties:
            flt = "AND c.county_id IN (" + ", ".join("'" + c.replace("'", "''") + "'" for c in counties) + ")"
        try:
            con.execute(f"CREATE VIEW claims AS SELECT {cols} FROM read_parquet([{file_list}], union_by_name = true)")
            frame = con.execute(FACILITY_SQL.format(year=int(year), county_filter=flt)).df()
        except duckdb.Error as err:
            raise ToolkitError(
                f"claims could not be aggregated for points-based settlement ({type(err).__name__}): "
                f"{str(err).splitlines()[0]}",
                [Problem("claims", "the columns disease_group and bed_days (data contract extension)")],
            ) from None
    finally:
        con.close()
    frame = frame.astype({"admissions": "int64", "bed_days": "int64", "fund_fen": "int64"})
    return frame.sort_values(["county_id", "facility_id", "basis", "disease_group"], na_position="first").reset_index(
        drop=True
    )


@dataclass
class PointsSettlement:
    """One county-year: the statement per facility, the detail per group, the reconciliation."""

    county_id: str
    year: int
    facilities: pd.DataFrame  # one row per facility, money in yuan
    detail: pd.DataFrame  # facility × disease group / bed days: admissions and points
    reconciliation: pd.DataFrame  # line, amount (yuan); the differences are 0.00
    point_value: float  # yuan per point
    total_points: float


def _scaled_points(snap: ParamSnapshot) -> tuple[dict[str, int], int, int]:
    """Points per group and per bed day as integers over one common denominator (exact)."""
    table = {str(k): Fraction(str(v)) for k, v in snap["points_per_group"].items()}
    bed = Fraction(str(snap["points_per_bed_day"]))
    denom = lcm(*(f.denominator for f in [*table.values(), bed]))
    return {k: int(v * denom) for k, v in table.items()}, int(bed * denom), denom


def settle_points(grouped: pd.DataFrame, county_id: str, year: int, snap: ParamSnapshot) -> PointsSettlement:
    """Settle the inpatient budget of ``county_id`` by points (see the module docstring)."""
    rows = grouped.loc[grouped["county_id"] == county_id].copy()
    budget_fen = to_fen(float(snap["inpatient_budget"]))
    groups, bed, denom = _scaled_points(snap)
    where = f"parameters for county {county_id}, year {year}"
    if budget_fen <= 0:
        raise ToolkitError(
            f"points-based settlement of county {county_id} {year} is not computable: no inpatient budget",
            [Problem("parameters", "an inpatient budget > 0 (yuan)", column="inpatient_budget", source=where)],
        )
    coded = rows["basis"] == "group"
    unknown = sorted(set(rows.loc[coded, "disease_group"].astype(str)) - set(groups))
    if unknown:
        counts = rows.loc[coded & rows["disease_group"].astype(str).isin(unknown)]
        n = int(counts["admissions"].sum())
        raise ToolkitError(
            f"points-based settlement of county {county_id} {year}: {n} admissions have a disease group without points",
            [
                Problem("claims", "a group listed in points_per_group", column="disease_group", value=code)
                for code in unknown[:20]
            ],
        )
    # exact integer points (scaled by ``denom``); int64 unless the products could overflow it
    per_row = np.where(coded, rows["disease_group"].astype(str).map(groups).fillna(0), 0).astype(object)
    bed_rows = (rows["basis"] == "bed_day").to_numpy()
    adm = rows["admissions"].to_numpy(dtype="int64")
    days = rows["bed_days"].to_numpy(dtype="int64")
    biggest = max([0, *groups.values()]) * int(adm.sum()) + bed * int(days.sum())
    kind = "int64" if biggest < 2**62 else object
    scaled = np.where(coded.to_numpy(), per_row.astype(kind) * adm.astype(kind), 0).astype(kind)
    scaled = scaled + np.where(bed_rows, days.astype(kind) * bed, 0).astype(kind)
    rows["scaled"] = scaled
    total_scaled = int(sum(int(v) for v in scaled)) if kind is object else int(scaled.sum())
    if total_scaled == 0:
        raise ToolkitError(
            f"points-based settlement of county {county_id} {year}: the year's admissions earn no points",
            [
                Problem(
                    "claims", "in-county inpatient admissions with a disease group or bed days", column="disease_group"
                )
            ],
        )
    fac = (
        rows.groupby(["facility_id", "level"], sort=True)
        .agg(admissions=("admissions", "sum"), fund_fen=("fund_fen", "sum"), scaled=("scaled", "sum"))
        .reset_index()
    )
    fac["scaled"] = [int(v) for v in fac["scaled"]]
    basis_adm = rows.groupby(["facility_id", "basis"])["admissions"].sum().unstack(fill_value=0)
    basis_adm = basis_adm.reindex(index=fac["facility_id"], columns=["group", "bed_day", "none"], fill_value=0)
    payment = np.asarray(allocate(budget_fen, list(fac["scaled"])), dtype="int64")
    actual = fac["fund_fen"].to_numpy(dtype="int64")
    pool_balance = budget_fen - int(actual.sum())
    pool_share = np.asarray(allocate(pool_balance, list(fac["scaled"])), dtype="int64")
    point_value = Fraction(budget_fen, 100) / Fraction(total_scaled, denom)
    facilities = pd.DataFrame(
        {
            "county_id": county_id,
            "year": year,
            "facility_id": fac["facility_id"],
            "level": fac["level"],
            "admissions": fac["admissions"].astype("int64"),
            "admissions_by_group": basis_adm["group"].to_numpy(dtype="int64"),
            "admissions_by_bed_day": basis_adm["bed_day"].to_numpy(dtype="int64"),
            "admissions_without_points": basis_adm["none"].to_numpy(dtype="int64"),
            "points": fac["scaled"].to_numpy(dtype="float64") / denom,
            "points_share": fac["scaled"].to_numpy(dtype="float64") / total_scaled,
            "point_value": float(point_value),
            "payment": payment / 100.0,
            "fund_paid": actual / 100.0,
            "balance": (payment - actual) / 100.0,
            "pool_balance_share": pool_share / 100.0,
        }
    )
    detail = rows[["county_id", "facility_id", "level", "basis", "disease_group", "admissions", "bed_days"]].copy()
    detail.insert(1, "year", year)
    detail["points"] = rows["scaled"].to_numpy(dtype="float64") / denom
    recon = [
        ("inpatient_budget", "住院医保基金预算", budget_fen),
        ("payments", "按分值拨付合计", int(payment.sum())),
        ("payments_difference", "差额(应为0)", budget_fen - int(payment.sum())),
        ("fund_paid", "住院基金实际支付", int(actual.sum())),
        ("pool_balance", "结余(负数为亏损)", pool_balance),
        ("pool_balance_shares", "按分值分享结余/分担亏损合计", int(pool_share.sum())),
        ("pool_balance_difference", "差额(应为0)", pool_balance - int(pool_share.sum())),
    ]
    reconciliation = pd.DataFrame(
        {
            "county_id": county_id,
            "year": year,
            "line": [r[0] for r in recon],
            "line_zh": [r[1] for r in recon],
            "amount": [r[2] / 100.0 for r in recon],
        }
    )
    if recon[2][2] != 0 or recon[6][2] != 0:
        raise RuntimeError(f"points settlement of {county_id} {year} does not balance: {recon}")
    return PointsSettlement(
        county_id,
        year,
        facilities,
        detail.reset_index(drop=True),
        reconciliation,
        float(point_value),
        float(Fraction(total_scaled, denom)),
    )


def settle_points_from_claims(
    source: str | Path, units: pd.DataFrame, year: int, snapshots: dict[str, ParamSnapshot], *, threads: int = 2
) -> dict[str, PointsSettlement]:
    """One DuckDB scan of the claims, then each county of ``snapshots`` settled by points."""
    grouped = aggregate_admissions(source, units, year, sorted(snapshots), threads=threads)
    return {c: settle_points(grouped, c, year, snapshots[c]) for c in sorted(snapshots)}
