"""Panels on which an estimator used to return a number that meant nothing, without a word.

Each test builds a small panel whose right answer is known (or which has no answer) and checks
that the estimator either gets it or refuses clearly, naming what is wrong.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from toolkit.did.api import ESTIMATORS, estimate
from toolkit.did.event_study import event_study
from toolkit.did.sensitivity import honest_bounds
from toolkit.did.staggered import callaway_santanna
from toolkit.did.sun_abraham import sun_abraham
from toolkit.errors import ToolkitError, ValidationError
from toolkit.paths import MPDTA_CSV

COLS = dict(yname="y", idname="u", tname="t", gname="g")


def five_yearly(noise: float = 0.1, seed: int = 1) -> pd.DataFrame:
    """Census-style panel, one row every 5 years: no unit is ever observed at event time −1.

    y = 0.3·unit + 0.1·(t − 2000) + 2·(treated and t ≥ g) + noise; cohorts 2010 (4 units),
    2015 (4 units), 6 never treated.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(14):
        g = 0 if u < 6 else (2010 if u < 10 else 2015)
        for t in (2000, 2005, 2010, 2015, 2020):
            effect = 2.0 if g and t >= g else 0.0
            rows.append((u, t, g, 0.3 * u + 0.1 * (t - 2000) + effect + rng.normal(0, noise)))
    return pd.DataFrame(rows, columns=["u", "t", "g", "y"])


def one_unit_cohorts(seed: int = 1) -> pd.DataFrame:
    """4 never-treated units and 8 cohorts of one unit each (2003…2010), 12 annual periods."""
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(12):
        g = 0 if u < 4 else 2003 + (u - 4)
        for t in range(2000, 2012):
            rows.append((u, t, g, rng.normal() + (1.0 if g and t >= g else 0.0)))
    return pd.DataFrame(rows, columns=["u", "t", "g", "y"])


# --------------------------------------------------------------------- Sun–Abraham without e = −1
def test_sa_refuses_a_panel_without_event_time_minus_one():
    with pytest.raises(ToolkitError, match=r"reference period -1 .*observed.*-10, -5, 0, 5, 10"):
        sun_abraham(five_yearly(), "y", "u", "t", "g")
    # event refuses the same data the same way
    with pytest.raises(ToolkitError, match="reference period -1"):
        event_study(five_yearly(), **COLS)


def test_sa_with_a_chosen_reference_period_recovers_the_effect():
    # noise-free: every post cell is the effect 2 exactly, every pre cell 0 (unit + year effects absorbed)
    res = sun_abraham(five_yearly(noise=0.0), "y", "u", "t", "g", ref=-5)
    assert res.estimate == pytest.approx(2.0, abs=1e-10)
    gt = res.group_time
    assert -5 not in set(gt["event_time"])
    assert np.allclose(gt.loc[gt["event_time"] < 0, "estimate"], 0.0, atol=1e-10)
    assert res.options["reference_period"] == -5 and res.diagnostics["reference_event_time"] == -5
    # through estimate() too, and the noisy version has a finite, sane SE (was ≈ 6.5e5 via pinv)
    noisy = estimate(five_yearly(), estimator="sa", ref=-5, **COLS)
    assert 0 < noisy.se < 1 and abs(noisy.estimate - 2.0) < 0.2


# --------------------------------------------------------------------- honest_bounds on TWFE event
def test_event_study_stores_its_full_covariance_and_honest_bounds_uses_it():
    mpdta = pd.read_csv(MPDTA_CSV)
    res = event_study(mpdta, yname="lemp", idname="countyreal", tname="year", gname="first.treat")
    V = np.asarray(res.diagnostics["event_study_vcov"])
    es = res.event_study
    assert V.shape == (len(es), len(es))
    est_rows = es["se"].notna().to_numpy()
    np.testing.assert_allclose(np.sqrt(np.diag(V))[est_rows], es.loc[est_rows, "se"], rtol=1e-12)
    # the reference row (estimate 0 by construction) has zero variance
    assert np.all(V[~est_rows] == 0)
    # the leads and lags are correlated: a diagonal matrix is not the covariance
    off = V[np.ix_(est_rows, est_rows)] - np.diag(np.diag(V[np.ix_(est_rows, est_rows)]))
    assert np.abs(off).max() > 1e-6
    # the bounds now use that covariance: the post-average SE inside them is the full-V one
    post = (es["event_time"] >= 0).to_numpy()
    w = post / post.sum()
    theta_se = float(np.sqrt(w @ V @ w))
    b = honest_bounds(res, [0.0], method="conservative")
    z = 1.959963984540054
    assert b.loc[0, "ci_high"] - b.loc[0, "estimate"] == pytest.approx(z * theta_se, rel=1e-9)


def test_honest_bounds_refuses_a_result_without_covariance():
    res = estimate(one_unit_cohorts(), estimator="bjs", biters=20, **COLS)
    with pytest.raises(ToolkitError, match="covariance"):
        honest_bounds(res, [1.0])


# --------------------------------------------------------------------- weights= misread
def test_sampling_weights_are_not_taken_for_the_bootstrap_distribution():
    df = one_unit_cohorts().assign(popwt=1.0)
    for est in ("sdid", "bacon"):  # twfe, event, sa, cs and bjs take them (test_weights.py)
        with pytest.raises(ToolkitError, match="weights"):
            estimate(df, estimator=est, weights="popwt", **COLS)
    for est in ("sa", "cs", "bjs"):
        assert estimate(df, estimator=est, weights="popwt", **COLS).options["weights"] == "popwt"
    # the wild bootstrap's weight distribution has its own, unambiguous name
    res = estimate(df, estimator="twfe", bootstrap="wild", n_boot=199, boot_weights="webb", **COLS)
    assert res.options["boot_weights"] == "webb"
    with pytest.raises(ToolkitError, match="boot_weights"):
        estimate(df, estimator="twfe", bootstrap="wild", n_boot=199, boot_weights="popwt", **COLS)


# --------------------------------------------------------------------- non-finite outcomes
@pytest.mark.parametrize("estimator", sorted(ESTIMATORS))
@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_non_finite_outcome_is_one_clear_error_for_every_estimator(estimator, bad):
    df = one_unit_cohorts()
    df.loc[5, "y"] = bad  # data row 6
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way to the error
        with pytest.raises(ValidationError) as err:
            estimate(df, estimator=estimator, **COLS)
    text = str(err.value)
    assert "'y'" in text and "row 6" in text and f"value '{bad}' — expected a number" in text


def test_non_finite_covariate_is_an_error():
    df = one_unit_cohorts().assign(x=1.0)
    df.loc[3, "x"] = np.inf
    with pytest.raises(ValidationError, match="row 4 column 'x': value 'inf' — expected a number"):
        estimate(df, estimator="twfe", covariates=["x"], **COLS)


# --------------------------------------------------------------------- SA pre-test, singular covariance
def test_sa_pretest_with_singular_covariance_reduces_df_and_warns():
    res = sun_abraham(one_unit_cohorts(), "y", "u", "t", "g")
    d = res.diagnostics
    n_pre = int((res.group_time["event_time"] < -1).sum())
    assert d["pretest_df"] < n_pre  # the rank, not the number of cells
    assert d["pretest_rank"] == d["pretest_df"]
    assert 0 <= d["pretest_wald"] < 1e6 and 0 < d["pretest_p_value"] <= 1
    assert any("rank" in w and "pre-trend" in w for w in res.warnings)


# --------------------------------------------------------------------- CS, separated propensity score
def test_cs_warns_when_the_propensity_score_separates():
    mpdta = pd.read_csv(MPDTA_CSV)
    # a unit-level covariate above 1 exactly for the 2004 cohort: its logit against the never
    # treated fits perfectly (the other cohorts overlap with them)
    u = np.random.default_rng(3).uniform(0, 0.9, mpdta["countyreal"].max() + 1)
    mpdta["x"] = u[mpdta["countyreal"]] + (mpdta["first.treat"] == 2004) * 1.0
    res = callaway_santanna(
        mpdta, "lemp", "countyreal", "year", "first.treat", covariates=["x"], est_method="ipw", cband=False
    )
    assert any("propensity" in w and "separat" in w for w in res.warnings)
    clean = callaway_santanna(mpdta, "lemp", "countyreal", "year", "first.treat", covariates=["lpop"], cband=False)
    assert not any("propensity" in w for w in clean.warnings)


# --------------------------------------------------------------------- control ignored by sa / bjs
def test_control_group_is_honoured_or_refused_by_sa_and_bjs():
    df = one_unit_cohorts()
    with pytest.raises(ToolkitError, match="Sun–Abraham.*notyet"):
        estimate(df, estimator="sa", control="notyet", **COLS)
    with pytest.raises(ToolkitError, match="BJS.*never"):
        estimate(df, estimator="bjs", control="never", biters=20, **COLS)
    # their own comparison, named in the result
    assert estimate(df, estimator="sa", **COLS).options["control"] == "never"
    assert estimate(df, estimator="bjs", biters=20, **COLS).options["control"] == "notyet"


# --------------------------------------------------------------------- few clusters: no test, no negative df
def test_pretests_with_fewer_clusters_than_restrictions_are_not_possible():
    from toolkit.did.pretest import dynamic_pretest
    from toolkit.did.staggered import att_gt

    # 3 units (1 never, 2 cohorts), 12 years: 9–10 pre-reform event times, 3 clusters
    df = one_unit_cohorts()
    df = df[df["u"].isin([0, 10, 11])]
    pre = dynamic_pretest(att_gt(df, "y", "u", "t", "g", cband=False))
    assert pre["possible"] is False and pre["df2"] is None and pre["n_clusters"] == 3
    assert pre["df1"] > 3 and "3 clusters" in pre["warning"]
    ev = event_study(df, **COLS).diagnostics["pretrend"]
    assert ev["possible"] is False and ev["df2"] is None and not np.isfinite(ev["p_value"])


# --------------------------------------------------------------------- always-treated units through estimate()
@pytest.mark.parametrize("estimator", ["twfe", "cs", "sa", "bjs"])
def test_always_treated_units_are_refused_or_dropped_with_a_note(estimator):
    mpdta = pd.read_csv(MPDTA_CSV)
    cols = dict(yname="lemp", idname="countyreal", tname="year", gname="first.treat")
    early = mpdta["countyreal"].isin(mpdta["countyreal"].unique()[:7])
    with_always = mpdta.assign(**{"first.treat": np.where(early, 2003, mpdta["first.treat"])})
    opts = {"biters": 20} if estimator == "bjs" else {}
    with pytest.raises(ValidationError, match="no pre-treatment period"):
        estimate(with_always, estimator=estimator, **cols, **opts)
    dropped = estimate(with_always, estimator=estimator, always_treated="drop", **cols, **opts)
    assert "dropped 7 units already treated in the first period 2003" in dropped.warnings[0]
    assert dropped.n_units == 493 and dropped.options["always_treated"] == "drop"
    same = estimate(mpdta[~early], estimator=estimator, **cols, **opts)
    assert dropped.estimate == pytest.approx(same.estimate, abs=1e-12)
