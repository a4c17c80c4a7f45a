"""Generated narrative: filled from the result object, wording follows the numbers."""

import pandas as pd

from toolkit.did.result import DidResult
from toolkit.report.text import claims_summary, did_paragraph, effect_decimals, indicator_sentences


def _res(est, lo, hi, pre_p=0.4, control="never", n=12):
    return DidResult(
        estimator="cs",
        outcome="y",
        estimate=est,
        se=0.01,
        ci_low=lo,
        ci_high=hi,
        n_units=n,
        n_obs=n * 10,
        diagnostics={"pretest_p_value": pre_p},
        options={"control": control},
    )


def test_clear_decrease_in_percentage_points():
    text = did_paragraph("住院率", _res(-0.0123, -0.02, -0.004), lang="zh", unit="fraction")
    # −0.0123 as a fraction = −1.23 percentage points
    assert "下降了1.23个百分点" in text and "-2.00 至 -0.40个百分点" in text and "不含零" in text
    assert "从未改革的县" in text and "12 个县" in text
    en = did_paragraph(
        "the hospitalisation rate", _res(-0.0123, -0.02, -0.004, control="notyet"), lang="en", unit="fraction"
    )
    assert "fell by 1.23 percentage points" in en and "excludes zero" in en and "not yet reformed" in en


def test_interval_with_zero_and_pretrends_change_the_words():
    text = did_paragraph("income ratio", _res(0.01, -0.005, 0.025, pre_p=0.01), lang="en", unit="fraction")
    assert "rose by 1.00 percentage points" in text
    assert "includes zero" in text and "cannot yet tell" in text
    assert "Caution: trends already differed" in text and "p = 0.010" in text
    zh = did_paragraph("收入比", _res(0.01, -0.005, 0.025, pre_p=0.01), lang="zh", unit="fraction")
    assert "包含零" in zh and "谨慎" in zh


def test_twfe_comparison():
    robust = _res(-0.05, -0.07, -0.03)
    agree = did_paragraph("y", robust, _res(-0.051, -0.07, -0.03), lang="en", unit="number")
    differ = did_paragraph("y", robust, _res(0.02, 0.0, 0.04), lang="en", unit="number")
    assert "agrees" in agree and "differs markedly" in differ
    assert "fell by 0.050" in agree  # two significant digits: 0.05 shown with 3 decimals


def test_effect_decimals():
    assert effect_decimals(1.23) == 2
    assert effect_decimals(0.05) == 3
    assert effect_decimals(0.0004) == 5
    assert effect_decimals(float("nan")) == 2


def test_indicator_sentences_and_claims():
    text = indicator_sentences(
        [
            {"label": "县域内住院率", "value": 0.92, "unit": "fraction", "target": 0.9, "province_median": 0.95},
            {"label": "住院率", "value": 12.5, "unit": "per_100_insured", "direction": "lower_is_better", "target": 10},
            {"label": "缺失", "value": float("nan"), "unit": "fraction"},
        ],
        county="濉溪县",
        year=2023,
        lang="zh",
    )
    # the median compared in the indicator's direction (higher is better unless the row says otherwise)
    assert "**县域内住院率**：92.00%，达到目标 90.00%，劣于全省中位数 95.00%。" in text
    assert "**住院率**：12.50 人次/百名参保人，未达到目标 10.00 人次/百名参保人。" in text and "缺失" not in text
    checked = pd.DataFrame({"claim": ["收入比 99.16%", "年均增长 17.20%"], "ok": [True, False]})
    assert claims_summary(checked, "zh") == "共核对 2 条公开表述，1 条与数据相符，1 条不符：年均增长 17.20%。"
    assert claims_summary(checked.iloc[:1], "en") == "1 published claim checked, 1 consistent with the data."
