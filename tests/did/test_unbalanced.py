"""Unbalanced panels: cs, sa and bjs estimate them, each equal to a peer on the same rows; bacon refuses.

Data: mpdta with 250 of its 2,500 county-years removed at random; the removed pairs and the peers'
numbers are frozen in tests/did/reference/mpdta_unbalanced.json by
tests/did/reference/make_unbalanced_reference.py (peers in benchmarks/.venv, provenance inside).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.did.tolerances import EXACT
from toolkit.did import estimate
from toolkit.did.aggregate import aggte
from toolkit.did.staggered import att_gt
from toolkit.paths import MPDTA_CSV

REF = json.loads((Path(__file__).parent / "reference" / "mpdta_unbalanced.json").read_text(encoding="utf-8"))
ARGS = ("lemp", "countyreal", "year", "first.treat")
COLS = dict(zip(("yname", "idname", "tname", "gname"), ARGS))


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    df = pd.read_csv(MPDTA_CSV)
    gone = pd.MultiIndex.from_tuples([tuple(p) for p in REF["data"]["removed_pairs"]])
    keep = ~pd.MultiIndex.from_frame(df[["countyreal", "year"]]).isin(gone)
    out = df[keep].reset_index(drop=True)
    assert len(out) == 2250  # 2,500 county-years less the 250 removed
    return out


# --------------------------------------------------------------------------- Callaway–Sant'Anna
@pytest.mark.parametrize("control", ["never", "notyet"])
def test_cs_equals_csdid_allow_unbalanced_panel(panel, control):
    """csdid 0.4.3 ``allow_unbalanced_panel=True`` (R did's repeated-cross-section 2×2, analytic
    influence-function SEs clustered by county): every ATT(g,t), its SE and all four aggregations."""
    ref = REF["cs"][control]
    res = att_gt(panel, *ARGS, control=control, cband=False)
    got = {(int(g), int(t)): (e, s) for g, t, e, s in res.cells[["cohort", "time", "estimate", "se"]].to_numpy()}
    assert len(got) == len(ref["cells"]) == 12
    for cell in ref["cells"]:
        est, se = got[(cell["cohort"], cell["time"])]
        assert est == pytest.approx(cell["estimate"], abs=EXACT), cell
        assert se == pytest.approx(cell["se"], abs=EXACT), cell
    for kind, agg in ref["aggte"].items():
        out = aggte(res, kind, cband=False)
        assert out.estimate == pytest.approx(agg["estimate"], abs=EXACT), kind
        assert out.se == pytest.approx(agg["se"], abs=EXACT), kind
        if kind != "simple":
            table = {"dynamic": out.event_study, "group": out.groups, "calendar": out.calendar}[kind]
            np.testing.assert_allclose(table["estimate"], [r["estimate"] for r in agg["table"]], atol=EXACT)
            np.testing.assert_allclose(table["se"], [r["se"] for r in agg["table"]], atol=EXACT)
    assert any("unbalanced panel (250 of 2500 unit-periods missing)" in w for w in res.warnings)


def test_cs_unbalanced_by_hand():
    """Four means: cohort 3 (units A, B) vs never treated (C, D), period 3 against base 2.
    B lacks period 2 and D lacks period 3. ATT(3,3) = mean(A3, B3) − A2 − (C3 − mean(C2, D2))
    = (5 + 9)/2 − 2 − (4 − (3 + 1)/2) = 7 − 2 − 2 = 3."""
    rows = [("A", 1, 1.0), ("A", 2, 2.0), ("A", 3, 5.0), ("B", 1, 7.0), ("B", 3, 9.0)]
    rows += [("C", 1, 2.0), ("C", 2, 3.0), ("C", 3, 4.0), ("D", 1, 0.0), ("D", 2, 1.0)]
    d = pd.DataFrame(rows, columns=["u", "t", "y"]).assign(g=lambda x: np.where(x["u"].isin(["A", "B"]), 3, 0))
    res = att_gt(d, "y", "u", "t", "g", cband=False)
    cell = res.cells.set_index("time").loc[3]
    assert cell["estimate"] == pytest.approx(3.0, abs=1e-12)
    # influence function (n = 4 units): A: 4/2·(5−7) − 4/1·(2−2) = −4; B: 4/2·(9−7) = 4;
    # C: −4/1·(4−4) + 4/2·(3−2) = 2; D: 4/2·(1−2) = −2 → SE = sqrt(16+16+4+4)/4 = sqrt(40)/4
    assert cell["se"] == pytest.approx(np.sqrt(40) / 4, abs=1e-12)


@pytest.mark.parametrize("key", ["never_lpop_dr", "notyet_lpop_dr", "never_lpop_reg", "never_lpop_ipw"])
def test_cs_unbalanced_with_a_covariate_equals_csdid(panel, key):
    """est_method='dr' / 'reg' / 'ipw' with lpop: R DRDID's drdid_rc / reg_did_rc / std_ipw_did_rc, as
    csdid 0.4.3 runs them on an unbalanced panel."""
    control, _, method = key.split("_")
    ref = REF["cs"][key]
    res = att_gt(panel, *ARGS, covariates=["lpop"], est_method=method, control=control, cband=False)
    got = {(int(g), int(t)): (e, s) for g, t, e, s in res.cells[["cohort", "time", "estimate", "se"]].to_numpy()}
    assert len(got) == len(ref["cells"]) == 12
    for cell in ref["cells"]:
        assert got[(cell["cohort"], cell["time"])] == pytest.approx((cell["estimate"], cell["se"]), abs=EXACT), cell
    for kind, agg in ref["aggte"].items():
        out = aggte(res, kind, cband=False)
        assert (out.estimate, out.se) == pytest.approx((agg["estimate"], agg["se"]), abs=EXACT), kind


# --------------------------------------------------------------------------- Sun–Abraham
def _sa_table(res) -> dict[str, tuple[float, float]]:
    gt = res.group_time
    return {f"{g}:{e}": (b, s) for g, e, b, s in zip(gt["cohort"], gt["event_time"], gt["estimate"], gt["se"])}


@pytest.mark.parametrize("which", ["unbalanced", "balanced"])
def test_sa_equals_pyfixest_saturated_regression(panel, which):
    """pyfixest feols with one dummy per cohort × relative period (fixest ``sunab``'s design), CRV1 by
    county: every cell and SE; the IW event study and ATT with cells weighted by their observations."""
    ref = REF["sa"][which]
    data = panel if which == "unbalanced" else pd.read_csv(MPDTA_CSV)
    res = estimate(data, estimator="sa", **COLS)
    got = _sa_table(res)
    assert set(got) == set(ref["cells"])
    for k, (b, s) in ref["cells"].items():
        assert got[k][0] == pytest.approx(b, abs=EXACT), k
        assert got[k][1] == pytest.approx(s, abs=EXACT), k
    es = res.event_study.set_index("event_time")
    for e, (b, s) in ref["event_study"].items():
        assert es.loc[int(e), "estimate"] == pytest.approx(b, abs=EXACT)
        assert es.loc[int(e), "se"] == pytest.approx(s, abs=EXACT)
    assert (res.estimate, res.se) == pytest.approx(tuple(ref["att"]), abs=EXACT)
    assert res.n_obs == ref["n_obs"]


def test_sa_unbalanced_weights_cells_by_their_observations():
    """Noise-free panel, effect +2 for cohort 3 and +4 for cohort 4 at e = 0: cohort 3 has two units,
    cohort 4 three, but one cohort-4 unit lacks its e = 0 year, so e = 0 averages 2 and 4 with weights
    2 : 2 (observations), not 2 : 3 (units): (2·2 + 2·4) / 4 = 3."""
    rows = []
    for u, g in [("a", 3), ("b", 3), ("c", 4), ("d", 4), ("e", 4), ("f", 0), ("h", 0)]:
        for t in range(1, 6):
            if u == "e" and t == 4:
                continue
            eff = {3: 2.0, 4: 4.0}.get(g, 0.0) if g and t >= g else 0.0
            rows.append((u, t, g, ord(u) + 0.5 * t + eff))
    d = pd.DataFrame(rows, columns=["u", "t", "g", "y"])
    res = estimate(d, estimator="sa", yname="y", idname="u", tname="t", gname="g")
    assert res.event_study.set_index("event_time").loc[0, "estimate"] == pytest.approx(3.0, abs=1e-10)
    assert res.n_obs == 34 and any("unbalanced panel (1 of 35" in w for w in res.warnings)


# --------------------------------------------------------------------------- BJS imputation
def test_bjs_unbalanced_equals_pyfixest_imputation(panel):
    """pyfixest feols('lemp ~ C(countyreal) + C(year)') on the untreated rows, predict for the treated
    ones; treated counties never observed before their reform cannot be imputed and are left out
    (Stata did_imputation's autosample), with a warning. Analytic SEs: tests/did/test_bjs_analytic.py."""
    ref = REF["bjs_exact"]["unbalanced"]
    res = estimate(panel, estimator="bjs", **COLS)
    assert res.estimate == pytest.approx(ref["plain"]["att"], abs=EXACT)
    assert res.diagnostics["n_treated_obs"] == ref["n_treated_obs"]
    # one county of the 2004 cohort lost its 2003 row: observed only from 2004 on (4 treated years)
    assert res.diagnostics["n_units_not_imputable"] == 1
    assert any("1 treated unit observed only after its reform (4 observations)" in w for w in res.warnings)
    assert any("unbalanced panel (250 of 2500" in w for w in res.warnings)


def test_bjs_unit_without_untreated_year_is_left_out():
    """C (cohort 2) is observed only in periods 2–3: no untreated year, so it is left out. What is
    left: A = 1, 2, 3 never treated; B = 2, 3, 6 treated from 3. B's untreated years put it 1 above A,
    so Ŷ_B3(0) = 3 + 1 = 4 and τ̂ = 6 − 4 = 2 (C's 50 and 70 play no part)."""
    d = pd.DataFrame(
        {
            "u": list("AAABBBCC"),
            "t": [1, 2, 3, 1, 2, 3, 2, 3],
            "g": [0, 0, 0, 3, 3, 3, 2, 2],
            "y": [1, 2, 3, 2, 3, 6, 50, 70.0],
        }
    )
    res = estimate(d, estimator="bjs", yname="y", idname="u", tname="t", gname="g")
    assert res.estimate == pytest.approx(2.0, abs=1e-10)
    assert res.diagnostics["n_units_not_imputable"] == 1
    assert any("1 treated unit observed only after its reform (2 observations)" in w for w in res.warnings)


# --------------------------------------------------------------------------- TWFE, event study
def test_twfe_and_event_study_unbalanced_equal_pyfixest(panel):
    ref = REF["twfe"]
    tw = estimate(panel, estimator="twfe", **COLS)
    assert (tw.estimate, tw.se) == pytest.approx(tuple(ref["twfe"]), abs=EXACT)
    ev = estimate(panel, estimator="event", **COLS).event_study.set_index("event_time")
    for e, (b, s) in ref["event"].items():
        assert (ev.loc[int(e), "estimate"], ev.loc[int(e), "se"]) == pytest.approx((b, s), abs=EXACT), e
