"""The national sections speak the report language from the catalogue (toolkit/catalogue/national.yaml):
the same table in Chinese and in English, the lower layer's English notes read in Chinese, and
``both`` joining the two."""

from __future__ import annotations

import pytest

from toolkit.catalogue import read_catalogue
from toolkit.paths import PROJECT_ROOT
from toolkit.report import national
from toolkit.report.context import open_report


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    from toolkit.data.synth import generate_province

    out = tmp_path_factory.mktemp("nat_lang") / "province"
    generate_province(out, n_counties=2)
    return out


def _tables(bundle):
    return [i.table for i in bundle.items if hasattr(i, "table")]


def test_monitoring_and_criteria_headers_follow_the_language(province):
    zh = open_report(str(province), "C01", 2023, "zh")
    en = open_report(str(province), "C01", 2023, "en")
    assert list(_tables(national.monitoring_section(zh))[0].columns) == [
        "序号",
        "指标",
        "2023",
        "单位",
        "分子",
        "分母",
        "说明",
    ]
    assert list(_tables(national.monitoring_section(en))[0].columns) == [
        "No.",
        "Indicator",
        "2023",
        "Unit",
        "Numerator",
        "Denominator",
        "Note",
    ]
    crit_zh, crit_en = (_tables(national.criteria_section(c))[0] for c in (zh, en))
    assert list(crit_zh.columns) == ["维度", "评判标准", "是否达到", "来源", "推导结果", "佐证"]
    assert list(crit_en.columns) == ["Dimension", "Criterion", "Met", "Source", "Derived", "Evidence"]
    assert set(crit_zh["来源"]) <= {"填报", "由结算推导", "未填报"}
    assert set(crit_en["Source"]) <= {"given", "derived", "missing"}
    assert set(crit_zh["是否达到"]) <= {"是", "否", "—"} and set(crit_en["Met"]) <= {"yes", "no", "—"}


def test_assessment_tables_follow_the_language(province):
    zh = open_report(str(province), "C01", 2023, "zh")
    en = open_report(str(province), "C01", 2023, "en")
    totals_zh, items_zh = _tables(national.assessment_section(zh))
    totals_en, items_en = _tables(national.assessment_section(en))
    assert totals_zh.columns[0] == "医共体" and list(totals_zh.columns[-2:]) == ["总分", "有数据的分值"]
    assert totals_en.columns[0] == "Medical community" and list(totals_en.columns[-2:]) == ["Total", "Points with data"]
    # a dimension column names its points: 中文（25） / English (25)
    assert all(c.endswith("）") for c in totals_zh.columns[1:-2])
    assert all(c.endswith(")") and " (" in c for c in totals_en.columns[1:-2])
    assert list(items_zh.columns) == ["医共体", "指标", "方法", "得分", "说明"]
    assert list(items_en.columns) == ["Community", "Indicator", "Method", "Points", "Note"]
    assert set(items_zh["方法"]) <= {"与上年同期比", "横向比较", "达标值"}
    assert set(items_en["Method"]) <= {"vs last year", "rank", "threshold"}


def test_both_joins_chinese_and_english(province):
    ctx = open_report(str(province), "C01", 2023, "both")
    mon = national.monitoring_section(ctx)
    assert mon.items[0].text == "## 县域医共体建设监测评价指标（附2） / National monitoring indicators (seed 004 附2)"
    assert mon.summary == "国家监测指标：27 项中 27 项可计算。 / National monitoring indicators: 27 of 27 computable."
    assert list(_tables(mon)[0].columns)[:2] == ["序号 / No.", "指标 / Indicator"]


@pytest.mark.parametrize(
    ("note", "zh"),
    [
        (
            "not computable: needs facility_year.beds (no facility_year table)",
            "无法计算：缺少 facility_year.beds（数据中无 facility_year 表）",
        ),
        (
            "not computable: needs county_year.a, county_year.b (empty cells)",
            "无法计算：缺少 county_year.a, county_year.b（有空单元格）",
        ),
        (
            "not computable: needs facility_year rows (level county) for this county",
            "无法计算：缺少 facility_year 数据行（层级 county）",
        ),
        (
            "not computable: needs facility_year rows (community_id given) for this medical community",
            "无法计算：缺少 facility_year 数据行（属于医共体）",
        ),
        (
            "not computable: county_year has no medical community breakdown (county C01 has several communities)",
            "无法计算：county_year 无分医共体数据（县 C01 有多个医共体）",
        ),
        (
            "not computable: needs admissions_pct for 2022 (yoy)",
            "无法计算：缺少 admissions_pct 的 2022 年数据（与上年同期比）",
        ),
        ("not computable: no data for this county-year", "无法计算：数据中无该县该年度的数据"),
        # a reason the catalogue does not know stays as the lower layer wrote it
        ("not computable: something new", "无法计算：something new"),
        ("a note of another kind", "a note of another kind"),
    ],
)
def test_lower_layer_notes_read_in_chinese(note, zh):
    assert national.note_text(note, "zh") == zh
    assert national.note_text(note, "en") == note
    assert national.note_text(note, "both") == (zh if zh == note else f"{zh} / {note}")


def test_score_basis_read_in_chinese():
    assert national.basis_text("change -3.2500% against 2022 (0.812)", "zh") == "变化 -3.2500%，对比 2022 (0.812)"
    assert national.basis_text("rank 2 of 4", "zh") == "排名 2 / 4"
    assert national.basis_text("value 0.71", "zh") == "数值 0.71"
    assert national.basis_text("rank 2 of 4", "en") == "rank 2 of 4"
    assert national.basis_text("", "zh") == ""


def test_every_national_entry_is_used():
    source = (PROJECT_ROOT / "toolkit" / "report" / "national.py").read_text(encoding="utf-8")
    keys = read_catalogue().keys()
    national_keys = {k for k in keys if k.startswith("national_")}
    assert national_keys
    # method and source names come from the data: national_method_{method}, national_source_{source}
    dynamic = ("national_method_", "national_source_")
    unused = {k for k in national_keys if f'"{k}"' not in source and not k.startswith(dynamic)}
    assert unused == set()
