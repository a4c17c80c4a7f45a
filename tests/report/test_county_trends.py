"""The county report says "上升"/"下降" only where the Mann–Kendall test supports it."""

from types import SimpleNamespace

import pandas as pd

from toolkit.report.context import ReportContext
from toolkit.report.county import trend_summary

YEARS = [2017, 2018, 2019, 2020, 2021]


def _ctx(series, lang="zh", year=2021):
    cy = pd.DataFrame({"county_id": ["C01"], "year": [year], "county_name": ["甲县"], "reform_year": [2017]})
    ds = SimpleNamespace(tables={"county_year": cy}, data_hash="x", files={}, root=".")
    ctx = ReportContext(ds, "C01", year, lang, None, 5, None, "interactive", "t")
    rows = [("C01", y, ind, v) for ind, values in series.items() for y, v in zip(YEARS, values)]
    ctx.__dict__["indicators"] = pd.DataFrame(rows, columns=["county_id", "year", "indicator", "value"])
    return ctx


def test_declining_flat_and_short_series():
    ctx = _ctx(
        {
            # 0.20 … 0.14: S = −10, exact p = 2/120 = 0.017, Sen's slope −0.015 = −1.50 points a year
            "premature_ncd_mortality": [0.20, 0.18, 0.17, 0.15, 0.14],
            # 15.2, 15.6, 15.1, 15.5, 15.3: S = 0, p = 1 although 2021 > 2017
            "hospitalisation_rate": [15.2, 15.6, 15.1, 15.5, 15.3],
            # four years only (the fifth is missing): never called a trend
            "income_ratio": [0.90, 0.92, 0.94, 0.96, float("nan")],
        }
    )
    out = trend_summary(ctx)
    lines = out.summary.splitlines()
    mort = next(x for x in lines if "过早死亡率" in x)
    assert "2017–2021年呈下降趋势" in mort and "P=0.017" in mort and "-1.50个百分点/年" in mort
    hosp = next(x for x in lines if "住院率" in x and "县域" not in x)
    assert "无显著的上升或下降趋势" in hosp and "P=1.000" in hosp and "上升趋势" not in hosp
    ratio = next(x for x in lines if "2017–2020" in x)
    assert "不作趋势判断" in ratio
    assert "Mann–Kendall" in out.items[1].footnote


def test_trend_words_in_english():
    out = trend_summary(_ctx({"premature_ncd_mortality": [0.14, 0.15, 0.17, 0.18, 0.20]}, lang="en"))
    assert "2017–2021: rising (Mann–Kendall p = 0.017" in out.summary
