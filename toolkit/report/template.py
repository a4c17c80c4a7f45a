"""The commission's input workbook: an empty template of the data contract, ready to fill in.

``python -m toolkit template --out 数据模板.xlsx [--tables …] [--county C --years A-B [--units DATASET]]``
writes one sheet per contract table (sheet names and headers in Chinese from the contract's
labels, the English column name in a cell comment), a 填表说明 sheet describing every column
(type, unit, allowed values, required or optional, what the table is used for), data validation
where a list or a range applies, number formats per column, frozen headers, and one example row
per table. The example row's identifier cells start with :data:`~toolkit.data.contract.EXAMPLE_MARK`
("示例"); the loader rejects a dataset that still holds one and names the rows to delete.

With ``--county`` and ``--years`` the key columns are pre-filled (county-year rows, the death
table's sex × age band × cause grid, every criterion of the 评判标准 per year; with ``--units`` the
county's units and every unit-year, unit-year-project-quarter and unit-year-indicator row), so the
clerk fills in values only. Facility rows are not pre-filled: the contract has no facility roster
apart from ``facility_year`` itself.

The filled workbook *is* a dataset: ``validate 数据模板.xlsx`` and every command accept it
(:func:`toolkit.data.load.load_dataset` reads a workbook as well as a folder). Everything here is
derived from :mod:`toolkit.data.contract`, so the template and the validation cannot drift apart.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from itertools import product
from pathlib import Path

import pandas as pd

from toolkit.data.contract import (
    CRITERIA,
    EXAMPLE_MARK,
    PH_INDICATORS,
    PH_PROJECTS,
    TABLES,
    Column,
    Table,
    get_table,
)
from toolkit.errors import ToolkitError
from toolkit.report import safe_cells
from toolkit.years import parse_years

#: the instructions sheet
GUIDE_SHEET = "填表说明"
#: tables a spreadsheet can hold (claims run to tens of millions of rows: Parquet only)
SPREADSHEET_TABLES = tuple(name for name, t in TABLES.items() if not t.large)
#: premature-mortality age bands pre-filled in the deaths sheet (WHO SDG 3.4.1: ages 30–69)
AGE_BANDS = tuple(f"{a}-{a + 4}" for a in range(30, 70, 5))
#: rows below the header that carry data validation beyond the pre-filled ones
SPARE_ROWS = 1000

_KIND_ZH = {
    "id": "编码（文本）",
    "text": "文本",
    "enum": "代码（从下拉列表选择）",
    "int": "整数",
    "money": "金额",
    "rate": "比例",
    "number": "数值",
    "bool": "是/否",
}
_FORMAT = {"id": "@", "text": "@", "enum": "@", "int": "0", "money": "#,##0.00", "rate": "0.00%", "number": "0.00"}
_EXAMPLE_FILL = "FFF2CC"  # light yellow: the example row
_HEADER_FILL = "DDEBF7"


def unit_of(col: Column) -> str:
    """The unit a clerk enters a column in, in Chinese (元, 人, 人次, 比例…)."""
    if col.kind == "money":
        return "元"
    if col.kind == "rate":
        return "比例（0–1，可输入百分数，如 64%）"
    if col.kind == "int":
        if col.name in ("year", "reform_year"):
            return "年"
        if col.name == "quarter":
            return "季度"
        if col.name == "month":
            return "月"
        if "人次" in col.label_zh:
            return "人次"
        if col.label_zh.endswith(("人数", "人口", "人口数")):
            return "人"
        return "个"
    return ""


def allowed_text(col: Column, table: Table) -> str:
    """The allowed values in Chinese, for the instructions sheet."""
    if col.kind == "bool":
        return "是 / 否"
    if col.choices:
        return "、".join(col.choices)
    lo, hi = col.min, col.max
    if col.kind == "rate" and any(r.column == col.name for r in table.range_exceptions):
        return "0–1（健康教育工分按实际工分填写）"
    if lo is not None and hi is not None:
        return f"{_num(lo)}–{_num(hi)}"
    if lo is not None:
        return f"≥ {_num(lo)}"
    if hi is not None:
        return f"≤ {_num(hi)}"
    return ""


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def required_text(col: Column) -> str:
    if not col.required:
        return "选填（可整列省略）"
    return "必填（可留空）" if col.nullable else "必填"


def guide_rows(tables: Sequence[str]) -> list[list[str]]:
    """One row per column of each table: the content of the 填表说明 sheet (header first)."""
    rows = [["工作表", "列（中文表头）", "列名（英文）", "类型", "单位", "允许值", "是否必填", "说明"]]
    for name in tables:
        table = TABLES[name]
        rows.append([table.label_zh, "", name, "", "", "", "", table.use_zh])
        for col in table.columns:
            rows.append(
                [
                    table.label_zh,
                    col.label_zh,
                    col.name,
                    _KIND_ZH[col.kind],
                    unit_of(col),
                    allowed_text(col, table),
                    required_text(col),
                    col.note_zh,
                ]
            )
    return rows


def example_row(table: Table) -> list[object]:
    """One plausible row whose identifier cells are marked as an example (rejected if left in)."""
    values: list[object] = []
    for col in table.columns:
        if col.kind in ("id", "text"):
            values.append(f"{EXAMPLE_MARK}{col.label_zh}")
        elif col.kind == "enum":
            values.append(col.choices[0])
        elif col.kind == "bool":
            values.append("否")
        elif col.name == "year":
            values.append(2024)
        elif col.kind == "int":
            values.append(int(col.min) if col.min is not None and col.min > 0 else 100)
        elif col.kind == "money":
            values.append(10000.0)
        elif col.kind == "rate":
            values.append(0.9)
        else:
            values.append(90.0 if col.max == 100 else 1.0)
    return values


def _years(years: str | Sequence[int] | None) -> list[int]:
    if years is None:
        return []
    if not isinstance(years, str):
        return sorted(int(y) for y in years)
    return parse_years(years)


def prefilled_keys(
    table: str, county: str | None, years: Sequence[int], units: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The key cells of ``table`` for one county and its years (and units), in contract column names.

    Empty when nothing can be pre-filled (no county, or a unit-level table without units).
    """
    if county is None or not years:
        return pd.DataFrame()
    unit_ids = [] if units is None else units.loc[units["county_id"] == county, "unit_id"].tolist()
    if table == "county_year":
        return pd.DataFrame({"county_id": county, "year": list(years)})
    if table == "deaths":
        grid = product(years, ("male", "female"), AGE_BANDS, ("cvd", "cancer", "diabetes", "crd", "other"))
        return pd.DataFrame(
            [(county, y, s, a, c) for y, s, a, c in grid], columns=["county_id", "year", "sex", "age_band", "cause"]
        )
    if table == "criteria_year":
        grid = product(years, CRITERIA)
        return pd.DataFrame([(county, y, c) for y, c in grid], columns=["county_id", "year", "criterion"])
    if table == "units" and units is not None:
        return units.loc[units["county_id"] == county].reset_index(drop=True)
    if table == "unit_year":
        return pd.DataFrame([(u, y) for u, y in product(unit_ids, years)], columns=["unit_id", "year"])
    if table == "ph_process":
        grid = product(unit_ids, years, PH_PROJECTS, (1, 2, 3, 4))
        return pd.DataFrame(list(grid), columns=["unit_id", "year", "project", "quarter"])
    if table == "ph_targets":
        grid = product(unit_ids, years, PH_INDICATORS)
        return pd.DataFrame(list(grid), columns=["unit_id", "year", "indicator"])
    return pd.DataFrame()


def _validation(col: Column, table: Table):
    from openpyxl.worksheet.datavalidation import DataValidation

    title = col.label_zh
    if col.kind == "bool":
        return DataValidation(
            type="list", formula1='"是,否"', allow_blank=True, errorTitle=title, error="请填 是 或 否"
        )
    if col.choices:
        formula = '"' + ",".join(col.choices) + '"'
        return DataValidation(
            type="list", formula1=formula, allow_blank=True, errorTitle=title, error="请从下拉列表中选择"
        )
    if any(r.column == col.name for r in table.range_exceptions):
        return None  # the range depends on another column (credits vs rates): the loader checks it
    if col.kind == "int" and col.min is not None:
        hi = col.max if col.max is not None else 10**15
        return DataValidation(
            type="whole",
            operator="between",
            formula1=_num(col.min),
            formula2=_num(hi),
            allow_blank=True,
            errorTitle=title,
            error=f"请填 {allowed_text(col, table)} 之间的整数",
        )
    if col.kind in ("money", "rate", "number") and col.min is not None:
        hi = col.max if col.max is not None else 10**15
        return DataValidation(
            type="decimal",
            operator="between",
            formula1=_num(col.min),
            formula2=_num(hi),
            allow_blank=True,
            errorTitle=title,
            error=f"允许值：{allowed_text(col, table)}",
        )
    return None


def build_template(
    tables: Iterable[str] | None = None,
    county: str | None = None,
    years: str | Sequence[int] | None = None,
    units: pd.DataFrame | None = None,
):
    """The template as an ``openpyxl.Workbook`` (see the module docstring)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    names = list(SPREADSHEET_TABLES) if tables is None else [get_table(t).name for t in tables]
    large = [n for n in names if TABLES[n].large]
    if large:
        raise ToolkitError(
            f"--tables: {', '.join(large)} cannot be a spreadsheet sheet (tens of millions of rows): "
            "bring it as Parquet; expected any of " + ", ".join(SPREADSHEET_TABLES)
        )
    if (county is None) != (years is None):
        raise ToolkitError("--county and --years go together: both pre-fill the key columns")
    year_list = _years(years)
    wb = Workbook()
    guide = wb.active
    guide.title = GUIDE_SHEET
    for r, row in enumerate(guide_rows(names), start=1):
        _write_row(guide, r, row)
    bold = Font(bold=True)
    for cell in guide[1]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for letter, width in zip("ABCDEFGH", (16, 22, 26, 20, 16, 30, 16, 60)):
        guide.column_dimensions[letter].width = width
    guide.freeze_panes = "A2"
    notes = [
        "每个工作表对应一张数据表；第1行是表头（请勿修改），鼠标悬停可见英文列名。",
        f"黄色的第2行是示例行（编码以“{EXAMPLE_MARK}”开头）：填报前请删除，否则校验会报错并指出行号。",
        "金额单位为元；比例填小数或百分数（64% 或 0.64）；年度为四位数字。",
        "填好后运行：python -m toolkit validate 数据模板.xlsx ；错误信息会指出工作表、行号、表头和数值。",
    ]
    start = guide.max_row + 2
    for i, text in enumerate(notes):
        safe_cells.write_cell(guide, start + i, 1, text)

    for name in names:
        table = TABLES[name]
        ws = wb.create_sheet(table.label_zh)
        headers = [c.name for c in table.columns]
        _write_row(ws, 1, [c.label_zh for c in table.columns], headers)
        for j, col in enumerate(table.columns, start=1):
            cell = ws.cell(row=1, column=j)
            cell.font = bold
            cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            detail = " ".join(filter(None, [unit_of(col), allowed_text(col, table), required_text(col)]))
            cell.comment = Comment(f"{col.name}\n{detail}", "toolkit")
            ws.column_dimensions[get_column_letter(j)].width = max(12, 2 * len(col.label_zh) + 4)
        _write_row(ws, 2, example_row(table), headers)
        for cell in ws[2]:
            cell.fill = PatternFill("solid", fgColor=_EXAMPLE_FILL)
        keys = prefilled_keys(name, county, year_list, units)
        for r, rec in enumerate(keys.itertuples(index=False), start=3):
            row = dict(zip(keys.columns, rec))
            _write_row(ws, r, [_cell(row.get(c.name)) for c in table.columns], headers)
        last = ws.max_row + SPARE_ROWS
        for j, col in enumerate(table.columns, start=1):
            letter = get_column_letter(j)
            for r in range(2, ws.max_row + 1):
                ws.cell(row=r, column=j).number_format = _FORMAT.get(col.kind, "General")
            dv = _validation(col, table)
            if dv is not None:
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{last}")
        ws.freeze_panes = "A2"
    return wb


def _write_row(ws, row: int, values: Sequence[object], headers: Sequence[str] | None = None) -> None:
    """Row ``row`` of ``ws`` through :func:`~toolkit.report.safe_cells.write_cell`: a pre-filled name
    such as ``=HYPERLINK(…)`` stays text, a control character is an error naming sheet, row and column."""
    for j, value in enumerate(values, start=1):
        if value is not None:
            safe_cells.write_cell(ws, row, j, value, header=headers[j - 1] if headers else None)


def _cell(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def template_bytes(**kwargs) -> bytes:
    """The template workbook as .xlsx bytes (fixed timestamps: same arguments, same bytes)."""
    from toolkit.report.excel import DEFAULT_TIMESTAMP, fix_zip_times

    wb = build_template(**kwargs)
    wb.properties.created = DEFAULT_TIMESTAMP
    buf = io.BytesIO()
    wb.save(buf)
    return fix_zip_times(buf.getvalue(), DEFAULT_TIMESTAMP)


def write_template(path: str | Path, **kwargs) -> Path:
    from toolkit.io import write_files

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ToolkitError(f"--out: expected a workbook name ending in .xlsx, got {path.name!r}")
    write_files({path: template_bytes(**kwargs)})  # staged beside it and renamed: a full disk leaves no file
    return path
