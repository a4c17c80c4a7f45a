"""``python -m toolkit settle DATASET --year Y [--county C] [--params DIR] --out OUT``.

Settles the big package, the chronic small package and the public-health lump sums of every unit
of each county (rules.md §2–5, seed 000 §3.1–3.2) and writes, per county, into ``OUT/<county>/<year>/``:

* ``settlement_units.csv`` — the per-unit statement, every intermediate column (docs/settlement.md);
* ``settlement_ph_process.csv``, ``settlement_ph_objective.csv`` — unit × sub-project / indicator;
* ``settlement_by_township.csv``, ``settlement_by_community.csv``, ``settlement_by_county.csv``,
  ``settlement_by_tier.csv`` — roll-ups;
* ``settlement_checks.csv`` — conservation to the fen, the ≥48% village share, the effect pool;
* ``settlement_params.csv`` — the parameter values used, with labels and sources;
* with ``--years FIRST-LAST``: each year's folder, and ``OUT/<county>/savings_by_year.csv`` (county),
  ``savings_by_year_units.csv`` (units) and ``OUT/savings_by_year.csv`` (all counties) — the series
  behind "连续7年结余" (toolkit.settlement.savings_series);
* ``reconciliation.csv`` — the county reconciliation (结算汇总与平衡表): per package the pool, what
  accounts for it and a ``difference`` line that is 0.00 when it balances (toolkit.settlement.reconciliation);
* ``statements/`` — the unit payment statements (单元结算单): ``<unit_id>.html`` and ``.pdf`` per
  unit, ``all_units.html`` / ``all_units.pdf`` for the county (``--statements html|none`` to skip PDF);
* ``settlement.xlsx`` — the workbook a commission prints (toolkit.report.settlement_workbook): Chinese
  sheet names, money in yuan throughout, totals rows, frozen and repeated headers and id columns,
  A4 landscape fitted to the page width.

Everything is computed and checked before anything is written; the whole output is written into a
temporary folder and renamed into place (toolkit.io.staged_output), so a failure leaves the previous
output as it was. ``--out`` inside the dataset folder, or an existing file, is refused (exit 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

HELP = "settle capitation, chronic package and public-health funds per unit (结算)"
DESCRIPTION = (
    "Settle the insurance capitation (big package), the chronic outpatient package (small package) and "
    "the public-health 7:2:1 evaluation for every health management unit of each county in one year, "
    "with the county's dated policy parameters; write per-unit statements (CSV + Excel) and roll-ups."
)
SETTLEMENT_TABLES = ["units", "unit_year", "ph_process", "ph_targets"]
KEY_COLUMNS = ["unit_id", "unit_name", "county_id", "township_id", "community_id", "year"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dataset",
        metavar="DATASET",
        help="dataset folder (units, unit_year, ph_process, ph_targets; county_year optional)",
    )
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--year", type=int, help="settlement year")
    when.add_argument(
        "--years",
        metavar="FIRST-LAST",
        help="settle each year of a range (e.g. 2017-2024) and write savings_by_year.csv per unit and county",
    )
    parser.add_argument("--county", default=None, help="one county id (default: every county in units)")
    parser.add_argument(
        "--params", default=None, metavar="DIR", help="parameter folder (default: the project's params/)"
    )
    parser.add_argument("--out", required=True, metavar="OUT", help="output folder; files go to OUT/<county>/<year>/")
    parser.add_argument(
        "--lang",
        default="zh",
        choices=["zh", "en", "both"],
        help="language of the Excel headers (default zh; en or both on request); statements are Chinese unless en",
    )
    parser.add_argument(
        "--statements",
        default=None,
        choices=["pdf", "html", "none"],
        help="unit statements to write into OUT/<county>/<year>/statements/: HTML and PDF (default for one "
        "year), HTML only, or none (default with --years)",
    )


def plausibility_rows(tables, county_id: str, year: int):
    from toolkit.data.plausibility import warnings

    return [p for p in warnings(tables, county_id) if f" {year}:" in str(p.value)]


def _with_plausibility(checks: pd.DataFrame, county_id: str, year: int, found) -> pd.DataFrame:
    """The statement's checks plus one row: per-capita spending inside the contract's band (a warning)."""
    from toolkit.catalogue import text
    from toolkit.data.plausibility import bands

    band = bands()[0]
    low, high = f"{band.low:g}", f"{band.high:g}"
    outcome = "settle_check_plausibility_outside" if found else "settle_check_plausibility_inside"
    row = {
        "county_id": county_id,
        "year": year,
        "check_id": "plausibility",
        "check": text("settle_check_plausibility", "en"),
        "check_zh": text("settle_check_plausibility", "zh"),
        "expected": f"{low}–{high}",
        "found": len(found),
        "ok": not found,
        "note": "; ".join(str(p.value) for p in found[:10])
        + (text("settle_check_more", "en", n=len(found) - 10) if len(found) > 10 else ""),
        "note_zh": text(outcome, "zh", n=len(found), low=low, high=high),
    }
    return pd.concat([checks, pd.DataFrame([row])], ignore_index=True)


def run(args: argparse.Namespace) -> int:
    from toolkit.catalogue import body_lang
    from toolkit.commands.selection import select_counties
    from toolkit.data.load import load_dataset
    from toolkit.data.plausibility import warning_lines
    from toolkit.data.synth import is_synth_output
    from toolkit.io import check_output, staged_output
    from toolkit.params.load import load_params
    from toolkit.params.snapshot import resolve
    from toolkit.report.csvout import money_csv_bytes
    from toolkit.report.settlement_workbook import settlement_workbook_bytes
    from toolkit.report.statements import FOLDER, statement_files
    from toolkit.settlement.reconciliation import reconcile
    from toolkit.settlement.savings_series import MONEY, savings_series, streak
    from toolkit.settlement.statement import settle_province
    from toolkit.years import parse_years

    check_output([args.out], [args.dataset], folder=True)  # before anything is read or written
    paramset = load_params(args.params)  # bad parameters are reported before the data is read
    ds = load_dataset(args.dataset, tables=SETTLEMENT_TABLES + ["county_year"], require=SETTLEMENT_TABLES)
    counties = select_counties(ds, args.county, args.dataset)
    if args.years is not None:
        years = parse_years(args.years, sorted(int(y) for y in ds.tables["unit_year"]["year"].unique()))
    else:
        years = [args.year]
    statements = args.statements or ("pdf" if args.years is None else "none")
    synthetic = is_synth_output(Path(args.dataset))  # the manifest says so: statements and workbook labelled
    results, implausible = [], {}
    for year in years:
        snapshots = {c: resolve(paramset, c, year) for c in counties}
        settled = list(settle_province(ds.tables, year, snapshots).values())
        for result in settled:
            found = plausibility_rows(ds.tables, result.county_id, year)
            implausible[result.county_id, year] = found
            result.checks = _with_plausibility(result.checks, result.county_id, year, found)
        results += settled

    # everything is settled and checked; only now write
    files: list[tuple[Path, bytes]] = []
    for result in results:
        folder = Path(result.county_id) / str(result.year)
        for name, frame in result.tables().items():
            files.append((folder / f"settlement_{name}.csv", money_csv_bytes(frame, result.money)))
        files.append((folder / "reconciliation.csv", money_csv_bytes(reconcile(result), frozenset({"amount"}))))
        files.append(
            (folder / "settlement.xlsx", settlement_workbook_bytes(result, args.lang, synthetic, ds.data_hash))
        )
        if statements != "none":
            made = statement_files(
                result, body_lang(args.lang), pdf=statements == "pdf", tables=ds.tables, synthetic=synthetic
            )
            files += [(folder / FOLDER / name, data) for name, data in sorted(made.items())]
    if args.years is not None:
        unit_series, county_series = savings_series(results)
        money = frozenset(MONEY) | {"fund_savings"}
        for county, rows in county_series.groupby("county_id", sort=True):
            files.append((Path(county) / "savings_by_year.csv", money_csv_bytes(rows, money)))
            own = unit_series.loc[unit_series["county_id"] == county]
            files.append((Path(county) / "savings_by_year_units.csv", money_csv_bytes(own, money)))
        files.append((Path("savings_by_year.csv"), money_csv_bytes(county_series, money)))
    with staged_output(args.out) as stage:  # all files or none: a full disk leaves the previous output
        for path, data in files:
            stage.write_bytes(path, data)

    for result in results:
        u = result.units
        village = result.checks.set_index("check").loc["village share of the public-health subsidy ≥ minimum"]
        share = (
            "n/a"
            if pd.isna(village["found"])
            else f"{village['found']:.2%} ({'meets' if village['ok'] else 'BELOW'} {village['expected']:.0%})"
        )
        print(
            f"{result.county_id} {result.year}: {len(u)} units · budget {u['budget'].sum():,.2f} · savings {u['savings'].sum():,.2f} · "
            f"chronic savings {u['chronic_savings'].sum():,.2f} · public health {u['ph_final'].sum():,.2f} of {u['ph_lump_sum'].sum():,.2f} · "
            f"village share {share} · parameters {result.params_digest[:12]}"
        )
        if len(results) == 1:
            print("parameters used (settlement_params.csv):")
            for r in result.params.itertuples():
                print(f"  {r.key} = {r.value}  (since {r.since}; {r.source})")
    if args.years is not None:
        for county, rows in county_series.groupby("county_id", sort=True):
            run_of = streak(rows, years[-1])
            print(
                f"{county} savings {years[0]}–{years[-1]}: saved in {int(rows['saved'].sum())} of {len(rows)} years, {run_of} in a row up to {years[-1]}"
            )
    for line in warning_lines([p for found in implausible.values() for p in found]):
        print(line, file=sys.stderr)
    print(f"wrote {len(files)} files under {args.out}")
    return 0
