"""Targets are dated, scoped parameters: a report shows one only for the county and year it applies to."""

from types import SimpleNamespace

import pandas as pd
import pytest

from toolkit.errors import ValidationError
from toolkit.params.targets import PROVINCE_MEASURES, load_targets
from toolkit.report.context import ReportContext

ZHEJIANG = """\
province: 浙江省
targets:
  - {indicator: in_county_visit_rate, value: 0.90, comparison: at_least, scope: {province: 浙江省, counties: [C01]},
     start_year: 2018, target_year: 2022, label_zh: 浙江省试点县目标, label_en: Zhejiang pilot-county target,
     source: "seed 001 (浙卫发〔2018〕9号)"}
  - {indicator: in_county_visit_rate, value: 0.80, comparison: at_least, scope: {province: 安徽省},
     start_year: 2018, label_zh: 安徽省目标, label_en: Anhui target, source: elsewhere}
"""
ANHUI = """\
province: 安徽省
targets:
  - {indicator: in_county_visit_rate, value: 0.80, comparison: at_least, scope: {province: 安徽省},
     start_year: 2020, label_zh: 安徽省目标, label_en: Anhui target, source: an Anhui notice}
  - {indicator: in_county_visit_rate, value: 0.90, comparison: at_least, scope: {province: 浙江省, counties: [C01]},
     start_year: 2018, target_year: 2022, label_zh: 浙江省试点县目标, label_en: Zhejiang pilot-county target,
     source: seed 001}
"""


@pytest.fixture()
def provinces(tmp_path):
    out = {}
    for name, text in (("zj", ZHEJIANG), ("ah", ANHUI)):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "targets.yaml").write_text(text, encoding="utf-8")
        out[name] = folder
    return out


def test_two_provinces_each_see_only_their_own_targets(provinces):
    zj, ah = load_targets(provinces["zj"]), load_targets(provinces["ah"])
    # Zhejiang: the pilot county C01 from 2018 through the target year 2022; never C02; never after 2022
    assert [t.label_zh for t in zj.applicable("in_county_visit_rate", 2020, "C01")] == ["浙江省试点县目标"]
    assert zj.applicable("in_county_visit_rate", 2020, "C02") == []
    assert zj.applicable("in_county_visit_rate", 2023, "C01") == []
    assert zj.applicable("in_county_visit_rate", 2017, "C01") == []
    assert zj.applicable("in_county_visit_rate", 2020, None) == []  # a county-set target is not the province's
    # Anhui: its province-wide target from 2020 on (no end year), for every county; Zhejiang's never
    assert [t.value for t in ah.applicable("in_county_visit_rate", 2024, "C01")] == [0.80]
    assert [t.label_zh for t in ah.applicable("in_county_visit_rate", 2021, None)] == ["安徽省目标"]
    assert ah.applicable("in_county_visit_rate", 2019, "C02") == []


def _ctx(params_dir, county, year, lang="zh"):
    cy = pd.DataFrame(
        {
            "county_id": ["C01", "C02"],
            "year": [year, year],
            "county_name": ["甲县", "乙县"],
            "reform_year": [2017, None],
        }
    )
    ds = SimpleNamespace(tables={"county_year": cy}, data_hash="x", files={}, root=".")
    ctx = ReportContext(ds, county, year, lang, str(params_dir), 5, None, "interactive", "t")
    rows = [(c, y, "in_county_visit_rate", v) for c, v in (("C01", 0.91), ("C02", 0.85)) for y in (year - 1, year)]
    ctx.__dict__["indicators"] = pd.DataFrame(rows, columns=["county_id", "year", "indicator", "value"])
    return ctx


@pytest.mark.parametrize(
    ("province", "county", "year", "shown"),
    [
        ("zj", "C01", 2020, "90.00%（浙江省试点县目标）"),
        ("zj", "C02", 2020, "—"),
        ("zj", "C01", 2023, "—"),
        ("ah", "C01", 2020, "80.00%（安徽省目标）"),
        ("ah", "C02", 2023, "80.00%（安徽省目标）"),
        ("ah", "C01", 2019, "—"),
    ],
)
def test_county_report_shows_a_target_only_where_it_applies(provinces, province, county, year, shown):
    from toolkit.report.county import indicator_summary, indicator_table

    ctx = _ctx(provinces[province], county, year)
    table = indicator_table(ctx).table
    assert table["目标"].tolist() == [shown]
    text = str(indicator_summary(ctx))
    if shown == "—":
        assert "目标" not in text
    else:
        assert shown.split("（")[1].rstrip("）") in text  # the sentence names whose target it is


def test_the_project_targets_name_registry_indicators_and_scope_zhejiang_to_zhejiang():
    from toolkit.indicators.registry import registry_by_id

    ts = load_targets()
    assert ts.province == "示例省"
    known = set(registry_by_id()) | set(PROVINCE_MEASURES)
    assert all(t.indicator in known for t in ts.targets)
    # the sample province is not Zhejiang: its counties see none of Zhejiang's pilot targets
    for ind in ("in_county_visit_rate", "primary_visit_share", "family_doctor_contract_rate"):
        assert ts.applicable(ind, 2023, "C01") == []
    (village,) = ts.applicable("ph_village_share", 2023, "C02")
    from toolkit.params.targets import target_value

    assert target_value(village, "C02", 2023) == pytest.approx(0.48)  # from params/province.yaml
    assert [t.target_year for t in ts.applicable("close_community_county_share", 2024)] == [2025]
    assert ts.applicable("close_community_county_share", 2023) == []


def test_bad_targets_file_lists_every_problem(tmp_path):
    (tmp_path / "targets.yaml").write_text(
        "province: 浙江省\ntargets:\n"
        "  - {indicator: in_county_visit_rate, value: high, comparison: above, scope: {county: C01},\n"
        "     start_year: 2023, target_year: 2020, label_zh: 目标, label_en: t, source: s, colour: red}\n"
        "  - {indicator: income_ratio, comparison: at_least, scope: {national: true}, start_year: 2020,\n"
        "     label_zh: 目标, label_en: t, source: s}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as err:
        load_targets(tmp_path)
    text = err.value.render()
    for bit in ("column 'value'", "column 'comparison'", "column 'scope'", "start_year/target_year", "colour", "row 2"):
        assert bit in text, bit


def test_label_and_citation_in_each_language(provinces):
    zj = load_targets(provinces["zj"]).targets[0]
    assert zj.label("zh") == "浙江省试点县目标" and zj.label("en") == "Zhejiang pilot-county target"
    assert zj.label("both") == "浙江省试点县目标 / Zhejiang pilot-county target"
    # no source_zh: a Chinese output cites nothing (no English mixed in); both shows the source alone
    assert zj.cite("zh") == "" and zj.cite("en") == zj.cite("both") == "seed 001 (浙卫发〔2018〕9号)"
