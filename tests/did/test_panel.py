"""Input checking of DiD panels (toolkit.did.panel)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.did.panel import prepare_panel
from toolkit.errors import ToolkitError, ValidationError
from toolkit.paths import MPDTA_CSV

MPDTA = str(MPDTA_CSV)  # ../shared/data beside the checkout, or $TOOLKIT_SHARED_DIR


def small_panel() -> pd.DataFrame:
    # 3 units x 3 years: u1 treated from 2011, u2 from 2012, u3 never (cohort empty)
    return pd.DataFrame(
        {
            "county": ["u1"] * 3 + ["u2"] * 3 + ["u3"] * 3,
            "year": [2010, 2011, 2012] * 3,
            "y": [1.0, 2.0, 3.0, 2.0, 2.5, 4.0, 0.5, 0.7, 0.9],
            "g": [2011] * 3 + [2012] * 3 + [None] * 3,
        }
    )


def prep(df, **kw):
    return prepare_panel(df, "y", "county", "year", "g", **kw)


def test_mpdta_is_a_balanced_panel_with_three_cohorts():
    df = pd.read_csv(MPDTA)
    p = prepare_panel(df, "lemp", "countyreal", "year", "first.treat", require_balanced=True)
    assert p.balanced and p.n_units == 500 and p.n_obs == 2500
    assert p.cohorts == [2004, 2006, 2007]
    assert p.n_never_treated == 309  # mpdta: 309 never-treated counties (did package docs)
    # treated indicator equals mpdta's own 'treat' x post construction
    d = df.sort_values(["countyreal", "year"]).reset_index(drop=True)
    expected = ((d["first.treat"] > 0) & (d["year"] >= d["first.treat"])).astype(int)
    assert (p.data["treated"].to_numpy() == expected.to_numpy()).all()


def test_empty_cohort_is_never_treated_and_codes_are_sorted():
    p = prep(small_panel())
    assert p.unit_cohort.to_dict() == {"u1": 2011, "u2": 2012, "u3": 0}
    assert p.data["treated"].tolist() == [0, 1, 1, 0, 0, 1, 0, 0, 0]
    assert p.data["rel_time"].tolist()[:6] == [-1, 0, 1, -2, -1, 0]
    assert p.data["unit_code"].tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_missing_column_named():
    with pytest.raises(ToolkitError, match="'lemp'"):
        prepare_panel(small_panel(), "lemp", "county", "year", "g")


def test_non_numeric_outcome_names_column_row_and_value():
    df = small_panel()
    df["y"] = df["y"].astype(str)
    df.loc[4, "y"] = "abc"  # ('n/a' is an empty cell, as in every table: that row is dropped with a warning)
    with pytest.raises(ToolkitError) as err:
        prep(df)
    text = str(err.value)
    assert "'y'" in text and "row 5" in text and "'abc'" in text and "a number" in text


def test_duplicate_unit_time_rows():
    df = pd.concat([small_panel(), small_panel().iloc[[1]]], ignore_index=True)
    with pytest.raises(ToolkitError, match="one row per \\(county, year\\) — duplicated key") as err:
        prep(df)
    assert "rows 2, 10" in str(err.value)


def test_cohort_varying_within_unit():
    df = small_panel()
    df.loc[2, "g"] = 2012
    with pytest.raises(ToolkitError, match=r"'u1: 2011 vs 2012' — expected one g within each \(county\)"):
        prep(df)


def test_cohort_without_pre_period_is_an_error_by_default_and_droppable():
    df = small_panel()
    df.loc[0:2, "g"] = 2010  # u1 treated in the first observed year
    with pytest.raises(ToolkitError, match="no pre-treatment period"):
        prep(df)
    p = prep(df, always_treated="drop")
    assert p.n_units == 2 and p.dropped_units == ("u1",)
    assert any("already treated" in w for w in p.warnings)


def test_unbalanced_panel_error_names_units_and_years():
    df = small_panel().drop(index=[4]).reset_index(drop=True)
    p = prep(df)
    assert not p.balanced
    with pytest.raises(ToolkitError, match=r"balanced panel.*'u2' lacks \[2011\]"):
        prep(df, require_balanced=True)


def test_no_never_treated():
    df = small_panel()
    df.loc[6:8, "g"] = 2012
    p = prep(df)
    with pytest.raises(ToolkitError, match="never-treated"):
        p.require_never_treated()


def test_missing_outcome_rows_dropped_with_warning():
    df = small_panel()
    df.loc[3, "y"] = np.nan
    p = prep(df)
    assert p.n_obs == 8 and not p.balanced
    assert "dropped 1 row" in p.warnings[0]


def test_late_cohort_warned():
    df = small_panel()
    df.loc[6:8, "g"] = 2015
    p = prep(df)
    assert any("after the last period" in w for w in p.warnings)
    assert p.data.loc[p.data["unit"] == "u3", "treated"].sum() == 0


@settings(max_examples=25, deadline=None)
@given(st.permutations(list(range(9))))
def test_row_order_does_not_matter(order):
    base = prep(small_panel()).data.drop(columns="row")
    shuffled = prep(small_panel().iloc[list(order)]).data.drop(columns="row")
    pd.testing.assert_frame_equal(base, shuffled)


def test_every_problem_of_the_panel_in_one_error_from_the_contract_engine():
    # rows: u1 on 1–3, u2 on 4–6, u3 on 7–9; each rule the panel declares broken once
    df = small_panel().astype({"year": "float64", "county": object})
    df.loc[0, "county"] = None  # row 1: no unit id
    df.loc[4, "year"] = 2011.5  # row 5: not a whole period
    df.loc[7, "g"] = -1  # row 8: a negative first treated period
    df.loc[8, "y"] = np.inf  # row 9: not a number an estimator can use
    with pytest.raises(ValidationError) as err:
        prep(df)
    found = {(p.column, p.rows) for p in err.value.problems}
    assert found >= {("county", (1,)), ("year", (5,)), ("g", (8,)), ("y", (9,))}
    text = str(err.value)
    assert "row 5 column 'year': value '2011.5' — expected a whole number" in text
    assert "row 9 column 'y': value 'inf' — expected a number" in text
