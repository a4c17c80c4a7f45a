"""``python -m toolkit indicators DATASET [--county C] [--years A-B] --out OUT``.

Computes every indicator the dataset allows (toolkit.indicators.compute_indicators) and writes
the tidy table (county_id, year, indicator, value, numerator, denominator, lower, upper, note) as
``OUT.csv`` and ``OUT.xlsx`` (sheets: indicators with Chinese names, unit, direction, the province
median, 优于/劣于 it and the rank, 1 = best — among all the dataset's counties also when ``--county``
selects a few —; unit-level insurance indicators; the registry). An indicator the data cannot give is a row with an empty
value and the note "not computable: needs table.column". ``OUT_levels.csv`` holds the registry's
ratio indicators at every level of the hierarchy (facility, medical community, county, province;
numerators and denominators summed first, rules.md §9). With ``--from-claims`` the unit_year spending and
county_year admissions/visits/fund columns are derived from the claims Parquet first
(toolkit.data.claims). Everything is computed and checked before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "compute the monitoring indicators of a dataset (计算监测指标)"
DESCRIPTION = (
    "Compute the county-year indicators of the registry (docs/indicators.md) for a dataset folder and "
    "write them as a tidy CSV and an Excel workbook. Ratios sum numerator and denominator first."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="DATASET", help="dataset folder")
    parser.add_argument(
        "--county",
        action="append",
        default=None,
        metavar="C",
        help="county id (repeat or comma-separate for several; default all)",
    )
    parser.add_argument("--years", default=None, metavar="A-B", help="year or range, e.g. 2017-2023 (default all)")
    parser.add_argument(
        "--out",
        required=True,
        metavar="OUT",
        help="output path stem: writes OUT.csv, OUT_units.csv and OUT.xlsx (a .csv/.xlsx suffix is dropped)",
    )
    parser.add_argument(
        "--from-claims",
        action="store_true",
        help="derive the spending, admission, visit and fund columns from the claims Parquet",
    )


def output_paths(out: str | Path) -> dict[str, Path]:
    out = Path(out)
    stem = out.with_suffix("") if out.suffix.lower() in (".csv", ".xlsx") else out
    return {
        "csv": stem.with_name(stem.name + ".csv"),
        "units_csv": stem.with_name(stem.name + "_units.csv"),
        "levels_csv": stem.with_name(stem.name + "_levels.csv"),
        "xlsx": stem.with_name(stem.name + ".xlsx"),
    }


def tables_for(dataset: str | Path, from_claims: bool) -> dict:
    from toolkit.data.load import load_dataset
    from toolkit.errors import ToolkitError

    ds = load_dataset(dataset)
    tables = dict(ds.tables)
    from toolkit.data.claims import COUNTY_YEAR_COLUMNS, UNIT_YEAR_COLUMNS, aggregate_claims, fill_from_claims

    # a commission that brings claims may leave the derived columns out: derive them then too
    left_out = any(
        c not in tables[name].columns
        for name, cols in (("unit_year", UNIT_YEAR_COLUMNS), ("county_year", COUNTY_YEAR_COLUMNS))
        if name in tables
        for c in cols
    )
    if from_claims or ("claims" in ds.files and left_out):
        if "claims" not in ds.files:
            raise ToolkitError(f"--from-claims: the dataset {dataset} has no claims table")
        ds.validate_claims()
        tables = fill_from_claims(tables, aggregate_claims(ds.files["claims"]))
    return tables


def check_selection(tables: dict, counties: list[str] | None, years: str | None) -> None:
    """Years outside the data are an error (not exit 0 with empty tables); unknown counties: compute_indicators."""
    from toolkit.errors import ToolkitError
    from toolkit.years import parse_years

    cy = tables.get("county_year")
    if cy is None:
        return
    have_years = sorted({int(y) for y in cy["year"]})
    if years is not None and have_years:
        wanted = parse_years(years, have_years) if years.strip() in ("all", "latest") else parse_years(years)
        if not set(wanted) & set(have_years):
            raise ToolkitError(
                f"--years {years} selects no year of the dataset (it has {have_years[0]}–{have_years[-1]}); "
                "nothing was written"
            )


def labelled(frame):
    """The tidy table with the registry's Chinese and English names and unit beside the id."""
    from toolkit.indicators.registry import registry_by_id

    by_id = registry_by_id()
    out = frame.copy()
    at = out.columns.get_loc("indicator") + 1
    out.insert(at, "name_zh", out["indicator"].map(lambda i: by_id[i].name_zh))
    out.insert(at + 1, "name_en", out["indicator"].map(lambda i: by_id[i].name_en))
    out.insert(at + 2, "unit", out["indicator"].map(lambda i: by_id[i].unit))
    return out


def indicator_levels(tables: dict, counties, years):
    """The evaluated indicators at facility, community, county and province level for the selection."""
    from toolkit.indicators.compute import keep_years, select_rows, year_list
    from toolkit.indicators.evaluate import evaluate_levels

    span = year_list(years)
    chosen = set(counties) if counties else None
    selected = {n: select_rows(t, chosen, min(span) if span else None) for n, t in tables.items() if n != "claims"}
    return keep_years(evaluate_levels(selected), span)


def run(args: argparse.Namespace) -> int:
    from toolkit.indicators import compute_indicators, compute_unit_indicators
    from toolkit.io import check_output, staged_output
    from toolkit.report.excel import build_workbook_bytes

    check_output(output_paths(args.out).values(), [args.dataset], folder=False)  # before anything is read
    counties = None
    if args.county:
        counties = sorted({c.strip() for arg in args.county for c in arg.split(",") if c.strip()})
    tables = tables_for(args.dataset, args.from_claims)
    check_selection(tables, counties, args.years)
    result = compute_indicators(tables, counties=counties, years=args.years, include_not_computable=True)
    units = compute_unit_indicators(tables, counties=counties, years=args.years)
    from toolkit.data.plausibility import warning_lines, warnings

    implausible = [p for c in (counties or [None]) for p in warnings(tables, c)]
    levels = indicator_levels(tables, counties, args.years)
    paths = output_paths(args.out)
    # everything is computed and rendered before the first write
    from toolkit.report.csvout import csv_bytes

    # UTF-8 with BOM (toolkit.report.csvout)
    csv_data, units_data, levels_data = csv_bytes(result), csv_bytes(units), csv_bytes(levels)
    from toolkit.report.indicator_workbook import indicator_sheets, registry_frame

    cy = tables["county_year"].sort_values(["county_id", "year"])
    county_names = dict(zip(cy["county_id"].astype(str), cy["county_name"].astype(str)))  # latest name
    # a few selected counties are still compared with (median, rank) the whole province
    peers = compute_indicators(tables, years=args.years) if counties else None
    # Chinese sheets, each value in its indicator's format (toolkit.report.indicator_workbook)
    sheets = indicator_sheets(result, units, county_names, registry_frame(), peers=peers)
    from toolkit.data.synth import is_synth_output

    # a dataset the synthetic generator made: every sheet labelled 示例数据 (its manifest says so)
    workbook = build_workbook_bytes(sheets, lang="zh", synthetic=is_synth_output(Path(args.dataset)))
    # the files together or none (a temporary folder beside them, renamed into place)
    with staged_output(paths["csv"].parent) as stage:
        stage.write_bytes(paths["csv"].name, csv_data)
        stage.write_bytes(paths["units_csv"].name, units_data)
        stage.write_bytes(paths["levels_csv"].name, levels_data)
        stage.write_bytes(paths["xlsx"].name, workbook)
    missing = int((result["note"] != "").sum())
    if missing:
        print(
            f"{missing} rows not computable (see the note column), e.g. {result.loc[result['note'] != '', 'note'].iloc[0]}"
        )
    print(
        f"{len(result)} indicator values for {result['county_id'].nunique()} counties → {paths['csv']}, {paths['xlsx']}"
    )
    print(f"{len(units)} unit-level values → {paths['units_csv']}")
    for line in warning_lines(implausible):
        print(line, file=sys.stderr)
    return 0
