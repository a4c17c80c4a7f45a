"""Benchmark: HonestDiD Δ^SD FLCIs (createSensitivityResults) on the Medicaid example, ours vs the
Python port (PyPI honestdid), one run each, same inputs (tests/did/reference/honest_inputs.json),
M = 0, 0.01, …, 0.05 (HonestDiD's README grid).

Run with the benchmark venv (it has honestdid; see benchmarks/requirements.txt):
``benchmarks/.venv/bin/python benchmarks/bench_honest.py``. Writes
benchmarks/results/bench_honest.json with both times, their ratio (port / ours) and the largest
difference between the intervals; the machine is shared, so its load average is recorded.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.did.honest import flci_smoothness  # noqa: E402
from toolkit.io import write_text  # noqa: E402

MVEC = [0, 0.01, 0.02, 0.03, 0.04, 0.05]


def main() -> None:
    ex = json.loads((ROOT / "tests/did/reference/honest_inputs.json").read_text(encoding="utf-8"))["medicaid"]
    b, S = np.array(ex["betahat"]), np.array(ex["sigma"])
    t0 = time.perf_counter()
    ours = [flci_smoothness(b, S, 5, m, ex["l_vec"]) for m in MVEC]
    t_ours = time.perf_counter() - t0
    out = {
        "what": "Delta^SD FLCI, Medicaid example (5 pre, 2 post), 6 values of M, one run each",
        "ours_seconds": t_ours,
        "load_average_before": os.getloadavg(),
        "python": platform.python_version(),
    }
    try:
        import honestdid as hd

        t0 = time.perf_counter()
        port = hd.createSensitivityResults(
            betahat=b, sigma=S, numPrePeriods=5, numPostPeriods=2, l_vec=np.array(ex["l_vec"]), Mvec=MVEC, alpha=0.05
        )
        t_port = time.perf_counter() - t0
        diff = max(
            max(abs(o.low - float(lb)), abs(o.high - float(ub))) for o, lb, ub in zip(ours, port["lb"], port["ub"])
        )
        out.update(
            {
                "peer": f"honestdid {hd.__version__} (PyPI)",
                "peer_seconds": t_port,
                "ratio_peer_over_ours": t_port / t_ours,
                "max_abs_difference": diff,
            }
        )
    except ImportError:
        out["peer"] = "honestdid not installed: our time only"
    out["load_average_after"] = os.getloadavg()
    write_text(ROOT / "benchmarks/results/bench_honest.json", json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
