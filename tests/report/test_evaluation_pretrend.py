"""The reform evaluation's pre-trend verdict on the synthetic province (parallel trends by
construction): it rests on the small-sample event-time test, names it, and keeps R did's all-cells
Wald test in the table for comparison — which, with cohorts of 8/20/12 counties, rejects
(p ≈ 0.001) although the generator's cohort trends are parallel (benchmarks/montecarlo_pretest.py)."""

from types import SimpleNamespace

import pandas as pd
import pytest

from toolkit.data.synth import generate_province
from toolkit.report import evaluation

OUTCOME = "hospitalisation_rate"


@pytest.fixture(scope="module")
def province_panel(tmp_path_factory):
    out = tmp_path_factory.mktemp("province") / "p"
    generate_province(out, seed=20240901, n_counties=60)
    cy = pd.read_csv(out / "county_year.csv", dtype={"county_id": str})
    ind = pd.DataFrame(
        {
            "county_id": cy["county_id"],
            "year": cy["year"],
            "indicator": OUTCOME,
            "value": cy["admissions"] / cy["insured_pop"] * 100,
        }
    )
    reform = {c: (int(y) if pd.notna(y) else None) for c, y in cy.groupby("county_id")["reform_year"].first().items()}
    return ind, reform


def _ctx(panel, lang):
    ind, reform = panel
    return SimpleNamespace(indicators=ind, reform_years=reform, _memo={}, lang=lang)


def test_verdict_uses_the_event_time_test(province_panel):
    zh = _ctx(province_panel, "zh")
    cs = evaluation.estimates(zh, OUTCOME)["cs"]
    # R did's test rejects on this province; the event-time test does not
    assert cs.diagnostics["pretest_p_value"] < 0.01 and cs.diagnostics["pretest_df"] == 20
    pre = cs.diagnostics["pretrend"]
    assert pre["event_times"] == list(range(-10, 0)) and pre["p_value"] > 0.2
    text = str(evaluation.plain_language(zh, OUTCOME))
    assert "已有差异" not in text
    assert f"没有可检测的差异（平行趋势检验：改革前各年份效应的联合检验，P={pre['p_value']:.3f}）" in text
    en = str(evaluation.plain_language(_ctx(province_panel, "en"), OUTCOME))
    assert (
        "followed similar trends (pre-trend test: Callaway–Sant'Anna joint test of the pre-reform event-time effects"
        in en
    )


def test_table_keeps_r_did_wald_with_a_note(province_panel):
    t = evaluation.pretrend_table(_ctx(province_panel, "en"), OUTCOME)
    rows = t.table.set_index("Test")
    assert list(rows.index) == [
        "Callaway–Sant'Anna: pre-reform event-time effects (used for the verdict)",
        "Callaway–Sant'Anna: all pre-reform ATT(g,t) (R did's test)",
        "TWFE event study: leads",
    ]
    assert rows["Reference distribution"].tolist() == ["F(10, 50)", "χ²(20)", "F(10, 59)"]
    assert rows.iloc[1]["p-value"] == "0.001"  # R did's test, shown as R would give it
    assert "R did's test" in t.footnote and "verdict" in t.footnote
    zh = evaluation.pretrend_table(_ctx(province_panel, "zh"), OUTCOME)
    assert zh.table.columns.tolist() == ["检验", "检验统计量", "参照分布", "P值"] and "结论依据第一行" in zh.footnote
