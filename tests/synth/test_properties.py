"""Invariants that hold for any seed and size (hypothesis): exact sums in fen, consistent keys."""

import json

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.data.synth import generate_province


def fen(s):
    return np.rint(s.to_numpy(float) * 100).astype(np.int64)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 9), first=st.integers(2012, 2016), length=st.integers(2, 9))
def test_invariants(tmp_path_factory, seed, n, first, length):
    out = tmp_path_factory.mktemp("prop") / "p"
    generate_province(out, seed=seed, n_counties=n, years=(first, first + length - 1))
    units = pd.read_csv(out / "units.csv")
    uy = pd.read_csv(out / "unit_year.csv").merge(units[["unit_id", "county_id"]])
    cy = pd.read_csv(out / "county_year.csv").set_index(["county_id", "year"])
    # keys: complete panels, no duplicates, zero-padded county ids, each unit in one township
    assert units.unit_id.is_unique and len(cy) == n * length and len(uy) == len(units) * length
    assert cy.index.is_unique and (cy.reset_index().county_id.str.len() == max(3, 1 + len(str(n)))).all()
    assert (units.groupby("township_id").community_id.nunique() == 1).all()
    # money and people add up exactly from units to counties
    g = uy.groupby(["county_id", "year"])
    assert (g.insured_pop.sum().loc[cy.index].to_numpy() == cy.insured_pop.to_numpy()).all()
    fund = pd.Series(fen(uy.fund_general) + fen(uy.fund_chronic_outpatient)).groupby([uy.county_id, uy.year]).sum()
    assert (fund.loc[cy.index].to_numpy() == fen(cy.fund_spending)).all()
    # numerators never exceed denominators
    assert (cy.admissions_in_county <= cy.admissions).all() and (cy.visits_primary <= cy.visits_in_county).all()
    assert (cy.visits_in_county <= cy.visits).all() and (cy.insured_pop <= cy.population).all()
    assert (fen(cy.fund_primary) <= fen(cy.fund_in_county)).all() and (
        fen(cy.fund_in_county) <= fen(cy.fund_spending)
    ).all()
    assert (uy.chronic_pop <= uy.insured_pop).all()
    # truth: ATT(g,t) listed for exactly the cohorts present, only for t ≥ g within the years
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    groups = {int(g) for g in truth["cohorts"]}
    reform = cy.reform_year.dropna().astype(int)
    assert groups == set(reform)
    for o in truth["outcomes"].values():
        assert all(first <= a["year"] <= first + length - 1 and a["year"] >= a["group"] for a in o["att_gt"])
        assert {a["group"] for a in o["att_gt"]} == groups
