"""Every staggered / single-county estimator recovers the synthetic province's true effects.

The province (toolkit.data.synth, default seed, 60 counties, 2012–2024) writes truth.json with
the true ATT(g,t), R-did-style aggregates and the effect of every county-year, computed from the
generator with the noise switched off. Outcome: hospitalisation_rate = admissions / insured_pop
× 100 (truth.json's definition). Each estimator's 95% CI must cover its own estimand.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from toolkit.data.synth import generate_province
from toolkit.did.aggregate import aggte
from toolkit.did.imputation import bjs_imputation
from toolkit.did.pretest import dynamic_pretest
from toolkit.did.staggered import att_gt
from toolkit.did.sun_abraham import sun_abraham
from toolkit.did.synthetic import synthetic_did

OUTCOME = "hospitalisation_rate"


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    out = tmp_path_factory.mktemp("province") / "p"
    generate_province(out, seed=20240901)
    cy = pd.read_csv(out / "county_year.csv", dtype={"county_id": str})
    cy[OUTCOME] = cy["admissions"] / cy["insured_pop"] * 100
    cy["g"] = pd.to_numeric(cy["reform_year"], errors="coerce").fillna(0).astype(int)
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))["outcomes"][OUTCOME]
    return cy, truth


@pytest.fixture(scope="module")
def cs(province):
    cy, _ = province
    return att_gt(cy, OUTCOME, "county_id", "year", "g")


@pytest.mark.parametrize(
    "kind,key",
    [
        ("simple", "simple"),
        ("dynamic", "dynamic_overall"),
        ("group", "group_overall"),
        ("calendar", "calendar_overall"),
    ],
)
def test_cs_aggregates_cover_truth(province, cs, kind, key):
    _, truth = province
    res = aggte(cs, kind)
    assert res.ci_low <= truth["aggregates"][key] <= res.ci_high, (kind, res.estimate, truth["aggregates"][key])


def test_cs_event_study_covers_truth_pointwise_mostly(province, cs):
    _, truth = province
    es = aggte(cs, "dynamic").event_study.set_index("event_time")
    true = {r["event_time"]: r["att"] for r in truth["aggregates"]["dynamic"]}
    covered = [es.loc[e, "ci_low"] <= v <= es.loc[e, "ci_high"] for e, v in true.items()]
    # the simultaneous band covers all event times at once
    assert all(es.loc[e, "cband_low"] <= v <= es.loc[e, "cband_high"] for e, v in true.items())
    assert sum(covered) >= len(covered) - 1
    # pre-reform cells: parallel trends hold by construction (cohort averages), so no pre-period
    # ATT(g,t) is significant at the Bonferroni level (0.05 / 20 cells, two-sided z = 3.29). The
    # joint Wald pre-test is not used here: with 8-county cohorts its 20×20 covariance is too noisy
    # (it rejects, p ≈ 0.001, although each cell is unremarkable; benchmarks/montecarlo_pretest.py
    # measures its size at ~45%).
    pre = cs.cells[~cs.cells["post"]]
    assert (pre["estimate"] / pre["se"]).abs().max() < 3.29
    # the test on the 10 pre-reform event-time effects (Hotelling F, ~4% size there) does not reject
    assert dynamic_pretest(cs)["p_value"] > 0.05


def test_sa_covers_truth(province):
    cy, truth = province
    res = sun_abraham(cy, OUTCOME, "county_id", "year", "g")
    # SA's headline uses CS's simple weights (cohort size per post cell)
    assert res.ci_low <= truth["aggregates"]["simple"] <= res.ci_high


def test_bjs_covers_its_estimand(province):
    cy, truth = province
    res = bjs_imputation(cy, OUTCOME, "county_id", "year", "g", biters=49)
    # BJS weights every treated county-year equally: its estimand is the mean true effect over them
    cells = [c for c in truth["cells"] if c.get("reform_year") and c["year"] >= c["reform_year"]]
    target = float(np.mean([c["effect"] for c in cells]))
    assert res.ci_low <= target <= res.ci_high


def test_sdid_single_focal_county_covers_its_effect(province):
    cy, truth = province
    # the focal county C01 (reform 2017) against never-reformed counties only
    d = cy[(cy["county_id"] == "C01") | (cy["g"] == 0)]
    res = synthetic_did(d, OUTCOME, "county_id", "year", treated_unit="C01", treat_year=2017, placebo_reps=30)
    target = float(np.mean([c["effect"] for c in truth["cells"] if c["county_id"] == "C01" and c["year"] >= 2017]))
    assert res.ci_low <= target <= res.ci_high
    assert res.diagnostics["n_control"] == 20
