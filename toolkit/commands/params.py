"""``python -m toolkit params --county C --year Y [--params DIR] [--format table|csv|json]``.

Prints the policy parameters in force for one county and year: value, labels, unit, start year,
source and file (province default or county override), plus the snapshot's digest. Loading
validates every parameter file; a bad file exits 2 naming file, key and value.
"""

from __future__ import annotations

import argparse
import json

HELP = "show the policy parameters in force for a county and year (政策参数)"
DESCRIPTION = "Print the dated policy parameters in force for one county in one year, with labels, units and sources."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--county", required=True, help="county id (a county without an override file gets the province default)"
    )
    parser.add_argument("--year", type=int, required=True, help="year")
    parser.add_argument(
        "--params", default=None, metavar="DIR", help="parameter folder (default: the project's params/)"
    )
    parser.add_argument("--format", default="table", choices=["table", "csv", "json"], help="output format")


def run(args: argparse.Namespace) -> int:
    from toolkit.params.snapshot import snapshot

    snap = snapshot(args.county, args.year, args.params)
    if args.format == "csv":
        print(snap.to_frame().to_csv(index=False, lineterminator="\n"), end="")
    elif args.format == "json":
        print(
            json.dumps(
                {"county_id": snap.county_id, "year": snap.year, "digest": snap.digest(), "values": snap.as_dict()},
                ensure_ascii=False,
                indent=2,
                sort_keys=True,
            )
        )
    else:
        print(snap)
    return 0
