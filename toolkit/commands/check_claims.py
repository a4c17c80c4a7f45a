"""``python -m toolkit check-claims DATASET --claims FILE.yaml [--out OUT]``.

Recomputes every figure stated in a report (toolkit.indicators.claims_check) from the dataset,
prints stated vs recomputed with a verdict, and writes the table as ``OUT.csv``/``OUT.xlsx``
when ``--out`` is given (both or neither: :func:`toolkit.io.write_files`; never inside the dataset). Exit status 0 when every claim follows from the data, 1 when at least
one does not (so a CI job or a batch can stop on it), 2 for bad input.
"""

from __future__ import annotations

import argparse

HELP = "check figures stated in a report against the data (核对报告数据)"
DESCRIPTION = (
    "Recompute the figures a report states (a YAML list of claims, or the dataset's report_claims.yaml layout "
    "county_id → claims: indicator, kind value/yoy/cagr/change/streak/trend, year or start/end, stated) and flag "
    "those that do not follow from the data."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="DATASET", help="dataset folder")
    parser.add_argument("--claims", required=True, metavar="FILE.yaml", help="the claims to check")
    parser.add_argument("--out", default=None, metavar="OUT", help="also write OUT.csv and OUT.xlsx")
    parser.add_argument(
        "--params",
        default=None,
        metavar="DIR",
        help="parameter folder for the savings series of streak claims (default: the project's params/)",
    )
    parser.add_argument(
        "--from-claims",
        action="store_true",
        help="derive the aggregates from the claims Parquet first (as `indicators --from-claims`)",
    )


def run(args: argparse.Namespace) -> int:
    from toolkit.commands.indicators import output_paths, tables_for
    from toolkit.indicators import compute_indicators
    from toolkit.indicators.claims_check import check_claims, read_claims_file
    from toolkit.io import check_output, write_files
    from toolkit.report.claim_series import with_settlement_series
    from toolkit.report.excel import Sheet, build_workbook_bytes

    if args.out:  # before anything is read or written
        check_output(output_paths(args.out).values(), [args.dataset, args.claims], folder=False)
    claims = read_claims_file(args.claims)  # spec errors before any data is read
    tables = tables_for(args.dataset, args.from_claims)
    counties = sorted({c.county for c in claims if c.county})
    values = compute_indicators(tables, counties=counties or None)
    values = with_settlement_series(values, tables, claims, args.params)
    result = check_claims(claims, values)
    for row in result.itertuples(index=False):
        mark = "ok      " if row.ok else "MISMATCH"
        print(f"{mark} {row.county_id} {row.period}: {row.claim}\n         {row.explanation}")
    n_bad = int((~result["ok"]).sum())
    print(f"{len(result) - n_bad} of {len(result)} claims follow from the data")
    if args.out:
        paths = output_paths(args.out)
        from toolkit.report.csvout import csv_bytes

        csv_data = csv_bytes(result)  # UTF-8 with BOM (toolkit.report.csvout)
        workbook = build_workbook_bytes(
            [
                Sheet(
                    "claims_checked",
                    result,
                    formats={
                        "stated": "num4",
                        "recomputed": "num4",
                        "difference": "num4",
                        "tolerance": "num4",
                        "start_value": "num2",
                        "end_value": "num2",
                    },
                )
            ],
            lang="both",
        )
        write_files({paths["csv"]: csv_data, paths["xlsx"]: workbook})
    return 1 if n_bad else 0
