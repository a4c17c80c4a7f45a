"""``python -m toolkit scenario DATASET --reform FILE [--reform FILE2 …] --year Y [--county C] --out OUT``.

Settles the dataset once with the baseline parameters and once per reform file (a YAML file of
parameter changes in the format of ``params/counties/*.yaml``, see :mod:`toolkit.params.reform`),
and writes into ``OUT/``:

* ``scenario_comparison.csv`` — one row per reform: totals, money moved to each tier, winners and
  losers (several reforms side by side, so a commission can rank them);
* ``scenario_tiers.csv`` — per reform, county and tier: baseline, reform, difference;
* ``scenario_counties.csv``, ``scenario_communities.csv``, ``scenario_townships.csv``,
  ``scenario_units.csv`` — per reform and level: baseline, reform, difference of every measure,
  change % of what the unit keeps, winners / losers;
* ``scenario_changes.csv`` — the parameters each reform changes, baseline and reform values;
* ``scenario_checks.csv`` — the conservation checks of every settlement (baseline and reforms);
* ``scenario.xlsx`` (one sheet per table), ``scenario.html`` (summary with a chart) and
  ``provenance.json``.

CSV files are UTF-8 with a byte-order mark (Excel and WPS open them as UTF-8). Everything is
settled and checked before anything is written, and written all or nothing
(:func:`toolkit.io.staged_output`); a bad reform file, or an ``OUT`` inside the dataset, stops
with exit status 2.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

HELP = "compare the settlement under one or more reforms with the baseline (政策情景测算)"
DESCRIPTION = (
    "Settle the baseline and each reform (a YAML file of parameter changes, format of params/counties/*.yaml) "
    "for one year and write per unit, township, community and county: baseline, reform, difference, change %, "
    "money moved between tiers, winners and losers (CSV, Excel, HTML)."
)
TABLES = ["units", "unit_year", "ph_process", "ph_targets"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", metavar="DATASET", help="dataset folder (units, unit_year, ph_process, ph_targets)")
    parser.add_argument(
        "--reform",
        action="append",
        required=True,
        metavar="FILE",
        help="reform file (YAML, format of params/counties/*.yaml); repeat for several reforms",
    )
    parser.add_argument("--year", type=int, required=True, help="settlement year")
    parser.add_argument("--county", default=None, help="one county id (default: every county in units)")
    parser.add_argument("--params", default=None, metavar="DIR", help="baseline parameter folder (default: params/)")
    parser.add_argument("--out", required=True, metavar="OUT", help="output folder")
    parser.add_argument("--lang", default="zh", choices=["zh", "en", "both"], help="language of Excel and HTML")


def run(args: argparse.Namespace) -> int:
    from toolkit.catalogue import body_lang, text
    from toolkit.commands.selection import select_counties
    from toolkit.data.load import load_dataset
    from toolkit.data.synth import is_synth_output
    from toolkit.io import check_output, staged_output
    from toolkit.params.load import load_params
    from toolkit.params.reform import load_reforms
    from toolkit.params.snapshot import resolve
    from toolkit.report.csvout import money_csv_bytes
    from toolkit.report.excel import build_workbook_bytes
    from toolkit.report.provenance import provenance_for_dataset, provenance_json
    from toolkit.report.scenario import column_label, html_page, workbook_sheets
    from toolkit.settlement.scenario import run_scenario

    check_output([args.out], [args.dataset, *args.reform, args.params], folder=True)  # before any read or write
    paramset = load_params(args.params)
    reforms = load_reforms(args.reform)  # bad parameters and reforms are reported before the data is read
    ds = load_dataset(args.dataset, tables=TABLES + ["county_year"], require=TABLES)
    counties = select_counties(ds, args.county, args.dataset)
    baseline = {c: resolve(paramset, c, args.year) for c in counties}
    result = run_scenario(ds.tables, args.year, baseline, reforms)

    record = {
        "reforms": {
            r.name: {
                "file": Path(r.path).name,
                "sha256": hashlib.sha256(Path(r.path).read_bytes()).hexdigest(),
                "entries": r.describe(),
            }
            for r in reforms
        },
        "digests": {f"{variant} {county}": d for (variant, county), d in sorted(result.digests.items())},
    }
    # the parameters a reader sees are what the reforms set (the baseline is params/, digested with
    # params_dir); the reform files and each settlement's digest are recorded beside them
    changed = {
        f"{r.name} · {key} ({year})": value
        for r in reforms
        for key, entry in r.entries.items()
        for year, value in entry.values.items()
    }
    prov = provenance_for_dataset(
        ds,
        changed,
        {"command": "scenario", "year": args.year, "counties": counties, **record},
        params_dir=paramset.root,
    )
    files: list[tuple[str, bytes]] = []

    def labels(col: str) -> tuple[str, str]:
        return column_label(col, "zh"), column_label(col, "en")

    for name, frame in result.tables().items():
        files.append((f"scenario_{name}.csv", money_csv_bytes(frame, result.money, labels)))
    note = [
        text("scenario_workbook_note", body_lang(args.lang), data=ds.data_hash[:12], reforms=", ".join(result.reforms))
    ]
    synthetic = is_synth_output(Path(args.dataset))  # the manifest says so: the workbook and page labelled
    files.append(("scenario.xlsx", build_workbook_bytes(workbook_sheets(result, args.lang, note), synthetic=synthetic)))
    files.append(("scenario.html", html_page(result, args.lang, prov, synthetic=synthetic).encode("utf-8")))
    files.append(("provenance.json", (provenance_json(prov) + "\n").encode("utf-8")))
    with staged_output(args.out) as stage:  # every file or none; the previous output stays on a failure
        for name, data in files:
            stage.write_bytes(name, data)

    for row in result.comparison.itertuples():
        print(
            f"{row.reform} {args.year}: {row.units} units in {row.counties} counties · "
            f"kept by units {row.retained_difference:+,.2f} · to county tier {row.moved_to_county:+,.2f} · "
            f"township {row.moved_to_township:+,.2f} · village {row.moved_to_village:+,.2f} · "
            f"winners {row.winners} · losers {row.losers} · changed: {row.changed_parameters or 'nothing'}"
        )
    print(f"wrote {len(files)} files under {args.out}")
    return 0
