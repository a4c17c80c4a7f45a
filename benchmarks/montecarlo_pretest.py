"""Monte Carlo: size (and power) of the pre-trend tests on panels shaped like the synthetic province.

Question: the reform-evaluation report flagged differing pre-reform trends in hospitalisation_rate
on the synthetic province because R ``did``'s Wald pre-test (all 20 pre-treatment ATT(g,t) cells,
χ²(20)) gave p = 0.001, while the generator has parallel trends by construction. Is that test
well sized with cohorts of 8/20/12 counties?

DGP (our own light-weight copy of toolkit.data.synth_model's hospitalisation rate, per 100
insured): 60 counties, years 2012–2024, cohorts 2017 (8), 2019 (20), 2023 (12), never (20);
``y_it = base_i + (0.10 + s_i)·(t − 2012) + τ_it + ε_it`` with base_i ~ U(15.5, 18),
s_i ~ N(0, 0.06²), ε_it ~ N(0, 16.5·100 / insured_i) (the Poisson noise of admissions / insured,
insured_i ~ U(200k, 1.2M) × U(0.82, 0.92)), τ = −scale_g (0.8 + 0.3 e) after reform
(scale 1.5 / 1.0 / 0.8). Scenarios:

* ``generator``: s_i demeaned within each cohort, as the generator does (parallel trends exact in
  the sample);
* ``generator_no_effects``: the same without reform effects (τ = 0): shows that the TWFE lead
  test's excess rejections come from cohort-heterogeneous post-reform effects leaking into the
  leads (Sun & Abraham 2021), not from the small sample;
* ``random_slopes``: s_i not demeaned (parallel trends hold in expectation only);
* ``pretrend_<delta>``: the generator's design plus a differential untreated trend of ``delta`` per
  year in every reformed county (``--delta``, default 0.03 = half the county slope SD, and twice
  that): a real violation, so the rejection rate is power.

Tests (all at 5%, not-yet-treated controls as in the report):

* ``cs_wald_all`` — R did's Wald over all pre cells, χ²(k) (:func:`toolkit.did.staggered.att_gt`);
* ``twfe_event_f`` — TWFE event study, cluster-robust Wald of the leads, F(q, G−1);
* ``cs_dynamic`` — Wald W on the pre-treatment event-time effects of the CS dynamic aggregation
  with the Hotelling T² reference W·(G−q)/(q·(G−1)) vs F(q, G−q)
  (:func:`toolkit.did.pretest.dynamic_pretest`, the report's verdict); ``cs_dynamic_f_naive`` the
  same W as W/q vs F(q, G−1) (the TWFE convention); ``cs_dynamic_chi2`` W vs χ²(q);
* ``cs_uniform_band`` — sup-t multiplier-bootstrap band over the pre event times excludes 0
  (R did's recommended check; :func:`toolkit.did.pretest.uniform_band_pretest`, 999 draws);
* ``sa_wald_all`` — Sun–Abraham's own pre-test (:func:`toolkit.did.sun_abraham.sun_abraham`,
  never-treated controls): Wald of all pre cells δ_{g,e}, e < −1, CR1 by county, χ²(q);
  ``sa_wald_all_hotelling`` the same W with the Hotelling reference F(q, G−q)
  (``diagnostics["pretrend"]``). BJS imputation has no pre-test of its own.

``--generator-seeds K`` also runs the real province generator (toolkit.data.synth, ~5 s each) on
K seeds and records each test's p-value for hospitalisation_rate.

Run: ``python benchmarks/montecarlo_pretest.py [--draws 300] [--generator-seeds 8]``; writes
benchmarks/results/montecarlo_pretest.json.
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
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from toolkit.did.event_study import event_study  # noqa: E402
from toolkit.did.pretest import dynamic_pretest, uniform_band_pretest  # noqa: E402
from toolkit.did.staggered import att_gt  # noqa: E402
from toolkit.did.sun_abraham import sun_abraham  # noqa: E402
from toolkit.io import write_text  # noqa: E402

YEARS = np.arange(2012, 2025)
COHORTS = ((2017, 8), (2019, 20), (2023, 12), (0, 20))
SCALE = {2017: 1.5, 2019: 1.0, 2023: 0.8}
SLOPE, SLOPE_SD, RATE = 0.10, 0.06, 16.5
TESTS = (
    "cs_wald_all",
    "twfe_event_f",
    "cs_dynamic",
    "cs_dynamic_f_naive",
    "cs_dynamic_chi2",
    "cs_uniform_band",
    "sa_wald_all",
    "sa_wald_all_hotelling",
)
ALPHA = 0.05


def draw_panel(rng: np.random.Generator, scenario: str, delta: float = 0.0, effects: bool = True) -> pd.DataFrame:
    g = np.concatenate([[c] * k for c, k in COHORTS])
    n = len(g)
    t0 = (YEARS - YEARS[0]).astype(float)
    s = rng.normal(0, SLOPE_SD, n)
    if scenario in ("generator", "pretrend"):
        for c in np.unique(g):
            s[g == c] -= s[g == c].mean()
    if scenario == "pretrend":
        s = s + delta * (g > 0)
    insured = rng.uniform(200_000, 1_200_000, n) * rng.uniform(0.82, 0.92, n)
    sd = np.sqrt(RATE * 100 / insured)
    y = rng.uniform(15.5, 18.0, n)[:, None] + (SLOPE + s)[:, None] * t0[None, :]
    y = y + rng.normal(0, 1, (n, len(YEARS))) * sd[:, None]
    e = YEARS[None, :] - g[:, None]
    post = (g[:, None] > 0) & (e >= 0)
    scale = np.array([SCALE.get(int(c), 0.0) for c in g])[:, None]
    if effects:
        y = y - np.where(post, scale * (0.8 + 0.3 * np.where(post, e, 0)), 0.0)
    return pd.DataFrame(
        {
            "unit": np.repeat(np.arange(n), len(YEARS)),
            "year": np.tile(YEARS, n),
            "g": np.repeat(g, len(YEARS)),
            "y": y.reshape(-1),
        }
    )


def pvalues(d: pd.DataFrame, seed: int) -> dict[str, float]:
    """p-value of every test on one panel (uniform band: its bootstrap p-value)."""
    cs = att_gt(d, "y", "unit", "year", "g", control="notyet", cband=False)
    dyn = dynamic_pretest(cs)
    band = uniform_band_pretest(cs, biters=999, seed=seed)
    ev = event_study(d, yname="y", idname="unit", tname="year", gname="g")
    sa = sun_abraham(d, "y", "unit", "year", "g").diagnostics
    return {
        "cs_wald_all": cs.wald_pvalue,
        "twfe_event_f": ev.diagnostics["pretrend"]["p_value"],
        "cs_dynamic": dyn["p_value"],
        "cs_dynamic_f_naive": dyn["p_value_f_naive"],
        "cs_dynamic_chi2": dyn["p_value_chi2"],
        "cs_uniform_band": band["p_value"],
        "cs_uniform_band_rejects": float(band["rejects"]),
        "sa_wald_all": sa["pretest_p_value"],
        "sa_wald_all_hotelling": sa["pretrend"]["p_value"],
    }


def summarise(ps: list[dict[str, float]]) -> dict[str, dict[str, float]]:
    out = {}
    for name in TESTS:
        p = np.array([x[name] for x in ps], dtype=float)
        if name == "cs_uniform_band":
            rej = np.array([x["cs_uniform_band_rejects"] for x in ps]) > 0
        else:
            rej = p < ALPHA
        r = float(rej.mean())
        out[name] = {
            "rejection_rate": r,
            "mc_se": float(math.sqrt(r * (1 - r) / len(p))),
            "median_p": float(np.median(p)),
        }
    return out


def run_generator(seeds: list[int]) -> list[dict]:
    from toolkit.data.synth import generate_province

    rows = []
    for s in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "p"
            generate_province(out, seed=s, n_counties=60)
            cy = pd.read_csv(out / "county_year.csv", dtype={"county_id": str})
        d = pd.DataFrame(
            {
                "unit": cy["county_id"],
                "year": cy["year"],
                "g": pd.to_numeric(cy["reform_year"], errors="coerce").fillna(0).astype(int),
                "y": cy["admissions"] / cy["insured_pop"] * 100,
            }
        )
        rows.append({"seed": s, **{k: round(v, 4) for k, v in pvalues(d, s).items() if k in TESTS}})
    return rows


def run(draws: int = 300, seed: int = 20240901, delta: float = 0.03, generator_seeds: int = 0) -> dict:
    started = time.perf_counter()
    cpu0 = time.process_time()
    rng = np.random.default_rng(seed)
    scenarios = {}
    for name, scenario, dlt, effects in (
        ("generator", "generator", 0.0, True),
        ("generator_no_effects", "generator", 0.0, False),
        ("random_slopes", "random_slopes", 0.0, True),
        (f"pretrend_{delta:g}", "pretrend", delta, True),
        (f"pretrend_{2 * delta:g}", "pretrend", 2 * delta, True),
    ):
        ps = [pvalues(draw_panel(rng, scenario, dlt, effects), int(rng.integers(1 << 30))) for _ in range(draws)]
        scenarios[name] = summarise(ps)
    gen = run_generator([seed + k for k in range(generator_seeds)]) if generator_seeds else []
    gen_rej = {name: float(np.mean([r[name] < ALPHA for r in gen])) for name in TESTS} if gen else {}
    return {
        "benchmark": "montecarlo_pretest",
        "draws": draws,
        "seed": seed,
        "alpha": ALPHA,
        "n_units": sum(k for _, k in COHORTS),
        "cohorts": {str(c): k for c, k in COHORTS},
        "years": [int(YEARS[0]), int(YEARS[-1])],
        "control": "notyet",
        "pretrend_delta_per_year": delta,
        "scenarios": scenarios,
        "generator_seeds": gen,
        "generator_rejection_rate": gen_rej,
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(time.process_time() - cpu0, 2),
        "dgp": "y = base + (0.10 + s_i)(t-2012) + tau + N(0, 1650/insured); s_i ~ N(0, 0.06^2) (demeaned by cohort in 'generator'/'pretrend'); cohorts 8/20/12/20",
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--draws", type=int, default=300)
    p.add_argument("--seed", type=int, default=20240901)
    p.add_argument(
        "--delta", type=float, default=0.03, help="differential pre-trend per year in the 'pretrend' scenario"
    )
    p.add_argument(
        "--generator-seeds", type=int, default=8, help="also run the real province generator on this many seeds"
    )
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "montecarlo_pretest.json"))
    a = p.parse_args(argv)
    res = run(a.draws, a.seed, a.delta, a.generator_seeds)
    write_text(a.out, json.dumps(res, indent=2, sort_keys=True) + "\n")
    print(
        json.dumps(
            {"scenarios": res["scenarios"], "generator": res["generator_rejection_rate"], "seconds": res["seconds"]},
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
