"""Pre-trend tests on the Callaway–Sant'Anna dynamic aggregation (toolkit.did.pretest).

* a hand-computed one-cohort example (statistic, F reference);
* mpdta: the pre-treatment event-time effects are R did 2.5.1's ``aggte(type="dynamic")`` ones
  (man/aggte.Rd, tests/did/reference/cs_mpdta.json), and W is the quadratic form of aggte's own
  event-study covariance;
* size and power on simulated panels shaped like the synthetic province (60 counties, cohorts
  8/20/12/20, 2012–2024): with parallel trends it rejects about as often as it should, where R's
  all-cells Wald test rejects far too often; with a built-in pre-trend it rejects.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from toolkit.did.aggregate import aggte
from toolkit.did.pretest import dynamic_pretest, pre_event_time_effects, uniform_band_pretest
from toolkit.did.staggered import att_gt
from toolkit.paths import MPDTA_CSV

REF = json.loads((Path(__file__).parent / "reference" / "cs_mpdta.json").read_text(encoding="utf-8"))


def test_hand_computed_one_cohort():
    # periods 1..3; units 1-3 reform in period 3, units 4-6 never. The only pre cell is (g=3, t=2)
    # against base t=1 (varying base). Changes 1→2: treated 1, 2, 6 (mean 3), controls 0, 1, 2 (mean 1).
    y = {1: (0, 1, 1), 2: (0, 2, 2), 3: (0, 6, 6), 4: (0, 0, 0), 5: (0, 1, 1), 6: (0, 2, 2)}
    d = pd.DataFrame(
        [{"id": i, "t": t + 1, "g": 3 if i <= 3 else 0, "y": float(v[t])} for i, v in y.items() for t in range(3)]
    )
    res = att_gt(d, "y", "id", "t", "g", cband=False)
    out = dynamic_pretest(res)
    # θ(−1) = 3 − 1 = 2. Influence function (n = 6): treated 6/3·(dy − 3) = −4, −2, 6; controls
    # −6/3·(dy − 1) = 2, 0, −2; V = ΣIF²/n² = (16 + 4 + 36 + 4 + 0 + 4)/36 = 16/9, se = 4/3.
    # One cohort: its weight is 1 whatever the sample shares, so the weight-estimation term is 0.
    assert out["event_times"] == [-1]
    assert out["estimates"] == pytest.approx([2.0])
    assert out["se"] == pytest.approx([4 / 3])
    # W = 2² / (16/9) = 9/4; G = 6 units, q = 1: Hotelling F = W·(G−q)/(q·(G−1)) = W·5/5 = 9/4
    assert out["wald"] == pytest.approx(9 / 4)
    assert out["stat_f"] == pytest.approx(9 / 4)
    assert (out["df1"], out["df2"]) == (1, 5.0)
    # F(1, 5) = t(5)²: p = 2·P(t5 > 1.5); with q = 1 the naive F(q, G−1) is the same test
    assert out["p_value"] == pytest.approx(2 * stats.t.sf(1.5, 5))
    assert out["p_value_f_naive"] == pytest.approx(out["p_value"])
    assert out["p_value_chi2"] == pytest.approx(2 * stats.norm.sf(1.5))


@pytest.fixture(scope="module")
def mpdta_cs():
    return att_gt(pd.read_csv(MPDTA_CSV), "lemp", "countyreal", "year", "first.treat", cband=False)


def test_mpdta_pre_event_times_match_r_aggte(mpdta_cs):
    # man/aggte.Rd, dynamic: e = −3: 0.0305 (se 0.0154), −2: −0.0006 (0.0129), −1: −0.0245 (0.0145)
    ref = [r for r in REF["aggte_never_nocov"]["dynamic"]["table"] if r["event_time"] < 0]
    out = dynamic_pretest(mpdta_cs)
    assert out["event_times"] == [r["event_time"] for r in ref]
    np.testing.assert_allclose(out["estimates"], [r["estimate"] for r in ref], atol=1e-4)
    # R prints 1,000-draw bootstrap SEs (≈4% Monte Carlo noise); ours are analytic
    np.testing.assert_allclose(out["se"], [r["se"] for r in ref], rtol=0.10)
    assert (out["df1"], out["df2"]) == (3, 497.0)  # q = 3, G − q = 500 − 3


def test_mpdta_wald_is_the_quadratic_form_of_aggte_covariance(mpdta_cs):
    dyn = aggte(mpdta_cs, "dynamic", cband=False)
    es = dyn.event_study
    pre = (es["event_time"] < 0).to_numpy()
    V = np.array(dyn.diagnostics["event_study_vcov"])[np.ix_(pre, pre)]
    b = es.loc[pre, "estimate"].to_numpy()
    out = dynamic_pretest(mpdta_cs)
    assert out["wald"] == pytest.approx(float(b @ np.linalg.solve(V, b)), rel=1e-9)
    # Hotelling: W·(500 − 3)/(3·499) against F(3, 497); naive W/3 against F(3, 499)
    assert out["p_value"] == pytest.approx(stats.f.sf(out["wald"] * 497 / (3 * 499), 3, 497))
    assert out["p_value_f_naive"] == pytest.approx(stats.f.sf(out["wald"] / 3, 3, 499))


def test_universal_base_drops_the_reference_event_time():
    d = pd.read_csv(MPDTA_CSV)
    res = att_gt(d, "lemp", "countyreal", "year", "first.treat", base_period="universal", cband=False)
    events, est, _ = pre_event_time_effects(res)
    assert events.tolist() == [-4, -3, -2]  # e = −1 is the base period, 0 by construction
    assert dynamic_pretest(res)["df1"] == 3


# ----------------------------------------------------------------------------- size and power
YEARS = np.arange(2012, 2025)
COHORTS = np.repeat([2017, 2019, 2023, 0], [8, 20, 12, 20])


def _panel(seed: int, pretrend: float = 0.0) -> pd.DataFrame:
    """Province-shaped panel: county slopes N(0.10, 0.06²) (not demeaned, so parallel trends hold
    only in expectation), noise sd 0.06, reform effects −(0.8 + 0.3 e); ``pretrend`` adds that much
    per year to the untreated path of every reformed county."""
    rng = np.random.default_rng(seed)
    n, t0 = len(COHORTS), YEARS - YEARS[0]
    slope = 0.10 + rng.normal(0, 0.06, n) + pretrend * (COHORTS > 0)
    y = 16.5 + slope[:, None] * t0[None, :] + rng.normal(0, 0.06, (n, len(YEARS)))
    e = YEARS[None, :] - COHORTS[:, None]
    y -= np.where((COHORTS[:, None] > 0) & (e >= 0), 0.8 + 0.3 * e, 0.0)
    return pd.DataFrame(
        {
            "id": np.repeat(np.arange(n), len(YEARS)),
            "t": np.tile(YEARS, n),
            "g": np.repeat(COHORTS, len(YEARS)),
            "y": y.reshape(-1),
        }
    )


def test_size_under_parallel_trends():
    ours, r_wald = 0, 0
    for seed in range(40):
        res = att_gt(_panel(seed), "y", "id", "t", "g", control="notyet", cband=False)
        ours += dynamic_pretest(res)["p_value"] < 0.05
        r_wald += res.wald_pvalue < 0.05
    # 40 draws at a nominal 5%: 2 expected, P(≥ 6) ≈ 5%. These 40 panels give 3; the same W
    # against the naive F(q, G−1) would give 6 (benchmarks/montecarlo_pretest.py, random county slopes: size 17% vs 10%).
    assert ours <= 5, ours
    # the all-cells χ²(20) Wald test on the same panels rejects far more often (the reason for this test)
    assert r_wald >= 10, r_wald


def test_rejects_a_built_in_pretrend():
    # 0.15 a year extra in reformed counties before (and after) reform: 2.5 county-slope SDs
    res = att_gt(_panel(7, pretrend=0.15), "y", "id", "t", "g", control="never", cband=False)
    out = dynamic_pretest(res)
    assert out["p_value"] < 0.001
    # each event time estimates the extra 0.15 a year, ± 2–4 SEs of about 0.02–0.04
    assert all(0.05 < e < 0.25 for e in out["estimates"]) and np.mean(out["estimates"]) > 0.1
    band = uniform_band_pretest(res, biters=499, seed=1)
    assert band["rejects"] and band["p_value"] < 0.01


def test_uniform_band_does_not_reject_parallel_trends():
    res = att_gt(_panel(3), "y", "id", "t", "g", control="notyet", cband=False)
    band = uniform_band_pretest(res, biters=499, seed=1)
    assert band["event_times"] == list(range(-10, 0))
    assert not band["rejects"] and band["p_value"] > 0.05
