"""Excel workbooks for commissions: one sheet per table, bilingual headers, number formats, and
the same bytes on every rerun.

openpyxl stamps the workbook with "now" (document properties; "modified" even at save time) and the zip members with the local
time; both are replaced here — the properties by ``timestamp`` (default 2000-01-01, or the data's
date passed by the caller) and every zip member's date by the same instant — so two writes of the
same tables are byte-identical and a batch rerun does not look like a change.

A workbook made from synthetic data (``synthetic=True``: the dataset's manifest says so) carries the
示例数据 · synthetic data label on every sheet — in the printed page header and an orange sheet tab —
and in the file's properties (subject, keywords), not as a row a program reading the table would take
for data; real data never shows it.

Money columns of kind ``wan`` are written as numbers in 万元 (yuan / 10,000) with ``#,##0.00``;
percentages as fractions with ``0.00%`` (Excel shows 99.16%); counts with ``#,##0``. Cells
already formatted as text (e.g. suppressed ``<5``) are written as text. Every cell goes through
:func:`toolkit.report.safe_cells.write_cell`: text starting with ``= + - @`` stays text, and a
control character is an error naming sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit.io import write_bytes
from toolkit.report.labels import check_lang, label, message
from toolkit.report.safe_cells import write_cell

DEFAULT_TIMESTAMP = dt.datetime(2000, 1, 1, 0, 0, 0)
#: kind -> (Excel number format, divide by)
EXCEL_FORMATS: dict[str, tuple[str, float]] = {
    "wan": ("#,##0.00", 10000.0),
    "yuan": ("#,##0.00", 1.0),
    "pct": ("0.00%", 1.0),
    "pp": ("+0.00%;-0.00%;0.00%", 1.0),
    "int": ("#,##0", 1.0),
    "num2": ("0.00", 1.0),
    "num3": ("0.000", 1.0),
    "num4": ("0.0000", 1.0),
    "text": ("@", 1.0),
}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Sheet:
    """One table of a workbook. ``formats``: column -> kind (see :data:`EXCEL_FORMATS`);
    ``labels``: column -> header overriding the registry label; ``notes``: lines under the table."""

    name: str
    frame: pd.DataFrame
    formats: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    notes: Iterable[str] = ()
    #: print layout for a sheet a commission prints (None: as before, header row frozen only)
    layout: SheetLayout | None = None
    #: column -> one kind per row, for tidy tables whose rows differ in unit (a share, a count)
    row_formats: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SheetLayout:
    """How a printed sheet behaves: the header row and the first ``id_columns`` columns frozen and
    repeated on every printed page, an autofilter over the first ``filter_rows`` data rows (rows
    below, such as a totals row, stay put when sorting), A4 landscape, fitted to one page wide."""

    id_columns: int = 1
    filter_rows: int | None = None  # default: every row of the frame


def _display_width(text: str) -> int:
    # CJK characters take two columns in Excel's default font
    if text.isascii():  # numbers and codes, most cells: one column a character
        return len(text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _check_sheet_name(name: str, seen: set[str]) -> str:
    if not name or len(name) > 31 or _BAD_SHEET_CHARS.search(name):
        raise ValueError(f"Excel sheet name {name!r} must be 1–31 characters without []:*?/\\")
    if name.lower() in seen:
        raise ValueError(f"duplicate Excel sheet name {name!r}")
    seen.add(name.lower())
    return name


def _cell_value(value: Any, kind: str) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):
        value = value.item()
    if kind == "text":
        return str(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        divisor = EXCEL_FORMATS.get(kind, ("", 1.0))[1]
        return value / divisor if divisor != 1.0 else value
    return str(value)


#: the sheet tab of a workbook made from synthetic data: the orange of the pages' 示例数据 banner
SYNTHETIC_TAB = "B35C00"


def build_workbook_bytes(
    sheets: Iterable[Sheet], lang: str = "zh", timestamp: dt.datetime = DEFAULT_TIMESTAMP, synthetic: bool = False
) -> bytes:
    """The .xlsx bytes of ``sheets``; deterministic for equal inputs and ``timestamp``. ``synthetic``:
    every sheet labelled 示例数据 · synthetic data (module docstring)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    check_lang(lang)
    wb = Workbook()
    wb.remove(wb.active)
    seen: set[str] = set()
    for sheet in sheets:
        ws = wb.create_sheet(_check_sheet_name(sheet.name, seen))
        frame = sheet.frame
        kinds = {c: sheet.formats.get(c) or _guess(str(c), frame[c]) for c in frame.columns}
        headers = [sheet.labels.get(c) or label(str(c), lang) for c in frame.columns]
        bold, header_align = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        for j, h in enumerate(headers, start=1):
            cell = write_cell(ws, 1, j, h, sheet=sheet.name, header=str(h))
            cell.font = bold
            cell.alignment = header_align
        widths = [_display_width(h) for h in headers]
        # styles built once per sheet: openpyxl hashes every style object it is given, per cell
        number_formats = {c: EXCEL_FORMATS.get(kinds[c], ("General", 1))[0] for c in frame.columns}
        align_text, align_number_text = Alignment(horizontal="left"), Alignment(horizontal="right")
        # the names once: a pandas str Index iterated for every row costs more than the cells
        columns = list(frame.columns)
        # track the row number ourselves: ws.max_row scans every row (quadratic on big sheets)
        for r, row in enumerate(frame.itertuples(index=False), start=2):
            row_kinds = {c: sheet.row_formats[c][r - 2] for c in sheet.row_formats}
            values = [_cell_value(v, row_kinds.get(c, kinds[c])) for v, c in zip(row, columns)]
            for j, (v, c) in enumerate(zip(values, columns), start=1):
                cell = write_cell(ws, r, j, v, sheet=sheet.name, header=str(c))
                if isinstance(v, str):
                    cell.number_format = "@"
                    cell.alignment = align_text if kinds[c] == "text" else align_number_text
                elif v is not None and c in row_kinds:
                    cell.number_format = EXCEL_FORMATS.get(row_kinds[c], ("General", 1))[0]
                elif v is not None and number_formats[c] != "General":
                    cell.number_format = number_formats[c]
                shown = v if isinstance(v, str) else (f"{v:,.2f}" if isinstance(v, float) else str(v))
                widths[j - 1] = max(widths[j - 1], _display_width(shown or ""))
        notes = list(sheet.notes)
        if synthetic:  # not a row of the sheet: a program reading the table reads only the table
            ws.oddHeader.center.text = message("workbook_synthetic_header", lang)
            ws.sheet_properties.tabColor = SYNTHETIC_TAB
        if notes:
            at = len(frame) + 3  # one empty row under the table
            for k, note in enumerate(notes):
                write_cell(ws, at + k, 1, note, sheet=sheet.name, header="notes")
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(max(w + 2, 8), 60)
        ws.freeze_panes = "A2"
        if sheet.layout is not None:
            _apply_layout(ws, sheet.layout, len(frame.columns), len(frame))
    wb.properties.creator = "county-health-toolkit"
    wb.properties.lastModifiedBy = "county-health-toolkit"
    if synthetic:
        wb.properties.subject = message("workbook_synthetic_note", lang)
        wb.properties.keywords = message("workbook_synthetic_header", lang)
    wb.properties.created = timestamp
    wb.properties.modified = timestamp
    raw = io.BytesIO()
    wb.save(raw)
    return fix_zip_times(raw.getvalue(), timestamp)


def _apply_layout(ws, layout: SheetLayout, n_columns: int, n_rows: int) -> None:
    from openpyxl.utils import get_column_letter

    ids = max(0, min(layout.id_columns, n_columns))
    ws.freeze_panes = f"{get_column_letter(ids + 1)}2"
    rows = n_rows if layout.filter_rows is None else min(layout.filter_rows, n_rows)
    if n_columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(n_columns)}{rows + 1}"
    ws.print_title_rows = "1:1"
    if ids:
        ws.print_title_cols = f"A:{get_column_letter(ids)}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True


def _guess(name: str, series: pd.Series) -> str:
    if name in ("year", "quarter", "rank", "event_time", "cohort") or name.endswith("_id"):
        return "text" if not pd.api.types.is_integer_dtype(series) else "int_plain"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "num2"
    return "text"


EXCEL_FORMATS["int_plain"] = ("0", 1.0)  # years and ranks: a number, but no thousands separator


def fix_zip_times(data: bytes, timestamp: dt.datetime) -> bytes:
    """Rewrite the zip with every member dated ``timestamp`` (same order, same compression)."""
    stamp = (
        max(timestamp.year, 1980),
        timestamp.month,
        timestamp.day,
        timestamp.hour,
        timestamp.minute,
        timestamp.second,
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            new = zipfile.ZipInfo(info.filename, date_time=stamp)
            new.compress_type = zipfile.ZIP_DEFLATED
            new.external_attr = 0o600 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets "modified" to now when saving
                iso = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    lambda m, iso=iso: m.group(1) + iso + m.group(2),
                    content,
                )
            dst.writestr(new, content)
    return out.getvalue()


def write_workbook(
    path: str | os.PathLike,
    sheets: Iterable[Sheet],
    lang: str = "zh",
    timestamp: dt.datetime = DEFAULT_TIMESTAMP,
    synthetic: bool = False,
) -> None:
    """Write ``sheets`` to ``path`` atomically (temp file + rename)."""
    write_bytes(path, build_workbook_bytes(list(sheets), lang, timestamp, synthetic=synthetic))
