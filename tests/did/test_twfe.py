"""TWFE DiD (toolkit.did.twfe) against peer tools on mpdta.

References:
* pyfixest 0.60.0 (Python port of R fixest), frozen in reference/mpdta_twfe_pyfixest.json by
  reference/make_reference.py: ATT -0.036549, CR1 SE 0.013265 (fixest "nested" convention).
* statsmodels 0.15 OLS with explicit county and year dummies, cov_type="cluster" — computed live
  here (the "full" convention: every fixed effect counted, SE ~12% larger on mpdta).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.did.twfe import n_fixed_effects, twfe, within_transform
from toolkit.errors import ToolkitError
from toolkit.paths import MPDTA_CSV

MPDTA = str(MPDTA_CSV)  # ../shared/data beside the checkout, or $TOOLKIT_SHARED_DIR
REF = json.loads((Path(__file__).parent / "reference" / "mpdta_twfe_pyfixest.json").read_text())
KW = dict(yname="lemp", idname="countyreal", tname="year", gname="first.treat")


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(MPDTA)


def dummy_ols(df: pd.DataFrame, y: str, regressors: list[str]):
    """statsmodels OLS with county and year dummies, clustered by county (the 'full' convention)."""
    X = pd.get_dummies(df[["countyreal", "year"]].astype(str), drop_first=True, dtype=float)
    X = pd.concat([df[regressors].astype(float), X], axis=1)
    X = sm.add_constant(X)
    return sm.OLS(df[y].astype(float), X).fit(cov_type="cluster", cov_kwds={"groups": df["countyreal"].to_numpy()})


def test_mpdta_matches_pyfixest_nested_convention(mpdta):
    ref = REF["nonnested"]
    res = twfe(mpdta, **KW)  # default vcov CR1, ssc nested
    assert res.estimate == pytest.approx(ref["estimate"], abs=1e-12)
    assert res.estimate == pytest.approx(-0.0365, abs=5e-5)  # the published fixest number
    assert res.se == pytest.approx(ref["se"], rel=1e-9)
    assert res.p_value == pytest.approx(ref["p_value"], rel=1e-7)
    assert res.ci_low == pytest.approx(ref["ci_low"], rel=1e-9)
    assert res.ci_high == pytest.approx(ref["ci_high"], rel=1e-9)
    assert (res.n_units, res.n_obs) == (500, ref["n_obs"])
    assert "fixest" in res.inference and "500 clusters" in res.inference


@pytest.mark.slow
def test_mpdta_full_convention_matches_pyfixest_and_statsmodels_dummies(mpdta):
    res = twfe(mpdta, ssc="full", **KW)
    assert res.se == pytest.approx(REF["full"]["se"], rel=1e-9)
    df = mpdta.assign(treated=((mpdta["first.treat"] > 0) & (mpdta["year"] >= mpdta["first.treat"])).astype(int))
    sm_fit = dummy_ols(df, "lemp", ["treated"])
    assert res.estimate == pytest.approx(sm_fit.params["treated"], abs=1e-12)
    assert res.se == pytest.approx(sm_fit.bse["treated"], rel=1e-9)
    # the ~12% disagreement is the small-sample factor only: sqrt((N-6)/(N-505)) = sqrt(2494/1995)
    nested = twfe(mpdta, **KW)
    assert res.se / nested.se == pytest.approx(np.sqrt(2494 / 1995), rel=1e-12)


def test_covariate_model_matches_pyfixest(mpdta):
    df = mpdta.assign(lpop_trend=mpdta["lpop"] * (mpdta["year"] - 2003))
    res = twfe(df, covariates=["lpop_trend"], **KW)
    ref = REF["with_covariate_lpop_trend"]
    assert res.estimate == pytest.approx(ref["coef"]["treated"], abs=1e-11)
    assert res.se == pytest.approx(ref["se"]["treated"], rel=1e-8)
    assert res.diagnostics["coefficients"]["lpop_trend"] == pytest.approx(ref["coef"]["lpop_trend"], abs=1e-11)


def test_unbalanced_panel_alternating_projections_match_dummies(mpdta):
    # 200 counties, 7% of rows dropped at random: the within transform must iterate; compare with
    # explicit dummies
    df = mpdta[mpdta["countyreal"].isin(mpdta["countyreal"].unique()[:200])]
    df = df.sample(frac=0.93, random_state=3).sort_index()
    res = twfe(df, ssc="full", **KW)
    df = df.assign(treated=((df["first.treat"] > 0) & (df["year"] >= df["first.treat"])).astype(int)).reset_index(
        drop=True
    )
    sm_fit = dummy_ols(df, "lemp", ["treated"])
    assert res.estimate == pytest.approx(sm_fit.params["treated"], abs=1e-10)
    assert res.se == pytest.approx(sm_fit.bse["treated"], rel=1e-7)


def test_within_transform_hand_example():
    # 2 units x 2 periods, y = [[1, 2], [3, 7]]: grand mean 3.25, unit means 1.5 / 5, time means 2 / 4.5
    # y - ui - tt + mean: 1-1.5-2+3.25 = 0.75; 2-1.5-4.5+3.25 = -0.75; 3-5-2+3.25 = -0.75; 7-5-4.5+3.25 = 0.75
    y = np.array([1.0, 2.0, 3.0, 7.0])
    out = within_transform(y, np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    assert out == pytest.approx([0.75, -0.75, -0.75, 0.75])
    out_iter = within_transform(y, np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]), balanced=False)
    assert out_iter == pytest.approx(out, abs=1e-12)


def test_two_by_two_did_equals_difference_of_differences():
    # treated unit: 10 -> 15 (+5); control: 8 -> 10 (+2); DiD = 5 - 2 = 3
    df = pd.DataFrame({"u": ["a", "a", "b", "b"], "t": [1, 2, 1, 2], "y": [10.0, 15.0, 8.0, 10.0], "g": [2, 2, 0, 0]})
    # two clusters only; SE is degenerate (residuals are exactly 0) but the estimate must be 3
    res = twfe(df, yname="y", idname="u", tname="t", gname="g")
    assert res.estimate == pytest.approx(3.0, abs=1e-12)


def test_n_fixed_effects_counts_components():
    # two disconnected blocks: units {0,1} in periods {0,1}, unit 2 only in period 2
    u = np.array([0, 0, 1, 1, 2])
    t = np.array([0, 1, 0, 1, 2])
    assert n_fixed_effects(u, t) == 3 + 3 - 2


def test_text_cluster_ids_and_coarser_cluster(mpdta):
    # cluster ids as text (the pyfixest 0.60 wild-bootstrap trap): same answer as numeric ids
    df = mpdta.assign(cid="c" + mpdta["countyreal"].astype(str), state=(mpdta["countyreal"] // 1000).astype(str) + "st")
    a = twfe(df, cluster="cid", **KW)
    b = twfe(mpdta, **KW)
    assert a.se == pytest.approx(b.se, rel=1e-12)
    c = twfe(df, cluster="state", **KW)
    assert c.diagnostics["n_clusters"] == df["state"].nunique()


def test_no_variation_is_a_clear_error():
    df = pd.DataFrame({"u": ["a", "a", "b", "b"], "t": [1, 2, 1, 2], "y": [1.0, 2.0, 3.0, 4.0], "g": [0, 0, 0, 0]})
    with pytest.raises(ToolkitError, match="do not vary"):
        twfe(df, yname="y", idname="u", tname="t", gname="g")


@settings(max_examples=10, deadline=None)
@given(st.randoms(use_true_random=False))
def test_row_order_independent(rnd):
    df = pd.read_csv(MPDTA).iloc[:600]
    order = list(range(len(df)))
    rnd.shuffle(order)
    a = twfe(df, **KW)
    b = twfe(df.iloc[order], **KW)
    assert a.estimate == pytest.approx(b.estimate, abs=1e-13)
    assert a.se == pytest.approx(b.se, rel=1e-10)


def test_unbalanced_convergence_is_scale_free(mpdta):
    # outcomes in yuan (~1e5) must converge as well as logs: tolerance is relative to the column
    df = mpdta.sample(frac=0.9, random_state=1).assign(inc=lambda d: d["lemp"] * 1e5)
    a = twfe(df, **KW)
    b = twfe(df, yname="inc", idname="countyreal", tname="year", gname="first.treat")
    assert b.estimate == pytest.approx(1e5 * a.estimate, rel=1e-9)
    assert b.se == pytest.approx(1e5 * a.se, rel=1e-8)
