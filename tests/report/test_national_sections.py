"""Report sections of the national system on the synthetic province: the 20 monitoring
indicators with numerator and denominator, the 评判标准 "x / 10" by dimension (given vs derived),
and the assessment points; Chinese-first with no stray English labels in a zh report."""

from __future__ import annotations

import re

import pytest

from toolkit.report import national
from toolkit.report.context import open_report


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    from toolkit.data.synth import generate_province

    out = tmp_path_factory.mktemp("nat_report") / "province"
    generate_province(out, n_counties=3)
    return out


def _text(bundle) -> str:
    return bundle._repr_html_()


def test_county_sections_in_chinese(province):
    ctx = open_report(str(province), "C01", 2023, "zh")
    mon = national.monitoring_section(ctx)
    frame = national.monitoring_frame(ctx)
    # 20 indicators + the in-county visit rate + second forms of 10, 12 and 18 = 24, + 3 family-doctor rates
    assert len(frame) == 27 and (frame["note"] == "").all()
    html = _text(mon)
    assert "县域内住院人次占比" in html and "千人口" in html and "分子" in html
    crit = national.criteria_section(ctx)
    assert re.search(
        r"评判标准达到 \d+ / 10（责任共同体 \d / 3；管理共同体 \d / 3；服务共同体 \d / 2；利益共同体 \d / 2）",
        crit.summary,
    )
    assert "由结算推导" in _text(crit) and "填报" in _text(crit)
    assess = national.assessment_section(ctx)
    assert "C01-M1 得分" in assess.summary and "C01-M2 得分" in assess.summary
    # every table with its unit column (monitoring) and its source and data year under it
    assert ">单位</th>" in html and ">%</td>" in html
    for bundle in (mon, crit, assess):
        tables = [i for i in bundle.items if hasattr(i, "table")]
        assert tables and all(t.source and t.source.endswith("数据年份：2023。") for t in tables)
    for bundle in (mon, crit, assess):
        words = re.findall(r">([^<>]*)<", _text(bundle))
        english = [w for w in words if re.search(r"\b(not computable|needs|derived|given|rank|change)\b", w)]
        assert not english, english[:5]


def test_without_facility_year_the_report_says_what_is_missing(province, tmp_path):
    import shutil

    copy = tmp_path / "p"
    shutil.copytree(province, copy)
    (copy / "facility_year.csv").unlink()
    ctx = open_report(str(copy), "C02", 2023, "zh")
    frame = national.monitoring_frame(ctx)
    alos = frame.set_index("indicator").loc["lead_hospital_alos"]
    assert alos["note"].startswith("not computable: needs facility_year.discharge_bed_days")
    html = _text(national.monitoring_section(ctx))
    assert "无法计算：缺少 facility_year.discharge_bed_days" in html


def test_province_overview_sections(province):
    ctx = open_report(str(province), None, 2023, "en")
    over = national.criteria_overview(ctx)
    assert "median criteria met across 3 counties" in over.summary
    scores = national.assessment_overview(ctx)
    assert "4 medical communities" in scores.summary
