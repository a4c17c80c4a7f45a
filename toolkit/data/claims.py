"""Claims → the aggregates of the data contract, with DuckDB streaming the Parquet file(s).

A commission may bring claims instead of aggregates (domain/data.md, "claims"). This module
derives the ``unit_year`` spending columns and the ``county_year`` admissions, visits and fund
columns without loading claims into pandas: DuckDB reads the Parquet files in a streaming
GROUP BY, so 50 million rows aggregate on a 2-core machine in bounded memory
(benchmarks/bench_claims_aggregate.py measures it).

Mapping (one claim row = one inpatient admission or one outpatient/emergency visit):

=================================  ==========================================================
contract column                    from claims
=================================  ==========================================================
unit_year.fund_general             Σ fund_paid of claims that are *not* chronic outpatient
                                   (inpatient, or outpatient with empty chronic_group)
unit_year.fund_chronic_outpatient  Σ fund_paid of outpatient claims with a chronic_group (1–41)
unit_year.total_medical_spending   Σ total_cost (all payers)
county_year.admissions             count of inpatient claims
county_year.admissions_in_county   … with provider_level ≠ outside
county_year.visits                 count of outpatient claims
county_year.visits_in_county       … with provider_level ≠ outside
county_year.visits_primary         … with provider_level in (township, village)
county_year.fund_spending          Σ fund_paid
county_year.fund_in_county         Σ fund_paid with provider_level ≠ outside
county_year.fund_primary           Σ fund_paid with provider_level in (township, village)
=================================  ==========================================================

``critical_illness_paid`` is never added: the packages and the fund indicators exclude
critical-illness insurance (rules.md §2, seed 000 §3.1); ``fund_paid`` is the basic fund alone.
No contract column needs a distinct-person count, so none is computed (they dominate the cost:
design.md). Money is summed in integer fen (``CAST(round(x * 100) AS BIGINT)``) so sums are
exact and identical across runs regardless of thread scheduling, then converted to yuan.
``person_id`` and ``claim_id`` are never selected: they cannot reach a result or a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from toolkit.data.contract import DERIVED_FROM_CLAIMS
from toolkit.errors import ToolkitError

#: the aggregate columns the claims derive (the contract's list, toolkit.data.contract.DERIVED_FROM_CLAIMS)
UNIT_YEAR_COLUMNS = list(DERIVED_FROM_CLAIMS["unit_year"])
COUNTY_YEAR_COLUMNS = list(DERIVED_FROM_CLAIMS["county_year"])
#: the columns read from the claims; person_id and claim_id are deliberately absent
READ_COLUMNS = ("unit_id", "county_id", "year", "setting", "provider_level", "chronic_group", "total_cost", "fund_paid")

_FEN = "CAST(round({x} * 100) AS BIGINT)"
_CHRONIC_OP = "(setting = 'outpatient' AND chronic_group IS NOT NULL)"
_IN_COUNTY = "(provider_level <> 'outside')"
_PRIMARY = "(provider_level IN ('township', 'village'))"

#: one streaming scan, grouped by unit and year; county_year is the (small) roll-up of this
UNIT_SQL = f"""
SELECT unit_id, county_id, CAST(year AS BIGINT) AS year,
       coalesce(sum({_FEN.format(x="fund_paid")}) FILTER (WHERE NOT {_CHRONIC_OP}), 0) AS fund_general,
       coalesce(sum({_FEN.format(x="fund_paid")}) FILTER (WHERE {_CHRONIC_OP}), 0) AS fund_chronic_outpatient,
       coalesce(sum({_FEN.format(x="total_cost")}), 0) AS total_medical_spending,
       count(*) FILTER (WHERE setting = 'inpatient') AS admissions,
       count(*) FILTER (WHERE setting = 'inpatient' AND {_IN_COUNTY}) AS admissions_in_county,
       count(*) FILTER (WHERE setting = 'outpatient') AS visits,
       count(*) FILTER (WHERE setting = 'outpatient' AND {_IN_COUNTY}) AS visits_in_county,
       count(*) FILTER (WHERE setting = 'outpatient' AND {_PRIMARY}) AS visits_primary,
       coalesce(sum({_FEN.format(x="fund_paid")}), 0) AS fund_spending,
       coalesce(sum({_FEN.format(x="fund_paid")}) FILTER (WHERE {_IN_COUNTY}), 0) AS fund_in_county,
       coalesce(sum({_FEN.format(x="fund_paid")}) FILTER (WHERE {_PRIMARY}), 0) AS fund_primary
FROM claims GROUP BY ALL
"""


def claims_files(source: str | Path) -> list[str]:
    """The Parquet files of a claims source: a file, a folder (all ``*.parquet`` below it) or a glob."""
    text = str(source)
    if any(ch in text for ch in "*?["):
        files = (
            sorted(str(p) for p in Path().glob(text))
            if not Path(text).is_absolute()
            else sorted(str(p) for p in Path("/").glob(text.lstrip("/")))
        )
    else:
        path = Path(text)
        if path.is_dir():
            files = sorted(str(p) for p in path.rglob("*.parquet") if p.is_file())
        elif path.is_file():
            files = [str(path)]
        else:
            raise ToolkitError(f"claims: no such file or folder: {path}")
    if not files:
        raise ToolkitError(f"claims: no .parquet files found at {text}")
    return files


def _fen_to_yuan(frame: pd.DataFrame, money: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for col in money:
        out[col] = out[col].astype("int64") / 100  # exact integer fen → yuan, once, at the edge
    return out


def aggregate_claims(
    source: str | Path, *, threads: int = 2, memory_limit: str | None = None, keep_fen: bool = False
) -> dict[str, pd.DataFrame]:
    """Aggregate claims Parquet into ``{"unit_year": …, "county_year": …}`` (see the module mapping).

    ``unit_year``: unit_id, county_id, year, fund_general, fund_chronic_outpatient,
    total_medical_spending (yuan; ``keep_fen=True`` keeps integer fen). ``county_year``:
    county_id, year, the admission and visit counts (int64) and the fund columns. Only
    unit-years and county-years with at least one claim appear; sorted by their keys.
    Values are checked beforehand by ``toolkit.data.load.validate_claims``; this function reads
    only the columns it needs, never person_id or claim_id.
    """
    import duckdb

    files = claims_files(source)
    con = duckdb.connect()
    try:
        con.execute(f"SET threads TO {int(threads)}")
        con.execute("SET preserve_insertion_order = false")  # lets the GROUP BY stream in bounded memory
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        file_list = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        cols = ", ".join(READ_COLUMNS)
        try:
            con.execute(f"CREATE VIEW claims AS SELECT {cols} FROM read_parquet([{file_list}], union_by_name = true)")
            fine = con.execute(UNIT_SQL + " ORDER BY unit_id, county_id, year").df()
        except duckdb.Error as err:
            # the message names files and columns only; no identifier values are ever selected
            raise ToolkitError(
                f"claims could not be aggregated ({type(err).__name__}): {str(err).splitlines()[0]}"
            ) from None
    finally:
        con.close()
    fine["unit_id"] = fine["unit_id"].astype(str)
    fine["county_id"] = fine["county_id"].astype(str)
    fine["year"] = fine["year"].astype("int64")
    fine = fine.astype({c: "int64" for c in UNIT_YEAR_COLUMNS + COUNTY_YEAR_COLUMNS})
    unit = fine[["unit_id", "county_id", "year"] + UNIT_YEAR_COLUMNS]
    # integer sums: the roll-up is exact whatever the order
    county = fine.groupby(["county_id", "year"], as_index=False, sort=True)[COUNTY_YEAR_COLUMNS].sum()
    money_u, money_c = UNIT_YEAR_COLUMNS, [c for c in COUNTY_YEAR_COLUMNS if c.startswith("fund_")]
    if not keep_fen:
        unit, county = _fen_to_yuan(unit, money_u), _fen_to_yuan(county, money_c)
    else:
        unit = unit.astype({c: "int64" for c in money_u})
        county = county.astype({c: "int64" for c in money_c})
    return {"unit_year": unit.reset_index(drop=True), "county_year": county.reset_index(drop=True)}


def fill_from_claims(
    tables: Mapping[str, pd.DataFrame], aggregates: Mapping[str, pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    """The dataset's tables with the claims-derived columns put in (replacing any given ones).

    Rows of ``unit_year``/``county_year`` without claims get 0 (no claim = no spending, no visit).
    A claims unit-year or county-year absent from the table is an error (the table defines the
    population and must cover it).
    """
    out = dict(tables)
    for name, keys, cols in (
        ("unit_year", ["unit_id", "year"], UNIT_YEAR_COLUMNS),
        ("county_year", ["county_id", "year"], COUNTY_YEAR_COLUMNS),
    ):
        if name not in tables:
            continue
        table = tables[name].drop(columns=[c for c in cols if c in tables[name].columns])
        agg = aggregates[name][keys + cols]
        merged = table.merge(agg, on=keys, how="left", validate="one_to_one", indicator=True)
        extra = agg.merge(table[keys], on=keys, how="left", indicator=True)
        orphans = extra.loc[extra["_merge"] == "left_only", keys]
        if not orphans.empty:
            from toolkit.errors import Problem

            raise ToolkitError(
                f"claims fall in {name} rows the table does not have",
                [
                    Problem(
                        name, f"a row for every {' and '.join(keys)} that has claims", value=" ".join(str(v) for v in r)
                    )
                    for r in orphans.itertuples(index=False)
                ],
            )
        for col in cols:
            merged[col] = merged[col].fillna(0).astype(agg[col].dtype)
        out[name] = merged.drop(columns="_merge")[
            list(tables[name].columns) + [c for c in cols if c not in tables[name].columns]
        ]
    return out
