"""BJS imputation's analytic standard errors: the conservative variance of Borusyak, Jaravel & Spiess
(2024, Theorem 3), as Stata ``did_imputation`` computes it — by hand on a three-unit panel, and
against the Python port of did_imputation on mpdta (balanced and unbalanced, with and without a
covariate; frozen in tests/did/reference/mpdta_unbalanced.json by make_unbalanced_reference.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.did.tolerances import EXACT, PORT_FE_RECOVERY
from toolkit.did import estimate
from toolkit.did.imputation import bjs_analytic_variance, bjs_imputation
from toolkit.paths import MPDTA_CSV

ARGS = ("lemp", "countyreal", "year", "first.treat")
COLS = ("yname", "idname", "tname", "gname")


def test_by_hand_three_units():
    """A, B never treated, C treated from period 3; y: A = 1, 2, 3; B = 3, 4, 7; C = 2, 4, 10.

    Ŷ_C3(0) = mean(C1, C2) + mean(A3, B3) − mean(A1, A2, B1, B2) = 3 + 5 − 2.5 = 5.5, so τ̂ = 4.5,
    and the implied weights are v = −½ on C1, C2, A3, B3 and +¼ on A1, A2, B1, B2. C's residuals
    and period 3's sum to zero (own effects), so only A's and B's scores remain: −¾ε_A3 and −¾ε_B3
    = +¾ε_A3. With d_t = y_At − y_Bt = (−2, −2, −4), ε_A3 = (d_3 − mean d)/2 = (−4 + 8/3)/2 = −⅔.
    The lone treated observation is its cohort × period's mean (residual 0). Var = 2·(9/16)·(4/9) = ½.
    """
    d = pd.DataFrame(
        {"u": list("AAABBBCCC"), "t": [1, 2, 3] * 3, "g": [0] * 6 + [3] * 3, "y": [1, 2, 3, 3, 4, 7, 2, 4, 10.0]}
    )
    res = bjs_imputation(d, "y", "u", "t", "g")
    assert res.estimate == pytest.approx(4.5, abs=1e-12)
    assert res.se == pytest.approx(np.sqrt(0.5), abs=1e-12)
    assert res.options["se"] == "analytic" and res.options["biters"] is None


def test_implied_weights_reproduce_the_estimate():
    """Σ_it v_it y_it over all observations is the estimate itself (BJS eq. 6): the weights the
    variance uses are the estimator's own, on the overall ATT and each event time."""
    d = pd.read_csv(MPDTA_CSV)
    from toolkit.did.panel import prepare_panel

    p = prepare_panel(d, *ARGS)
    Y, G = p.wide()
    from toolkit.did.imputation import _bjs_point

    est, by_e, tau = _bjs_point(Y, G, p.times, None)
    after = (G[:, None] > 0) & (p.times[None, :] >= G[:, None])
    i1, t1 = np.nonzero(after)
    e1 = p.times[t1] - G[i1]
    W = np.column_stack([np.ones(len(i1))] + [(e1 == k).astype(float) for k in sorted(by_e)])
    W /= W.sum(axis=0)
    check, V = bjs_analytic_variance(Y, G, p.times, ~np.isnan(Y), tau, W)
    np.testing.assert_allclose(check, [est, *[by_e[k] for k in sorted(by_e)]], atol=1e-12)
    assert V.shape == (5, 5) and np.all(np.linalg.eigvalsh(V) > -1e-15)


def test_se_option_is_checked_and_bootstrap_still_available():
    d = pd.read_csv(MPDTA_CSV)
    cols = dict(zip(("yname", "idname", "tname", "gname"), ARGS))
    boot = estimate(d, estimator="bjs", se="bootstrap", biters=29, **cols)
    analytic = estimate(d, estimator="bjs", **cols)
    assert boot.estimate == analytic.estimate and boot.options["biters"] == 29
    assert "bootstrap (29 draws" in boot.inference and "Theorem 3" in analytic.inference
    assert abs(boot.se / analytic.se - 1) < 0.5  # 29 draws: a rough agreement only
    from toolkit.errors import ToolkitError

    with pytest.raises(ToolkitError, match="se must be"):
        estimate(d, estimator="bjs", se="jackknife", **cols)


REF = json.loads((Path(__file__).parent / "reference" / "mpdta_unbalanced.json").read_text(encoding="utf-8"))


def _panel(which: str) -> pd.DataFrame:
    df = pd.read_csv(MPDTA_CSV)
    if which == "unbalanced":
        gone = pd.MultiIndex.from_tuples([tuple(p) for p in REF["data"]["removed_pairs"]])
        df = df[~pd.MultiIndex.from_frame(df[["countyreal", "year"]]).isin(gone)].reset_index(drop=True)
    return df.assign(x=df["lpop"] * (df["year"] - 2003))


@pytest.mark.parametrize("which", ["balanced", "unbalanced"])
@pytest.mark.parametrize("covariate", ["plain", "x"])
def test_equals_did_imputation(which, covariate):
    """Analytic SEs equal did-imputation 0.1.0's (Python port of Stata did_imputation) for the ATT and
    every event time; the point estimates equal the imputation by hand with pyfixest exactly and the
    port's to its own fixed-effect recovery tolerance (1e-6 per effect; see the reference script)."""
    ref = REF["bjs"][which][covariate]
    res = estimate(
        _panel(which), estimator="bjs", covariates=[] if covariate == "plain" else ["x"], **dict(zip(COLS, ARGS))
    )
    exact = REF["bjs_exact"][which][covariate]
    assert res.estimate == pytest.approx(exact["att"], abs=EXACT)
    assert res.estimate == pytest.approx(ref["att"][0], abs=PORT_FE_RECOVERY)
    assert res.se == pytest.approx(ref["att"][1], abs=EXACT)
    es = res.event_study.set_index("event_time")
    assert sorted(int(k) for k in ref["by_event_time"]) == list(es.index)
    for k, (b, s) in ref["by_event_time"].items():
        assert es.loc[int(k), "estimate"] == pytest.approx(exact["by_event_time"][k], abs=EXACT), k
        assert es.loc[int(k), "estimate"] == pytest.approx(b, abs=PORT_FE_RECOVERY), k
        assert es.loc[int(k), "se"] == pytest.approx(s, abs=EXACT), k
