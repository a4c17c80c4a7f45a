"""The commission's input template: what it holds, that a filled one is a dataset, and the round trip.

Round trip (as a clerk's spreadsheet would be filled): template → rows of a synthetic county typed
in with openpyxl (numbers as numbers, some money as text with thousands separators, the optional
``ph_subsidy_total`` column left blank) → ``validate`` → ``settle`` gives the same settlement
files, byte for byte, as the same data brought as CSV.
"""

from __future__ import annotations

import filecmp
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from toolkit.cli import main as cli
from toolkit.data.contract import EXAMPLE_MARK, TABLES
from toolkit.data.load import load_dataset
from toolkit.report.template import GUIDE_SHEET, SPREADSHEET_TABLES, build_template, template_bytes

from .conftest import valid_tables, write_dataset
from .helpers import find_problem, raises_problems

ROOT = Path(__file__).resolve().parents[2]


def _fill(ws, frame: pd.DataFrame, as_text: tuple[str, ...] = ()) -> None:
    """Replace the example row with ``frame``'s rows, in the sheet's column order (Chinese headers)."""
    table = TABLES[next(name for name in SPREADSHEET_TABLES if TABLES[name].label_zh == ws.title)]
    ws.delete_rows(2)
    for rec in frame.to_dict("records"):
        row = []
        for col in table.columns:
            v = rec.get(col.name)
            if v is None or (isinstance(v, float) and pd.isna(v)):
                row.append(None)
            elif col.name in as_text:
                row.append(f"{v:,.2f}")  # typed as text with thousands separators
            elif col.kind == "bool":
                row.append("是" if v else "否")
            else:
                row.append(v.item() if hasattr(v, "item") else v)
        ws.append(row)


def test_every_spreadsheet_table_has_a_chinese_sheet_with_chinese_headers():
    wb = build_template()
    assert wb.sheetnames == [GUIDE_SHEET] + [TABLES[t].label_zh for t in SPREADSHEET_TABLES]
    assert "claims" not in SPREADSHEET_TABLES  # Parquet only
    for name in SPREADSHEET_TABLES:
        table = TABLES[name]
        ws = wb[table.label_zh]
        header = [c.value for c in ws[1]]
        assert header == [c.label_zh for c in table.columns]
        assert [ws.cell(row=1, column=j + 1).comment.text.split("\n")[0] for j in range(len(header))] == list(
            table.names
        )
        assert ws.freeze_panes == "A2"


def test_instructions_sheet_describes_every_column():
    ws = build_template()[GUIDE_SHEET]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    described = {(r[0], r[2]) for r in rows if r[1]}
    expected = {(TABLES[t].label_zh, c.name) for t in SPREADSHEET_TABLES for c in TABLES[t].columns}
    assert described == expected
    by_name = {(r[0], r[2]): r for r in rows if r[1]}
    money = by_name[("单元年度数据", "fund_general")]
    assert money[3] == "金额" and money[4] == "元" and money[6] == "必填"
    quarter = by_name[("公卫过程考核", "quarter")]
    assert quarter[5] == "1–4"
    assert by_name[("县年度数据", "ph_subsidy_total")][6].startswith("选填")
    assert by_name[("分死因死亡数据", "sex")][5] == "male、female、all"


def test_lists_and_ranges_are_validated_in_the_sheet():
    wb = build_template()

    def rule(sheet: str, header: str):
        ws = wb[sheet]
        letter = next(c.column_letter for c in ws[1] if c.value == header)
        hits = [dv for dv in ws.data_validations.dataValidation if any(letter + "2" in str(r) for r in dv.sqref.ranges)]
        assert len(hits) == 1, (sheet, header)
        return hits[0]

    assert rule("分死因死亡数据", "性别").formula1 == '"male,female,all"'
    assert rule("分死因死亡数据", "死因").type == "list"
    q = rule("公卫过程考核", "季度")
    assert (q.type, q.formula1, q.formula2) == ("whole", "1", "4")
    assert rule("公卫目标考核", "一票否决").formula1 == '"是,否"'
    y = rule("单元年度数据", "年度")
    assert (y.type, y.formula1, y.formula2) == ("whole", "1949", "2100")
    money = wb["单元年度数据"]
    col = next(c.column for c in money[1] if c.value == "基本医保基金支出（普通）")
    assert money.cell(row=2, column=col).number_format == "#,##0.00"


def test_example_rows_are_marked_and_rejected_if_left_in(tmp_path, capsys):
    path = tmp_path / "数据模板.xlsx"
    assert cli(["template", "--out", str(path)]) == 0
    wb = openpyxl.load_workbook(path)
    assert str(wb["健康管理单元"]["A2"].value).startswith(EXAMPLE_MARK)
    assert wb["健康管理单元"]["A2"].fill.fgColor.rgb.endswith("FFF2CC")
    capsys.readouterr()
    assert cli(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for name in SPREADSHEET_TABLES:
        assert f"sheet '{TABLES[name].label_zh}') row 1 (Excel row 2)" in err
    assert "delete the template's example row" in err and "示例行" in err


def test_errors_name_the_chinese_sheet_the_excel_row_the_header_as_written_and_the_value(tmp_path):
    tables = valid_tables()
    wb = build_template(tables=list(tables))
    for name, frame in tables.items():
        _fill(wb[TABLES[name].label_zh], frame)
    ws = wb["单元年度数据"]
    col = next(c.column for c in ws[1] if c.value == "参保人数")
    ws.cell(row=4, column=col, value=-7)  # Excel row 4 = data row 3
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    problems = raises_problems(lambda: load_dataset(path))
    p = find_problem(problems, table="unit_year", column="insured_pop", rows=[3], value="-7")
    text = str(p)
    assert "sheet '单元年度数据'" in text and "(Excel row 4)" in text and "column '参保人数' (insured_pop)" in text


def test_key_columns_are_prefilled_for_a_county_and_its_units(tmp_path):
    units = valid_tables()["units"]
    county = units["county_id"].iloc[0]
    wb = build_template(county=county, years="2022-2023", units=units)
    mine = units[units["county_id"] == county]
    assert wb["健康管理单元"].max_row == 2 + len(mine)
    uy = [[c.value for c in r][:2] for r in wb["单元年度数据"].iter_rows(min_row=3)]
    assert uy == [[u, y] for u in mine["unit_id"] for y in (2022, 2023)]
    assert wb["公卫过程考核"].max_row == 2 + len(mine) * 2 * 15 * 4
    assert wb["公卫目标考核"].max_row == 2 + len(mine) * 2 * 16
    cy = [[c.value for c in r][:2] for r in wb["县年度数据"].iter_rows(min_row=3)]
    assert cy == [[county, 2022], [county, 2023]]
    assert wb["分死因死亡数据"].max_row == 2 + 2 * 2 * 8 * 5
    assert wb["评判标准"].max_row == 2 + 2 * 10  # ten criteria (seed 004 附1) per year


def test_template_command_refuses_bad_requests_and_never_overwrites(tmp_path, capsys):
    existing = tmp_path / "old.xlsx"
    existing.write_bytes(b"keep me")
    assert cli(["template", "--out", str(existing)]) == 2
    assert existing.read_bytes() == b"keep me"
    assert cli(["template", "--out", str(tmp_path / "a.xlsx"), "--tables", "claims"]) == 2
    assert cli(["template", "--out", str(tmp_path / "b.xlsx"), "--county", "C01"]) == 2
    assert cli(["template", "--out", str(tmp_path / "c.xlsx"), "--county", "C01", "--years", "20x3"]) == 2
    assert cli(["template", "--out", str(tmp_path / "d.csv")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "--years" in err and "claims" in err
    assert not any((tmp_path / n).exists() for n in ("a.xlsx", "b.xlsx", "c.xlsx", "d.csv"))


def test_same_arguments_give_the_same_bytes():
    assert template_bytes(county="C01", years="2023") == template_bytes(county="C01", years="2023")


@pytest.mark.slow
def test_round_trip_filled_template_settles_like_the_csv_dataset(tmp_path):
    """A clerk fills the template with one synthetic county; settle gives the same files as from CSV."""
    run = [sys.executable, "-m", "toolkit"]
    synth = tmp_path / "synth"
    subprocess.run(
        run + ["synth", "--out", str(synth), "--counties", "2", "--first-year", "2019", "--last-year", "2023"],
        check=True,
        capture_output=True,
    )
    county = "C02"  # the small county keeps the workbook small
    full = load_dataset(synth, cache=False).tables
    tables = {}
    for name in SPREADSHEET_TABLES:
        frame = full[name]
        if "county_id" in frame:
            frame = frame[frame["county_id"] == county]
        else:
            frame = frame[frame["unit_id"].isin(full["units"].loc[full["units"]["county_id"] == county, "unit_id"])]
        tables[name] = frame.drop(columns=[c for c in ("ph_subsidy_total",) if c in frame]).reset_index(drop=True)
    csv_dir = write_dataset(tmp_path / "csv", tables)

    book = tmp_path / "数据模板.xlsx"
    assert cli(["template", "--out", str(book)]) == 0
    wb = openpyxl.load_workbook(book)
    for name, frame in tables.items():
        _fill(wb[TABLES[name].label_zh], frame, as_text=("fund_general", "township_pay"))
    wb.save(book)
    assert isinstance(wb["单元年度数据"]["C3"].value, int)  # numbers stay numbers …
    assert "," in wb["单元年度数据"]["E2"].value  # … and some money is text with separators

    assert cli(["validate", str(book)]) == 0
    outs = {}
    for label, source in (("csv", csv_dir), ("xlsx", book)):
        outs[label] = tmp_path / f"out-{label}"
        assert cli(["settle", str(source), "--year", "2023", "--county", county, "--out", str(outs[label])]) == 0
    a, b = outs["csv"] / county / "2023", outs["xlsx"] / county / "2023"
    names = sorted(p.name for p in a.glob("*.csv"))
    assert names and names == sorted(p.name for p in b.glob("*.csv"))
    match, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert not mismatch and not errors, mismatch
