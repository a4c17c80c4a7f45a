"""Sampling (population) weights for TWFE and the TWFE event study: weighted least squares with
CR1 standard errors, as fixest/pyfixest ``feols(..., weights=)``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.did.tolerances import EXACT
from toolkit.did import estimate
from toolkit.errors import ToolkitError
from toolkit.paths import MPDTA_CSV

COLS = dict(yname="lemp", idname="countyreal", tname="year", gname="first.treat")
REF = Path(__file__).parent / "reference" / "mpdta_weighted_pyfixest.json"


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    d = pd.read_csv(MPDTA_CSV)
    d["pop"] = np.exp(d["lpop"])  # county population (lpop is its log, constant within county)
    return d


def test_constant_weights_change_nothing(mpdta):
    plain = estimate(mpdta, estimator="twfe", **COLS)
    twice = estimate(mpdta.assign(w=2.0), estimator="twfe", weights="w", **COLS)
    assert twice.estimate == pytest.approx(plain.estimate, abs=EXACT)
    assert twice.se == pytest.approx(plain.se, abs=EXACT)  # scores ×w, bread ÷w: the sandwich cancels
    assert "weighted least squares" in twice.inference and twice.options["weights"] == "w"


def test_weighted_within_equals_weighted_dummy_regression(mpdta):
    # WLS with explicit unit and year dummies (√w-scaled rows, lstsq) is the definition
    rng = np.random.default_rng(5)
    w = rng.integers(1, 4, len(mpdta))
    weighted = estimate(mpdta.assign(w=w.astype(float)), estimator="twfe", weights="w", **COLS)
    from toolkit.did.panel import prepare_panel
    from toolkit.did.twfe import fit_within

    p = prepare_panel(mpdta.assign(w=w.astype(float)), *COLS.values(), extra_columns=["w"])
    d = p.data
    X = d[["treated"]].to_numpy(float)
    # dummies for unit and year, solved by least squares on √w-scaled rows
    U = pd.get_dummies(d["unit_code"]).to_numpy(float)
    T = pd.get_dummies(d["time_code"]).to_numpy(float)[:, 1:]
    Z = np.column_stack([X, U, T]) * np.sqrt(d["w"].to_numpy())[:, None]
    beta = np.linalg.lstsq(Z, d["y"].to_numpy() * np.sqrt(d["w"].to_numpy()), rcond=None)[0]
    assert weighted.estimate == pytest.approx(beta[0], abs=1e-10)
    fit = fit_within(
        d["y"].to_numpy(),
        X,
        ["treated"],
        d["unit_code"].to_numpy(),
        d["time_code"].to_numpy(),
        weights=d["w"].to_numpy(),
    )
    assert fit.coef[0] == pytest.approx(beta[0], abs=1e-10)


def test_weighted_twfe_and_event_equal_pyfixest(mpdta):
    ref = json.loads(REF.read_text(encoding="utf-8"))
    tw = estimate(mpdta, estimator="twfe", weights="pop", **COLS)
    assert tw.estimate == pytest.approx(ref["twfe"]["estimate"], abs=EXACT)
    assert tw.se == pytest.approx(ref["twfe"]["se"], rel=1e-8)
    ev = estimate(mpdta, estimator="event", weights="pop", **COLS)
    es = ev.event_study.set_index("event_time")
    for k, (b, se) in ref["event"].items():
        assert es.loc[int(k), "estimate"] == pytest.approx(b, abs=EXACT)
        assert es.loc[int(k), "se"] == pytest.approx(se, rel=1e-8)


def test_bad_weights_are_clear_errors(mpdta):
    with pytest.raises(ToolkitError, match="positive number.*data row 4"):
        estimate(mpdta.assign(w=[1.0, 1.0, 1.0, 0.0] + [1.0] * (len(mpdta) - 4)), estimator="twfe", weights="w", **COLS)
    with pytest.raises(ToolkitError, match="CR1"):
        estimate(mpdta, estimator="twfe", weights="pop", vcov="CR2", **COLS)
    with pytest.raises(ToolkitError, match="does not take sampling weights"):
        estimate(mpdta, estimator="sdid", weights="pop", **COLS)


def test_cli_weights(mpdta, tmp_path, capsys):
    from toolkit import cli

    path = tmp_path / "m.csv"
    mpdta.to_csv(path, index=False)
    args = ["did", str(path), "--outcome", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"]
    assert cli.main([*args, "--weights", "pop", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    ref = json.loads(REF.read_text(encoding="utf-8"))
    assert obj["estimate"] == pytest.approx(ref["twfe"]["estimate"], abs=EXACT)
    assert cli.main([*args, "--weights", "pop", "--estimator", "sdid"]) == 2
    assert "sampling weights" in capsys.readouterr().err


def test_weighted_sa_equals_pyfixest(mpdta):
    # WLS on the saturated cohort x relative-period design, cells aggregated by summed weights
    ref = json.loads(REF.read_text(encoding="utf-8"))["sa"]
    sa = estimate(mpdta, estimator="sa", weights="pop", **COLS)
    cells = sa.group_time.set_index(["cohort", "event_time"])
    assert len(cells) == len(ref["cells"]) == 12
    for key, (b, se) in ref["cells"].items():
        g, e = (int(x) for x in key.split(":"))
        assert cells.loc[(g, e), "estimate"] == pytest.approx(b, abs=1e-8)
        assert cells.loc[(g, e), "se"] == pytest.approx(se, rel=1e-8)
    es = sa.event_study.set_index("event_time")
    for k, (b, se) in ref["event_study"].items():
        assert es.loc[int(k), "estimate"] == pytest.approx(b, abs=1e-8)
        assert es.loc[int(k), "se"] == pytest.approx(se, rel=1e-8)
    assert sa.estimate == pytest.approx(ref["att"][0], abs=1e-8)
    assert sa.se == pytest.approx(ref["att"][1], rel=1e-8)
    assert sa.options["weights"] == "pop" and "weighted least squares" in sa.inference
    plain = estimate(mpdta, estimator="sa", **COLS)
    assert abs(sa.estimate - plain.estimate) > 0.01  # population weights move the ATT (-0.018 vs -0.040)


def test_sa_constant_weights_change_nothing(mpdta):
    plain = estimate(mpdta, estimator="sa", **COLS)
    w = estimate(mpdta.assign(w=7.0), estimator="sa", weights="w", **COLS)
    assert w.estimate == pytest.approx(plain.estimate, abs=EXACT)
    assert w.se == pytest.approx(plain.se, abs=EXACT)
    pd.testing.assert_frame_equal(w.event_study, plain.event_study, atol=EXACT, rtol=0)


def test_sa_integer_unit_weights_equal_duplicated_units():
    # weight 2 on a unit is the same regression (and the same cell shares) as that unit twice
    rows = []
    for unit, g, w in [(1, 0, 1), (2, 0, 2), (3, 3, 2), (4, 3, 1), (5, 4, 1), (6, 4, 3), (7, 0, 1)]:
        for t in (1, 2, 3, 4):
            y = 0.3 * unit + 0.1 * t * unit % 3 + (1.5 + 0.2 * unit if g and t >= g else 0.0) + 0.05 * ((unit * t) % 4)
            rows.append({"u": unit, "t": t, "g": g, "y": y, "w": float(w)})
    d = pd.DataFrame(rows)
    dup = pd.concat(
        [d[d["w"] >= k].assign(u=lambda x, k=k: x["u"] + 100 * (k - 1)) for k in (1, 2, 3)], ignore_index=True
    )
    cols = dict(yname="y", idname="u", tname="t", gname="g")
    weighted = estimate(d, estimator="sa", weights="w", **cols)
    copies = estimate(dup, estimator="sa", **cols)
    assert weighted.estimate == pytest.approx(copies.estimate, abs=1e-10)
    pd.testing.assert_series_equal(weighted.event_study["estimate"], copies.event_study["estimate"], atol=1e-10, rtol=0)
    # the ATT is the cells' average with summed weights: cohort 3 weighs 3 per post cell, cohort 4 weighs 4
    gt = weighted.group_time.set_index(["cohort", "event_time"])["estimate"]
    by_hand = (3 * gt[(3, 0)] + 3 * gt[(3, 1)] + 4 * gt[(4, 0)]) / 10
    assert weighted.estimate == pytest.approx(by_hand, abs=1e-12)


@pytest.mark.parametrize("estimator", ["sdid", "bacon"])
def test_estimators_without_weights_refuse_them(mpdta, estimator):
    with pytest.raises(ToolkitError, match=f"estimator '{estimator}' does not take sampling weights"):
        estimate(mpdta, estimator=estimator, weights="pop", **COLS)


CS_RUNS = {
    "never": dict(control="never"),
    "notyet": dict(control="notyet"),
    "never_lpop_dr": dict(control="never", covariates=("lpop",), est_method="dr"),
    "never_lpop_reg": dict(control="never", covariates=("lpop",), est_method="reg"),
    "never_lpop_ipw": dict(control="never", covariates=("lpop",), est_method="ipw"),
    "notyet_lpop_dr": dict(control="notyet", covariates=("lpop",), est_method="dr"),
}


@pytest.mark.parametrize("key", sorted(CS_RUNS))
def test_weighted_cs_equals_csdid(mpdta, key):
    # csdid 0.4.3 weights_name='pop' (R did weightsname): every ATT(g,t), SE and aggregation
    ref = json.loads(REF.read_text(encoding="utf-8"))["cs"][key]
    cs = estimate(mpdta, estimator="cs", weights="pop", cband=False, **CS_RUNS[key], **COLS)
    gt = cs.group_time.set_index(["cohort", "time"])
    assert len(gt) == len(ref["cells"]) == 12
    for c in ref["cells"]:
        assert gt.loc[(c["cohort"], c["time"]), "estimate"] == pytest.approx(c["estimate"], abs=1e-8)
        assert gt.loc[(c["cohort"], c["time"]), "se"] == pytest.approx(c["se"], rel=1e-8)
    for kind, agg in ref["aggte"].items():
        got = cs.diagnostics["overall"][kind]
        assert got["estimate"] == pytest.approx(agg["estimate"], abs=1e-8), kind
        assert got["se"] == pytest.approx(agg["se"], rel=1e-8), kind
    es = cs.event_study.set_index("event_time")
    for row in ref["aggte"]["dynamic"]["table"]:
        assert es.loc[row["key"], "estimate"] == pytest.approx(row["estimate"], abs=1e-8)
        assert es.loc[row["key"], "se"] == pytest.approx(row["se"], rel=1e-8)
    assert cs.options["weights"] == "pop"


def test_cs_weights_by_hand():
    # two periods, one cohort, never-treated controls: ATT = weighted mean change, treated minus control
    # treated units dy = 3 (w 1), 5 (w 3): 4.5; controls dy = 1 (w 2), 2 (w 2): 1.5; ATT = 3
    rows = []
    for u, g, w, dy in [(1, 2, 1.0, 3.0), (2, 2, 3.0, 5.0), (3, 0, 2.0, 1.0), (4, 0, 2.0, 2.0)]:
        rows += [{"u": u, "t": 1, "g": g, "y": 10.0 * u, "w": w}, {"u": u, "t": 2, "g": g, "y": 10.0 * u + dy, "w": w}]
    cs = estimate(
        pd.DataFrame(rows), estimator="cs", weights="w", cband=False, yname="y", idname="u", tname="t", gname="g"
    )
    assert cs.estimate == pytest.approx(3.0, abs=1e-12)
    # IF (n = 4): treated n·w(dy−4.5)/Σw = 4·1·(−1.5)/4, 4·3·0.5/4 = −1.5, 1.5;
    # controls −n·w(dy−1.5)/Σw = −4·2·(−0.5)/4, −4·2·0.5/4 = 1, −1; SE = sqrt(2.25 + 2.25 + 1 + 1)/4
    assert cs.se == pytest.approx(np.sqrt(6.5) / 4, abs=1e-12)


def test_cs_weights_must_be_constant_within_units(mpdta):
    varying = mpdta.assign(w=1.0 + (mpdta["year"] == 2005))
    with pytest.raises(ToolkitError, match="varies within 500 units"):
        estimate(varying, estimator="cs", weights="w", **COLS)
    unbalanced = mpdta.iloc[1:]
    with pytest.raises(ToolkitError, match="balanced panel"):
        estimate(unbalanced, estimator="cs", weights="pop", **COLS)


# ----------------------------------------------------------------------------- BJS with weights
def test_weighted_bjs_equals_pyfixest_dummy_regression(mpdta):
    # weighted OLS of the untreated rows on county and year dummies, predict, pop-weighted means
    ref = json.loads(REF.read_text(encoding="utf-8"))["bjs"]
    bjs = estimate(mpdta, estimator="bjs", weights="pop", **COLS)
    assert bjs.estimate == pytest.approx(ref["att"], abs=1e-8)
    es = bjs.event_study.set_index("event_time")
    assert sorted(es.index) == sorted(int(k) for k in ref["by_event_time"])
    for k, b in ref["by_event_time"].items():
        assert es.loc[int(k), "estimate"] == pytest.approx(b, abs=1e-8)
    assert bjs.options["weights"] == "pop" and "weights 'pop'" in bjs.inference
    # analytic SEs (and estimates) equal the did_imputation port's with aw='pop'
    port = ref["port"]
    assert bjs.estimate == pytest.approx(port["att"][0], abs=1e-8)
    assert bjs.se == pytest.approx(port["att"][1], rel=1e-8)
    assert sorted(int(k) for k in port["by_event_time"]) == list(es.index)
    for k, (b, se) in port["by_event_time"].items():
        assert es.loc[int(k), "estimate"] == pytest.approx(b, abs=1e-8)
        assert es.loc[int(k), "se"] == pytest.approx(se, rel=1e-8)
    plain = estimate(mpdta, estimator="bjs", **COLS)
    assert abs(bjs.estimate - plain.estimate) > 0.02  # -0.0159 weighted vs -0.0477 unweighted
    assert np.isfinite(bjs.se) and bjs.se != pytest.approx(plain.se, rel=1e-3)


def test_bjs_constant_weights_change_nothing(mpdta):
    d = mpdta.assign(x=mpdta["lpop"] * (mpdta["year"] - 2003), w=7.0)
    for cov in ((), ("x",)):
        plain = estimate(d, estimator="bjs", covariates=cov, **COLS)
        w = estimate(d, estimator="bjs", weights="w", covariates=cov, **COLS)
        assert w.estimate == pytest.approx(plain.estimate, abs=EXACT)
        assert w.se == pytest.approx(plain.se, abs=EXACT)
        pd.testing.assert_frame_equal(w.event_study, plain.event_study, atol=EXACT, rtol=0)


def _bjs_panel():
    rows = []
    for unit, g, w in [(1, 0, 1), (2, 0, 2), (3, 3, 2), (4, 3, 1), (5, 4, 1), (6, 4, 3), (7, 0, 1)]:
        for t in (1, 2, 3, 4):
            y = (
                0.3 * unit
                + 0.1 * t * unit % 3
                + (1.5 + 0.2 * unit * t if g and t >= g else 0.0)
                + 0.05 * ((unit * t) % 4)
            )
            rows.append({"u": unit, "t": t, "g": g, "y": y, "w": float(w), "x": float((unit * t * 7) % 5)})
    return pd.DataFrame(rows)


def test_bjs_integer_unit_weights_equal_duplicated_units():
    d = _bjs_panel()
    dup = pd.concat(
        [d[d["w"] >= k].assign(u=lambda x, k=k: x["u"] + 100 * (k - 1)) for k in (1, 2, 3)], ignore_index=True
    )
    cols = dict(yname="y", idname="u", tname="t", gname="g")
    for cov in ((), ("x",)):
        weighted = estimate(d, estimator="bjs", weights="w", covariates=cov, **cols)
        copies = estimate(dup, estimator="bjs", covariates=cov, **cols)
        assert weighted.estimate == pytest.approx(copies.estimate, abs=1e-10)
        pd.testing.assert_series_equal(
            weighted.event_study["estimate"], copies.event_study["estimate"], atol=1e-10, rtol=0
        )


def test_bjs_row_weights_equal_weighted_dummy_regression():
    # weights varying within units: WLS on explicit dummies (rows scaled by sqrt(w)) is the definition,
    # and the analytic variance's implied weights reproduce the weighted estimate (sum of v*y)
    from toolkit.did.imputation import _bjs_point, bjs_analytic_variance
    from toolkit.did.panel import prepare_panel

    d = _bjs_panel()
    d["w"] = 1.0 + (d["u"] * 3 + d["t"] * 5) % 4
    bjs = estimate(d, estimator="bjs", weights="w", covariates=("x",), yname="y", idname="u", tname="t", gname="g")
    treated = (d["g"] > 0) & (d["t"] >= d["g"])
    u0 = d[~treated]
    Z = lambda f: np.column_stack(  # noqa: E731
        [pd.get_dummies(f["u"]).reindex(columns=sorted(d["u"].unique()), fill_value=0).to_numpy(float)]
        + [pd.get_dummies(f["t"]).reindex(columns=[2, 3, 4], fill_value=0).to_numpy(float), f[["x"]].to_numpy()]
    )
    sw = np.sqrt(u0["w"].to_numpy())
    beta = np.linalg.lstsq(Z(u0) * sw[:, None], u0["y"].to_numpy() * sw, rcond=None)[0]
    t1 = d[treated]
    tau = t1["y"].to_numpy() - Z(t1) @ beta
    assert bjs.estimate == pytest.approx(np.average(tau, weights=t1["w"]), abs=1e-10)
    e = (t1["t"] - t1["g"]).to_numpy()
    es = bjs.event_study.set_index("event_time")["estimate"]
    for k in sorted(set(e)):
        assert es[k] == pytest.approx(np.average(tau[e == k], weights=t1["w"].to_numpy()[e == k]), abs=1e-10)
    p = prepare_panel(d, "y", "u", "t", "g", covariates=("x",), extra_columns=["w"])
    Y, G = p.wide()
    omega = np.ones(Y.shape)
    omega[p.data["unit_code"], p.data["time_code"]] = p.data["w"]
    X = np.zeros((*Y.shape, 1))
    X[p.data["unit_code"], p.data["time_code"], 0] = p.data["x"]
    seen = np.ones(Y.shape, dtype=bool)
    est, _, tau_w = _bjs_point(Y, G, p.times, X, seen, omega)
    i1, t1c = np.nonzero((G[:, None] > 0) & (p.times[None, :] >= G[:, None]))
    v = omega[i1, t1c][:, None] / omega[i1, t1c].sum()
    check, _ = bjs_analytic_variance(Y, G, p.times, seen, tau_w, v, X, omega)
    assert check[0] == pytest.approx(est, abs=1e-10) and est == pytest.approx(bjs.estimate, abs=1e-12)


def test_bjs_weights_by_hand():
    # two periods, cohort 2, never-treated controls; weights constant per unit
    # treated dy = 3 (w 1), 5 (w 3); controls dy = 1 (w 2), 2 (w 2): weighted control change 1.5
    # tau = 1.5, 3.5; ATT = (1·1.5 + 3·3.5)/4 = 3
    rows = []
    for u, g, w, dy in [(1, 2, 1.0, 3.0), (2, 2, 3.0, 5.0), (3, 0, 2.0, 1.0), (4, 0, 2.0, 2.0)]:
        rows += [{"u": u, "t": 1, "g": g, "y": 10.0 * u, "w": w}, {"u": u, "t": 2, "g": g, "y": 10.0 * u + dy, "w": w}]
    cols = dict(yname="y", idname="u", tname="t", gname="g")
    bjs = estimate(pd.DataFrame(rows), estimator="bjs", weights="w", **cols)
    assert bjs.estimate == pytest.approx(3.0, abs=1e-12)
    # implied weights: treated (t=2) w/4, their t=1 rows −w/4; controls ∓w/4 at t=2/t=1 (Σ control w = 4)
    # residuals: treated tau − tau_bar, tau_bar = v²-weighted mean = (1·1.5 + 9·3.5)/10 = 3.3 → scores
    # 1·(−1.8)/4 = −0.45, 3·0.2/4 = 0.15; control residuals ±(dy − 1.5)/2 → scores −2·(dy − 1.5)/4 = 0.25, −0.25
    # Var = 0.2025 + 0.0225 + 0.0625 + 0.0625 = 0.35
    assert bjs.se == pytest.approx(np.sqrt(0.35), abs=1e-12)
    # unweighted, the same arithmetic: tau_bar = 2.5, scores ∓0.5 and ±0.25, Var = 0.625
    plain = estimate(pd.DataFrame(rows), estimator="bjs", **cols)
    assert plain.estimate == pytest.approx(2.5, abs=1e-12)
    assert plain.se == pytest.approx(np.sqrt(0.625), abs=1e-12)
