"""``python -m toolkit template --out 数据模板.xlsx [--tables …] [--county C --years A-B [--units DATASET]]``.

Writes the commission's input workbook (:mod:`toolkit.report.template`): a sheet per contract
table with Chinese headers, a 填表说明 sheet, drop-down lists and ranges, one example row per
table, and with ``--county``/``--years`` the key columns pre-filled. An existing file is never
overwritten, and the workbook never goes into the ``--units`` dataset (exit status 2); it is
staged beside its place and renamed, so a full disk leaves no file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "write the input workbook a commission fills in"
DESCRIPTION = (
    "Write the input template: one sheet per contract table with Chinese headers (English names in "
    "cell comments), a 填表说明 sheet, drop-down lists and ranges, an example row per table; "
    "--county and --years pre-fill the key columns (with --units, the county's units too)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, help="workbook to write, e.g. 数据模板.xlsx (must not exist)")
    parser.add_argument("--tables", default=None, help="comma-separated tables (default: every spreadsheet table)")
    parser.add_argument("--county", default=None, help="county id whose key columns are pre-filled")
    parser.add_argument("--years", default=None, help="years to pre-fill, e.g. 2019-2024 or 2023,2024")
    parser.add_argument(
        "--units",
        default=None,
        metavar="DATASET",
        help="dataset (folder or workbook) whose units table lists the county's units",
    )


def run(args: argparse.Namespace) -> int:
    from toolkit.errors import ToolkitError
    from toolkit.io import check_output
    from toolkit.report.template import write_template

    out = Path(args.out)
    check_output([out], [args.units], folder=False)
    if out.exists():
        raise ToolkitError(f"--out: {out} already exists; choose a new file name (nothing was written)")
    if args.units and not args.county:
        raise ToolkitError("--units needs --county and --years: it pre-fills that county's units")
    units = None
    if args.units:
        from toolkit.data.load import load_dataset

        units = load_dataset(args.units, tables=["units"], require=["units"]).tables["units"]
        if not (units["county_id"] == args.county).any():
            raise ToolkitError(f"--county: no unit of county {args.county!r} in the units table of {args.units}")
    tables = [t.strip() for t in args.tables.split(",") if t.strip()] if args.tables else None
    write_template(out, tables=tables, county=args.county, years=args.years, units=units)
    print(f"模板已生成 / template written: {out}")
    return 0
