"""Event-study TWFE (toolkit.did.event_study) and its figure.

References:
* pyfixest 0.60.0 ``feols('lemp ~ i(rel, ref=-1) | countyreal + year', vcov={'CRV1':'countyreal'})``
  on mpdta, frozen in reference/mpdta_event_pyfixest.json (coefficients, SEs and the Wald pre-test
  of the three leads: W = 4.8947, chi2(3) p = 0.1797).
* statsmodels 0.15 OLS with explicit dummies and cov_type="cluster" — live, "full" convention.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from toolkit.did.event_study import event_study, event_time_bins
from toolkit.did.plots import plot_event_study
from toolkit.errors import ToolkitError
from toolkit.paths import MPDTA_CSV

MPDTA = str(MPDTA_CSV)  # ../shared/data beside the checkout, or $TOOLKIT_SHARED_DIR
REF = json.loads((Path(__file__).parent / "reference" / "mpdta_event_pyfixest.json").read_text())
KW = dict(yname="lemp", idname="countyreal", tname="year", gname="first.treat")


@pytest.fixture(scope="module")
def mpdta():
    return pd.read_csv(MPDTA)


def test_matches_pyfixest_event_study(mpdta):
    res = event_study(mpdta, **KW)
    table = res.event_study.set_index("event_time")
    for row in REF["event_study"]:
        assert table.loc[row["event_time"], "estimate"] == pytest.approx(row["estimate"], abs=1e-12)
        assert table.loc[row["event_time"], "se"] == pytest.approx(row["se"], rel=1e-9)
    assert table.loc[-1, "estimate"] == 0.0 and np.isnan(table.loc[-1, "se"])
    pre = res.diagnostics["pretrend"]
    assert pre["leads"] == [-4, -3, -2]
    assert pre["wald"] == pytest.approx(REF["pretrend_wald"]["result"]["statistic"], rel=1e-9)
    assert pre["p_value_chi2"] == pytest.approx(REF["pretrend_wald"]["result"]["pvalue"], rel=1e-9)
    assert pre["stat_f"] == pytest.approx(pre["wald"] / 3) and pre["df2"] == 499
    # headline: mean of the post coefficients 0..3
    post = [r["estimate"] for r in REF["event_study"] if r["event_time"] >= 0]
    assert res.estimate == pytest.approx(np.mean(post), abs=1e-12)


@pytest.mark.slow
def test_binned_event_study_matches_statsmodels_dummies(mpdta):
    res = event_study(mpdta, leads=3, lags=2, ssc="full", **KW)
    rel = np.where(mpdta["first.treat"] > 0, mpdta["year"] - mpdta["first.treat"], np.nan)
    rel = np.clip(rel, -3, 2)  # bins: <= -3 pooled into -3, >= 2 into 2
    X = pd.DataFrame({f"rel_{k}": (rel == k).astype(float) for k in (-3, -2, 0, 1, 2)})
    D = pd.get_dummies(mpdta[["countyreal", "year"]].astype(str), drop_first=True, dtype=float)
    fit = sm.OLS(mpdta["lemp"], sm.add_constant(pd.concat([X, D], axis=1))).fit(
        cov_type="cluster", cov_kwds={"groups": mpdta["countyreal"].to_numpy()}
    )
    table = res.event_study.set_index("event_time")
    for k in (-3, -2, 0, 1, 2):
        assert table.loc[k, "estimate"] == pytest.approx(fit.params[f"rel_{k}"], abs=1e-11)
        assert table.loc[k, "se"] == pytest.approx(fit.bse[f"rel_{k}"], rel=1e-8)


def test_bins_by_hand():
    rel = pd.Series([-6, -4, -3, -1, 0, 2, 5, np.nan])
    assert event_time_bins(rel, 3, 2).tolist()[:7] == [-3, -3, -3, -1, 0, 2, 2]
    assert np.isnan(event_time_bins(rel, 3, 2).iloc[7])
    with pytest.raises(ToolkitError, match="leads"):
        event_time_bins(rel, 1, None)


def test_no_never_treated_needs_binning(mpdta):
    df = mpdta[mpdta["first.treat"] > 0]
    with pytest.raises(ToolkitError, match="never-treated"):
        event_study(df, **KW)


def test_plot_returns_figure_with_bands(mpdta):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    res = event_study(mpdta, **KW)
    fig = plot_event_study(res, title="mpdta")
    ax = fig.axes[0]
    assert any(isinstance(c, PolyCollection) for c in ax.collections)  # the confidence band
    assert [round(v, 1) for v in ax.get_xticks()] == [-4, -3, -2, -1, 0, 1, 2, 3]
    assert any(abs(line.get_xdata()[0] + 0.5) < 1e-12 for line in ax.lines if len(line.get_xdata()) == 2)
    plt.close(fig)


def test_event_study_cr2_equals_explicit_dummy_regression():
    from tests.did.test_inference import brute_force_cr2, staggered_panel

    df = staggered_panel(n_units=14, n_times=6, seed=3)
    res = event_study(df, yname="y", idname="u", tname="t", gname="g", vcov="CR2", leads=2, lags=1)
    rel = np.where(df["g"] > 0, df["t"] - df["g"], np.nan)
    rel = np.clip(rel, -2, 1)
    table = res.event_study.set_index("event_time")
    ks = [k for k in sorted(set(rel[~np.isnan(rel)]).difference({-1}))]
    dummies = {f"rel_{int(k)}": (rel == k).astype(float) for k in ks}
    dfs = []
    for k in ks:  # brute force puts the coefficient of interest first
        name = f"rel_{int(k)}"
        order = [name] + [n for n in dummies if n != name]
        se_bf, df_bf = brute_force_cr2(df.assign(**dummies), order, "u")
        assert table.loc[int(k), "se"] == pytest.approx(se_bf, rel=1e-8)
        dfs.append(df_bf)
    assert res.diagnostics["df"] == pytest.approx(min(dfs), rel=1e-8)  # conservative: smallest df


def test_row_order_independent(mpdta):
    a = event_study(mpdta, leads=3, lags=2, **KW)
    b = event_study(mpdta.sample(frac=1.0, random_state=9), leads=3, lags=2, **KW)
    pd.testing.assert_frame_equal(a.event_study, b.event_study, rtol=1e-10)
    assert a.diagnostics["pretrend"]["wald"] == pytest.approx(b.diagnostics["pretrend"]["wald"], rel=1e-10)


def test_without_never_treated_binning_identifies(mpdta):
    # only treated cohorts: with both end points binned the model is identified (fewer dummies)
    df = mpdta[mpdta["first.treat"] > 0]
    res = event_study(df, leads=2, lags=1, **KW)
    assert set(res.event_study["event_time"]) == {-2, -1, 0, 1}
    assert np.isfinite(res.event_study.set_index("event_time").loc[0, "se"])
