"""County report sections on tiny hand-made tables: small death counts are suppressed in the
published table, and claims are shown in the indicator's unit."""

from types import SimpleNamespace

import pandas as pd

from toolkit.report.context import ReportContext
from toolkit.report.county import deaths_by_cause


def _ctx(deaths, threshold=5, lang="zh"):
    cy = pd.DataFrame({"county_id": ["C01"], "year": [2023], "county_name": ["濉溪县"], "reform_year": [2017]})
    ds = SimpleNamespace(tables={"county_year": cy, "deaths": deaths}, data_hash="x", files={}, root=".")
    return ReportContext(dataset=ds, county_id="C01", year=2023, lang=lang, params_dir=None,
                         suppress_threshold=threshold, output_dir=None, exec_mode="interactive", notebook="t")


def _deaths(rows):
    out = []
    for cause, male, female in rows:
        for sex, n in (("male", male), ("female", female), ("all", male + female)):
            out.append({"county_id": "C01", "year": 2023, "sex": sex, "age_band": "30-34", "cause": cause,
                        "deaths": n, "population": 10000})
            # a band outside 30–69 must not be counted
            out.append({"county_id": "C01", "year": 2023, "sex": sex, "age_band": "70-74", "cause": cause,
                        "deaths": 1000, "population": 10000})
    return pd.DataFrame(out)


def test_small_death_counts_are_suppressed_with_complements():
    #            male female | total
    # cvd          40     30 |   70
    # cancer       25     20 |   45
    # diabetes      2     12 |   14   2 < 5 → "<5"; row diabetes and column male then each need a
    # crd          10      9 |   19   complement: diabetes/female (12), crd/male (10) closes with
    #                                 crd/female (9) → a 2×2 cycle; totals stay published.
    t = deaths_by_cause(_ctx(_deaths([("cvd", 40, 30), ("cancer", 25, 20), ("diabetes", 2, 12), ("crd", 10, 9)])))
    table = t.table.set_index("死因")
    assert table.loc["糖尿病", "男"] == "<5"
    assert table.loc["糖尿病", "女"] == "—" and table.loc["慢性呼吸系统疾病", "男"] == "—"
    assert table.loc["慢性呼吸系统疾病", "女"] == "—"
    assert table.loc["心脑血管疾病", "男"] == "40"  # the 70–74 band (1000) is not counted
    assert table.loc["合计", "合计"] == "148"
    assert "隐去" in t.footnote


def test_no_footnote_when_nothing_is_suppressed():
    t = deaths_by_cause(_ctx(_deaths([("cvd", 40, 30), ("cancer", 25, 20)]), lang="en"))
    assert t.footnote is None and "Male" in t.table.columns
