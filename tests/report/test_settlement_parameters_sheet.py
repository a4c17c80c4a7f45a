"""The settlement workbook's parameters sheet calls a parameter's value 参数值 (not 完成值, the word for
an indicator's attained value) and writes a number as a number a spreadsheet can compute with; choices
stay in words."""

import io

import openpyxl

from tests.statements.params_helper import snap_with
from tests.statements.test_unit_statement import three_units
from toolkit.report.settlement_workbook import settlement_workbook_bytes
from toolkit.settlement.statement import settle_county


def test_parameter_values_are_numbers_under_their_own_header():
    cs = settle_county(three_units(), "C99", 2023, snap_with(overspend_share=0.3))
    wb = openpyxl.load_workbook(io.BytesIO(settlement_workbook_bytes(cs, "zh")))
    ws = wb["参数"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["参数", "参数值"] and "完成值" not in "".join(map(str, header))
    key_col = next(i for i, h in enumerate(header) if str(h).startswith("参数键"))
    cells = {row[key_col].value: row[1] for row in ws.iter_rows(min_row=2) if row[key_col].value}
    share = cells["overspend_share"]
    assert share.value == 0.3 and share.data_type == "n"
    assert cells["baseline_years"].value == 3 and cells["baseline_years"].data_type == "n"
    assert cells["baseline_method"].data_type == "s" and "\u4e00" <= cells["baseline_method"].value[0] <= "\u9fff"
