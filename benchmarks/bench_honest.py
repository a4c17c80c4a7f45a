"""Benchmark: HonestDiD confidence sets on the Medicaid example, ours vs the Python port (PyPI
honestdid), same inputs (tests/did/reference/honest_inputs.json), one run each in the same process:

* Δ^SD FLCIs (createSensitivityResults), M = 0, 0.01, …, 0.05 (HonestDiD's README grid);
* Δ^RM least-favourable hybrid sets (createSensitivityResults_relativeMagnitudes, method C-LF,
  1000 grid points), M̄ = 0.5, 1, 1.5, 2 (the README table).

Run with the benchmark venv (it has honestdid; see benchmarks/requirements.txt):
``benchmarks/.venv/bin/python benchmarks/bench_honest.py``. The port's relative-magnitudes code
needs the float shim of tests/did/reference/make_honest_reference.py under NumPy ≥ 2.4 (applied
here the same way, at run time; the port is not edited). Writes
benchmarks/results/bench_honest.json with CPU and wall seconds of both, their ratio (port / ours),
the load average (the machine is shared) and the largest difference between the sets. The port's
hybrid draws its simulated critical value from NumPy's generator, ours (like R) from R's, so ends
may differ by a grid step there; R's own results are the reference (tests/did/test_honest_arp.py).
"""

from __future__ import annotations

import importlib.util
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
from toolkit.did.honest_arp import conditional_cs_rm  # noqa: E402
from toolkit.io import write_text  # noqa: E402

MVEC = [0, 0.01, 0.02, 0.03, 0.04, 0.05]
MBARVEC = [0.5, 1.0, 1.5, 2.0]


def _clock():
    return time.process_time(), time.perf_counter()


def _since(start):
    cpu, wall = start
    return time.process_time() - cpu, time.perf_counter() - wall


def _port_shim() -> None:
    path = ROOT / "tests/did/reference/make_honest_reference.py"
    spec = importlib.util.spec_from_file_location("make_honest_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module._let_port_run()


def main() -> None:
    ex = json.loads((ROOT / "tests/did/reference/honest_inputs.json").read_text(encoding="utf-8"))["medicaid"]
    b, S = np.array(ex["betahat"]), np.array(ex["sigma"])
    out = {
        "what": "HonestDiD on the Medicaid example (5 pre, 2 post): Delta^SD FLCI for 6 values of M; Delta^RM "
        "C-LF hybrid (1000 grid points) for 4 values of Mbar; one run each",
        "load_average_before": os.getloadavg(),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    t = _clock()
    ours_sd = [flci_smoothness(b, S, 5, m, ex["l_vec"]) for m in MVEC]
    out["flci_ours_cpu_seconds"], out["flci_ours_wall_seconds"] = _since(t)
    t = _clock()
    ours_rm = [conditional_cs_rm(b, S, 5, m, ex["l_vec"]) for m in MBARVEC]
    out["rm_hybrid_ours_cpu_seconds"], out["rm_hybrid_ours_wall_seconds"] = _since(t)
    out["rm_hybrid_ours"] = {"Mbar": MBARVEC, "lb": [c.low for c in ours_rm], "ub": [c.high for c in ours_rm]}
    try:
        import honestdid as hd

        _port_shim()
        out["peer"] = f"honestdid {hd.__version__} (PyPI)"
        t = _clock()
        port = hd.createSensitivityResults(
            betahat=b, sigma=S, numPrePeriods=5, numPostPeriods=2, l_vec=np.array(ex["l_vec"]), Mvec=MVEC, alpha=0.05
        )
        out["flci_peer_cpu_seconds"], out["flci_peer_wall_seconds"] = _since(t)
        out["flci_ratio_peer_over_ours_cpu"] = out["flci_peer_cpu_seconds"] / out["flci_ours_cpu_seconds"]
        out["flci_max_abs_difference"] = max(
            max(abs(o.low - float(lb)), abs(o.high - float(ub))) for o, lb, ub in zip(ours_sd, port["lb"], port["ub"])
        )
        t = _clock()
        port_rm = hd.createSensitivityResults_relativeMagnitudes(
            betahat=b,
            sigma=S,
            numPrePeriods=5,
            numPostPeriods=2,
            l_vec=np.array(ex["l_vec"]),
            Mbarvec=MBARVEC,
            alpha=0.05,
            method="C-LF",
        )
        out["rm_hybrid_peer_cpu_seconds"], out["rm_hybrid_peer_wall_seconds"] = _since(t)
        out["rm_hybrid_ratio_peer_over_ours_cpu"] = (
            out["rm_hybrid_peer_cpu_seconds"] / out["rm_hybrid_ours_cpu_seconds"]
        )
        out["rm_hybrid_ratio_peer_over_ours_wall"] = (
            out["rm_hybrid_peer_wall_seconds"] / out["rm_hybrid_ours_wall_seconds"]
        )
        out["rm_hybrid_peer"] = {"lb": [float(x) for x in port_rm["lb"]], "ub": [float(x) for x in port_rm["ub"]]}
        diffs = [abs(o.low - float(lb)) for o, lb in zip(ours_rm, port_rm["lb"])] + [
            abs(o.high - float(ub)) for o, ub in zip(ours_rm, port_rm["ub"])
        ]
        step = 40 * float(np.sqrt(S[5, 5])) / 999
        out["rm_hybrid_max_abs_difference"] = max(diffs)
        out["rm_hybrid_grid_step"] = step
        out["rm_hybrid_ends_differing_from_port"] = sum(d > 1e-12 for d in diffs)
    except ImportError:
        out["peer"] = "honestdid not installed: our times only"
    out["load_average_after"] = os.getloadavg()
    write_text(ROOT / "benchmarks/results/bench_honest.json", json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
