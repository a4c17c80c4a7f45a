"""``python -m toolkit settle-points DATASET --year Y [--county C] [--params DIR] --out OUT``.

Points-based inpatient settlement (按分值付费; seed 001, seed 003 DRG/DIP; rules.md §12) of every
county whose parameters set an inpatient budget (``inpatient_budget`` > 0 in ``params/counties/``),
or of the one county asked for, from the dataset's claims Parquet (one DuckDB scan,
:func:`toolkit.settlement.points.settle_points_from_claims`). Writes into ``OUT/<county>/<year>/``:

* ``points_facilities.csv`` — the statement per facility: admissions (by disease group, by bed
  days, without points), points, share of the points, point value, payment, fund paid on its
  admissions, balance, and its share of the pool's surplus or deficit;
* ``points_detail.csv`` — facility × disease group (or bed days): admissions, bed days, points;
* ``points_reconciliation.csv`` — budget = payments, fund paid + pool balance = budget, pool
  balance = shares, each difference line 0.00;
* ``points_params.csv`` — the parameters used, with their start year and source;
* ``points.xlsx`` — the same tables as sheets, Chinese headers first;

and ``OUT/points_summary.csv`` (one line per county). It is a command of its own rather than
``settle --method points``: it reads other inputs (the claims, not unit_year and the public-health
tables), pays other payees (facilities, not health management units) and has none of ``settle``'s
statement options. Everything is settled and checked before anything is written, and written all
or nothing (:func:`toolkit.io.staged_output`); bad input is an error naming what to fix, exit 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "settle the inpatient budget by points per facility from the claims (按分值结算)"
DESCRIPTION = (
    "Points-based inpatient settlement: each in-county inpatient admission of the year earns the points of "
    "its disease group (or points per bed day); point value = inpatient budget / total points; each facility "
    "is paid its points × point value, the pool's surplus or deficit shared by points. Statements per "
    "facility and a reconciliation that balances to the fen (CSV + Excel)."
)
TABLES = ["units", "county_year", "claims"]
REQUIRED = ["units", "claims"]
PARAM_KEYS = ("inpatient_budget", "points_per_group", "points_per_bed_day")
MONEY = frozenset({"payment", "fund_paid", "balance", "pool_balance_share", "amount"})
#: facility level and points basis in words (zh, en)
LEVEL_WORDS = {
    "county": ("县级医院", "county hospital"),
    "township": ("乡镇卫生院", "township health centre"),
    "village": ("村卫生室", "village clinic"),
}
BASIS_WORDS = {
    "group": ("按病组", "by disease group"),
    "bed_day": ("按床日", "by bed days"),
    "none": ("无分值", "no points"),
}
#: headers of the reconciliation and parameter tables (the rest: toolkit.settlement.labels)
LABELS = {
    "line": ("项目", "line"),
    "line_zh": ("项目", "line"),
    "key": ("参数", "parameter"),
    "label_zh": ("参数名称", "label (zh)"),
    "label_en": ("参数名称(英)", "label (en)"),
    "value": ("取值", "value"),
    "unit": ("单位", "unit"),
    "since": ("起始年", "in force since"),
    "source": ("依据", "source"),
    "file": ("参数文件", "parameter file"),
}
#: the reconciliation's line column a workbook shows: its id in English, its words in Chinese, both in both
LINE_COLUMNS = {"zh": ("line_zh",), "en": ("line",), "both": ("line", "line_zh")}
#: the parameter sheet's label columns a workbook shows: the label in its language, both in both
PARAM_LABEL_COLUMNS = {"zh": ("label_zh",), "en": ("label_zh", "label_en"), "both": ("label_zh", "label_en")}
#: the parameter files' units (``unit`` in params/*.yaml) in words (catalogue keys); others as written
PARAM_UNITS = {
    "yuan": "cmd_points_unit_yuan",
    "group code → points": "cmd_points_unit_per_group",
    "points / bed day": "cmd_points_unit_per_bed_day",
}
SHEETS = {
    "facilities": ("机构结算", "facilities"),
    "detail": ("分值明细", "points detail"),
    "reconciliation": ("平衡表", "reconciliation"),
    "params": ("参数", "parameters"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from toolkit.catalogue import LANGS

    parser.add_argument("dataset", metavar="DATASET", help="dataset folder with units and claims (claims.parquet)")
    parser.add_argument("--year", type=int, required=True, help="settlement year (the admissions of that year)")
    parser.add_argument(
        "--county", default=None, help="one county id (default: every county whose parameters set an inpatient budget)"
    )
    parser.add_argument("--params", default=None, metavar="DIR", help="parameter folder (default: params/)")
    parser.add_argument("--out", required=True, metavar="OUT", help="output folder; files go to OUT/<county>/<year>/")
    parser.add_argument(
        "--lang",
        default="zh",
        choices=LANGS,
        help="language of the workbook and of what is printed (default zh; en or both on request)",
    )


def _counties(ds, args, paramset) -> list[str]:
    """The counties to settle: the one asked for, or every county with an inpatient budget."""
    from toolkit.commands.selection import select_counties
    from toolkit.errors import Problem, ToolkitError
    from toolkit.params.snapshot import resolve

    if args.county is not None:
        return select_counties(ds, args.county, args.dataset)
    counties = select_counties(ds, None, args.dataset)
    chosen = [c for c in counties if float(resolve(paramset, c, args.year)["inpatient_budget"]) > 0]
    if not chosen:
        raise ToolkitError(
            f"no county of {args.dataset} settles inpatient care by points in {args.year}: every county's "
            "inpatient_budget is 0",
            [
                Problem(
                    "parameters",
                    "an inpatient budget > 0, points_per_group and points_per_bed_day in params/counties/<county>.yaml "
                    "(docs/settlement.md, points-based inpatient settlement)",
                    column="inpatient_budget",
                )
            ],
        )
    return chosen


def column_label(column: str) -> tuple[str, str]:
    """(zh, en) header of an output column."""
    from toolkit.settlement.labels import column_label as statement_label

    return LABELS.get(column) or statement_label(column)


def _sheet(name: str, frame, lang: str):
    from toolkit.catalogue import body_lang, check_lang, choose, text
    from toolkit.report.excel import Sheet

    shown = frame.copy()
    if "level" in shown.columns:
        shown["level"] = [choose(LEVEL_WORDS.get(v, (v, v)), lang) for v in shown["level"]]
    if "basis" in shown.columns:
        shown["basis"] = [choose(BASIS_WORDS.get(v, (v, v)), lang) for v in shown["basis"]]
    if "unit" in shown.columns:
        shown["unit"] = [text(PARAM_UNITS[u], body_lang(lang)) if u in PARAM_UNITS else u for u in shown["unit"]]
    hidden = [c for c in ("line", "line_zh") if c in shown.columns and c not in LINE_COLUMNS[check_lang(lang)]]
    hidden += [c for c in ("label_zh", "label_en") if c in shown.columns and c not in PARAM_LABEL_COLUMNS[lang]]
    shown = shown.drop(columns=hidden)
    formats = {c: "yuan" for c in shown.columns if c in MONEY}
    formats.update({c: "pct" for c in ("points_share",) if c in shown.columns})
    formats.update({c: "num4" for c in ("point_value", "points") if c in shown.columns})
    labels = {c: choose(column_label(c), lang) for c in shown.columns}
    return Sheet(name=choose(SHEETS[name], body_lang(lang)), frame=shown, formats=formats, labels=labels)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from toolkit.catalogue import body_lang, text
    from toolkit.data.load import load_dataset
    from toolkit.data.synth import is_synth_output
    from toolkit.io import check_output, staged_output
    from toolkit.params.load import load_params
    from toolkit.params.snapshot import resolve
    from toolkit.report.csvout import money_csv_bytes
    from toolkit.report.excel import build_workbook_bytes
    from toolkit.settlement.points import settle_points_from_claims

    check_output([args.out], [args.dataset, args.params], folder=True)  # before anything is read or written
    paramset = load_params(args.params)  # bad parameters are reported before the data is read
    ds = load_dataset(args.dataset, tables=TABLES, require=REQUIRED)
    ds.validate_claims()  # values checked in DuckDB (the claims are never loaded into memory)
    counties = _counties(ds, args, paramset)
    snapshots = {c: resolve(paramset, c, args.year) for c in counties}
    settled = settle_points_from_claims(ds.files["claims"], ds.tables["units"], args.year, snapshots)

    files: list[tuple[Path, bytes]] = []
    summary = []
    for county, res in settled.items():
        folder = Path(county) / str(args.year)
        params = snapshots[county].to_frame()
        params = params.loc[params["key"].isin(PARAM_KEYS)].reset_index(drop=True)
        tables = {
            "facilities": res.facilities,
            "detail": res.detail,
            "reconciliation": res.reconciliation,
            "params": params,
        }
        for name, frame in tables.items():
            files.append((folder / f"points_{name}.csv", money_csv_bytes(frame, MONEY, column_label)))
        sheets = [_sheet(name, frame, args.lang) for name, frame in tables.items()]
        synthetic = is_synth_output(Path(args.dataset))  # the manifest says so: every sheet labelled 示例数据
        files.append(
            (folder / "points.xlsx", build_workbook_bytes(sheets, lang=body_lang(args.lang), synthetic=synthetic))
        )
        recon = res.reconciliation.set_index("line")["amount"]
        f = res.facilities
        summary.append(
            {
                "county_id": county,
                "year": args.year,
                "facilities": len(f),
                "admissions": int(f["admissions"].sum()),
                "points": res.total_points,
                "point_value": res.point_value,
                "inpatient_budget": float(recon["inpatient_budget"]),
                "payment": float(recon["payments"]),
                "fund_paid": float(recon["fund_paid"]),
                "pool_balance": float(recon["pool_balance"]),
                "params_digest": snapshots[county].digest(),
            }
        )
    files.append(
        (
            Path("points_summary.csv"),
            money_csv_bytes(pd.DataFrame(summary), MONEY | {"inpatient_budget", "pool_balance"}, column_label),
        )
    )
    with staged_output(args.out) as stage:  # all files or none: a failure leaves the previous output
        for path, data in files:
            stage.write_bytes(path, data)

    from toolkit.commands import PRINT_LANGS

    for lang, row in ((lg, row) for lg in PRINT_LANGS[args.lang] for row in summary):
        print(
            text(
                "cmd_points_county_line",
                lang,
                county=row["county_id"],
                year=row["year"],
                facilities=row["facilities"],
                admissions=f"{row['admissions']:,}",
                points=f"{row['points']:,.1f}",
                point_value=f"{row['point_value']:,.4f}",
                payment=f"{row['payment']:,.2f}",
                budget=f"{row['inpatient_budget']:,.2f}",
                balance=f"{row['pool_balance']:+,.2f}",
            )
        )
    print(text("cmd_points_wrote", args.lang, n=len(files), out=args.out))  # one short line
    return 0
