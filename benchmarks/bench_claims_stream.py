"""Benchmark: stream a large synthetic claims province to Parquet in bounded memory.

    python benchmarks/bench_claims_stream.py                    # 20 M claims (the issue's size), 60 counties
    python benchmarks/bench_claims_stream.py --rows 2000000     # quick

Runs ``toolkit.data.synth.generate_province(claims=True)`` in a fresh subprocess (so its peak
resident memory, ``VmHWM``, is its own: benchmarks/peak_memory.py) into benchmarks/work/ (git-ignored), and records wall
time, rows per second, the peak resident memory, the peak of Python allocations seen by
``tracemalloc`` (optional: it slows the run, ``--tracemalloc``), the largest number of rows held
at once, and what holding every row in memory would cost for comparison (bytes of the Arrow
table per row × rows, measured on the first row group). Results go to
benchmarks/results/claims_stream.json.

There is no peer tool that generates this province; the comparison reported is against the
in-memory alternative (all rows as one Arrow table), as a ratio of memory.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from peak_memory import VMHWM_EXPR

ROOT = Path(__file__).resolve().parent
WORK = ROOT / "work" / "claims_stream"
RESULTS = ROOT / "results" / "claims_stream.json"

CHILD = r"""
import json, sys, time, tracemalloc
from toolkit.data.synth import generate_province
rows, counties, chunk, out, trace = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1"
if trace:
    tracemalloc.start()
start = time.perf_counter()
summary = generate_province(out, n_counties=counties, claims=True, claims_rows=rows, claims_chunk_rows=chunk)
wall = time.perf_counter() - start
peak_traced = tracemalloc.get_traced_memory()[1] if trace else None
print(json.dumps({"wall_seconds": wall, "vmhwm_kib": VMHWM,
                  "tracemalloc_peak_bytes": peak_traced, "claims_rows": summary["rows"]["claims"],
                  "max_rows_in_memory": summary["claims_max_rows_in_memory"]}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000)
    parser.add_argument("--counties", type=int, default=60)
    parser.add_argument("--chunk-rows", type=int, default=500_000)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the generated province under benchmarks/work/")
    args = parser.parse_args()

    out = WORK / f"rows_{args.rows}"
    if out.exists():
        shutil.rmtree(out)
    WORK.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD.replace("VMHWM", VMHWM_EXPR),
            str(args.rows),
            str(args.counties),
            str(args.chunk_rows),
            str(out),
            "1" if args.tracemalloc else "0",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
    )
    if proc.returncode:
        print(proc.stderr, file=sys.stderr)
        return proc.returncode
    child = json.loads(proc.stdout.strip().splitlines()[-1])

    import pyarrow.parquet as pq

    pf = pq.ParquetFile(out / "claims.parquet")
    meta = pf.metadata
    first = pf.read_row_group(0)
    bytes_per_row = first.nbytes / max(first.num_rows, 1)
    in_memory_bytes = bytes_per_row * meta.num_rows
    peak_bytes = child["vmhwm_kib"] * 1024
    result = {
        "benchmark": "claims_stream",
        "command": " ".join(["python", "benchmarks/bench_claims_stream.py"] + sys.argv[1:]),
        "when_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.machine(),
        },
        "requested_rows": args.rows,
        "claims_rows": child["claims_rows"],
        "counties": args.counties,
        "row_group_rows": args.chunk_rows,
        "row_groups": meta.num_row_groups,
        "parquet_bytes": (out / "claims.parquet").stat().st_size,
        "wall_seconds": round(child["wall_seconds"], 2),
        "rows_per_second": round(child["claims_rows"] / child["wall_seconds"]),
        "peak_rss_bytes": peak_bytes,
        "tracemalloc_peak_bytes": child["tracemalloc_peak_bytes"],
        "max_rows_in_memory": child["max_rows_in_memory"],
        "all_rows_in_memory_bytes_estimate": round(in_memory_bytes),
        "ratio_in_memory_to_peak_rss": round(in_memory_bytes / peak_bytes, 2),
        "note": "wall time includes the other tables, truth.json and hashing; peak RSS includes the Python/pandas/pyarrow runtime",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    if not args.keep:
        shutil.rmtree(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
