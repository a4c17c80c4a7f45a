"""truth.json: structure, exact ATT(g,t) from the cells, CS aggregates, and agreement with the data."""

import numpy as np
import pandas as pd
import pytest

from toolkit.data.synth_truth import aggregate_att

OUTCOMES = ["hospitalisation_rate", "premature_mortality", "income_ratio", "fund_per_insured"]


def test_structure(truth):
    assert set(truth["outcomes"]) == set(OUTCOMES)
    assert set(truth["cohorts"]) == {"2017", "2019", "2023"}
    for name, o in truth["outcomes"].items():
        for key in ["definition", "unit", "effect_model", "cells", "att_gt", "aggregates"]:
            assert key in o, (name, key)
        assert len(o["cells"]) == 60 * 13
        agg = o["aggregates"]
        assert {
            "simple",
            "dynamic",
            "dynamic_overall",
            "group",
            "group_overall",
            "calendar",
            "calendar_overall",
        } <= set(agg)
        assert [d["event_time"] for d in agg["dynamic"]] == list(range(0, 8))
        assert [g["group"] for g in agg["group"]] == [2017, 2019, 2023]


def test_hospitalisation_effect_formula(truth):
    """Hospitalisation effect = −s_g(0.8 + 0.3e): pilot e=2 → −1.5 × (0.8 + 0.6) = −2.1 points."""
    cells = pd.DataFrame(truth["outcomes"]["hospitalisation_rate"]["cells"])
    c01 = cells[cells.county_id == "C01"].set_index("year")
    assert c01.loc[2019, "effect"] == pytest.approx(-2.1, abs=1e-9)
    assert c01.loc[2016, "effect"] == 0
    main = cells[cells.reform_year == 2019].iloc[0]
    row = cells[(cells.county_id == main.county_id) & (cells.year == 2020)].iloc[0]
    assert row.effect == pytest.approx(-(0.8 + 0.3 * 1), abs=1e-9)  # 2019 cohort, s = 1, e = 1 → −1.1


@pytest.mark.parametrize("name", OUTCOMES)
def test_att_gt_is_cohort_mean_of_cells(truth, name):
    o = truth["outcomes"][name]
    cells = pd.DataFrame(o["cells"])
    untreated = cells[cells.reform_year.isna() | (cells.year < cells.reform_year)]
    assert (untreated.effect == 0).all()
    mean = cells[cells.year >= cells.reform_year].groupby(["reform_year", "year"]).effect.mean()
    att = {(a["group"], a["year"]): a["att"] for a in o["att_gt"]}
    assert set(att) == {(int(g), int(t)) for g, t in mean.index}
    for (g, t), v in mean.items():
        assert att[(int(g), int(t))] == pytest.approx(v, abs=1e-8)
    # effects have the reform's sign and the pilot cohort's are larger at equal event time
    sign = {"hospitalisation_rate": -1, "premature_mortality": -1, "income_ratio": 1, "fund_per_insured": -1}[name]
    post = cells[cells.year >= cells.reform_year]
    assert (sign * post.effect > 0).all()
    # (fund effects compared relative to the untreated level, which grows 6% a year between cohorts)
    post = post.assign(e=post.year - post.reform_year, rel=post.effect / post.expected_untreated)
    size = post.groupby(["reform_year", "e"])["rel" if name == "fund_per_insured" else "effect"].mean().abs()
    assert size[(2017, 1)] > size[(2019, 1)] > size[(2023, 1)] > 0


def test_aggregates_hand_worked():
    """Two cohorts, g=2 (3 counties) and g=3 (1 county), years up to 3.

    ATT(2,2)=1, ATT(2,3)=3, ATT(3,3)=5.
    simple   = (3·1 + 3·3 + 1·5) / (3+3+1) = 17/7
    dynamic  θ(0) = (3·1 + 1·5)/4 = 2, θ(1) = 3; overall = 2.5
    group    θ(2) = (1+3)/2 = 2, θ(3) = 5; overall = (3·2 + 1·5)/4 = 11/4
    calendar θ(2) = 1, θ(3) = (3·3 + 1·5)/4 = 3.5; overall = 2.25
    """
    agg = aggregate_att({(2, 2): 1.0, (2, 3): 3.0, (3, 3): 5.0, (3, 2): 0.0}, {2: 3, 3: 1})
    assert agg["simple"] == pytest.approx(17 / 7)
    assert [d["att"] for d in agg["dynamic"]] == [2.0, 3.0] and agg["dynamic_overall"] == 2.5
    assert [g["att"] for g in agg["group"]] == [2.0, 5.0] and agg["group_overall"] == 2.75
    assert [c["att"] for c in agg["calendar"]] == [1.0, 3.5] and agg["calendar_overall"] == 2.25


def _observed(tables):
    cy = tables["county_year"].set_index(["county_id", "year"])
    obs = pd.DataFrame(
        {
            "hospitalisation_rate": cy.admissions / cy.insured_pop * 100,
            "income_ratio": (cy.township_pay / cy.township_staff) / (cy.lead_hospital_pay / cy.lead_hospital_staff),
            "fund_per_insured": cy.fund_spending / cy.insured_pop,
        }
    )
    d = tables["deaths"]
    a = d[
        (d.sex == "all")
        & d.cause.isin(["cvd", "cancer", "diabetes", "crd"])
        & d.age_band.isin(["30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64", "65-69"])
    ]
    g = a.groupby(["county_id", "year", "age_band"]).agg(deaths=("deaths", "sum"), pop=("population", "first"))
    m = g.deaths / g["pop"]
    obs["premature_mortality"] = 100 * (1 - (1 - 5 * m / (1 + 2.5 * m)).groupby(["county_id", "year"]).prod())
    return obs


@pytest.mark.parametrize(
    "name,tolerance",
    [("hospitalisation_rate", 0.5), ("income_ratio", 0.02), ("fund_per_insured", 40.0), ("premature_mortality", 2.5)],
)
def test_data_follow_the_expected_values(tables, truth, name, tolerance):
    """The observed outcome of every county-year sits near the expected value under its own status."""
    cells = pd.DataFrame(truth["outcomes"][name]["cells"]).set_index(["county_id", "year"])
    obs = _observed(tables)[name].loc[cells.index]
    diff = (obs - cells.expected_treated).abs()
    assert diff.max() < tolerance, diff.sort_values().tail()
    # and the noise is not systematic
    assert abs((obs - cells.expected_treated).mean()) < tolerance / 5


def test_static_twfe_is_visibly_biased(tables, truth):
    """Growing, cohort-specific effects bias the static TWFE coefficient toward zero (Goodman-Bacon 2021)."""
    cy = tables["county_year"]
    y = (cy.admissions / cy.insured_pop * 100).to_numpy()
    d = (cy.reform_year.notna() & (cy.year >= cy.reform_year)).astype(float).to_numpy()
    county = pd.get_dummies(cy.county_id).to_numpy(float)
    year = pd.get_dummies(cy.year).to_numpy(float)[:, 1:]
    beta = np.linalg.lstsq(np.column_stack([county, year, d]), y, rcond=None)[0][-1]
    simple = truth["outcomes"]["hospitalisation_rate"]["aggregates"]["simple"]
    assert simple < beta < 0
    assert beta - simple > 0.25


@pytest.mark.parametrize("name,tolerance", [("hospitalisation_rate", 0.15), ("income_ratio", 0.006)])
def test_never_treated_comparison_recovers_att(tables, truth, name, tolerance):
    """Parallel trends hold at the cohort level, so the CS comparison with never-reformed counties,
    ATT(g,t) = [Ȳ_g(t) − Ȳ_g(g−1)] − [Ȳ_never(t) − Ȳ_never(g−1)], recovers the truth up to noise."""
    obs = _observed(tables)[name].rename("y").reset_index()
    reform = tables["county_year"].groupby("county_id").reform_year.first()
    obs["g"] = obs.county_id.map(reform)
    mean = obs.groupby([obs.g.fillna(0).astype(int), "year"]).y.mean()
    errors = []
    for a in truth["outcomes"][name]["att_gt"]:
        g, t = a["group"], a["year"]
        est = (mean[(g, t)] - mean[(g, g - 1)]) - (mean[(0, t)] - mean[(0, g - 1)])
        errors.append(est - a["att"])
    assert max(abs(e) for e in errors) < tolerance, errors
