"""The settlement workbook a commission prints: Chinese sheet names, one money unit (yuan), units in
headers, number formats, totals rows, frozen headers and id columns, autofilter, print titles, A4
landscape fitted to width, and no cell a formula."""

import io

import openpyxl
import pytest

from tests.statements.params_helper import snap_with
from tests.statements.test_unit_statement import three_units
from toolkit.report.settlement_workbook import SHEET_NAMES, settlement_workbook_bytes
from toolkit.settlement.statement import settle_county


@pytest.fixture(scope="module")
def wb():
    t = three_units()
    # a unit name that a spreadsheet would read as a formula stays text
    t["units"].loc[0, "unit_name"] = '=HYPERLINK("http://x","点击")'
    t["units"].loc[1, "unit_name"] = "-单元2"
    cs = settle_county(t, "C99", 2023, snap_with(overspend_share=0.3))
    return openpyxl.load_workbook(io.BytesIO(settlement_workbook_bytes(cs, "zh")))


def _headers(ws):
    return [c.value for c in ws[1]]


def test_chinese_sheet_names(wb):
    assert wb.sheetnames == [zh for zh, _ in SHEET_NAMES.values()]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in wb.sheetnames)


def test_one_money_unit_stated_and_in_every_money_header(wb):
    about = [r[0].value for r in wb["说明"].iter_rows(min_row=2)]
    assert any(v and "金额单位：元" in v for v in about)
    big = wb["大包干"]
    heads = _headers(big)
    assert "包干预算（元）" in heads and "参保人数（人）" in heads and "医保分担超支比例（%）" in heads
    assert not any(h and "万元" in h for ws in wb for h in _headers(ws))


def test_number_formats_and_totals_row(wb):
    ws = wb["大包干"]
    heads = _headers(ws)
    budget = heads.index("包干预算（元）") + 1
    share = heads.index("医保分担超支比例（%）") + 1
    assert ws.cell(2, budget).number_format == "#,##0.00"
    assert ws.cell(2, share).number_format == "0.00%"
    last = ws.max_row
    assert ws.cell(last, 1).value == "合计"
    # three budgets of 500 000
    assert ws.cell(last, budget).value == pytest.approx(1_500_000.00)
    town = wb["按乡镇汇总"]
    assert town.cell(town.max_row, 1).value == "合计"


def test_print_settings_freeze_and_filter(wb):
    for name in ("大包干", "公卫包干", "过程评价明细", "按乡镇汇总", "结算汇总与平衡表"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"
        assert ws.auto_filter.ref.startswith("A1:")
    big = wb["大包干"]
    assert big.freeze_panes == "C2" and big.print_title_cols == "$A:$B"  # unit code and name
    # the filter covers the units, not the totals row (sorting leaves 合计 at the bottom)
    assert big.auto_filter.ref.endswith(str(big.max_row - 1))


def test_no_cell_is_a_formula(wb):
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    names = [c.value for c in wb["大包干"]["B"]]
    assert '=HYPERLINK("http://x","点击")' in names and "-单元2" in names


def test_yes_no_cells_in_words(wb):
    """A yes/no cell reads 是/否 in the Chinese workbook (yes/no in the English one), never True/False."""
    ws = wb["目标评价明细"]
    met = _headers(ws).index("达标") + 1
    cells = [ws.cell(r, met).value for r in range(2, ws.max_row)]  # the last row is 合计
    assert cells and set(cells) <= {"是", "否"}
    assert ws.cell(ws.max_row, met).value is None
    for sheet in wb:
        for row in sheet.iter_rows(values_only=True):
            assert not {"True", "False", True, False} & {v for v in row if isinstance(v, (str, bool))}, sheet.title
    t = three_units()
    en = openpyxl.load_workbook(
        io.BytesIO(settlement_workbook_bytes(settle_county(t, "C99", 2023, snap_with(overspend_share=0.3)), "en"))
    )
    ws = en[SHEET_NAMES["ph_objective"][1]]
    col = _headers(ws).index("at or above benchmark") + 1
    assert {ws.cell(r, col).value for r in range(2, ws.max_row)} <= {"yes", "no"}


def test_each_language_names_sub_projects_and_indicators_in_its_words():
    """The detail sheets name a sub-project and an indicator in the workbook's language (not by id);
    a bilingual workbook has bilingual headers over Chinese cells and Chinese sheet names."""
    cs = settle_county(three_units(), "C99", 2023, snap_with(overspend_share=0.3))
    books = {lang: openpyxl.load_workbook(io.BytesIO(settlement_workbook_bytes(cs, lang))) for lang in ("zh", "en")}
    books["both"] = openpyxl.load_workbook(io.BytesIO(settlement_workbook_bytes(cs, "both")))
    firsts = {}
    for lang, book in books.items():
        process = book.worksheets[6]
        objective = book.worksheets[7]
        project = _headers(process).index({"zh": "子项目", "en": "sub-project", "both": "子项目 / sub-project"}[lang])
        indicator = _headers(objective).index({"zh": "指标", "en": "indicator", "both": "指标 / indicator"}[lang])
        firsts[lang] = (
            {process.cell(r, project + 1).value for r in range(2, process.max_row)},
            {objective.cell(r, indicator + 1).value for r in range(2, objective.max_row)},
        )
    assert "居民健康档案管理" in firsts["zh"][0] and "电子健康档案规范建档率" in firsts["zh"][1]
    assert "health records" in firsts["en"][0] and "standard e-record coverage" in firsts["en"][1]
    assert not {"ehr", "ehr_coverage"} & (firsts["en"][0] | firsts["en"][1])
    assert firsts["both"] == firsts["zh"]
    assert books["both"].sheetnames == books["zh"].sheetnames == [zh for zh, _ in SHEET_NAMES.values()]
