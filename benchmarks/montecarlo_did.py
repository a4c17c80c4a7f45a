"""Monte Carlo: coverage of the heterogeneity-robust estimators and TWFE's bias, staggered adoption.

DGP (our own, documented here): ``n_units`` counties, years 2010–2019, each county drawn iid
into cohort 2013 / 2015 / 2017 / never treated with probability ¼ each; y = unit effect + year effect + ε (iid N(0, 1)); the effect
of the reform grows with time since reform and is larger for early cohorts:
τ(g, e) = s_g · (1 + 0.5·e), s = 2.0 (2013), 1.0 (2015), 0.5 (2017). Early cohorts serve as
"controls" for later ones in TWFE, whose coefficient is then biased (Goodman-Bacon 2021).

Estimand: the average effect over treated county-years = CS's simple aggregation (each post
cell weighted by cohort size) = Sun–Abraham's headline = BJS's overall ATT. Two versions:
the *population* ATT (cohort shares ¼ each: 3.15) and the *sample* ATT of each draw (realised
cohort sizes). Which one an interval should cover depends on its inference: CS's influence
function includes the estimation of the cohort weights (R did's ``wif``) and BJS's unit bootstrap
redraws cohorts, so both target the population ATT; Sun–Abraham's delta method holds the cohort
shares fixed, so it targets the sample ATT. ``coverage_95`` is against the matching target; both
coverages are reported.

Run: ``python benchmarks/montecarlo_did.py [--draws 300] [--units 300] [--bjs]``; writes
benchmarks/results/montecarlo_did.json. Coverage should be 93–97% for CS and SA.
"""

from __future__ import annotations

import os

# many small matrix steps per draw: a multithreaded BLAS spends more on its threads than it saves,
# and on a shared 2-core machine it takes the other core too (sizes and coverages do not depend on it)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from toolkit.did.aggregate import aggte  # noqa: E402
from toolkit.did.imputation import bjs_imputation
from toolkit.did.staggered import att_gt  # noqa: E402
from toolkit.did.sun_abraham import sun_abraham  # noqa: E402
from toolkit.io import write_text  # noqa: E402

YEARS = np.arange(2010, 2020)
COHORTS = (2013, 2015, 2017, 0)
SCALE = {2013: 2.0, 2015: 1.0, 2017: 0.5}


def effect(g: int, t: np.ndarray) -> np.ndarray:
    e = t - g
    return np.where((g > 0) & (e >= 0), SCALE.get(g, 0.0) * (1 + 0.5 * e), 0.0)


def true_att() -> float:
    """Mean effect over treated county-years (equal cohort sizes)."""
    vals = [effect(g, t) for g in COHORTS if g for t in YEARS if t >= g]
    return float(np.mean(vals))


def sample_att(d: pd.DataFrame) -> float:
    treated = (d["g"] > 0) & (d["year"] >= d["g"])
    return float(np.mean(effect_rows(d["g"].to_numpy()[treated], d["year"].to_numpy()[treated])))


def effect_rows(g: np.ndarray, t: np.ndarray) -> np.ndarray:
    scale = np.vectorize(lambda c: SCALE.get(int(c), 0.0))(g) if len(g) else np.array([])
    e = t - g
    return np.where((g > 0) & (e >= 0), scale * (1 + 0.5 * e), 0.0)


def draw_panel(rng: np.random.Generator, n_units: int) -> pd.DataFrame:
    g = np.array(COHORTS)[rng.integers(0, len(COHORTS), n_units)]
    a = rng.normal(0, 1, n_units)
    lam = np.cumsum(rng.normal(0.1, 0.2, len(YEARS)))
    y = a[:, None] + lam[None, :] + rng.normal(0, 1, (n_units, len(YEARS)))
    y += np.vstack([effect(int(gi), YEARS) for gi in g])
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n_units), len(YEARS)),
            "year": np.tile(YEARS, n_units),
            "g": np.repeat(g, len(YEARS)),
            "y": y.reshape(-1),
        }
    )


def _twfe(d: pd.DataFrame) -> tuple[float, float]:
    from toolkit.did.twfe import twfe

    r = twfe(d, yname="y", idname="unit", tname="year", gname="g")
    return r.estimate, r.se


def run(
    draws: int = 300, n_units: int = 300, seed: int = 20240901, with_bjs: bool = False, with_sa: bool = True
) -> dict:
    rng = np.random.default_rng(seed)
    truth = true_att()
    est: dict[str, list[tuple[float, float]]] = {"cs": [], "sa": [], "twfe": []}
    if not with_sa:
        del est["sa"]
    if with_bjs:
        est["bjs"] = []
    sample_truth = []
    started = time.perf_counter()
    for _ in range(draws):
        d = draw_panel(rng, n_units)
        sample_truth.append(sample_att(d))
        cs = aggte(att_gt(d, "y", "unit", "year", "g"), "simple")
        est["cs"].append((cs.estimate, cs.se))
        if with_sa:
            sa = sun_abraham(d, "y", "unit", "year", "g")
            est["sa"].append((sa.estimate, sa.se))
        est["twfe"].append(_twfe(d))
        if with_bjs:
            b = bjs_imputation(d, "y", "unit", "year", "g", biters=99, seed=int(rng.integers(1 << 30)))
            est["bjs"].append((b.estimate, b.se))
    z = 1.959963984540054
    summary = {}
    st = np.array(sample_truth)
    target = {"cs": "population", "bjs": "population", "sa": "sample", "twfe": "population"}
    for name, vals in est.items():
        e = np.array([v[0] for v in vals])
        s = np.array([v[1] for v in vals])
        cover_pop = np.abs(e - truth) <= z * s
        cover_smp = np.abs(e - st) <= z * s
        cover = cover_pop if target[name] == "population" else cover_smp
        summary[name] = {
            "target": target[name],
            "coverage_population": float(cover_pop.mean()),
            "coverage_sample": float(cover_smp.mean()),
            "mean_estimate": float(e.mean()),
            "bias": float(e.mean() - truth),
            "relative_bias": float((e.mean() - truth) / truth),
            "sd_of_estimates": float(e.std(ddof=1)),
            "mean_se": float(s.mean()),
            "coverage_95": float(cover.mean()),
            "coverage_mc_se": float(math.sqrt(cover.mean() * (1 - cover.mean()) / len(cover))),
        }
    return {
        "benchmark": "montecarlo_did",
        "draws": draws,
        "n_units": n_units,
        "years": [int(YEARS[0]), int(YEARS[-1])],
        "cohorts": [c for c in COHORTS if c],
        "seed": seed,
        "true_att": truth,
        "estimators": summary,
        "seconds": round(time.perf_counter() - started, 2),
        "dgp": "y = unit FE + year FE + N(0,1); tau(g,e) = s_g (1 + 0.5 e), s = 2.0/1.0/0.5 for 2013/2015/2017",
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--draws", type=int, default=300)
    p.add_argument("--units", type=int, default=300)
    p.add_argument("--seed", type=int, default=20240901)
    p.add_argument("--bjs", action="store_true", help="also BJS imputation (unit bootstrap, slower)")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "montecarlo_did.json"))
    a = p.parse_args(argv)
    res = run(a.draws, a.units, a.seed, a.bjs)
    write_text(a.out, json.dumps(res, indent=2, sort_keys=True) + "\n")
    print(json.dumps(res["estimators"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
