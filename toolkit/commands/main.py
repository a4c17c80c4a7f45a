"""``python -m toolkit main``: the whole job, end to end (what ``scripts/run_sample.sh`` runs).

1. The dataset: ``--data DIR``, or the built-in synthetic province generated into ``data/sample``
   (deterministic; reused when its manifest says it was made with the same seed and size).
2. Validate it (``toolkit.data.load``): bad data stops here with exit status 2, nothing written.
3. Settlement statements and monitoring indicators, through the ``settle`` and ``indicators``
   commands, into ``<out>/settlement/`` and ``<out>/indicators/``.
4. The reports, as one batch (``toolkit.batch``): the county annual report of every county for
   the latest year; the unit settlement statements of the focal county C01 for the latest two
   years; the reform evaluation; the province overview. ``<out>/index.html`` links them all.

Exit status 0 when everything was made, 1 when some report failed (the others are still made),
2 for bad input. A notebook of the plan missing from ``notebooks/`` is an incomplete installation:
the other reports are still made, the missing one is named, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HELP = "the whole job on a dataset (default: the built-in synthetic province)"
DESCRIPTION = (
    "Generate (or take) a dataset, validate it, settle, compute indicators and render every report "
    "(county annual reports, unit settlement statements, reform evaluation, province overview) "
    "into --out, with an index.html. Reruns skip reports whose inputs did not change."
)

FOCAL_COUNTY = "C01"
#: notebook -> which counties and years it runs for ("all", "focal"; "latest", "latest2")
PLAN = [
    ("county_annual_report", "all", "latest"),
    ("unit_settlement", "focal", "latest2"),
    ("reform_evaluation", "focal", "latest"),
    ("province_overview", "focal", "latest"),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from toolkit.paths import SAMPLE_DATA_DIR

    parser.add_argument("--data", metavar="DIR", help="dataset folder (default: generate the synthetic province)")
    parser.add_argument(
        "--sample-dir",
        default=str(SAMPLE_DATA_DIR),
        metavar="DIR",
        help="where the synthetic province is generated when --data is not given (default: data/sample)",
    )
    parser.add_argument(
        "--sample-counties",
        type=int,
        default=int(os.environ.get("TOOLKIT_SAMPLE_COUNTIES", 60)),
        help="size of the synthetic province (default 60, or $TOOLKIT_SAMPLE_COUNTIES)",
    )
    parser.add_argument("--out", default="reports", help="output folder (default: reports)")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="parallel workers (default 2)")
    parser.add_argument(
        "--mode",
        choices=("fast", "isolated"),
        default="fast",
        help="fast: reused kernels (default); isolated: a fresh kernel per report",
    )
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="report language (default zh)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run the reports on a Dask cluster")
    parser.add_argument("--force", action="store_true", help="redo every report even if unchanged")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _sample_is_current(folder: Path, seed: int, n_counties: int) -> bool:
    """True when ``folder`` holds a complete synthetic province of this seed and size."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.is_file():
        return False
    try:
        from toolkit.batch.cache import file_sha256
        from toolkit.data import synth

        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("generator") != synth.GENERATOR or manifest.get("version") != synth.GENERATOR_VERSION:
            return False
        if manifest.get("seed") != seed or (manifest.get("args") or {}).get("n_counties") != n_counties:
            return False
        files = manifest.get("files") or {}
        return bool(files) and all(
            (folder / n).is_file() and file_sha256(folder / n) == f["sha256"] for n, f in files.items()
        )
    except (ValueError, OSError, AttributeError, KeyError, TypeError):
        return False


def ensure_sample(folder: Path, n_counties: int) -> Path:
    """Generate the synthetic province into ``folder`` unless an identical one is already there."""
    from toolkit.data.synth import DEFAULT_SEED, generate_province

    if _sample_is_current(folder, DEFAULT_SEED, n_counties):
        print(f"sample data 样例数据: {folder} (up to date, reused)")
    else:
        generate_province(folder, seed=DEFAULT_SEED, n_counties=n_counties)
        print(f"sample data 样例数据: generated {n_counties} counties into {folder}")
    return folder


def _run_command(name: str, argv: list[str]) -> int:
    """Run another toolkit command with its own argument parsing (so its defaults apply)."""
    import importlib

    module = importlib.import_module(f"toolkit.commands.{name}")
    parser = argparse.ArgumentParser(prog=f"toolkit {name}")
    module.add_arguments(parser)
    return int(module.run(parser.parse_args(argv)) or 0)


def _pick(kind: str, available: list, focal: str | None = None) -> list:
    if kind == "all":
        return list(available)
    if kind == "focal":
        return [focal if focal in available else available[0]]
    if kind == "latest":
        return [max(available)]
    if kind == "latest2":
        return sorted(available)[-2:]
    raise ValueError(kind)


def run(args: argparse.Namespace) -> int:
    """The whole job under one lock of ``--out``, taken before the first write (the sample included)."""
    from toolkit.io import check_output, output_lock

    check_output([args.out], [args.data or args.sample_dir], folder=True)
    with output_lock(args.out, what="another run of main"):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from toolkit.batch.runner import format_summary, plan_jobs, run_batch
    from toolkit.data.load import load_dataset
    from toolkit.errors import ToolkitError
    from toolkit.io import staged_output
    from toolkit.paths import NOTEBOOKS_DIR

    if args.data:
        data_dir = Path(args.data)
        if not data_dir.is_dir():
            raise ToolkitError(
                f"--data {args.data!r} does not exist — expected a dataset folder (see docs/data_contract.md)"
            )
    else:
        data_dir = ensure_sample(Path(args.sample_dir), args.sample_counties)

    ds = load_dataset(data_dir)  # validates every table present; ValidationError → exit 2, nothing written
    county_year = ds.tables["county_year"]
    counties = sorted(set(county_year["county_id"].astype(str)))
    years = sorted(set(int(y) for y in county_year["year"]))
    latest = max(years)
    print(f"dataset 数据: {data_dir} valid — {len(counties)} counties, {years[0]}–{latest}")

    out = Path(args.out)
    status = 0
    # settlement statements for the latest year and the monitoring indicators of every county-year
    # both into one staging folder, published together: settlement/ never stands without indicators
    with staged_output(out) as stage:
        steps = [
            (
                "settle",
                [str(data_dir), "--year", str(latest), "--out", str(stage.root / "settlement"), "--lang", args.lang],
            ),
            ("indicators", [str(data_dir), "--out", str(stage.root / "indicators")]),
        ]
        for name, argv in steps:
            _run_command(name, argv)

    jobs = []
    missing = []
    for notebook, county_kind, year_kind in PLAN:
        path = NOTEBOOKS_DIR / f"{notebook}.ipynb"
        if not path.is_file():
            missing.append(notebook)
            continue
        jobs += plan_jobs(
            [path],
            data_dir,
            _pick(county_kind, counties, FOCAL_COUNTY),
            _pick(year_kind, years),
            out,
            mode=args.mode,
            extra={"lang": args.lang},
        )
    for notebook in missing:
        print(f"error 错误: notebooks/{notebook}.ipynb is missing; its reports were not made", file=sys.stderr)
        status = 1
    if jobs:
        result = run_batch(
            jobs, out, workers=args.workers, scheduler=args.scheduler, force=args.force, progress=not args.no_progress
        )
        print(format_summary(result))
        status = max(status, result.exit_status)
    print(f"reports 报告: open {(out / 'index.html').resolve()}")
    return status
