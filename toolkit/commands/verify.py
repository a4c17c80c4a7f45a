"""``python -m toolkit verify REPORT [--data DIR] [--params DIR]``: does a report still match its inputs?

Reads the provenance record embedded in a rendered report (``.html``) or an executed notebook
(``.ipynb``), recomputes the data hash of the dataset recorded there (or given with ``--data``)
and, when the report recorded a parameter snapshot, the snapshot's digest from the parameter
files (recorded folder or ``--params``). Exit status: 0 everything matches, 1 something changed,
2 the report or its inputs could not be read.
"""

from __future__ import annotations

import argparse

HELP = "check that a report still matches its data and parameters (核对报告与数据)"
DESCRIPTION = (
    "Recompute the data hash (and parameter digest) recorded in a report's provenance block and "
    "compare. Exit 0 = matches, 1 = inputs changed since the report was made, 2 = cannot check."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("report", metavar="REPORT", help="rendered report (.html) or executed notebook (.ipynb)")
    parser.add_argument("--data", default=None, help="dataset folder (default: the path recorded in the report)")
    parser.add_argument("--params", default=None, help="parameter folder (default: the one recorded in the report)")


def verify_report(report: str, data: str | None = None, params: str | None = None) -> tuple[bool, list[str]]:
    """(matches, lines to print). Raises ToolkitError when the report or inputs cannot be read."""
    from pathlib import Path

    from toolkit.data.load import load_dataset
    from toolkit.errors import ToolkitError
    from toolkit.report.provenance import read_provenance

    path = Path(report)
    if not path.is_file():
        raise ToolkitError(f"report not found: {path} — expected an .html report or an executed .ipynb")
    try:
        prov = read_provenance(path)
    except (ValueError, UnicodeDecodeError) as err:
        raise ToolkitError(f"cannot read the provenance of {path}: {err}") from None
    data_dir = data or prov.get("dataset_path")
    if not data_dir:
        raise ToolkitError(f"{path} does not record its dataset folder; give it with --data DIR")
    ds = load_dataset(data_dir, tables=prov.get("tables") or None)
    ok = ds.data_hash == prov.get("data_hash")
    lines = [
        f"report   {path}",
        f"data     {data_dir}",
        f"  recorded hash {prov.get('data_hash')}",
        f"  current  hash {ds.data_hash}  {'MATCH' if ok else 'CHANGED'}",
    ]
    if prov.get("params_digest_kind") == "snapshot" and prov.get("county_id") and prov.get("year") is not None:
        from toolkit.params.snapshot import snapshot

        params_dir = params or prov.get("params_dir")
        current = snapshot(prov["county_id"], int(prov["year"]), params_dir).digest()
        p_ok = current == prov.get("params_digest")
        ok = ok and p_ok
        lines += [
            f"params   {params_dir or '(default params/)'} county {prov['county_id']} year {prov['year']}",
            f"  recorded digest {prov.get('params_digest')}",
            f"  current  digest {current}  {'MATCH' if p_ok else 'CHANGED'}",
        ]
    lines.append("report matches its inputs" if ok else "report does NOT match its current inputs: rerun it")
    return ok, lines


def run(args: argparse.Namespace) -> int:
    ok, lines = verify_report(args.report, args.data, args.params)
    print("\n".join(lines))
    return 0 if ok else 1
