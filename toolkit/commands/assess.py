"""``python -m toolkit assess DATASET [--scheme NAME] --year Y --out OUT [--level L]``.

Scores the units of one level (medical community by default, as the Sichuan "一个总额付费"
assessment does; seed 004) on a points scheme from ``params/schemes/`` (toolkit.indicators.
assessment): each indicator's value, basis (change against last year, rank, or value), share
and points, and each unit's points by dimension and total. A scheme whose points do not add up,
an unknown indicator or a year without data is an error (exit 2) before anything is written.
Writes into the folder OUT: ``assessment_points.csv`` (unit × indicator), ``assessment_totals.csv``
(unit), ``assessment.xlsx`` and ``provenance.json`` (data hash, scheme digest, versions).
"""

from __future__ import annotations

import argparse

HELP = "score medical communities on an assessment scheme (医共体考核评分)"
DESCRIPTION = (
    "Score every unit of a level (default: medical community) on a points scheme (params/schemes/NAME.yaml; "
    "default the Sichuan-style 100-point scheme): per indicator value, basis, share and points; per unit the "
    "points by dimension and the total."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="DATASET", help="dataset folder")
    parser.add_argument("--scheme", default=None, metavar="NAME", help="scheme name in params/schemes/ or a .yaml path")
    parser.add_argument("--year", required=True, type=int, metavar="Y", help="assessment year")
    parser.add_argument(
        "--level",
        default=None,
        choices=["facility", "community", "county", "province"],
        help="unit level scored (default: the scheme's, medical community for the Sichuan scheme)",
    )
    parser.add_argument("--out", required=True, metavar="OUT", help="output folder")


def run(args: argparse.Namespace) -> int:
    from toolkit.data.load import load_dataset
    from toolkit.indicators.assessment import DEFAULT_SCHEME, load_scheme, score
    from toolkit.io import check_output, staged_output
    from toolkit.report.csvout import csv_bytes
    from toolkit.report.excel import Sheet, build_workbook_bytes
    from toolkit.report.provenance import provenance_for_dataset, provenance_json

    check_output([args.out], [args.dataset], folder=True)  # before anything is read or written
    scheme = load_scheme(args.scheme or DEFAULT_SCHEME)  # a broken scheme is reported before the data is read
    ds = load_dataset(args.dataset)
    points, totals = score(ds.tables, scheme, args.year, args.level)
    prov = provenance_for_dataset(
        ds,
        {"scheme": scheme.id, "scheme_file": scheme.path, "scheme_digest": scheme.digest},
        {"year": args.year, "level": args.level or scheme.level, "command": "assess"},
    )
    files = {
        "assessment_points.csv": csv_bytes(points),  # UTF-8 with BOM (toolkit.report.csvout)
        "assessment_totals.csv": csv_bytes(totals),
        "assessment.xlsx": build_workbook_bytes(
            [
                Sheet("totals", totals, formats={c: "num2" for c in totals.columns if totals[c].dtype.kind == "f"}),
                Sheet(
                    "points",
                    points,
                    formats={"value": "num4", "share": "num4", "points": "num2", "points_possible": "num2"},
                ),
            ],
            lang="both",
        ),
        "provenance.json": (provenance_json(prov) + "\n").encode("utf-8"),
    }
    with staged_output(args.out) as stage:
        for name, data in files.items():
            stage.write_bytes(name, data)
    level = totals["level"].iloc[0] if len(totals) else args.level
    print(f"{scheme.id} ({scheme.name_zh}) · {args.year} · {len(totals)} {level} units scored → {args.out}")
    for row in totals.sort_values("total", ascending=False, kind="mergesort").head(10).itertuples(index=False):
        print(
            f"  {row.entity_id}: {row.total:.2f} / {row.out_of:g} (points {row.points:.2f} of {row.points_possible:g} with data)"
        )
    missing = points.loc[points["note"] != ""]
    if len(missing):
        print(
            f"{len(missing)} unit × indicator cells without data (rule applied per the scheme's `missing`), e.g. {missing['note'].iloc[0]}"
        )
    return 0
