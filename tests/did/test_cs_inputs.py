"""Callaway–Sant'Anna: bad inputs give a clear ToolkitError; control-group rules on small panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.did.aggregate import aggte
from toolkit.did.staggered import att_gt
from toolkit.errors import ToolkitError, ValidationError


def _panel(cohorts: dict[str, int], years=range(2015, 2021), effect: float = 0.0) -> pd.DataFrame:
    rows = []
    for k, (unit, g) in enumerate(sorted(cohorts.items())):
        for t in years:
            treated = g > 0 and t >= g
            rows.append(
                {"county": unit, "year": t, "g": g, "y": k + 0.5 * (t - 2015) + (t % 3) * 0.1 * k + effect * treated}
            )
    return pd.DataFrame(rows)


def test_no_never_treated_with_control_never_is_an_error():
    d = _panel({"a": 2017, "b": 2017, "c": 2019, "d": 2019})
    with pytest.raises(ToolkitError, match="never-treated"):
        att_gt(d, "y", "county", "year", "g", control="never")


def test_not_yet_treated_without_never_treated_uses_last_cohort_as_control():
    d = _panel({"a": 2017, "b": 2017, "c": 2019, "d": 2019})
    res = att_gt(d, "y", "county", "year", "g", control="notyet")
    assert sorted(res.cells["cohort"].unique()) == [2017]  # 2019 only serves as a control
    # ATT(2017, t) is estimable while 2019 is not yet treated: t ≤ 2018
    assert res.cells.loc[res.cells["post"], "time"].tolist() == [2017, 2018]
    assert any("used only as a not-yet-treated comparison" in w for w in res.warnings)


def test_non_numeric_outcome_names_column_and_row():
    d = _panel({"a": 2017, "b": 0})
    d["y"] = d["y"].astype(object)
    d.loc[3, "y"] = "abc"  # ('n/a' is an empty cell, as in every table: that row would be dropped with a warning)
    with pytest.raises(ValidationError) as err:
        att_gt(d, "y", "county", "year", "g")
    text = str(err.value)
    assert "'y'" in text and "row 4" in text and "'abc'" in text


def test_cohort_with_no_pre_period_is_an_error():
    d = _panel({"a": 2015, "b": 2017, "c": 0})
    with pytest.raises(ValidationError, match="no pre-treatment period"):
        att_gt(d, "y", "county", "year", "g")


def test_unbalanced_panel_is_estimated_and_said():
    # county a lacks 2015: estimated from the rows present (R did allow_unbalanced_panel=TRUE), with a note
    d = _panel({"a": 2017, "b": 0, "c": 0}).iloc[1:]
    res = att_gt(d, "y", "county", "year", "g")
    assert any("unbalanced panel (1 of 18 unit-periods missing)" in w for w in res.warnings)


def test_bad_options_are_errors():
    d = _panel({"a": 2017, "b": 0})
    with pytest.raises(ToolkitError, match="control"):
        att_gt(d, "y", "county", "year", "g", control="everyone")
    with pytest.raises(ToolkitError, match="est_method"):
        att_gt(d, "y", "county", "year", "g", est_method="ols")
    with pytest.raises(ToolkitError, match="aggregation type"):
        aggte(att_gt(d, "y", "county", "year", "g"), "weekly")


def test_notyet_control_set_follows_r_did():
    # cohorts 2017 (a), 2019 (b), never (c). For ATT(2017, 2018) the base is 2016 and the
    # not-yet-treated controls are units with G > max(2018, 2016) = 2018 → b and c: 2 controls.
    # For ATT(2017, 2019) b is treated → only c.
    d = _panel({"a": 2017, "b": 2019, "c": 0})
    res = att_gt(d, "y", "county", "year", "g", control="notyet")
    c = res.cells.set_index(["cohort", "time"])
    assert c.loc[(2017, 2018), "n_control"] == 2
    assert c.loc[(2017, 2019), "n_control"] == 1
    assert c.loc[(2017, 2018), "base_time"] == 2016
    assert c.loc[(2019, 2017), "base_time"] == 2016  # varying base: pre cells compare t with t−1


def test_known_effect_recovered_exactly_without_noise():
    # y = unit level + common trend + 2.0 after treatment: every post ATT(g,t) is exactly 2,
    # every pre-period placebo exactly 0, whatever the control group.
    d = _panel({"a": 2017, "b": 2019, "c": 0, "e": 0}, effect=2.0)
    d["y"] = (
        d["county"].map({"a": 1.0, "b": 2.0, "c": 3.0, "e": 5.0})
        + 0.3 * (d["year"] - 2015)
        + 2.0 * ((d["g"] > 0) & (d["year"] >= d["g"]))
    )
    for control in ("never", "notyet"):
        res = att_gt(d, "y", "county", "year", "g", control=control)
        post = res.cells["post"].to_numpy()
        np.testing.assert_allclose(res.cells.loc[post, "estimate"], 2.0, atol=1e-12)
        np.testing.assert_allclose(res.cells.loc[~post, "estimate"], 0.0, atol=1e-12)
        assert aggte(res, "simple").estimate == pytest.approx(2.0, abs=1e-12)


def test_universal_base_period_reference_cell_is_zero():
    d = _panel({"a": 2017, "b": 2019, "c": 0, "e": 0})
    res = att_gt(d, "y", "county", "year", "g", base_period="universal")
    c = res.cells.set_index(["cohort", "time"])
    assert c.loc[(2017, 2016), "estimate"] == 0.0 and np.isnan(c.loc[(2017, 2016), "se"])
    assert (c["base_time"].loc[2017] == 2016).all()


def test_cohort_after_last_period_counts_as_never_treated():
    d = _panel({"a": 2017, "b": 2030, "c": 0})
    res = att_gt(d, "y", "county", "year", "g")
    assert sorted(res.cells["cohort"].unique()) == [2017]
    assert int(res.cells["n_control"].iloc[0]) == 2
