"""County profile from facility_year and county_year; "数据中无此项" for what the data lacks."""

from types import SimpleNamespace

import pandas as pd

from toolkit.report.context import ReportContext
from toolkit.report.county import county_profile


def _ctx(with_facilities=True, lang="zh"):
    cy = pd.DataFrame(
        {
            "county_id": ["C01", "C01"],
            "year": [2023, 2024],
            "county_name": ["甲县", "甲县"],
            "reform_year": [2017, 2017],
            "population": [500_000, 400_000],
            "insured_pop": [420_000, 350_000],
            "township_staff": [900, 910],
            "lead_hospital_staff": [1200, 1210],
            "village_doctors": [300, 290],
        }
    )
    tables = {"county_year": cy}
    if with_facilities:
        # 2024: 1 lead hospital (800 beds, 10 GPs), 3 township centres (100 beds, 30 GPs each);
        # a 2023 row and another county's row must not count
        rows = [("F1", 2024, "C01", "lead_hospital", 800, 10)]
        rows += [(f"F{i}", 2024, "C01", "township", 100, 30) for i in (2, 3, 4)]
        rows += [("F1", 2023, "C01", "lead_hospital", 9999, 99), ("G1", 2024, "C02", "township", 9999, 99)]
        tables["facility_year"] = pd.DataFrame(
            rows, columns=["facility_id", "year", "county_id", "level", "beds", "general_practitioners"]
        )
    ds = SimpleNamespace(tables=tables, data_hash="x", files={}, root=".")
    return ReportContext(ds, "C01", 2024, lang, None, 5, None, "interactive", "t")


def test_profile_from_facility_year_by_hand():
    t = county_profile(_ctx()).table.set_index("项目")["数值"]
    assert t["牵头医院数"] == "1 个" and t["乡镇卫生院数"] == "3 个"
    # beds 800 + 3 × 100 = 1,100 over 400,000 residents × 1,000 = 2.75; GPs 10 + 90 = 100 → 2.50 per 10,000
    assert t["实有床位数"] == "1,100 张" and t["每千常住人口床位数"] == "2.75 张"
    assert t["全科医生数"] == "100 人" and t["每万常住人口全科医生数"] == "2.50 人"
    assert t["乡镇卫生院人员数"] == "910 人" and t["常住人口"] == "400,000 人"
    assert t["村卫生室数"] == "数据中无此项"  # no village rows: not known to be zero
    assert t["每千常住人口注册护士数"] == "数据中无此项"


def test_without_facility_year_the_profile_says_not_in_the_data():
    t = county_profile(_ctx(with_facilities=False)).table.set_index("项目")["数值"]
    for item in ("牵头医院数", "实有床位数", "每千常住人口床位数", "每万常住人口全科医生数"):
        assert t[item] == "数据中无此项", item
    assert t["村医人数"] == "290 人"
    en = county_profile(_ctx(with_facilities=False, lang="en")).table.set_index("Item")["Value"]
    assert en["Open beds"] == "not available in the data"


def test_rates_keep_two_decimals_in_every_language():
    # the same 2.75 beds per 1,000 and 2.50 GPs per 10,000 as above, read in English; counts stay whole
    en = county_profile(_ctx(lang="en")).table.set_index("Item")["Value"]
    rates = [v for v in en if v.startswith(("2.75", "2.50"))]
    assert len(rates) == 2, list(en)
    assert "1,100" in " ".join(en) and "1,100.00" not in " ".join(en)
