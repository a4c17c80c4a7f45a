"""Excel output: byte-identical reruns, bilingual headers, number formats."""

import datetime as dt

import pandas as pd
import pytest
from openpyxl import load_workbook

from toolkit.report.excel import Sheet, build_workbook_bytes, write_workbook


def _sheets():
    units = pd.DataFrame(
        {
            "unit_id": ["U001", "U002"],
            "year": [2023, 2023],
            "savings": [1_234_567.0, -8_800.5],
            "share": [0.9916, 0.48],
            "deaths": ["<5", "12"],
        }
    )
    return [
        Sheet("结算 settlement", units, formats={"savings": "wan", "share": "pct"}, notes=["注：小于5的单元格已隐去"]),
        Sheet("params", pd.DataFrame({"parameter": ["baseline_years"], "value": ["3"]})),
    ]


def test_two_writes_are_byte_identical(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(a, _sheets(), lang="zh")
    import time

    time.sleep(1.1)  # a different wall-clock second must not change the bytes
    write_workbook(b, _sheets(), lang="zh")
    assert a.read_bytes() == b.read_bytes()
    # a different data date gives different bytes (the timestamp really is written)
    other = build_workbook_bytes(_sheets(), "zh", timestamp=dt.datetime(2024, 12, 31))
    assert other != a.read_bytes()


def test_headers_formats_and_values(tmp_path):
    path = tmp_path / "r.xlsx"
    write_workbook(path, _sheets(), lang="en")
    wb = load_workbook(path)
    assert wb.sheetnames == ["结算 settlement", "params"]
    ws = wb["结算 settlement"]
    assert [c.value for c in ws[1]] == ["Unit id", "Year", "Savings", "share", "Deaths"]  # last from the data contract
    assert ws["C2"].value == pytest.approx(123.4567)  # 1,234,567 yuan = 123.4567 万元
    assert ws["C2"].number_format == "#,##0.00"
    assert ws["D2"].value == pytest.approx(0.9916) and ws["D2"].number_format == "0.00%"
    assert ws["B2"].value == 2023 and ws["B2"].number_format == "0"
    assert ws["E2"].value == "<5"  # suppressed cells stay text
    assert ws["A5"].value == "注：小于5的单元格已隐去"
    assert ws.column_dimensions["A"].width >= 8
    assert wb.properties.created == dt.datetime(2000, 1, 1)
    zh = load_workbook(tmp_path / "r.xlsx")  # reopen fine; now the zh header
    write_workbook(tmp_path / "zh.xlsx", _sheets(), lang="zh")
    assert load_workbook(tmp_path / "zh.xlsx")["结算 settlement"]["C1"].value == "结余"
    assert zh is not None


def test_bad_sheet_names():
    with pytest.raises(ValueError, match="sheet name"):
        build_workbook_bytes([Sheet("a/b", pd.DataFrame({"x": [1]}))])
    with pytest.raises(ValueError, match="duplicate"):
        build_workbook_bytes([Sheet("a", pd.DataFrame({"x": [1]})), Sheet("A", pd.DataFrame({"x": [1]}))])
