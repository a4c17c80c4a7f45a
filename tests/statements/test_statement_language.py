"""The unit statements and the unit settlement report take their words and formats from the catalogue
(toolkit/catalogue/statements.yaml): Chinese punctuation and word order in Chinese, English in English,
and ``both`` in the report joins the two (``中文 / English``) instead of falling back to English."""

import io
import re

import pytest
from pypdf import PdfReader

from tests.statements.params_helper import snap_with
from tests.statements.test_unit_statement import three_units
from toolkit.report.statement_html import statements_html
from toolkit.report.statement_pdf import county_pdfs
from toolkit.settlement.statement import settle_county
from toolkit.settlement.unit_statement import county_statements

TABLES = ["units", "unit_year", "ph_process", "ph_targets", "county_year"]


@pytest.fixture(scope="module")
def sts():
    return county_statements(settle_county(three_units(), "C99", 2023, snap_with(overspend_share=0.3)))


def test_heading_and_fields_in_each_languages_order_and_punctuation(sts):
    st = sts[0]
    zh, en = statements_html(sts[:1], "zh"), statements_html(sts[:1], "en")
    assert f"<h1>{st.county_name} 2023年 健康管理单元结算单</h1>" in zh
    assert f"<h1>Health management unit settlement statement · {st.county_name} · 2023</h1>" in en
    assert f"<td>单元：<b>{st.unit_name}</b></td>" in zh and "<td>结算年度：2023</td>" in zh
    assert f"<td>Unit: <b>{st.unit_name}</b></td>" in en and "<td>Year: 2023</td>" in en
    digest = st.params_digest[:12]
    assert f"<b>本结算使用的参数</b>（参数指纹 {digest}）" in zh
    assert f"<b>Parameters used</b> (parameter digest {digest})" in en
    assert '<section class="unit" lang="zh-CN">' in zh and '<section class="unit" lang="en">' in en


def test_pdf_fields_and_digest_in_each_language(sts):
    def text(lang: str) -> str:
        data = county_pdfs(sts[:1], lang)["U1"].data
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).replace("\x00", "")

    digest = sts[0].params_digest[:12]
    zh, en = re.sub(r"\s+", "", text("zh")), text("en")
    assert "单元：单元1" in zh and "结算年度：2023" in zh  # (pypdf reads page 2's Chinese garbled)
    assert "Year: 2023" in en and f"Parameters used (parameter digest {digest})" in en
    assert "：" not in en.replace(sts[0].unit_name, "")


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    from toolkit.data.synth import generate_province

    root = tmp_path_factory.mktemp("p") / "prov"
    generate_province(root, seed=7, n_counties=2, years=(2019, 2023))
    return root


@pytest.mark.parametrize(
    "lang, header, role, caption",
    [
        ("zh", "大包干医保拨付（元）", "资金池", "结算汇总与平衡表"),
        ("en", "Big package paid (yuan)", "pool", "Reconciliation"),
        (
            "both",
            "大包干医保拨付（元） / Big package paid (yuan)",
            "资金池 / pool",
            "结算汇总与平衡表 / Reconciliation",
        ),
    ],
)
def test_unit_settlement_report_in_each_language(province, lang, header, role, caption):
    from toolkit.report import unit_settlement
    from toolkit.report.context import open_report

    ctx = open_report(str(province), "C02", 2023, lang, notebook="unit_settlement", tables=TABLES)
    assert header in unit_settlement.unit_table(ctx).table.columns
    rec = unit_settlement.reconciliation_table(ctx)
    assert rec.caption == caption and rec.table.iloc[0, 3] == role
    verdicts = set(unit_settlement.checks_table(ctx).table.iloc[:, 1])
    words = {"zh": {"通过", "未通过"}, "en": {"pass", "FAIL"}, "both": {"通过 / pass", "未通过 / FAIL"}}[lang]
    assert verdicts - {"—"} and verdicts - {"—"} <= words
    params = unit_settlement.parameters_table(ctx)
    since = {"zh": "起始年", "en": "Since", "both": "起始年 / Since"}[lang]
    assert since in params.table.columns
