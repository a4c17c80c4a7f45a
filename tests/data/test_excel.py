"""Excel workbooks: one per table or one with a sheet per table; title rows above the header are
skipped; numbers stored as text (with thousands separators) are numbers; merged header cells are an error.
"""

from __future__ import annotations

import openpyxl
import pandas as pd

from toolkit.data.contract import column_labels
from toolkit.data.load import load_dataset, load_table

from .conftest import valid_tables, write_dataset
from .helpers import find_problem, raises_problems


def _cell(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


def write_sheet(ws, frame: pd.DataFrame, title_rows: int = 0, header=None):
    for i in range(title_rows):
        ws.append([f"2022年 示例县 数据表 {i + 1}"])
    ws.append(list(header or frame.columns))
    for rec in frame.itertuples(index=False):
        ws.append([_cell(v) for v in rec])


def write_xlsx(path, frames: dict[str, pd.DataFrame], title_rows: int = 0):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, frame in frames.items():
        write_sheet(wb.create_sheet(name), frame, title_rows)
    wb.save(path)
    return path


def test_one_workbook_per_table_loads_like_csv(tmp_path, tables):
    folder = tmp_path / "ds"
    folder.mkdir()
    for name, frame in tables.items():
        write_xlsx(folder / f"{name}.xlsx", {"Sheet1": frame})
    ds = load_dataset(folder)
    reference = load_dataset(write_dataset(tmp_path / "csv", valid_tables()))
    for name in tables:
        pd.testing.assert_frame_equal(ds.tables[name], reference.tables[name], check_dtype=True)


def test_one_workbook_with_a_sheet_per_table(tmp_path, tables):
    folder = tmp_path / "ds"
    folder.mkdir()
    write_xlsx(folder / "示例县2022.xlsx", tables)
    ds = load_dataset(folder)
    assert set(ds.tables) == set(tables)
    assert ds.files["units"].name == "示例县2022.xlsx" and ds.sheets["deaths"] == "deaths"
    assert ds.tables["unit_year"]["insured_pop"].dtype == "int64"


def test_title_row_above_the_header_is_skipped(tmp_path, tables):
    path = tmp_path / "unit_year.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    write_sheet(ws, tables["unit_year"], title_rows=2)
    ws.merge_cells("A1:H1")  # a merged title is not a merged header
    wb.save(path)
    frame = load_table(path, "unit_year")
    assert len(frame) == 15 and frame["insured_pop"].iloc[0] == 1000


def test_title_row_rows_are_counted_from_the_header(tmp_path, tables):
    tables["unit_year"].loc[4, "insured_pop"] = -7
    path = write_xlsx(tmp_path / "unit_year.xlsx", {"unit_year": tables["unit_year"]}, title_rows=1)
    problems = raises_problems(lambda: load_table(path, "unit_year"))
    p = find_problem(problems, table="unit_year", column="insured_pop", rows=[5], value="-7")
    assert "header on sheet row 2" in p.source


def test_merged_header_cells_are_an_error(tmp_path, tables):
    path = tmp_path / "county_year.xlsx"
    wb = openpyxl.Workbook()
    write_sheet(wb.active, tables["county_year"])
    wb.active.merge_cells("E1:F1")
    wb.save(path)
    problems = raises_problems(lambda: load_table(path, "county_year"))
    find_problem(problems, table="county_year", value="merged cells E1:F1", expected="unmerge the header")


def test_merged_data_cells_are_an_error(tmp_path, tables):
    path = tmp_path / "units.xlsx"
    wb = openpyxl.Workbook()
    write_sheet(wb.active, tables["units"])
    wb.active.merge_cells("C2:C4")  # county_id of data rows 1–3 merged into one cell
    wb.save(path)
    problems = raises_problems(lambda: load_table(path, "units"))
    find_problem(problems, table="units", column="county_id", rows=[1, 2, 3], value="merged cells C2:C4")


def test_numbers_stored_as_text_with_thousands_separators(tmp_path, tables):
    frame = tables["county_year"].copy()
    frame["population"] = [f"{v:,}" for v in frame["population"]]  # '800,000'
    frame["fund_spending"] = [f"{v:,.2f}" for v in frame["fund_spending"]]  # '500,000,000.00'
    frame["township_staff"] = [str(v) for v in frame["township_staff"]]  # '900' as text
    path = write_xlsx(tmp_path / "county_year.xlsx", {"county_year": frame})
    loaded = load_table(path, "county_year")
    assert loaded["population"].tolist() == [800000] * 6 and loaded["population"].dtype == "int64"
    assert loaded["fund_spending"].iloc[0] == 5.0e8 and loaded["township_staff"].iloc[0] == 900


def test_badly_placed_thousands_separator_is_text(tmp_path, tables):
    frame = tables["county_year"].copy()
    frame.loc[1, "population"] = "80,00,00"  # not a 3-digit grouping: refuse to guess
    path = write_xlsx(tmp_path / "county_year.xlsx", {"county_year": frame})
    problems = raises_problems(lambda: load_table(path, "county_year"))
    find_problem(
        problems, table="county_year", column="population", rows=[2], value="80,00,00", expected="a whole number"
    )


def test_chinese_headers_are_accepted(tmp_path, tables):
    labels = column_labels("unit_year", "zh")
    frame = tables["unit_year"].rename(columns=labels)
    path = write_xlsx(tmp_path / "unit_year.xlsx", {"单元年度": frame})
    loaded = load_table(path, "unit_year")
    assert list(loaded.columns) == list(tables["unit_year"].columns)


def test_numeric_ids_and_boolean_cells(tmp_path, tables):
    frame = tables["ph_targets"].copy()
    frame["unit_id"] = [101] * 9  # Excel stores an id typed as 101 as the number 101.0
    path = write_xlsx(tmp_path / "ph_targets.xlsx", {"ph_targets": frame.iloc[:1]})
    loaded = load_table(path, "ph_targets")
    assert loaded["unit_id"].tolist() == ["101"] and loaded["veto"].dtype == bool


def test_text_in_a_number_cell_names_the_cell(tmp_path, tables):
    tables["deaths"].loc[6, "deaths"] = "十二"
    path = write_xlsx(tmp_path / "deaths.xlsx", {"deaths": tables["deaths"]})
    problems = raises_problems(lambda: load_table(path, "deaths"))
    p = find_problem(problems, table="deaths", column="deaths", rows=[7], value="十二", expected="a whole number")
    assert "sheet 'deaths'" in p.source


def test_corrupt_workbook(tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    problems = raises_problems(lambda: load_table(path, "units"))
    find_problem(problems, table="units", expected="a readable .xlsx workbook")


def test_old_xls_file_is_named(tmp_path, dataset_dir):
    (dataset_dir / "units.csv").unlink()
    (dataset_dir / "units.xls").write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    problems = raises_problems(lambda: load_dataset(dataset_dir))
    find_problem(problems, table="units", value=".xls", expected="save .xls workbooks as .xlsx")


def test_same_table_in_two_files_is_ambiguous(tmp_path, tables, dataset_dir):
    write_xlsx(dataset_dir / "units.xlsx", {"units": tables["units"]})
    problems = raises_problems(lambda: load_dataset(dataset_dir))
    find_problem(problems, table="units", value="units.csv, units.xlsx", expected="one file per table")


def test_empty_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.save(tmp_path / "units.xlsx")
    problems = raises_problems(lambda: load_table(tmp_path / "units.xlsx", "units"))
    find_problem(problems, table="units", value="empty sheet")


def test_duplicate_column_names_in_a_sheet(tmp_path, tables):
    path = tmp_path / "units.xlsx"
    wb = openpyxl.Workbook()
    header = ["unit_id", "unit_name", "county_id", "township_id", "township_id"]
    write_sheet(wb.active, tables["units"], header=header)
    wb.save(path)
    problems = raises_problems(lambda: load_table(path, "units"))
    find_problem(problems, table="units", column="township_id", value="appears 2 times (columns D, E)")


def test_empty_key_cell_in_a_sheet(tmp_path, tables):
    tables["unit_year"].loc[10, "year"] = None
    path = write_xlsx(tmp_path / "unit_year.xlsx", {"unit_year": tables["unit_year"]})
    problems = raises_problems(lambda: load_table(path, "unit_year"))
    find_problem(problems, table="unit_year", column="year", rows=[11], expected="key column")


def test_excel_error_cell_in_a_number_column(tmp_path, tables):
    tables["county_year"].loc[0, "fund_spending"] = "#DIV/0!"
    path = write_xlsx(tmp_path / "county_year.xlsx", {"county_year": tables["county_year"]})
    problems = raises_problems(lambda: load_table(path, "county_year"))
    find_problem(problems, table="county_year", column="fund_spending", rows=[1], value="#DIV/0!")
