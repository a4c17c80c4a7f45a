"""Goodman–Bacon decomposition (toolkit.did.bacon).

Published reference: Stata ``bacondecomp`` (Goodman-Bacon, Goldring & Nichols) on the 3-unit,
10-period example of A. Naqvi's DiD guide (asjadnaqvi.github.io/DiD, "Bacon decomposition"),
output as posted on Statalist thread 1751536 (2024): Early_v_Late beta 2, weight .1818181841;
Late_v_Early beta 4, weight .1363636317; Never_v_timing beta 2.933333323, weight .6818181841.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.did.api import estimate
from toolkit.did.bacon import bacon_decomposition, bacon_summary
from toolkit.did.panel import prepare_panel
from toolkit.did.twfe import twfe
from toolkit.errors import ToolkitError
from toolkit.paths import MPDTA_CSV

MPDTA = str(MPDTA_CSV)  # ../shared/data beside the checkout, or $TOOLKIT_SHARED_DIR
KW = dict(yname="lemp", idname="countyreal", tname="year", gname="first.treat")


def naqvi_example() -> pd.DataFrame:
    # id 1 never treated; id 2 treated from t=5 with effect 2; id 3 from t=8 with effect 4
    rows = []
    for i, g, eff in [(1, 0, 0), (2, 5, 2), (3, 8, 4)]:
        for t in range(1, 11):
            rows.append({"id": i, "t": t, "g": g, "Y": float(eff) if g and t >= g else 0.0})
    return pd.DataFrame(rows)


def test_matches_stata_bacondecomp_published_example():
    panel = prepare_panel(naqvi_example(), "Y", "id", "t", "g", require_balanced=True)
    comp = bacon_decomposition(panel)
    by = bacon_summary(comp).set_index("type")
    assert by.loc["early_vs_late", "estimate"] == pytest.approx(2.0, abs=1e-12)
    assert by.loc["early_vs_late", "weight"] == pytest.approx(
        0.1818181841, abs=5e-8
    )  # Stata stored these as float (7 digits)
    assert by.loc["late_vs_early", "estimate"] == pytest.approx(4.0, abs=1e-12)
    assert by.loc["late_vs_early", "weight"] == pytest.approx(
        0.1363636317, abs=5e-8
    )  # Stata stored these as float (7 digits)
    assert by.loc["treated_vs_never", "estimate"] == pytest.approx(
        2.933333323, abs=5e-8
    )  # Stata stored these as float (7 digits)
    assert by.loc["treated_vs_never", "weight"] == pytest.approx(
        0.6818181841, abs=5e-8
    )  # Stata stored these as float (7 digits)
    # hand check of one 2x2: id 2 vs never, pre t<5 mean 0, post mean 2 -> 2 - 0 = 2
    row = comp[(comp["type"] == "treated_vs_never") & (comp["treated"] == 5)].iloc[0]
    assert row["estimate"] == pytest.approx(2.0)


def test_weighted_sum_equals_twfe_on_mpdta():
    res = estimate(pd.read_csv(MPDTA), estimator="bacon", **KW)
    b = res.diagnostics["bacon"]
    assert b["weighted_sum"] == pytest.approx(res.estimate, abs=1e-13)
    assert res.estimate == pytest.approx(twfe(pd.read_csv(MPDTA), **KW).estimate, abs=1e-15)
    assert sum(c["weight"] for c in b["components"]) == pytest.approx(1.0, abs=1e-14)
    assert len(b["components"]) == 3 + 3 + 3  # 3 cohorts vs never, 3 pairs x 2 directions
    assert any("already-treated" in w for w in res.warnings)


@settings(max_examples=30, deadline=None)
@given(
    cohorts=st.lists(st.sampled_from([0, 2, 3, 4, 5, 6, 9]), min_size=4, max_size=12),
    seed=st.integers(0, 10_000),
)
def test_weighted_sum_equals_twfe_on_random_panels(cohorts, seed):
    # 9 = after the last period (6): counted as never treated
    if not any(0 < g <= 6 for g in cohorts) or len({g if g <= 6 else 0 for g in cohorts}) < 2:
        return
    rng = np.random.default_rng(seed)
    rows = [
        {
            "u": i,
            "t": t,
            "g": g,
            "y": rng.normal() + (i % 3) * 0.5 + 0.2 * t + (1.0 + 0.3 * (t - g) if 0 < g <= t else 0.0),
        }
        for i, g in enumerate(cohorts)
        for t in range(1, 7)
    ]
    df = pd.DataFrame(rows)
    panel = prepare_panel(df, "y", "u", "t", "g", require_balanced=True)
    comp = bacon_decomposition(panel)
    try:
        beta = twfe(panel, yname="y", idname="u", tname="t", gname="g").estimate
    except ToolkitError:
        return  # e.g. fewer than 2 clusters
    assert float((comp["weight"] * comp["estimate"]).sum()) == pytest.approx(beta, abs=1e-10)


def test_needs_balanced_panel():
    df = naqvi_example().iloc[1:]
    with pytest.raises(ToolkitError, match="balanced"):
        estimate(df, estimator="bacon", yname="Y", idname="id", tname="t", gname="g")


def test_unbalanced_panel_refused_naming_the_missing_unit_periods():
    """R bacondecomp refuses unbalanced panels (the decomposition's weights need every unit in every
    period); the error counts the missing unit-periods: 3 units × 10 periods = 30, two rows dropped."""
    df = naqvi_example()
    n_units, n_times = df["id"].nunique(), df["t"].nunique()
    df = df.drop(index=[df.index[1], df.index[7]])
    with pytest.raises(
        ToolkitError, match=rf"Goodman–Bacon.*balanced panels only.*2 of {n_units * n_times} unit-periods"
    ):
        estimate(df, estimator="bacon", yname="Y", idname="id", tname="t", gname="g")
