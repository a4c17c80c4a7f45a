"""Indicator values as a reader needs them: the registry's unit on every value, 优于/劣于 the median in
the indicator's direction, the rank saying 1 = best, the change on last year in the table and the
narrative, and a source with the data year under every table and figure (county report, province
overview, Word draft). Three hand-made counties, numbers worked by hand in the comments."""

from types import SimpleNamespace

import pandas as pd

from toolkit.report import county, province, word
from toolkit.report.bundle import Bundle
from toolkit.report.context import ReportContext
from toolkit.report.text import SourceNote

#            fund_in_county_rate (higher is better)   hospitalisation_rate (lower is better, per 100 insured)
#            2023     2024                            2023     2024
# C01 甲县   0.7339   0.7134                          13.00    12.71
# C02 乙县   0.7600   0.7500                          14.20    14.00
# C03 丙县   0.7700   0.7600                          15.10    15.00
# 2024 medians: fund 0.7500 (C01 worse, rank 3 of 3); hospitalisation 14.00 (C01 better, rank 1 of 3)
# C01 change: fund 0.7134 − 0.7339 = −0.0205 → down 2.05 percentage points, worse;
#             hospitalisation 12.71 − 13.00 = −0.29 → down 0.29 per 100 insured, better
VALUES = {
    ("C01", 2023): (0.7339, 13.00),
    ("C01", 2024): (0.7134, 12.71),
    ("C02", 2023): (0.7600, 14.20),
    ("C02", 2024): (0.7500, 14.00),
    ("C03", 2023): (0.7700, 15.10),
    ("C03", 2024): (0.7600, 15.00),
}
NAMES = {"C01": "甲县", "C02": "乙县", "C03": "丙县"}


def _ctx(lang="zh", county_id="C01"):
    cy = pd.DataFrame(
        [{"county_id": c, "year": y, "county_name": NAMES[c], "reform_year": 2017} for c, y in VALUES],
    )
    ind = pd.DataFrame(
        [
            {"county_id": c, "year": y, "indicator": i, "value": v[k], "lower": None, "upper": None}
            for (c, y), v in VALUES.items()
            for k, i in enumerate(("fund_in_county_rate", "hospitalisation_rate"))
        ]
    )
    ds = SimpleNamespace(tables={"county_year": cy}, data_hash="ab12cd34ef56" * 5, files={}, root=".")
    ctx = ReportContext(
        dataset=ds,
        county_id=county_id,
        year=2024,
        lang=lang,
        params_dir=None,
        suppress_threshold=5,
        output_dir=None,
        exec_mode="interactive",
        notebook="t",
    )
    ctx.__dict__["indicators"] = ind  # the cached property, without computing from raw tables
    ctx.__dict__["synthetic"] = False
    return ctx


def _rows(table):
    return table.table.set_index(table.table.columns[0])


def test_county_table_gives_unit_direction_change_median_and_rank():
    t = county.indicator_table(_ctx())
    rows = _rows(t)
    fund, hosp = rows.loc["医保基金县域内支出率"], rows.loc["住院率"]
    assert fund["单位"] == "%" and hosp["单位"] == "人次/百名参保人"
    assert fund["方向"] == "越高越好" and hosp["方向"] == "越低越好"
    assert fund["2024"] == "71.34%" and fund["2023"] == "73.39%"
    assert fund["较上年"] == "-2.05 个百分点（变差）"
    assert hosp["2024"] == "12.71" and hosp["较上年"] == "-0.29（改善）"
    assert fund["与全省中位数比"] == "劣于" and hosp["与全省中位数比"] == "优于"
    assert fund["名次（1 = 最优）"] == "3 / 3" and hosp["名次（1 = 最优）"] == "1 / 3"
    assert (
        t.source
        == "资料来源：报告所用数据集（数据指纹 ab12cd34ef56）；指标口径：国卫办基层发〔2020〕12号。数据年份：2024。"
    )


def test_county_narrative_names_direction_unit_and_last_year():
    text = county.indicator_summary(_ctx()).text
    assert (
        "**医保基金县域内支出率**：71.34%，较上年（73.39%）下降 2.05 个百分点（变差），劣于全省中位数 75.00%。" in text
    )
    assert (
        "**住院率**：12.71 人次/百名参保人，较上年（13.00 人次/百名参保人）下降 0.29 人次/百名参保人（改善），"
        "优于全省中位数 14.00 人次/百名参保人。" in text
    )
    assert "高于" not in text and "低于" not in text
    en = county.indicator_summary(_ctx("en")).text
    assert (
        "**Insurance fund in-county spending rate**: 71.34%, down 2.05 percentage points on last year (73.39%), "
        "worse; worse than the province median of 75.00%." in en
    )
    assert (
        "**Hospitalisation rate**: 12.71 per 100 insured, down 0.29 per 100 insured on last year "
        "(13.00 per 100 insured), better; better than the province median of 14.00 per 100 insured." in en
    )


def test_english_table_says_rank_one_is_best():
    rows = _rows(county.indicator_table(_ctx("en")))
    assert rows.loc["Insurance fund in-county spending rate", "Rank (1 = best)"] == "3 / 3"
    assert rows.loc["Insurance fund in-county spending rate", "Against province median"] == "worse"


def test_figures_carry_source_and_data_years():
    trends = county.indicator_trends(_ctx())
    assert isinstance(trends, Bundle)
    note = [i for i in trends.items if isinstance(i, SourceNote)]
    assert note and note[0].text.endswith("数据年份：2023–2024。")
    assert 'class="toolkit-source"' in trends._repr_html_()
    comparison = county.province_comparison(_ctx(), "fund_in_county_rate")
    assert any(isinstance(i, SourceNote) and "数据年份：2024。" in i.text for i in comparison.items)


def test_province_table_has_codes_units_median_row_and_sorts():
    ctx = _ctx(county_id=None)
    t = province.county_table(ctx, indicators=("fund_in_county_rate", "hospitalisation_rate"))
    frame = t.table
    assert list(frame.columns[:2]) == ["县编码", "县"]
    assert list(frame["县编码"]) == ["C01", "C02", "C03", "—"]
    assert frame["县"].iloc[-1] == "全省中位数"
    assert frame["医保基金县域内支出率（%，越高越好）"].iloc[-1] == "75.00%"
    assert frame["住院率（人次/百名参保人，越低越好）"].iloc[-1] == "14.00"
    html = t._repr_html_()
    assert 'class="toolkit-table toolkit-keep sortable"' in html and "<script>" in html
    assert html.count('<th class="sortable"') == len(frame.columns)
    assert "资料来源：" in html and "数据年份：2024。" in html


def test_word_draft_keeps_the_source_lines():
    import io

    from docx import Document

    ctx = _ctx()
    data = word.document_bytes([county.indicator_table(ctx), county.indicator_summary(ctx)])
    doc = Document(io.BytesIO(data))
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("资料来源：报告所用数据集") for t in texts)
    assert any("较上年（73.39%）下降 2.05 个百分点（变差）" in t for t in texts)
    header = [c.text for c in doc.tables[0].rows[0].cells]
    assert "名次（1 = 最优）" in header and "较上年" in header
