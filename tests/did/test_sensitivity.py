"""Robustness: placebo reform dates, leave-one-cohort-out, honest-DiD style bounds.

Bounds follow Rambachan & Roth (2023, REStud 90(5)) restriction sets Δ^RM(M̄) and Δ^SD(M);
the worked examples below spell out the arithmetic. mpdta = shared/data/mpdta.csv (R did's data).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.did.aggregate import aggte
from toolkit.did.result import DidResult
from toolkit.did.sensitivity import honest_bounds, leave_one_cohort_out, placebo_dates
from toolkit.did.staggered import att_gt
from toolkit.did.sun_abraham import sun_abraham
from toolkit.errors import ToolkitError
from toolkit.paths import MPDTA_CSV

ARGS = ("lemp", "countyreal", "year", "first.treat")
Z = 1.959963984540054


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    return pd.read_csv(MPDTA_CSV)


def _panel(effect_from_true_date: float, trend_break: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """60 units, 2010–2019, cohorts 2015 / 2017 / never; optional pre-reform trend break."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(60):
        g = (2015, 2017, 0)[i % 3]
        a = rng.normal()
        for t in range(2010, 2020):
            y = a + 0.1 * (t - 2010) + 0.05 * rng.normal()
            if g and t >= g:
                y += effect_from_true_date
            if g and t >= g - 1:  # anticipation one year before the reform
                y += trend_break
            rows.append((i, t, g, y))
    return pd.DataFrame(rows, columns=["id", "t", "g", "y"])


def test_placebo_dates_null_without_anticipation():
    d = _panel(effect_from_true_date=2.0)
    out = placebo_dates(d, "y", "id", "t", "g", shifts=(1, 2))
    assert out["shift"].tolist() == [1, 2]
    # the true effect (2.0) must not leak into the placebo: only cells g−k ≤ t < g are used
    assert (out["estimate"].abs() < 0.05).all()
    assert (out["ci_low"] < 0).all() and (out["ci_high"] > 0).all()
    assert out["n_cells"].tolist() == [2, 4]  # 2 cohorts × k fake-post years before the true date


def test_placebo_dates_detect_anticipation():
    d = _panel(effect_from_true_date=2.0, trend_break=0.5)
    out = placebo_dates(d, "y", "id", "t", "g", shifts=(1,))
    # one year before the reform outcomes already move by 0.5: the fake date g−1 finds it
    assert out["estimate"].iloc[0] == pytest.approx(0.5, abs=0.05)
    assert out["p_value"].iloc[0] < 0.001


def test_placebo_dates_on_mpdta_is_small(mpdta):
    out = placebo_dates(mpdta, *ARGS, shifts=(1, 2))
    assert out["cohorts"].iloc[0] == [2006, 2007]  # 2004 − 1 = 2003 = first year: no pre-period
    assert (out["p_value"] > 0.05).all()


def test_leave_one_cohort_out(mpdta):
    out = leave_one_cohort_out(mpdta, *ARGS)
    assert out["dropped_cohort"].tolist()[1:] == [2004, 2006, 2007]
    assert out["estimate"].iloc[0] == pytest.approx(-0.0400, abs=1e-4)  # R did man/aggte.Rd simple ATT
    assert out["n_units"].tolist() == [500, 480, 460, 369]  # mpdta cohort sizes 20, 40, 131
    # dropping the 2004 cohort (largest effects) moves the ATT towards zero
    assert out.loc[out["dropped_cohort"] == 2004, "change"].iloc[0] > 0
    with pytest.raises(ToolkitError, match="at least two treated cohorts"):
        leave_one_cohort_out(mpdta[mpdta["first.treat"].isin([0, 2004])], *ARGS)


def _es(pre: list[float], post: list[float], se: float, base: str) -> DidResult:
    e = (
        list(range(-len(pre), 0)) + list(range(len(post)))
        if base == "varying"
        else list(range(-len(pre) - 1, -1)) + list(range(len(post)))
    )
    est = pre + post
    es = pd.DataFrame({"event_time": e, "estimate": est, "se": [se] * len(est)})
    # independent estimates: the covariance is diagonal by construction of the worked examples
    vcov = (np.eye(len(est)) * se**2).tolist()
    return DidResult(
        "test",
        "y",
        0.0,
        0.0,
        0.0,
        0.0,
        1,
        1,
        event_study=es,
        diagnostics={"event_study_vcov": vcov},
        options={"base_period": base},
    )


def test_relative_magnitudes_worked_example():
    # varying base: pre estimates are one-period changes 0.02 and −0.05 → Δ = max|·| = 0.05.
    # post β = (−0.1, −0.2), θ = −0.15. Horizons e+1 = 1, 2 → mean 1.5.
    # M̄ = 1: bias ≤ 1.5 · 1 · 0.05 = 0.075 → identified set [−0.225, −0.075].
    # CI: Δ_hi = max(|inc| + z·0.01) = 0.05 + 0.0196 = 0.0696 → bias_hi = 0.1044;
    #     se(θ) = sqrt(2·0.01²)/2 = 0.00707 → CI = −0.15 ∓ (0.1044 + z·0.00707).
    res = honest_bounds(_es([0.02, -0.05], [-0.1, -0.2], 0.01, "varying"), Mbar=[0.0, 1.0])
    r0, r1 = res.iloc[0], res.iloc[1]
    assert r0["id_low"] == pytest.approx(-0.15) and r0["id_high"] == pytest.approx(-0.15)
    se_theta = np.sqrt(2 * 0.01**2) / 2
    assert r0["ci_low"] == pytest.approx(-0.15 - Z * se_theta)
    assert r1["id_low"] == pytest.approx(-0.225) and r1["id_high"] == pytest.approx(-0.075)
    bias_hi = 1.5 * (0.05 + Z * 0.01)
    assert r1["ci_low"] == pytest.approx(-0.15 - bias_hi - Z * se_theta)
    assert r1["ci_high"] == pytest.approx(-0.15 + bias_hi + Z * se_theta)
    assert res.attrs["breakdown"] == 1.0  # CI at M̄ = 1 ends at −0.15 + 0.1044 + 0.0139 = −0.032 < 0


def test_universal_base_uses_differences_of_coefficients():
    # universal base, reference −1: β(−3) = 0.06, β(−2) = 0.03, β(−1) = 0 → changes
    # β(−2)−β(−3) = −0.03 and β(−1)−β(−2) = −0.03 → Δ = 0.03; post β(0) = −0.1 (horizon 1):
    # M̄ = 2 → identified set −0.1 ± 2·0.03 = [−0.16, −0.04].
    res = honest_bounds(_es([0.06, 0.03], [-0.1], 0.0, "universal"), Mbar=2.0)
    assert res["id_low"].iloc[0] == pytest.approx(-0.16) and res["id_high"].iloc[0] == pytest.approx(-0.04)


def test_smoothness_extrapolates_the_pre_trend():
    # universal base: β(−2) = −0.02 → last pre change β(−1)−β(−2) = +0.02 per year. Post β(0) =
    # 0.05, β(1) = 0.08. M = 0: remove the linear trend 0.02·(e+1): δ = (0.02, 0.04) →
    # θ − mean δ = 0.065 − 0.03 = 0.035. M = 0.01: ± 0.01·mean((e+1)(e+2)/2) = 0.01·mean(1, 3) = 0.02.
    res = honest_bounds(_es([-0.02], [0.05, 0.08], 0.0, "universal"), Mbar=[0.0, 0.01], restriction="smoothness")
    assert res["id_low"].iloc[0] == pytest.approx(0.035) and res["id_high"].iloc[0] == pytest.approx(0.035)
    assert res["id_low"].iloc[1] == pytest.approx(0.015) and res["id_high"].iloc[1] == pytest.approx(0.055)


def test_bounds_on_mpdta_cs_and_sa(mpdta):
    dyn = aggte(att_gt(mpdta, *ARGS), "dynamic")
    rm = honest_bounds(dyn, Mbar=[0.0, 0.5, 1.0])
    # M̄ = 0: the ordinary CI of the post average −0.0772 (R did man/aggte.Rd dynamic overall)
    assert rm["estimate"].iloc[0] == pytest.approx(-0.0772, abs=1e-4)
    assert rm["ci_low"].iloc[0] == pytest.approx(dyn.ci_low, abs=1e-10)
    widths = (rm["ci_high"] - rm["ci_low"]).to_numpy()
    assert np.all(np.diff(widths) > 0)
    assert rm.attrs["breakdown"] == 0.0  # mpdta's pre-trend (0.03 at e=−3) is large relative to the effect
    # the one-call CS result carries the same event study and covariance
    from toolkit.did.staggered import callaway_santanna

    again = honest_bounds(callaway_santanna(mpdta, *ARGS), Mbar=[0.0, 0.5, 1.0])
    np.testing.assert_allclose(again[["ci_low", "ci_high"]], rm[["ci_low", "ci_high"]], atol=1e-12)
    sa = sun_abraham(mpdta, *ARGS)
    rs = honest_bounds(sa, Mbar=0.0)
    # same post average; its CI width from SA's regression vcov is within 10% of CS's
    sa_width = rs["ci_high"].iloc[0] - rs["ci_low"].iloc[0]
    assert sa_width == pytest.approx(widths[0], rel=0.10)
    assert rs["estimate"].iloc[0] == pytest.approx(-0.0772, abs=1e-4)


def test_bad_bounds_inputs():
    with pytest.raises(ToolkitError, match="event study"):
        honest_bounds(DidResult("x", "y", 0, 0, 0, 0, 1, 1))
    with pytest.raises(ToolkitError, match="restriction"):
        honest_bounds(_es([0.0], [0.1], 0.01, "varying"), restriction="wiggly")
    with pytest.raises(ToolkitError, match="≥ 0"):
        honest_bounds(_es([0.0], [0.1], 0.01, "varying"), Mbar=-1)
