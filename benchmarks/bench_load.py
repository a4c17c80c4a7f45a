"""Benchmark: load and validate the default synthetic province (60 counties, seed 20240901).

Measures ``toolkit.data.load.load_dataset`` on the CSV province (ph_process 447,720 rows):

* ``uncached``: ``cache=False``, every table read and validated from the CSV files;
* ``first_load``: ``cache=True`` with an empty cache folder (validates, then writes the Parquet entry);
* ``cached_load``: ``cache=True`` again on the unchanged files (data hash recomputed, tables from Parquet);
* ``baseline``: the loader as it was at ``--baseline-commit`` (before vectorising), same files, same run;
* ``peer_pyarrow_read_csv``: plain ``pyarrow.csv.read_csv`` of the same files (no validation, types
  inferred): the floor a validating loader is compared with (goal: validated load within 3×);
* ``peer_pandas_read_csv``: plain ``pandas.read_csv`` of the same files, for comparison.

CPU time (process) and wall time, best of ``--repeat``. The machine has 2 cores shared with other
jobs: wall time varies with the load average recorded in the result; CPU time is the steadier number.

    python benchmarks/bench_load.py [--data DIR] [--repeat 3] [--baseline-commit 5404e80]

Writes benchmarks/results/load_dataset.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.data import cache as dataset_cache  # noqa: E402
from toolkit.data.load import load_dataset  # noqa: E402
from toolkit.data.synth import generate_province  # noqa: E402
from toolkit.io import write_text  # noqa: E402

#: the last commit before the loader was vectorised and cached
BASELINE_COMMIT = "5404e80"


def timed(call, repeat: int) -> dict:
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        call()
        walls.append(round(time.perf_counter() - w, 3))
        cpus.append(round(time.process_time() - c, 3))
    return {
        "wall_seconds_best": min(walls),
        "cpu_seconds_best": min(cpus),
        "wall_seconds_all": walls,
        "cpu_seconds_all": cpus,
    }


def baseline_loader(commit: str):
    """``load_dataset`` of load.py at ``commit`` (imported from `git show`, beside the current contract)."""
    source = subprocess.run(
        ["git", "show", f"{commit}:toolkit/data/load.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="bench_load_")) / "baseline_load.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("baseline_load", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_load"] = module
    spec.loader.exec_module(module)
    return module.load_dataset


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "work" / "load_province")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline-commit", default=BASELINE_COMMIT)
    ap.add_argument("--no-baseline", action="store_true", help="skip the (slow) old loader")
    args = ap.parse_args()
    data = args.data
    if not (data / "ph_process.csv").exists():
        generate_province(data)
    rows = {p.stem: sum(1 for _ in p.open(encoding="utf-8")) - 1 for p in sorted(data.glob("*.csv"))}

    results: dict = {}
    results["uncached"] = timed(lambda: load_dataset(data, cache=False), args.repeat)
    with tempfile.TemporaryDirectory(prefix="bench_load_cache_") as cache_dir:
        os.environ[dataset_cache.ENV_VAR] = cache_dir
        results["first_load"] = timed(lambda: (dataset_cache.clear(data), load_dataset(data)), args.repeat)
        reference = load_dataset(data, cache=False)
        cached = load_dataset(data)
        for name, frame in reference.tables.items():  # the cached tables are the validated ones
            pd.testing.assert_frame_equal(frame, cached.tables[name], check_exact=True)
        results["cached_load"] = timed(lambda: load_dataset(data), max(args.repeat, 5))
        del os.environ[dataset_cache.ENV_VAR]
    results["peer_pyarrow_read_csv"] = timed(lambda: [pv.read_csv(p) for p in sorted(data.glob("*.csv"))], args.repeat)
    results["peer_pandas_read_csv"] = timed(lambda: [pd.read_csv(p) for p in sorted(data.glob("*.csv"))], args.repeat)
    if not args.no_baseline:
        old = baseline_loader(args.baseline_commit)
        results["baseline"] = timed(lambda: old(data), 1)
        results["baseline"]["commit"] = args.baseline_commit

    cpu = {k: v["cpu_seconds_best"] for k, v in results.items()}
    out = {
        "benchmark": "load_dataset on the default synthetic province (60 counties): validate from CSV, "
        "and serve again from the validated-dataset cache",
        "rows": rows,
        **results,
        "ratios_cpu": {
            "uncached_vs_peer_pyarrow_read_csv": round(cpu["uncached"] / cpu["peer_pyarrow_read_csv"], 2),
            "uncached_vs_peer_pandas_read_csv": round(cpu["uncached"] / cpu["peer_pandas_read_csv"], 2),
            "cached_vs_peer_pandas_read_csv": round(cpu["cached_load"] / cpu["peer_pandas_read_csv"], 2),
            **(
                {
                    "baseline_vs_uncached_speedup": round(cpu["baseline"] / cpu["uncached"], 2),
                    "baseline_vs_cached_speedup": round(cpu["baseline"] / cpu["cached_load"], 2),
                }
                if "baseline" in cpu
                else {}
            ),
        },
        "peer_tool": "pyarrow.csv.read_csv (and pandas.read_csv) of the same files, no validation: the floor",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "pandas": pd.__version__,
            "pyarrow": pa.__version__,
            "load_average_1min": round(os.getloadavg()[0], 2),
        },
    }
    target = ROOT / "benchmarks" / "results" / "load_dataset.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text(target, json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
