"""Benchmark: Callaway–Sant'Anna on 3,000 units × 20 years with 4 cohorts, ours vs csdid, one run.

Issue target: csdid takes 0.20 s analytic and 1.06 s with 1,000 bootstrap draws on this size;
ours should be no slower than the fastest peer. Both tools run in this process on the same data:

* analytic: ATT(g,t) for all cells with influence-function SEs + the simple aggregation;
* bootstrap: the same with 1,000 multiplier-bootstrap draws (ours: Rademacher, as R did).

Run with the benchmark venv (it has csdid; see benchmarks/requirements.txt):
``benchmarks/.venv/bin/python benchmarks/bench_did_cs.py [--repeat 3]``. Without csdid only our
times are written. Writes benchmarks/results/bench_did_cs.json with the ratios (ours / peer) and
the largest difference between the two tools' ATT(g,t) (they must agree). The machine is shared:
its load average is recorded beside the times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.did.aggregate import aggte  # noqa: E402
from toolkit.did.staggered import att_gt  # noqa: E402
from toolkit.io import write_text  # noqa: E402


def make_panel(n_units: int = 3000, years: int = 20, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = np.arange(2001, 2001 + years)
    cohorts = np.array([0, 2006, 2010, 2014, 2018])
    g = cohorts[rng.integers(0, len(cohorts), n_units)]
    y = rng.normal(0, 1, n_units)[:, None] + 0.05 * (t - t[0])[None, :] + rng.normal(0, 1, (n_units, years))
    y = y + np.where((g[:, None] > 0) & (t[None, :] >= g[:, None]), 0.5 + 0.1 * (t[None, :] - g[:, None]), 0.0)
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(1, n_units + 1), years),
            "year": np.tile(t, n_units),
            "g": np.repeat(g, years),
            "y": y.reshape(-1),
        }
    )


def best_of(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=3000)
    p.add_argument("--years", type=int, default=20)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--biters", type=int, default=1000)
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "bench_did_cs.json"))
    a = p.parse_args(argv)
    d = make_panel(a.units, a.years)

    def ours_analytic():
        r = att_gt(d, "y", "id", "year", "g", cband=False)
        return r, aggte(r, "simple", cband=False)

    def ours_boot():
        r = att_gt(d, "y", "id", "year", "g", bootstrap=True, biters=a.biters, seed=1)
        return r, aggte(r, "simple")

    ours_analytic()  # warm-up (imports, caches)
    t_oa, (r_oa, s_oa) = best_of(ours_analytic, a.repeat)
    t_ob, (r_ob, s_ob) = best_of(ours_boot, a.repeat)
    result = {
        "benchmark": "bench_did_cs",
        "data": {"units": a.units, "years": a.years, "cohorts": 4, "cells": int(len(r_oa.cells))},
        "issue_reference_seconds": {"csdid_analytic": 0.20, "csdid_bootstrap_1000": 1.06},
        "ours": {
            "analytic_s": round(t_oa, 4),
            "bootstrap_s": round(t_ob, 4),
            "simple_att": s_oa.estimate,
            "simple_se_analytic": s_oa.se,
            "simple_se_bootstrap": s_ob.se,
        },
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "repeat": a.repeat,
    }
    try:
        from csdid.att_gt import ATTgt
    except ImportError:
        result["csdid"] = "not installed (benchmarks/.venv)"
    else:
        import csdid

        def peer(bstrap: bool):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m = ATTgt(
                    yname="y",
                    tname="year",
                    idname="id",
                    gname="g",
                    data=d,
                    control_group=["nevertreated"],
                    biters=a.biters,
                    cband=False,
                )
                m.fit(est_method="dr", bstrap=bstrap)
                m.aggte(typec="simple", bstrap=bstrap)
            return m

        peer(False)
        t_pa, m_pa = best_of(lambda: peer(False), a.repeat)
        t_pb, m_pb = best_of(lambda: peer(True), a.repeat)
        peer_att = np.asarray(m_pa.MP["att"] if isinstance(m_pa.MP, dict) else m_pa.MP.att, dtype=float).reshape(-1)
        ours_att = r_oa.cells["estimate"].to_numpy()
        diff = float(np.max(np.abs(np.sort(peer_att) - np.sort(ours_att)))) if len(peer_att) == len(ours_att) else None
        result["csdid"] = {
            "version": getattr(csdid, "__version__", "?"),
            "analytic_s": round(t_pa, 4),
            "bootstrap_s": round(t_pb, 4),
            "max_abs_att_gt_difference": diff,
        }
        result["ratio_ours_over_csdid"] = {"analytic": round(t_oa / t_pa, 3), "bootstrap": round(t_ob / t_pb, 3)}
    write_text(a.out, json.dumps(result, indent=2, sort_keys=True, default=float) + "\n")
    print(json.dumps(result, indent=2, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
