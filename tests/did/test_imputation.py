"""Sun–Abraham (interaction-weighted) and BJS imputation.

References: Sun & Abraham (2021, J. Econometrics 225(2)); Borusyak, Jaravel & Spiess (2024,
REStud). Validation on mpdta (shared/data/mpdta.csv) uses the identity that, in a balanced panel
with never-treated controls, SA's cohort × relative-time coefficient δ_{g,e} is exactly
Callaway–Sant'Anna's ATT(g, g+e) with a universal base period, so the SA headline equals
R did's documented simple ATT −0.0400 (man/aggte.Rd, R did 2.5.1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.did.aggregate import aggte
from toolkit.did.imputation import bjs_imputation
from toolkit.did.staggered import att_gt
from toolkit.did.sun_abraham import sun_abraham
from toolkit.errors import ToolkitError
from toolkit.paths import MPDTA_CSV

ARGS = ("lemp", "countyreal", "year", "first.treat")


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(MPDTA_CSV)


@pytest.fixture(scope="module")
def sa(mpdta):
    return sun_abraham(mpdta, *ARGS)


def test_sa_cells_equal_cs_universal_base(mpdta, sa):
    cs = att_gt(mpdta, *ARGS, base_period="universal")
    m = sa.group_time.merge(cs.cells, on=["cohort", "time"], suffixes=("_sa", "_cs"))
    assert len(m) == len(sa.group_time) == 12  # 3 cohorts × 4 non-reference years
    np.testing.assert_allclose(m["estimate_sa"], m["estimate_cs"], atol=1e-10)
    # the IW event study is CS's dynamic aggregation (same cohort-size weights)
    dyn = aggte(cs, "dynamic").event_study
    dyn = dyn[dyn["event_time"] != -1]
    np.testing.assert_allclose(sa.event_study["estimate"], dyn["estimate"], atol=1e-10)
    # cluster-robust regression SEs and the influence-function SEs are asymptotically the same
    np.testing.assert_allclose(sa.event_study["se"], dyn["se"], rtol=0.05)


def test_sa_headline_is_r_did_simple_att(sa):
    # man/aggte.Rd (R did 2.5.1): simple ATT −0.04 (post cells weighted by cohort size)
    assert sa.estimate == pytest.approx(-0.0400, abs=1e-4)
    # R's published post event times (man/aggte.Rd dynamic): e=0..3 → −0.0199, −0.0510, −0.1373, −0.1008
    post = sa.event_study[sa.event_study["event_time"] >= 0]
    np.testing.assert_allclose(post["estimate"], [-0.0199, -0.0510, -0.1373, -0.1008], atol=1e-4)
    assert sa.to_dict()["event_study"][0].keys() >= {"event_time", "estimate", "se"}


def _staggered(
    n_per: int, effects: dict[int, float], seed: int, noise: float = 0.0, years=range(2010, 2020)
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    uid = 0
    for g, eff in effects.items():
        for _ in range(n_per):
            a = rng.normal()
            for t in years:
                y = a + 0.2 * (t - 2010) + (eff if g and t >= g else 0.0) + noise * rng.normal()
                rows.append((f"u{uid:03d}", t, g, y))
            uid += 1
    return pd.DataFrame(rows, columns=["unit", "year", "g", "y"])


def test_homogeneous_effect_all_estimators_agree_and_recover_truth():
    # constant effect 1.5 in every cohort and period: CS (never), SA and BJS all estimate 1.5
    d = _staggered(40, {0: 0.0, 2013: 1.5, 2015: 1.5, 2017: 1.5}, seed=3, noise=0.3)
    cs = aggte(att_gt(d, "y", "unit", "year", "g"), "simple")
    sa = sun_abraham(d, "y", "unit", "year", "g")
    bjs = bjs_imputation(d, "y", "unit", "year", "g", biters=49)
    for r in (cs, sa, bjs):
        assert r.ci_low < 1.5 < r.ci_high
    assert sa.estimate == pytest.approx(cs.estimate, abs=1e-10)
    assert abs(bjs.estimate - cs.estimate) < 3 * cs.se


def test_noise_free_panel_recovered_exactly():
    d = _staggered(3, {0: 0.0, 2013: 2.0, 2016: -1.0}, seed=1)
    bjs = bjs_imputation(d, "y", "unit", "year", "g", biters=9)
    sa = sun_abraham(d, "y", "unit", "year", "g")
    # treated observations: cohort 2013 has 7 (2013–2019) at +2, cohort 2016 has 4 at −1, 3 units
    # each → BJS mean = (21·2 + 12·(−1)) / 33 = 30/33
    assert bjs.estimate == pytest.approx(30 / 33, abs=1e-9)
    es = sa.event_study.set_index("event_time")["estimate"]
    assert es.loc[0] == pytest.approx(0.5, abs=1e-9)  # (2 + (−1)) / 2, equal cohort sizes
    assert es.loc[5] == pytest.approx(2.0, abs=1e-9)  # only cohort 2013 reaches e = 5
    assert es.loc[-3] == pytest.approx(0.0, abs=1e-9)


def test_bjs_by_hand_three_by_three():
    # unit A never treated y = 1, 2, 3; unit B treated from period 3: y = 2, 3, 6.
    # Untreated cells fit a_B − a_A = 1 and the period effects exactly → Ŷ_B3(0) = 3 + 1 = 4,
    # τ = 6 − 4 = 2.
    d = pd.DataFrame({"u": list("AAABBB"), "t": [1, 2, 3] * 2, "g": [0, 0, 0, 3, 3, 3], "y": [1, 2, 3, 2, 3, 6]})
    res = bjs_imputation(d, "y", "u", "t", "g", biters=9)
    assert res.estimate == pytest.approx(2.0, abs=1e-10)


def test_bjs_runs_on_mpdta(mpdta):
    # known trap: pyfixest 0.60's two-stage DiD crashed on mpdta; ours must not
    res = bjs_imputation(mpdta, *ARGS, biters=29)
    assert np.isfinite(res.estimate) and np.isfinite(res.se)
    assert -0.1 < res.estimate < 0.0
    assert [int(e) for e in res.event_study["event_time"]] == [0, 1, 2, 3]


def test_bjs_needs_untreated_units_every_period():
    d = pd.DataFrame({"u": list("AABB"), "t": [1, 2] * 2, "g": [2, 2, 2, 2], "y": [1.0, 2, 3, 4]})
    with pytest.raises(ToolkitError, match="untreated unit in every period"):
        bjs_imputation(d, "y", "u", "t", "g")


def test_sa_without_never_treated_uses_last_cohort():
    d = _staggered(5, {2013: 1.0, 2016: 1.0, 2018: 1.0}, seed=2, noise=0.1)
    res = sun_abraham(d, "y", "unit", "year", "g")
    assert max(res.group_time["time"]) < 2018
    assert any("control cohort" in w for w in res.warnings)


def test_bjs_equals_pyfixest_first_stage_imputation_on_mpdta(mpdta):
    # Peer, frozen: pyfixest 0.60.0 (benchmarks/.venv). pf.did2s on mpdta crashes ("operands could
    # not be broadcast together with shapes (2400,) (2500,)": its first stage drops the 2004
    # cohort's singleton untreated rows). Imputing by hand from pf.feols("lemp ~ 1 | countyreal +
    # year", untreated rows, fixef_rm="none") fixed effects gives ATT −0.04770991827845 over 291
    # treated county-years and by event time e=0..3: −0.031066927, −0.052234857, −0.136078114,
    # −0.104707472.
    res = bjs_imputation(mpdta, *ARGS, biters=9)
    assert res.estimate == pytest.approx(-0.04770991827845, abs=1e-9)
    assert res.diagnostics["n_treated_obs"] == 291
    np.testing.assert_allclose(
        res.event_study["estimate"], [-0.031066927, -0.052234857, -0.136078114, -0.104707472], atol=1e-8
    )


def test_sa_pretest_reports_hotelling_reference(sa):
    # mpdta's SA pre cells (e < −1): cohort 2006 at 2003, 2004; cohort 2007 at 2003, 2004, 2005
    # → q = 5, G = 500 counties. F = W·(G−q)/(q·(G−1)) = W·495/2495 vs F(5, 495)
    from scipy import stats

    d = sa.diagnostics
    pre = d["pretrend"]
    W = d["pretest_wald"]
    assert (pre["df1"], pre["df2"], pre["n_clusters"]) == (5, 495, 500) and d["pretest_df"] == 5
    assert pre["wald"] == W
    assert pre["stat_f"] == pytest.approx(W * 495 / 2495, rel=1e-12)
    assert pre["p_value"] == pytest.approx(stats.f.sf(W * 495 / 2495, 5, 495), rel=1e-12)
    # the χ² p-value is kept, under its own keys, unchanged
    assert pre["p_value_chi2"] == d["pretest_p_value"] == pytest.approx(stats.chi2.sf(W, 5), rel=1e-12)
    assert pre["p_value"] != pytest.approx(pre["p_value_chi2"], rel=1e-3)
