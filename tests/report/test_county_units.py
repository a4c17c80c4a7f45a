"""Unit core indicators ranked and objective attainment per indicator, as tables in the county report."""

from types import SimpleNamespace

import pandas as pd

from tests.settlement.builders import INDICATORS, make_tables
from toolkit.report.context import ReportContext
from toolkit.report.county import objective_attainment, objective_attainment_frame, unit_core_indicators


def _ctx(lang="zh"):
    # total spending per unit, 2020–2023 (1,000 insured each): U1 falls 10% in 2023, U2 rises 5%,
    # U3 flat, U4 falls 2% → ranked by the change of per-capita total spending: U1, U4, U3, U2
    change = {"U1": 0.90, "U2": 1.05, "U3": 1.00, "U4": 0.98}
    tables = make_tables(
        n_units=4, county="C99", year=2023, spending=lambda u, y: 1_000_000.0 * (change[u] if y == 2023 else 1.0)
    )
    t = tables["ph_targets"]
    t.loc[t["indicator"] == "health_education_credits", "value"] = 100.0  # the benchmark is 100 credits
    # ehr_coverage: U1 and U2 at 0.50 < benchmark 0.64 → 2 of 4 meet it; every other indicator 4 of 4
    low = (t["indicator"] == "ehr_coverage") & t["unit_id"].isin(["U1", "U2"])
    t.loc[low, "value"] = 0.50
    tables["county_year"] = pd.DataFrame(
        {"county_id": ["C99"], "year": [2023], "county_name": ["测试县"], "reform_year": [2017]}
    )
    ds = SimpleNamespace(tables=tables, data_hash="x", files={}, root=".")
    return ReportContext(ds, "C99", 2023, lang, None, 5, None, "interactive", "t")


def test_units_ranked_by_change_of_total_spending():
    out = unit_core_indicators(_ctx())
    table = out.items[1].table
    assert table["健康管理单元"].tolist() == ["单元1", "单元4", "单元3", "单元2"]
    assert table["排名"].tolist() == ["1", "2", "3", "4"]
    # per capita 1,000 → 900: (900 − 1,000) / 1,000 = −10.00%
    assert table["人均医疗总费用同比"].tolist() == ["-10.00%", "-2.00%", "0.00%", "5.00%"]
    assert "4 个健康管理单元" in out.summary and out.items[1].footnote is None


def test_objective_attainment_counts_units_meeting_each_benchmark():
    f = objective_attainment_frame(_ctx()).set_index("indicator")
    assert len(f) == len(INDICATORS)
    assert f.loc["ehr_coverage", "met"] == 2 and f.loc["ehr_coverage", "units"] == 4
    assert f.loc["ehr_coverage", "share_met"] == 0.5 and f.loc["vaccination_rate", "met"] == 4
    out = objective_attainment(_ctx())
    row = out.items[1].table.set_index("指标").loc["电子健康档案规范建档率"]
    assert row["基准"] == "64.00%" and row["达标单元数"] == "2 / 4" and row["达标比例"] == "50.00%"
    assert "电子健康档案规范建档率（50.00%）" in out.summary


def test_without_settlement_tables_the_section_says_so():
    ctx = _ctx()
    del ctx.dataset.tables["ph_targets"]
    assert unit_core_indicators(ctx).summary.startswith("数据中无此项")
    assert objective_attainment(ctx).summary.startswith("数据中无此项")
