"""The 评判标准 (seed 004 附1; rules.md §10): ten criteria in four dimensions, criteria 9–10 derived
from the settlement where the county gives none, given rows override, result "x / 10" by dimension."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.data.contract import CRITERIA
from toolkit.errors import ToolkitError
from toolkit.indicators.criteria import (
    criteria_score,
    criteria_table,
    get_criterion,
    load_criteria,
    province_criteria,
)


def tables(given=None):
    cy = pd.DataFrame({"county_id": ["C01", "C02"], "year": [2022, 2022], "reform_year": [2017, None]})
    units = pd.DataFrame({"unit_id": ["U1", "U2", "U3"], "county_id": ["C01", "C01", "C02"]})
    unit_year = pd.DataFrame({"unit_id": ["U1", "U2", "U3"], "year": [2022] * 3})
    ph = pd.DataFrame({"unit_id": ["U1", "U2", "U3"], "year": [2022] * 3})
    met = {"government_led", "community_decides", "effective_assessment", "unified_finance"}
    rows = given if given is not None else [("C01", 2022, c, c in met, "文件") for c in CRITERIA[:8]]
    crit = pd.DataFrame(rows, columns=["county_id", "year", "criterion", "met", "evidence"])
    return {
        "county_year": cy,
        "units": units,
        "unit_year": unit_year,
        "ph_process": ph,
        "ph_targets": ph,
        "criteria_year": crit,
    }


def test_registry_matches_the_contract_and_the_seed():
    dims, crits = load_criteria()
    assert [d.name_zh for d in dims] == ["责任共同体", "管理共同体", "服务共同体", "利益共同体"]
    assert tuple(c.id for c in crits) == CRITERIA and [c.number for c in crits] == list(range(1, 11))
    assert [c.dimension for c in crits].count("responsibility") == 3 and crits[8].name_zh == "医保管理改革"
    assert all(c.text_zh and c.text_en and c.source.startswith("seed 004 附1") for c in crits)
    assert [c.id for c in crits if c.derivable] == ["insurance_reform", "unified_fiscal_funding"]


def test_given_and_derived_criteria_add_up_by_dimension():
    t = criteria_table(tables(), "C01", 2022)
    assert t["source"].tolist() == ["given"] * 8 + ["derived"] * 2
    # C01 is under the reform since 2017 and both its units have the settlement's rows: 9 and 10 met
    assert t.set_index("criterion").loc["insurance_reform", "met"]
    assert "derived from the settlement inputs" in t.set_index("criterion").loc["insurance_reform", "evidence"]
    score = criteria_score(t).set_index("dimension")
    # responsibility 1–3 all met; management: only 5 (unified_finance); service none; interest 9–10 derived
    assert score["result"].to_dict() == {
        "responsibility": "3 / 3",
        "management": "1 / 3",
        "service": "0 / 2",
        "interest": "2 / 2",
        "all": "6 / 10",
    }


def test_a_given_row_overrides_the_derived_one_and_both_are_shown():
    given = [("C01", 2022, c, True, "") for c in CRITERIA[:8]] + [
        ("C01", 2022, "unified_fiscal_funding", False, "未拨付")
    ]
    t = criteria_table(tables(given), "C01", 2022).set_index("criterion")
    row = t.loc["unified_fiscal_funding"]
    assert row["source"] == "given" and not row["met"] and row["derived_met"]  # given no, derived yes
    assert criteria_score(t.reset_index()).set_index("dimension").loc["all", "result"] == "9 / 10"


def test_not_reformed_and_missing_criteria():
    t = criteria_table(tables(), "C02", 2022).set_index("criterion")
    assert not t.loc["insurance_reform", "met"] and t.loc["insurance_reform", "source"] == "derived"
    assert t.loc["government_led", "source"] == "missing" and pd.isna(t.loc["government_led", "met"])
    score = criteria_score(t.reset_index()).set_index("dimension")
    assert score.loc["all", "result"] == "0 / 10" and score.loc["all", "unknown"] == 8
    prov = province_criteria(tables(), 2022).set_index("county_id")
    assert prov.loc["C01", "met"] == 6 and prov.loc["C02", "unknown"] == 8


def test_an_unknown_criterion_is_a_clear_error():
    with pytest.raises(ToolkitError) as err:
        get_criterion("free_lunch")
    text = err.value.render()
    assert "criteria_year" in text and "column 'criterion'" in text and "free_lunch" in text
    with pytest.raises(ToolkitError, match="free_lunch"):
        criteria_table(tables([("C01", 2022, "free_lunch", True, "")]), "C01", 2022)
