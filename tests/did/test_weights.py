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
        estimate(mpdta, estimator="bjs", weights="pop", **COLS)


def test_cli_weights(mpdta, tmp_path, capsys):
    from toolkit import cli

    path = tmp_path / "m.csv"
    mpdta.to_csv(path, index=False)
    args = ["did", str(path), "--outcome", "lemp", "--unit", "countyreal", "--time", "year", "--cohort", "first.treat"]
    assert cli.main([*args, "--weights", "pop", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    ref = json.loads(REF.read_text(encoding="utf-8"))
    assert obj["estimate"] == pytest.approx(ref["twfe"]["estimate"], abs=EXACT)
    assert cli.main([*args, "--weights", "pop", "--estimator", "bjs"]) == 2
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


@pytest.mark.parametrize("estimator", ["bjs", "sdid"])
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
