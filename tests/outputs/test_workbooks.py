"""indicators.xlsx as a commission opens it: Chinese sheet names, county names, shares as percentages,
counts as whole numbers with separators, an autofilter, A4 print setup (checked with openpyxl)."""

import openpyxl
import pandas as pd


def test_indicators_workbook_is_ready_to_read_and_print(main_outputs, sample_dir):
    wb = openpyxl.load_workbook(main_outputs / "indicators.xlsx")
    assert wb.sheetnames == ["县级指标", "单元指标", "指标说明"]
    ws = wb["县级指标"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["县编码", "县名", "年份"] and "指标名称" in header and "单位" in header
    col = {h: i for i, h in enumerate(header)}
    names = dict(pd.read_csv(sample_dir / "county_year.csv", dtype=str)[["county_id", "county_name"]].values)
    rows = list(ws.iter_rows(min_row=2, values_only=False))
    by_indicator = {}
    for row in rows:
        assert row[col["县名"]].value == names[row[0].value]
        by_indicator.setdefault(row[col["指标编码"]].value, row)
    share = by_indicator["in_county_inpatient_share"]
    assert share[col["数值"]].number_format == "0.00%" and 0 < share[col["数值"]].value < 1  # 80.09%, not 0.8009
    assert share[col["分子"]].number_format == "#,##0"  # 107,543, not 107543.00
    assert share[col["单位"]].value == "比例（%）"
    income = by_indicator["village_doctor_subsidy_per_doctor"]
    assert income[col["数值"]].number_format == "#,##0.00" and income[col["单位"]].value == "元"
    # filter over the table, A4 landscape fitted to the width, header row on every page
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(len(header))}{len(rows) + 1}"
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4) and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows in ("1:1", "$1:$1")


def test_county_report_tables_read_in_chinese_with_parameter_values_as_numbers(main_outputs, sample_dir):
    year = int(pd.read_csv(sample_dir / "county_year.csv")["year"].max())
    path = next((main_outputs / f"county_annual_report/C01/{year}_files").glob("*_tables.xlsx"))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["监测指标", "单元结算", "单元核心医保指标", "目标评价达标情况", "参数"]
    ind = wb["监测指标"]
    header = [c.value for c in ind[1]]
    assert header[:3] == ["指标名称", "单位", "方向"] and "名次（1 = 最优）" in header and "较上年" in header
    shares = [r for r in ind.iter_rows(min_row=2) if r[1].value == "%"]
    assert shares and all(r[3].number_format == "0.00%" for r in shares)  # a share shows as 81.22%
    params = wb["参数"]
    assert [c.value for c in params[1]][:2] == ["参数", "参数值"]
    rows = {r[4].value: r[1] for r in params.iter_rows(min_row=2) if r[4].value}
    # numbers are numbers a spreadsheet can add up, choices are words
    assert rows["baseline_years"].value == 3 and rows["baseline_years"].data_type == "n"
    assert rows["budget_growth"].data_type == "n"  # 0 (Suixi sets no growth), a number
    assert rows["baseline_method"].value == "各年人均支出的平均数"
