"""Cluster-robust inference (toolkit.did.inference): CR2 by brute force, wild cluster bootstrap,
permutation fall-back for one treated cluster.

CR2 follows R clubSandwich (Pustejovsky & Tipton 2018; clubSandwich 0.6.0 R/S3-methods and
R/coef_test.R, read via the code search): A_g = (I - H_gg)^{+1/2} with H the hat matrix of the
regression *with* the dummies, Satterthwaite df = (sum_g p_g'p_g)^2 / sum_gh (p_g'p_h)^2. The brute
force below builds that dummy regression explicitly; the toolkit computes it with absorbed effects.
Wild bootstrap reference: pyfixest 0.60.0 ``wildboottest`` (wildboottest 0.3.2), frozen in
reference/mpdta_twfe_pyfixest.json.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.did import inference as inf
from toolkit.did.panel import prepare_panel
from toolkit.did.twfe import fit_within, twfe
from toolkit.paths import MPDTA_CSV

MPDTA = str(MPDTA_CSV)  # ../shared/data beside the checkout, or $TOOLKIT_SHARED_DIR
REF = json.loads((Path(__file__).parent / "reference" / "mpdta_twfe_pyfixest.json").read_text())
KW = dict(yname="lemp", idname="countyreal", tname="year", gname="first.treat")


def staggered_panel(n_units=14, n_times=6, seed=0, drop=0, covariate=False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cohorts = rng.choice([0, 3, 4, 5], size=n_units)
    rows = []
    for u in range(n_units):
        a = rng.normal()
        for t in range(1, n_times + 1):
            d = int(cohorts[u] > 0 and t >= cohorts[u])
            x = rng.normal()
            rows.append(
                {
                    "u": f"unit{u:02d}",
                    "t": t,
                    "g": cohorts[u],
                    "x": x,
                    "y": a + 0.3 * t + 0.5 * d + 0.2 * x + rng.normal(),
                }
            )
    df = pd.DataFrame(rows)
    if drop:
        df = df.drop(index=rng.choice(len(df), size=drop, replace=False)).reset_index(drop=True)
    return df


def brute_force_cr2(df: pd.DataFrame, regressors: list[str], cluster: str):
    """CR2 and Satterthwaite df for the first regressor from the explicit dummy regression."""
    D = pd.get_dummies(df[["u", "t"]].astype(str), drop_first=True, dtype=float)
    X = np.column_stack([df[regressors].to_numpy(float), np.ones(len(df)), D.to_numpy()])
    y = df["y"].to_numpy(float)
    M = np.linalg.pinv(X.T @ X)
    H = X @ M @ X.T
    e = y - H @ y
    IH = np.eye(len(y)) - H
    c = np.zeros(X.shape[1])
    c[0] = 1.0
    meat = np.zeros((X.shape[1], X.shape[1]))
    P = []
    for g in sorted(df[cluster].unique()):
        idx = np.flatnonzero(df[cluster].to_numpy() == g)
        vals, vecs = np.linalg.eigh(IH[np.ix_(idx, idx)])
        A = vecs @ np.diag([v**-0.5 if v > 1e-12 else 0.0 for v in vals]) @ vecs.T
        s = X[idx].T @ A @ e[idx]
        meat += np.outer(s, s)
        P.append(IH[:, idx] @ A @ X[idx] @ M @ c)
    V = M @ meat @ M
    P = np.column_stack(P)
    PP = P.T @ P
    return np.sqrt(V[0, 0]), np.trace(PP) ** 2 / np.sum(PP**2)


@pytest.mark.parametrize("drop", [0, 9])
def test_cr2_equals_explicit_dummy_regression(drop):
    df = staggered_panel(drop=drop)
    res = twfe(df, yname="y", idname="u", tname="t", gname="g", covariates=["x"], vcov="CR2")
    se_bf, df_bf = brute_force_cr2(
        df.assign(treated=((df.g > 0) & (df.t >= df.g)).astype(float)), ["treated", "x"], "u"
    )
    assert res.se == pytest.approx(se_bf, rel=1e-8)
    assert res.diagnostics["df"] == pytest.approx(df_bf, rel=1e-8)
    assert "Satterthwaite" in res.inference


def test_cr2_with_clusters_coarser_than_units():
    df = staggered_panel(n_units=16, seed=4)
    df["county"] = df["u"].str[-2:].astype(int) // 4  # 4 clusters of 4 units (cohort varies within)
    res = twfe(df, yname="y", idname="u", tname="t", gname="g", cluster="county", vcov="CR2")
    se_bf, df_bf = brute_force_cr2(
        df.assign(treated=((df.g > 0) & (df.t >= df.g)).astype(float)), ["treated"], "county"
    )
    assert res.se == pytest.approx(se_bf, rel=1e-8)
    assert res.diagnostics["df"] == pytest.approx(df_bf, rel=1e-8)


def test_cr1_small_sample_factor_by_hand():
    # mpdta: N = 2500, G = 500; nested K = 1 + (500 + 5 - 1) - 500 + 1 = 6; full K = 1 + 504 = 505
    assert inf.ssc_factor(2500, 6, 500) == pytest.approx(500 / 499 * 2499 / 2494)
    assert inf.ssc_factor(2500, 505, 500) == pytest.approx(500 / 499 * 2499 / 1995)


def _mpdta_fit(cluster=None):
    p = prepare_panel(pd.read_csv(MPDTA), **KW)
    d = p.data
    return fit_within(
        d["y"].to_numpy(),
        d[["treated"]].to_numpy(float),
        ["treated"],
        d["unit_code"].to_numpy(),
        d["time_code"].to_numpy(),
        cluster if cluster is not None else d["unit"].to_numpy(),
    ), p


def test_wild_bootstrap_with_unit_weights_reproduces_the_data():
    # every weight v_g = 1: the bootstrap sample y* = restricted fit + restricted residuals = y, so
    # t* must equal the analytic CR1 t statistic exactly
    fit, _ = _mpdta_fit()
    out = inf.wild_cluster_bootstrap(fit, 0, draws=np.ones((fit.n_clusters, 1)), keep_draws=True)
    t = fit.coef[0] / np.sqrt(inf.cr1_vcov(fit)[0, 0])
    assert out["t_stat"] == pytest.approx(t, rel=1e-12)
    assert out["t_star"][0] == pytest.approx(t, rel=1e-9)


def test_wild_bootstrap_matches_pyfixest_wildboottest_on_mpdta():
    ref = REF["wild_bootstrap"]
    # pyfixest's wildboottest reports ssc 1.255142 = 500/499 * 2499/1995, i.e. the "full"
    # convention; the bootstrap p-value does not depend on it (same factor in t and t*)
    res = twfe(pd.read_csv(MPDTA), bootstrap="wild", n_boot=9999, seed=20240901, ssc="full", **KW)
    boot = res.diagnostics["wild_bootstrap"]
    assert boot["t_stat"] == pytest.approx(ref["t_stat"], rel=1e-9)
    nested = twfe(pd.read_csv(MPDTA), bootstrap="wild", n_boot=9999, seed=20240901, **KW)
    assert nested.p_value == res.p_value
    # different random draws: Monte Carlo s.e. of a p near 0.005 with 9999 draws is ~0.0007
    assert res.p_value == pytest.approx(ref["p_value"], abs=0.003)
    # 500 clusters: the bootstrap CI (no ssc dependence) is close to the analytic fixest CI
    analytic = nested.diagnostics["analytic"]
    assert (res.ci_low, res.ci_high) == pytest.approx((nested.ci_low, nested.ci_high), abs=1e-7)  # bisection tolerance
    assert res.ci_low == pytest.approx(analytic["ci_low"], abs=0.15 * analytic["se"])
    assert res.ci_high == pytest.approx(analytic["ci_high"], abs=0.15 * analytic["se"])
    assert "wild cluster restricted bootstrap" in res.inference


@pytest.mark.parametrize("coarse", [False, True])
def test_wild_bootstrap_equals_explicit_resampling_loop(coarse):
    # brute force: build y* for a few draws, re-run the full TWFE, compare t* with the closed form;
    # with a covariate, and with clusters coarser than units (text ids) as well
    from toolkit.did.twfe import within_transform

    df = staggered_panel(n_units=12, seed=2)
    df["region"] = "r" + (df["u"].str[-2:].astype(int) // 3).astype(str)
    p = prepare_panel(df, "y", "u", "t", "g", covariates=["x"], extra_columns=["region"])
    d = p.data
    X = d[["treated", "x"]].to_numpy(float)
    cl = d["region"].to_numpy() if coarse else None
    fit = fit_within(d["y"].to_numpy(), X, ["treated", "x"], d["unit_code"].to_numpy(), d["time_code"].to_numpy(), cl)
    rng = np.random.default_rng(7)
    draws = rng.choice([-1.0, 1.0], size=(fit.n_clusters, 4))
    # restricted model under b_treated = 0: y on x with unit and time effects
    y_dm = within_transform(d["y"].to_numpy(), fit.unit_code, fit.time_code)
    x_dm = within_transform(d["x"].to_numpy(), fit.unit_code, fit.time_code)
    u_r = y_dm - x_dm * (x_dm @ y_dm) / (x_dm @ x_dm)
    out = inf.wild_cluster_bootstrap(fit, 0, draws=draws, keep_draws=True)
    for b in range(draws.shape[1]):
        y_star = (d["y"].to_numpy() - u_r) + u_r * draws[fit.cluster_code, b]
        f_star = fit_within(y_star, X, ["treated", "x"], fit.unit_code, fit.time_code, cl)
        t_brute = f_star.coef[0] / np.sqrt(inf.cr1_vcov(f_star)[0, 0])
        assert out["t_star"][b] == pytest.approx(t_brute, rel=1e-9)


def test_wild_bootstrap_with_one_treated_cluster_falls_back_to_permutation():
    df = pd.read_csv(MPDTA)
    df = df[(df["first.treat"] == 0) | (df["countyreal"] == 8001)]
    res = twfe(df, bootstrap="wild", n_boot=999, **KW)
    assert "wild_bootstrap" not in res.diagnostics and "permutation" in res.diagnostics
    assert any("MacKinnon" in w for w in res.warnings)


def test_wild_bootstrap_text_clusters_few_clusters_enumerated():
    # the pyfixest 0.60 trap: text cluster ids. 8 regions -> all 2^8 Rademacher draws enumerated
    df = staggered_panel(n_units=24, seed=5)
    df["region"] = "region-" + (df["u"].str[-2:].astype(int) % 8).astype(str)
    res = twfe(df, yname="y", idname="u", tname="t", gname="g", cluster="region", bootstrap="wild", n_boot=999)
    boot = res.diagnostics["wild_bootstrap"]
    assert boot["n_boot"] == 256 and "enumerated" in boot["weights"]
    assert 0 <= res.p_value <= 1 and res.ci_low < res.estimate < res.ci_high
    assert any("Webb" in w for w in res.warnings)


def test_wild_bootstrap_large_g_agrees_with_analytic_p():
    rng = np.random.default_rng(11)
    n_units, n_times = 200, 6
    g = rng.choice([0, 3, 4, 5], size=n_units)
    rows = [
        {"u": u, "t": t, "g": g[u], "y": rng.normal() + 0.08 * (g[u] > 0 and t >= g[u]) + rng.normal() * 0.3}
        for u in range(n_units)
        for t in range(1, n_times + 1)
    ]
    df = pd.DataFrame(rows)
    res = twfe(df, yname="y", idname="u", tname="t", gname="g", bootstrap="wild", n_boot=4999, boot_weights="webb")
    assert res.p_value == pytest.approx(res.diagnostics["analytic"]["p_value"], abs=0.03)


def test_single_treated_cluster_warns_and_uses_permutation():
    df = pd.read_csv(MPDTA)
    treated_one = df["countyreal"] == 8001  # cohort 2007
    df = df[(df["first.treat"] == 0) | treated_one]
    res = twfe(df, **KW)
    assert any("only one treated cluster" in w and "MacKinnon" in w for w in res.warnings)
    perm = res.diagnostics["permutation"]
    assert perm["n_placebos"] == 309 and perm["placebo_adoption"] == 2007
    assert res.p_value == pytest.approx(res.p_value)  # finite
    assert 1 / 310 <= res.p_value <= 1
    assert res.ci_low < res.estimate < res.ci_high
    assert res.inference.startswith("permutation")


def test_permutation_with_covariate_and_text_units():
    df = staggered_panel(n_units=12, seed=8)
    df["g"] = np.where(df["u"] == "unit00", 4, 0)  # one treated unit
    res = twfe(df, yname="y", idname="u", tname="t", gname="g", covariates=["x"])
    assert res.diagnostics["permutation"]["n_placebos"] == 11
    assert res.p_value in {k / 12 for k in range(1, 13)}


def test_permutation_p_value_by_hand():
    # 1 treated unit with a huge effect among 4 controls: no placebo is as large -> p = 1/5
    rows = []
    for u, base in enumerate([0.0, 1.0, 2.0, 0.5, 1.5]):
        for t in range(1, 5):
            eff = 10.0 if (u == 0 and t >= 3) else 0.0
            rows.append(
                {
                    "u": f"u{u}",
                    "t": t,
                    "g": 3 if u == 0 else 0,
                    "y": base + 0.1 * t + eff + 0.01 * ((u * 7 + t * 3) % 5),
                }
            )
    res = twfe(pd.DataFrame(rows), yname="y", idname="u", tname="t", gname="g")
    assert res.p_value == pytest.approx(1 / 5)


def test_wald_test_by_hand():
    # b = (1, 2), V = diag(1, 4): W = 1 + 1 = 2, F = 1
    out = inf.wald_test(np.array([1.0, 2.0]), np.diag([1.0, 4.0]), 10)
    assert out["wald"] == pytest.approx(2.0) and out["stat_f"] == pytest.approx(1.0)


def test_cluster_codes_text_and_numbers():
    codes, labels = inf.cluster_codes(pd.Series(["b", "a", "b", "c"]))
    assert codes.tolist() == [1, 0, 1, 2] and labels.tolist() == ["a", "b", "c"]
    codes, labels = inf.cluster_codes(np.array([10, 2, 10]))
    assert codes.tolist() == [1, 0, 1]


def test_webb_and_rademacher_weights_have_mean_0_variance_1():
    rng = np.random.default_rng(0)
    webb, label = inf._draw_weights("webb", 50, 2000, rng)
    assert label == "webb" and len(np.unique(webb)) == 6
    # six points ±sqrt(3/2), ±1, ±sqrt(1/2): E v^2 = (3/2 + 1 + 1/2) / 3 = 1
    assert np.mean(np.unique(webb) ** 2) == pytest.approx(1.0)
    rad, _ = inf._draw_weights("rademacher", 50, 2000, rng)
    assert set(np.unique(rad)) == {-1.0, 1.0}
    full, label = inf._draw_weights("rademacher", 3, 999, rng)
    assert full.shape == (3, 8) and len({tuple(c) for c in full.T}) == 8 and "enumerated" in label


def test_wald_inference_by_hand_and_its_rule_for_unusable_standard_errors():
    # normal: z(0.975) = 1.959964; est 0.3, se 0.1 -> CI 0.3 ∓ 0.195996, p = 2·P(Z > 3) = 0.0026998
    low, high, p = inf.wald_inference(0.3, 0.1, 0.05)
    assert (low, high) == pytest.approx((0.3 - 0.1959964, 0.3 + 0.1959964), abs=1e-7)
    assert p == pytest.approx(0.0026998, abs=1e-7)
    # t(4): t(0.95) = 2.131847 at alpha 0.1; p = 2·P(T4 > 3) = 0.039941; crit overrides the quantile
    low, high, p = inf.wald_inference(0.3, 0.1, 0.1, df=4)
    assert (low, high, p) == pytest.approx((0.3 - 0.2131847, 0.3 + 0.2131847, 0.039941), abs=1e-6)
    assert inf.wald_inference(0.3, 0.1, crit=3.0)[:2] == pytest.approx((0.0, 0.6))
    # zero / NaN SE: no p-value (missing_p); the CI is est ∓ c·se as computed, NaN with strict
    assert inf.wald_inference(1.0, 0.0, missing_p=None) == (1.0, 1.0, None)
    low, high, p = inf.wald_inference(1.0, float("nan"))
    assert np.isnan([low, high, p]).all()
    assert np.isnan(inf.wald_inference(1.0, 0.0, strict=True)).all()
    # infinite SE: no p-value unless p_from_infinite_se (then 2·P(|Z| >= 0) = 1)
    assert inf.wald_inference(1.0, np.inf, missing_p=None).p_value is None
    assert inf.wald_inference(1.0, np.inf, p_from_infinite_se=True).p_value == 1.0
    # arrays follow the same rule element by element
    low, high, p = inf.wald_inference(np.array([0.3, 1.0, 1.0]), np.array([0.1, 0.0, np.nan]))
    assert low[:2] == pytest.approx([0.3 - 0.1959964, 1.0], abs=1e-7) and np.isnan(low[2])
    assert p[0] == pytest.approx(0.0026998, abs=1e-7) and np.isnan(p[1:]).all()
    assert np.isnan(inf.wald_inference(np.array([1.0]), np.array([0.0]), strict=True).ci_low).all()
