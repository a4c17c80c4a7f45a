"""``toolkit batch DATASET --notebook NAME --counties all|C1,C2 --years 2019-2024 --out reports/ [-p KEY=VALUE]``

``-p KEY=VALUE`` (repeatable) sets a parameter the notebook declares (e.g. ``-p estimator=sa`` for
reform_evaluation); parameters the batch sets itself have their own options.

Runs a notebook for every (county, year) with papermill's parameter injection, in parallel,
skipping reports whose inputs did not change (see :mod:`toolkit.batch.runner`). Exit status 0
when every report was made, 1 when any failed (the rest are still made), 2 for a bad command line.
"""

from __future__ import annotations

import argparse
import os

HELP = "run a notebook for every county × year (parallel, skips unchanged, resumable)"
DESCRIPTION = (
    "Run parameterized notebooks for every (county, year), in parallel: a local process pool by "
    "default, or an existing Dask cluster with --scheduler. A failing report does not stop the "
    "batch; unchanged reports are skipped on rerun; a killed batch resumes. Writes "
    "<out>/<notebook>/<county>/<year>.html (+ .ipynb, _files/) and <out>/index.html."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dataset", help="dataset folder (tables as in docs/data_contract.md)")
    parser.add_argument(
        "--notebook",
        action="append",
        required=True,
        metavar="NAME",
        help="notebook name in notebooks/ or path to an .ipynb (repeatable)",
    )
    parser.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="notebook parameter, e.g. -p estimator=sa -p counties=C01,C02 (repeatable; numbers and "
        "true/false/none are converted as papermill does)",
    )
    parser.add_argument("--counties", default="all", help="all (default) or a comma list, e.g. C01,C02")
    parser.add_argument("--years", default="latest", help="e.g. 2019-2024, 2019,2021, all or latest (default)")
    parser.add_argument("--out", default="reports", help="output folder (default: reports)")
    parser.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="parallel worker processes (default: 2; 0 = run in this process)",
    )
    parser.add_argument(
        "--mode",
        choices=("fast", "isolated"),
        default="fast",
        help="fast: each worker reuses one kernel, wiped between notebooks (default); "
        "isolated: papermill with a fresh kernel per notebook",
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run on an existing Dask cluster, e.g. tcp://host:8786")
    parser.add_argument("--force", action="store_true", help="redo every report even if unchanged")
    parser.add_argument("--lang", choices=("zh", "en"), help="report language (default: the notebook's)")
    parser.add_argument("--params-dir", help="policy parameter folder (default: params/)")
    parser.add_argument(
        "--suppress-threshold", type=int, help="small-cell suppression threshold (default: the notebook's)"
    )
    parser.add_argument("--timeout", type=float, default=600, help="seconds a single cell may run (default 600)")
    parser.add_argument(
        "--restart-every",
        type=int,
        default=None,
        help="fast mode: fresh kernel after this many notebooks (default 200; 0 = only after a failure)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


#: parameters the batch sets itself (or through their own option): not settable with -p
RESERVED_PARAMETERS = {
    "data_dir": "the DATASET argument",
    "county_id": "--counties",
    "year": "--years",
    "output_dir": "--out",
    "exec_mode": "--mode",
    "params_dir": "--params-dir",
    "lang": "--lang",
    "suppress_threshold": "--suppress-threshold",
}


def _value(text: str):
    """papermill's ``-p`` typing: ints, floats, True/False/None (any case), else the text itself."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_parameters(items: list[str], declared: set[str]) -> dict:
    """``KEY=VALUE`` strings → dict; a malformed item, a reserved key or a key no notebook declares
    is a ToolkitError (exit 2) before any kernel starts."""
    from toolkit.errors import ToolkitError

    out: dict = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise ToolkitError(f"-p {item!r} — expected KEY=VALUE, e.g. -p estimator=sa")
        if key in RESERVED_PARAMETERS:
            raise ToolkitError(f"-p {key}=… — set it with {RESERVED_PARAMETERS[key]}")
        if key not in declared:
            raise ToolkitError(
                f"-p {key}=… — the notebook declares no parameter {key!r}; it declares {', '.join(sorted(declared))}"
            )
        out[key] = _value(value)
    return out


def run(args: argparse.Namespace) -> int:
    from toolkit.batch.runner import (
        dataset_counties_years,
        format_summary,
        parse_counties,
        plan_jobs,
        run_batch,
    )
    from toolkit.errors import ToolkitError
    from toolkit.years import parse_years

    if args.workers < 0:
        raise ToolkitError(f"--workers {args.workers} — expected 0 or more")
    counties_available: list[str] = []
    years_available: list[int] = []
    # the dataset is validated before any kernel starts (a served-from-cache load takes ~0.1 s), and
    # explicit counties and years are checked against it: a typo is one clear error (exit 2), not
    # one failed report per combination
    counties_available, years_available = dataset_counties_years(args.dataset)
    counties = parse_counties(args.counties, counties_available)
    years = parse_years(args.years, years_available)
    declared: set[str] = set()
    if args.parameter:
        from toolkit.batch.job import declared_parameters
        from toolkit.batch.runner import resolve_notebook

        for name in args.notebook:
            declared |= set(declared_parameters(resolve_notebook(name)))
    extra = {
        **parse_parameters(args.parameter, declared),
        "lang": args.lang,
        "suppress_threshold": args.suppress_threshold,
    }
    jobs = plan_jobs(
        args.notebook,
        args.dataset,
        counties,
        years,
        args.out,
        mode=args.mode,
        params_dir=args.params_dir,
        extra={k: v for k, v in extra.items() if v is not None},
        timeout=args.timeout,
    )
    result = run_batch(
        jobs,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        force=args.force,
        progress=not args.no_progress,
        restart_every=args.restart_every,
    )
    print(format_summary(result))
    return result.exit_status
