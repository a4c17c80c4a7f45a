"""Workbooks: text that looks like a formula stays text; control characters are refused with their place."""

import io

import openpyxl
import pandas as pd
import pytest

from tests.hostile.base import YEAR, write_tables
from toolkit.errors import ToolkitError
from toolkit.report.excel import Sheet, build_workbook_bytes

INJECTIONS = ['=HYPERLINK("http://example.invalid","点击")', "+1+1", "-2+3", "@SUM(A1:A2)", "=1+1"]


@pytest.mark.parametrize("text", INJECTIONS, ids=["hyperlink", "plus", "minus", "at", "equals"])
def test_formula_like_text_is_a_text_cell(text):
    data = build_workbook_bytes([Sheet("s", pd.DataFrame({"unit_name": [text], "n": [1]}))])
    cell = openpyxl.load_workbook(io.BytesIO(data))["s"]["A2"]
    assert cell.data_type == "s" and cell.value == text and cell.quotePrefix
    assert b"<f>" not in data  # no formula element anywhere in the package


def test_formula_unit_name_in_settlement_workbook_is_text(tmp_path, tables, run):
    tables["units"].loc[0, "unit_name"] = '=HYPERLINK("http://example.invalid","x")'
    ds = write_tables(tmp_path / "ds", tables)
    r = run("settle", ds, "--year", YEAR, "--out", tmp_path / "out")
    assert r.code == 0, r.err
    wb = openpyxl.load_workbook(tmp_path / "out" / "C01" / str(YEAR) / "settlement.xlsx")
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value == tables["units"].loc[0, "unit_name"]]
    assert cells and all(c.data_type == "s" for c in cells)
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.parametrize("char", ["\x07", "\x1b", "\x00", "\x0b"], ids=["BEL", "ESC", "NUL", "VT"])
def test_control_character_names_sheet_row_and_column(char):
    frame = pd.DataFrame({"unit_name": ["好", f"坏{char}名"]})
    with pytest.raises(ToolkitError) as info:
        build_workbook_bytes([Sheet("units", frame)])
    p = info.value.problems[0]
    assert (p.table, p.rows, p.column) == ("units", (2,), "unit_name")
    assert f"U+{ord(char):04X}" in p.expected


def test_tab_and_newline_are_kept():
    frame = pd.DataFrame({"note": ["a\tb", "c\nd"]})
    ws = openpyxl.load_workbook(io.BytesIO(build_workbook_bytes([Sheet("s", frame)])))["s"]
    assert [ws["A2"].value, ws["A3"].value] == ["a\tb", "c\nd"]


def test_template_prefills_a_formula_like_unit_name_as_text(tmp_path, tables, run):
    name = '=HYPERLINK("http://example.invalid","x")'
    tables["units"].loc[0, "unit_name"] = name
    ds = write_tables(tmp_path / "ds", tables)
    out = tmp_path / "模板.xlsx"
    r = run("template", "--out", out, "--county", "C01", "--years", "2023", "--units", ds)
    assert r.code == 0, r.err
    wb = openpyxl.load_workbook(out)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value == name]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_template_writes_every_cell_through_write_cell(monkeypatch):
    """Every value cell of the template (guide, headers, example row, pre-filled keys) goes through write_cell."""
    from toolkit.report import safe_cells, template

    seen = []
    real = safe_cells.write_cell

    def spy(ws, row, column, value, **kw):
        seen.append((ws.title, row, column))
        return real(ws, row, column, value, **kw)

    monkeypatch.setattr(safe_cells, "write_cell", spy)
    wb = template.build_template(tables=["county_year"], county="C01", years="2023")
    written = {(ws.title, c.row, c.column) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    assert written and written <= set(seen)


def test_template_refuses_a_control_character_in_a_prefilled_name():
    from toolkit.report.template import build_template

    units = pd.DataFrame(
        {
            "unit_id": ["U1"],
            "unit_name": ["城关\x07"],
            "county_id": ["C01"],
            "township_id": ["T1"],
            "community_id": ["M1"],
        }
    )
    with pytest.raises(ToolkitError) as info:
        build_template(tables=["units"], county="C01", years="2023", units=units)
    p = info.value.problems[0]
    assert p.column == "unit_name" and p.rows == (2,) and "U+0007" in p.expected
