"""``python -m toolkit validate DIR [--tables a,b]``: check a dataset folder against the data contract.

On success prints one line per table (rows, columns, years) and exits 0; on failure the
ValidationError lists every problem (table, rows, column, value, expected) and the CLI exits 2.
Nothing is written.
"""

from __future__ import annotations

import argparse

HELP = "check a dataset folder against the data contract (校验数据)"
DESCRIPTION = (
    "Read every table of the dataset folder (CSV in UTF-8 or GB18030, .xlsx or Parquet), check it "
    "against the data contract (docs/data_contract.md) and print a summary, or every problem found."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="DIR", help="dataset folder")
    parser.add_argument("--tables", default=None, help="comma-separated tables to check (default: every table present)")
    parser.add_argument("--require", default="", help="comma-separated tables that must be present")
    parser.add_argument(
        "--schema-only-claims",
        action="store_true",
        help="check only the claims Parquet schema, not its values (faster on huge files)",
    )


def _years(frame) -> str:
    if "year" not in frame or frame.empty:
        return "-"
    lo, hi = int(frame["year"].min()), int(frame["year"].max())
    return str(lo) if lo == hi else f"{lo}–{hi}"


def summary_lines(ds, claims=None) -> list[str]:
    from toolkit.data.contract import TABLES

    lines = [
        f"dataset {ds.root}: {len(ds.files)} table{'s' if len(ds.files) != 1 else ''} valid",
        f"data hash {ds.data_hash}",
    ]
    width = max((len(n) for n in ds.files), default=6)
    for name in ds.files:
        label = TABLES[name].label_zh
        where = ds.files[name].name + (f" [{ds.sheets[name]}]" if name in ds.sheets else "")
        if name in ds.tables:
            frame = ds.tables[name]
            lines.append(
                f"  {name:<{width}}  {len(frame):>9,} rows  {frame.shape[1]:>3} columns  "
                f"years {_years(frame):<9}  {label}  ({where})"
            )
        elif claims is not None:
            years = (
                "-"
                if claims.years is None
                else (
                    f"{claims.years[0]}–{claims.years[1]}"
                    if claims.years[0] != claims.years[1]
                    else str(claims.years[0])
                )
            )
            lines.append(
                f"  {name:<{width}}  {claims.rows:>9,} rows  {'':>3} {'':7}  years {years:<9}  {label}  "
                f"({where}, {claims.files} file{'s' if claims.files != 1 else ''})"
            )
        else:
            lines.append(f"  {name:<{width}}  schema valid (values not checked)  {label}  ({where})")
    return lines


def run(args: argparse.Namespace) -> int:
    from toolkit.data.load import load_dataset

    require = [t.strip() for t in args.require.split(",") if t.strip()]
    ds = load_dataset(args.dataset, tables=args.tables, require=require)
    claims = None
    if "claims" in ds.files and not args.schema_only_claims:
        claims = ds.validate_claims()
    print("\n".join(summary_lines(ds, claims)))
    return 0
