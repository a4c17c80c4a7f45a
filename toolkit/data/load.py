"""Read a dataset folder and check it against the data contract (``toolkit.data.contract``).

Every table is read from CSV (UTF-8, UTF-8 with BOM or GB18030/GBK, detected), Excel (.xlsx) or
Parquet, converted to the dtypes of docs/architecture.md and validated: types, ranges, keys,
numerators against denominators, missing panel years, cross-table ids. All problems of all
tables are collected and raised at once as one :class:`~toolkit.errors.ValidationError`, so a
commission fixes its file in one round instead of one error per run.

The claims table can hold tens of millions of rows: :func:`load_dataset` only checks its Parquet
schema (metadata, no rows read) and exposes the path as ``ds.files["claims"]``;
:func:`validate_claims` checks its values with DuckDB without loading it into pandas, and never
puts ``claim_id`` or ``person_id`` values into a message.

Row numbers in problems are 1-based data rows: the first row under the header is row 1.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import io
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.data import plausibility, special_files
from toolkit.data.contract import (
    DERIVED_FROM_CLAIMS,
    EXAMPLE_MARK,
    IDENTIFIER_COLUMNS,
    TABLES,
    Column,
    Table,
    get_table,
)
from toolkit.errors import Problem, ToolkitError, ValidationError

#: cell texts read as "empty" (as pandas and spreadsheet exports write them)
NA_TOKENS = frozenset({"", "nan", "NaN", "NAN", "NA", "N/A", "n/a", "null", "NULL", "None", "none", "#N/A", "-"})
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"
_TRUE = frozenset({"true", "1", "yes", "y", "t", "是"})
_FALSE = frozenset({"false", "0", "no", "n", "f", "否"})
#: rows searched for the header (a title row or two above it is common in Excel exports)
HEADER_SEARCH_ROWS = 10
FORMATS = (".csv", ".xlsx", ".parquet")
WITHHELD = "value withheld (identifier)"
#: problems listed one by one per check; the rest of that check's rows are summed up in one more
DETAIL_LIMIT = 50


@dataclass(frozen=True)
class Dataset:
    """A validated dataset folder. ``tables`` excludes claims (see ``files["claims"]``)."""

    root: Path
    tables: dict[str, pd.DataFrame]
    files: dict[str, Path]
    data_hash: str
    sheets: dict[str, str] = field(default_factory=dict)  # table -> sheet name, for workbooks

    def validate_claims(self) -> ClaimsSummary:
        """Check the claims values against the loaded units and counties (see :func:`validate_claims`)."""
        if "claims" not in self.files:
            raise ToolkitError(f"no claims table in {self.root}")
        units = self.tables.get("units")
        counties = self.tables["county_year"]["county_id"].unique().tolist() if "county_year" in self.tables else None
        return validate_claims(self.files["claims"], units=units, counties=counties)


# --------------------------------------------------------------------------- raw reading
@dataclass
class _Raw:
    """A table as read: cell texts (object columns, None = empty; Parquet numbers stay float), row numbers."""

    frame: pd.DataFrame
    rows: np.ndarray  # 1-based data row number of each record
    source: str
    header: tuple[str, ...] = ()  # column names as found (before dropping unusable columns)
    sheet_header_row: int = 0  # workbooks: the sheet row of the header, so messages give rows as Excel shows them
    written: dict[str, str] = field(default_factory=dict)  # contract name -> header text as the sheet wrote it
    codes: dict = field(default_factory=dict)  # column -> factorised codes, shared by the rules (_group_codes)
    final: bool = False  # the typed frame already has the dataset's dtypes (pyarrow path)


def _source_name(path: Path, sheet: str | None = None) -> str:
    return path.name + (f", sheet '{sheet}'" if sheet else "")


def _to_text(v: Any) -> str | None:
    """A cell value as the text a person sees (Excel numbers 101.0 -> '101')."""
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return None
        if float(v).is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(float(v))
    if isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        return v.isoformat()
    return str(v)


def _clean_header(value: Any, table: Table) -> str:
    text = (_to_text(value) or "").replace("\ufeff", "").replace("\u3000", " ").strip()
    if text in table.names:
        return text
    if text.lower() in table.names:
        return text.lower()
    for c in table.columns:  # a header written in Chinese (or English label) is accepted
        if text in (c.label_zh, c.label_en, c.label):
            return c.name
    return text


def _find_header(records: Sequence[Sequence[Any]], table: Table) -> int:
    """Index of the header row: the first of the top rows holding the most contract columns."""
    best, best_score = None, 0
    for i, rec in enumerate(records[:HEADER_SEARCH_ROWS]):
        names = {_clean_header(v, table) for v in rec}
        score = len(names & set(table.names))
        if score > best_score:
            best, best_score = i, score
        if score and set(table.required) <= names:
            return i
    if best is not None:
        return best
    for i, rec in enumerate(records):  # nothing recognisable: the first non-empty row
        if any(_to_text(v) not in (None, "") for v in rec):
            return i
    return 0


def _missing_columns(header: Sequence[str], table: Table, source: str, optional: Iterable[str] = ()) -> list[Problem]:
    present, optional = set(header), set(optional)
    return [
        Problem(
            table.name,
            f"a column '{c.name}' ({c.label}) — required by the data contract",
            column=c.name,
            value="column missing",
            source=source,
        )
        for c in table.columns
        if c.required and c.name not in present and c.name not in optional
    ]


def _duplicated_names(header: Sequence[str]) -> dict[str, list[int]]:
    """Column name → its 0-based positions, for the names the header holds more than once."""
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        if name:
            seen.setdefault(name, []).append(i)
    return {name: positions for name, positions in seen.items() if len(positions) > 1}


def _header_problems(header: list[str], table: Table, source: str) -> list[Problem]:
    """A problem per column name written more than once (the table cannot be read past that)."""
    return [
        Problem(
            table.name,
            "each column name once in the header",
            column=name,
            value=f"appears {len(positions)} times (columns {', '.join(_excel_col(p) for p in positions)})",
            source=source,
        )
        for name, positions in _duplicated_names(header).items()
    ]


def _excel_col(index: int) -> str:
    """0-based column index -> spreadsheet letters (0 -> A)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _frame(
    records: list[list[Any]], header: list[str], first_row: int, source: str, table: Table, problems: list[Problem]
) -> _Raw | None:
    """Records under the header -> text frame; fully blank records are skipped but counted."""
    width = len(header)
    if not all(type(v) is str for rec in records for v in rec):
        records = [[_to_text(v) for v in rec] for rec in records]  # spreadsheet cells -> text
    blank = ["".join(filter(None, rec)).strip() == "" for rec in records]
    too_long = []
    for i, rec in enumerate(records):
        if len(rec) != width and not blank[i]:
            if len(rec) > width:
                if "".join(filter(None, rec[width:])).strip():
                    too_long.append(first_row + i)
                records[i] = rec[:width]
            else:
                records[i] = list(rec) + [None] * (width - len(rec))
    keep = [rec for rec, b in zip(records, blank) if not b]
    numbers = np.asarray([first_row + i for i, b in enumerate(blank) if not b], dtype=np.int64)
    if too_long:
        problems.append(
            Problem(
                table.name,
                f"at most {width} fields per row (one per header column); a comma inside a value must be quoted",
                rows=tuple(too_long),
                source=source,
            )
        )
    if not keep:
        problems.append(
            Problem(table.name, "at least one data row under the header", value="no data rows", source=source)
        )
        return None
    columns = list(zip(*keep))  # transpose in C
    cols = {}
    for j, name in enumerate(header):
        if not name:
            if not "".join(filter(None, columns[j])).strip():
                continue  # an empty unnamed column (trailing comma, blank spreadsheet column)
            name = f"unnamed_{_excel_col(j)}"
        cols[name] = pd.Series(columns[j], dtype=object)
    return _Raw(pd.DataFrame(cols), numbers, source, tuple(header))


def _decode(data: bytes, table: Table, source: str, problems: list[Problem]) -> str | None:
    """UTF-8 (with or without BOM), else GB18030/GBK; undecodable bytes reported with their rows."""
    if b"\x00" in data:
        problems.append(
            Problem(
                table.name,
                "a text CSV file in UTF-8 or GB18030/GBK (this looks like UTF-16 "
                "or a binary file: save it as CSV UTF-8)",
                value="file contains NUL bytes",
                source=source,
            )
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        utf8_error = err
    # UTF-8 Chinese text before the first bad byte means a UTF-8 file with corrupt bytes: decoding it
    # as GB18030 would "succeed" and silently turn every name into mojibake
    prefix = data[: utf8_error.start].decode("utf-8-sig")
    if sum("\u4e00" <= ch <= "\u9fff" for ch in prefix) >= 3:
        encoding = "utf-8-sig"
    else:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as err:
            gb_error = err
        # report against the encoding that read further: that is most likely what the file is meant to be
        encoding = "utf-8-sig" if utf8_error.start >= gb_error.start else "gb18030"
    text = data.decode(encoding, errors="surrogateescape")
    bad_rows, bad_bytes, header_bad = [], [], False
    for line_no, line in enumerate(text.split("\n"), start=1):
        escaped = [ch for ch in line if "\udc80" <= ch <= "\udcff"]
        if escaped:
            if line_no == 1:
                header_bad = True
            else:
                bad_rows.append(line_no - 1)
            if len(bad_bytes) < 6:
                bad_bytes += [f"0x{ord(ch) - 0xDC00:02X}" for ch in escaped[: 6 - len(bad_bytes)]]
    where = " (in the header row)" if header_bad else ""
    problems.append(
        Problem(
            table.name,
            "text encoded as UTF-8 or GB18030/GBK (re-save the file as CSV UTF-8)",
            rows=tuple(bad_rows),
            value=f"undecodable bytes {' '.join(bad_bytes)}{where}",
            source=source,
        )
    )
    return None


def _empty_file(table: Table, data: bytes, source: str) -> Problem:
    return Problem(
        table.name, "a header row and at least one data row", value=f"empty file ({len(data)} bytes)", source=source
    )


def _read_csv(path: Path, table: Table, problems: list[Problem]) -> _Raw | None:
    source = path.name
    data = path.read_bytes()
    if not data.strip():
        problems.append(_empty_file(table, data, source))
        return None
    text = _decode(data, table, source, problems)
    if text is None:
        return None
    if not text.strip():  # e.g. only a byte-order mark
        problems.append(_empty_file(table, data, source))
        return None
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    fast = _read_plain_csv(text, delimiter, source, table, problems)
    if fast is not _SLOW:
        return fast
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as err:
        problems.append(
            Problem(
                table.name,
                "well-formed CSV (quotes closed, fields under 128 KB)",
                rows=(max(reader.line_num - 1, 1),),
                value=str(err),
                source=source,
            )
        )
        return None
    if not any(records):
        problems.append(
            Problem(table.name, "a header row and at least one data row", value="no header row", source=source)
        )
        return None
    h = _find_header(records, table)
    header = [_clean_header(v, table) for v in records[h]]
    if h:
        source = f"{source}, header on row {h + 1}"
    head_problems = _header_problems(header, table, source)
    problems += head_problems
    if head_problems:  # duplicated column names: which one holds the values is unknowable
        return None
    body = records[h + 1 :]
    # rows are counted as records, as a spreadsheet shows the file: a quoted value spanning two lines
    # is one row, a blank line is a (skipped) row
    return _frame(body, header, 1, source, table, problems)


_SLOW = object()  # "this text needs csv.reader"


def _plain_lines(text: str) -> list[str] | None:
    """The records of a CSV text without any quote, one per line; None when csv.reader is needed.

    Without quotes csv.reader's records are exactly the lines (ended by \\n or \\r\\n) split at
    the delimiter, an empty line being the empty record; a lone \\r, a quote or a field over
    csv's size limit go the general way.
    """
    if '"' in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if len(text) > csv.field_size_limit() and max(map(len, lines)) > csv.field_size_limit():
        return None
    return lines


def _read_plain_csv(text: str, delimiter: str, source: str, table: Table, problems: list[Problem]):
    """:func:`_read_csv` for a text without quotes whose data rows all have one field per header
    column (every export of a program): the cells split by pyarrow.csv (all read as text), the
    header found as on the general path (title rows above it skipped). Anything else -> _SLOW."""
    import pyarrow as pa
    import pyarrow.csv as pv

    lines = _plain_lines(text)
    if lines is None or not any(lines):
        return _SLOW
    head = [line.split(delimiter) if line else [] for line in lines[:HEADER_SEARCH_ROWS]]
    if not any(v != "" for rec in head for v in rec):
        return _SLOW  # the header may lie further down: the general search
    h = _find_header(head, table)
    header = [_clean_header(v, table) for v in head[h]]
    if h:
        source = f"{source}, header on row {h + 1}"
    head_problems = _header_problems(header, table, source)
    width = len(header)
    if head_problems or len(lines) <= h + 1 or width == 0:
        return _SLOW
    body = "\n".join(lines[h + 1 :]) + "\n"
    try:  # one record per line (no quotes): a row with too few or too many cells is declined
        grid = pv.read_csv(
            pa.py_buffer(body.encode("utf-8")),
            read_options=pv.ReadOptions(column_names=[f"c{j}" for j in range(width)], use_threads=True),
            parse_options=pv.ParseOptions(
                delimiter=delimiter, quote_char=False, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pv.ConvertOptions(
                column_types={f"c{j}": pa.string() for j in range(width)}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid:
        return _SLOW  # short/long rows or blank lines: reported (or padded) by the general path
    columns = [pd.Series(grid.column(j).to_numpy(zero_copy_only=False), dtype=object) for j in range(width)]
    # a line of only delimiters and spaces is a blank (skipped) row, counted as a spreadsheet counts it
    blank = np.ones(grid.num_rows, dtype=bool)
    for column in columns:  # each column looked at only on the rows still blank so far (usually none)
        maybe = np.flatnonzero(blank)
        if not len(maybe):
            break
        blank[maybe] = ~column.iloc[maybe].str.strip().astype(bool).to_numpy()
    if blank.all():
        return _SLOW
    cols = {}
    for j, name in enumerate(header):
        column = columns[j][~blank].reset_index(drop=True) if blank.any() else columns[j]
        if not name:
            if not "".join(column).strip():
                continue  # an empty unnamed column (trailing comma, blank spreadsheet column)
            name = f"unnamed_{_excel_col(j)}"
        cols[name] = column
    return _Raw(pd.DataFrame(cols), np.flatnonzero(~blank).astype(np.int64) + 1, source, tuple(header))


def _read_xlsx(path: Path, table: Table, problems: list[Problem], sheet: str | None = None) -> _Raw | None:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except Exception as err:  # any corrupt/non-xlsx file: openpyxl raises many kinds
        problems.append(
            Problem(
                table.name,
                "a readable .xlsx workbook (Excel 2007 or later; save .xls as .xlsx)",
                value=f"{type(err).__name__}: {err}",
                source=path.name,
            )
        )
        return None
    try:
        if sheet is None:
            sheet = table.name if table.name in wb.sheetnames else wb.sheetnames[0]
        ws = wb[sheet]
        source = _source_name(path, sheet)
        records = [list(r) for r in ws.iter_rows(values_only=True)]
        merged = list(ws.merged_cells.ranges)
    finally:
        wb.close()
    if not records or all(all(_to_text(v) in (None, "") for v in r) for r in records):
        problems.append(
            Problem(table.name, "a header row and at least one data row", value="empty sheet", source=source)
        )
        return None
    h = _find_header(records, table)
    problems += special_files.uncached_formulas(path, sheet, records, h, table.name)
    header_row = h + 1  # sheet row number
    if header_row != 1:
        source = f"{source}, header on sheet row {header_row}"
    merged_header = [str(r.coord) for r in merged if r.min_row <= header_row <= r.max_row]
    if merged_header:
        problems.append(
            Problem(
                table.name,
                "one column name per header cell (unmerge the header cells)",
                value="merged cells " + ", ".join(sorted(merged_header)),
                source=source,
            )
        )
        return None
    merged_data = [r for r in merged if r.min_row > header_row]
    for r in merged_data:
        problems.append(
            Problem(
                table.name,
                "one value per cell (unmerge the cells and fill every row)",
                rows=tuple(range(r.min_row - header_row, r.max_row - header_row + 1)),
                column=_clean_header(records[h][r.min_col - 1], table) if r.min_col - 1 < len(records[h]) else None,
                value=f"merged cells {r.coord}",
                source=source,
            )
        )
    header = [_clean_header(v, table) for v in records[h]]
    while header and not header[-1]:
        header.pop()
    head_problems = _header_problems(header, table, source)
    problems += head_problems
    if head_problems:  # duplicated column names: which one holds the values is unknowable
        return None
    raw = _frame(records[h + 1 :], header, 1, source, table, problems)
    if raw is not None:
        raw.sheet_header_row = header_row
        raw.written = {n: (_to_text(v) or "").strip() for n, v in zip(header, records[h]) if n}
    return raw


def _arrow_kind_ok(col: Column, arrow_type) -> bool:
    import pyarrow.types as pat

    t = arrow_type.value_type if pat.is_dictionary(arrow_type) else arrow_type
    numeric = pat.is_integer(t) or pat.is_floating(t) or pat.is_decimal(t)
    if pat.is_null(t):
        return True  # an all-empty column: judged value by value
    if col.kind in ("id", "text", "enum"):
        return pat.is_string(t) or pat.is_large_string(t) or (col.kind == "id" and pat.is_integer(t))
    if col.kind == "bool":
        return pat.is_boolean(t) or pat.is_integer(t)
    return numeric


def _arrow_type_name(col: Column) -> str:
    return {
        "id": "string (or integer)",
        "text": "string",
        "enum": "string",
        "bool": "boolean",
        "int": "integer",
        "money": "float or integer",
        "rate": "float",
        "number": "float or integer",
    }[col.kind]


def _parquet_schema_problems(schema, table: Table, source: str) -> tuple[list[Problem], set[str], bool]:
    """(problems, columns of the wrong type, whether a column name is duplicated)."""
    problems, wrong = [], set()
    names = list(schema.names)
    duplicated = sorted(_duplicated_names(names))
    for name in duplicated:
        problems.append(
            Problem(
                table.name,
                "each column name once",
                column=name,
                value=f"appears {names.count(name)} times",
                source=source,
            )
        )
    for c in table.columns:
        if c.name not in names:
            continue
        arrow_type = schema.field(names.index(c.name)).type
        if not _arrow_kind_ok(c, arrow_type):
            wrong.add(c.name)
            problems.append(
                Problem(
                    table.name,
                    f"a Parquet column of type {_arrow_type_name(c)} ({c.label})",
                    column=c.name,
                    value=f"type {arrow_type}",
                    source=source,
                )
            )
    return problems, wrong, bool(duplicated)


def _read_parquet(path: Path, table: Table, problems: list[Problem]) -> _Raw | None:
    import pyarrow.parquet as pq

    source = path.name
    try:
        arrow = pq.read_table(path)
    except Exception as err:  # corrupt or non-Parquet file
        problems.append(
            Problem(table.name, "a readable Parquet file", value=f"{type(err).__name__}: {err}", source=source)
        )
        return None
    schema_problems, wrong, duplicated = _parquet_schema_problems(arrow.schema, table, source)
    problems += schema_problems
    if duplicated:
        return None
    if arrow.num_rows == 0:
        problems.append(Problem(table.name, "at least one data row", value="no data rows", source=source))
        return None
    cols = {}
    for name in arrow.column_names:
        if name in wrong:
            continue
        chunked = arrow.column(name)
        c = table.column(name) if name in table.names else None
        if (
            c is not None
            and c.kind in ("int", "money", "rate", "number")
            and chunked.null_count < len(chunked)
            and not str(chunked.type).startswith(("string", "large_string", "dictionary"))
        ):
            cols[name] = (
                pd.Series(chunked.to_pandas(), dtype="float64")
                if not str(chunked.type).startswith("decimal")
                else pd.Series([None if v is None else float(v) for v in chunked.to_pylist()], dtype="float64")
            )
        elif c is not None and c.kind == "bool" and str(chunked.type) == "bool":
            cols[name] = pd.Series(chunked.to_pylist(), dtype="object")
        else:
            cols[name] = pd.Series([_to_text(v) for v in chunked.to_pylist()], dtype=object)
    return _Raw(pd.DataFrame(cols), np.arange(1, arrow.num_rows + 1, dtype=np.int64), source, tuple(arrow.column_names))


# --------------------------------------------------------------------------- value checks
def _rows(raw: _Raw, mask) -> tuple[int, ...]:
    return tuple(int(r) for r in raw.rows[np.asarray(mask, dtype=bool)])


def _grouped(table: str, expected: str, column: str, raw: _Raw, mask, values) -> list[Problem]:
    """One problem per distinct offending value, listing every row that has it."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return []
    rows = raw.rows[mask]
    if column in IDENTIFIER_COLUMNS:
        return [
            Problem(table, expected, column=column, rows=tuple(int(r) for r in rows), value=WITHHELD, source=raw.source)
        ]
    picked = np.asarray(values, dtype=object)[mask]
    groups: dict[str, tuple[Any, list[int]]] = {}
    for row, value in zip(rows, picked):
        groups.setdefault(repr(value), (value, []))[1].append(int(row))
    return _capped(
        [Problem(table, expected, column=column, rows=tuple(r), value=v, source=raw.source) for v, r in groups.values()]
    )


def _capped(problems: list[Problem]) -> list[Problem]:
    """At most DETAIL_LIMIT problems of one check, plus one that gathers the rows of the rest."""
    if len(problems) <= DETAIL_LIMIT:
        return problems
    rest = problems[DETAIL_LIMIT:]
    first = rest[0]
    rows = tuple(sorted(r for p in rest for r in p.rows))
    return problems[:DETAIL_LIMIT] + [
        Problem(
            first.table,
            first.expected,
            column=first.column,
            rows=rows,
            value=f"{len(rest)} more different values",
            source=first.source,
        )
    ]


def _cell_texts(s: pd.Series) -> np.ndarray:
    """Stripped cell texts (None = missing) of a raw column of any dtype, as an object array."""
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:  # a typed text column (check_frame)
        s = pd.Series(s.to_numpy(dtype=object, na_value=None), dtype=object)
    elif pd.api.types.is_integer_dtype(s.dtype):  # whole numbers: their digits, without a Python loop
        return np.where(s.isna().to_numpy(), None, s.astype("str").to_numpy(dtype=object))
    if s.dtype == object:
        arr = s.to_numpy(dtype=object)
        none = arr == None  # noqa: E711 (elementwise: None cells)
        strs = arr[~none]
        if pd.api.types.infer_dtype(strs, skipna=False) in ("string", "empty"):
            # CSV cells are all text: str.strip mapped in C, no Python loop per cell
            stripped = np.fromiter(map(str.strip, strs), dtype=object, count=len(strs))
            if len(strs) == len(arr):
                return stripped
            out = np.empty(len(arr), dtype=object)
            out[~none] = stripped
            return out
        return np.asarray(
            [None if v is None else (v.strip() if isinstance(v, str) else _to_text(v)) for v in s.tolist()],
            dtype=object,
        )
    return np.asarray([_to_text(v) for v in s.tolist()], dtype=object)


def _missing(text: np.ndarray) -> np.ndarray:
    """Empty cells: None or one of NA_TOKENS (hash lookups, not a Python loop)."""
    return (text == None) | pd.Series(text, dtype=object).isin(NA_TOKENS).to_numpy(dtype=bool)  # noqa: E711


def _parse_numbers(text: list[str | None], missing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Texts -> floats; thousands separators ('1,234') accepted; returns (values, invalid)."""
    values = np.full(len(text), np.nan)
    invalid = np.zeros(len(text), dtype=bool)
    present = ~missing
    try:  # fast path: every present cell is a plain number (C parser; rejects '1,234' and '1_000')
        # each distinct text parsed once (years, quarters, scores repeat): same values as parsing every cell
        codes, uniques = pd.factorize(np.asarray(text, dtype=object)[present])
        parsed = pd.to_numeric(uniques, errors="raise").astype("float64")[codes]
        values[present] = parsed
        invalid[present] = ~np.isfinite(parsed)
        values[invalid] = np.nan
        return values, invalid
    except (ValueError, TypeError):
        values[:] = np.nan
    thousands = re.compile(_THOUSANDS)
    for i, t in enumerate(text):
        if missing[i]:
            continue
        if "_" in t:  # float() would read '1_000'; a spreadsheet would not
            invalid[i] = True
            continue
        try:
            x = float(t)
        except ValueError:
            if thousands.fullmatch(t):
                x = float(t.replace(",", ""))
            else:
                invalid[i] = True
                continue
        if math.isfinite(x):
            values[i] = x
        else:
            invalid[i] = True
    return values, invalid


def _coerce(raw: _Raw, table: Table, problems: list[Problem]) -> pd.DataFrame:
    """Text cells -> typed columns (invalid cells become missing and are reported)."""
    out = {}
    frame = raw.frame
    for name in frame.columns:
        s = frame[name]
        if name not in table.names:
            out[name] = _extra_column(s)
            continue
        c = table.column(name)
        if c.kind in NUMERIC_KINDS and _is_number_dtype(s.dtype):  # numbers in memory (Parquet, check_frame)
            out[name] = _coerce_numbers(raw, table, c, s, problems)
            continue
        if c.kind in ("id", "text") and s.dtype == "int64":  # whole-number ids in memory (check_frame):
            out[name] = s.reset_index(drop=True)  # never empty, no text to check; kept as numbers
            continue
        text = _cell_texts(s)
        missing = _missing(text)
        if c.choices:  # a code of the column (quality_service_level "none") is a value, not an empty cell
            missing &= ~pd.Series(text, dtype=object).isin(set(c.choices)).to_numpy(dtype=bool)
        if c.kind in ("int", "money", "rate", "number"):
            if pd.api.types.is_float_dtype(s.dtype):  # numeric Parquet column
                values = s.to_numpy(dtype="float64", na_value=np.nan).copy()
                invalid = ~missing & ~np.isfinite(values)
            else:
                values, invalid = _parse_numbers(text, missing)
            problems += _not_numbers(raw, table, c, invalid, text)
            values[invalid] = np.nan
            if c.kind == "int":
                fractional = np.isfinite(values) & (values != np.floor(values))
                problems += _grouped(table.name, f"a whole number ({c.label})", name, raw, fractional, text)
                values[fractional] = np.nan
            typed = pd.Series(values, dtype="float64")
        elif c.kind == "bool":
            low = text.copy()
            present = low != None  # noqa: E711
            low[present] = list(map(str.lower, low[present]))
            is_true = pd.Series(low, dtype=object).isin(_TRUE).to_numpy(dtype=bool)
            is_false = pd.Series(low, dtype=object).isin(_FALSE).to_numpy(dtype=bool)
            invalid = ~missing & ~is_true & ~is_false
            problems += _grouped(
                table.name, f"true or false (1/0, yes/no, 是/否) ({c.label})", name, raw, invalid, text
            )
            typed = pd.Series(np.where(is_true, 1.0, np.where(is_false, 0.0, np.nan)), dtype="float64")
        else:
            cells = np.where(missing, None, text)
            if c.kind == "enum":
                invalid = ~missing & ~pd.Series(cells, dtype=object).isin(set(c.choices)).to_numpy(dtype=bool)
                problems += _grouped(table.name, f"{c.range_text()} ({c.label})", name, raw, invalid, text)
                cells = np.where(invalid, None, cells)
            typed = pd.Series(cells, dtype="str")
        if not c.nullable:
            key = " — key column" if name in table.key else ""
            problems += _grouped(
                table.name,
                f"a value ({c.label}; empty or NaN not allowed{key})",
                name,
                raw,
                missing,
                ["<empty>"] * len(text),
            )
        out[name] = typed
    return pd.DataFrame(out, index=range(len(frame)))


def _not_numbers(raw: _Raw, table: Table, c: Column, invalid: np.ndarray, text: np.ndarray) -> list[Problem]:
    """Cells that are not numbers; ±inf (``inf``, ``-Infinity``) named as such: no estimate can use it."""
    if not invalid.any():
        return []
    word = "a whole number" if c.kind == "int" else "a number"
    parsed = pd.to_numeric(pd.Series(np.asarray(text, dtype=object)[invalid]), errors="coerce").to_numpy(dtype=float)
    infinite = np.zeros(len(invalid), dtype=bool)
    infinite[np.flatnonzero(invalid)] = np.isinf(parsed)
    return _grouped(table.name, f"{word} ({c.label})", c.name, raw, invalid & ~infinite, text) + _grouped(
        table.name, f"{word}, finite — not ±inf ({c.label})", c.name, raw, infinite, text
    )


def _is_number_dtype(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _coerce_numbers(raw: _Raw, table: Table, c: Column, s: pd.Series, problems: list[Problem]) -> pd.Series:
    """A numeric column already typed: the same checks as on texts, the texts built only for offenders."""
    values = s.to_numpy(dtype="float64", na_value=np.nan).copy()
    missing = np.isnan(values)
    invalid = np.isinf(values)
    fractional = np.zeros(len(values), dtype=bool)
    if c.kind == "int":
        with np.errstate(invalid="ignore"):
            fractional = np.isfinite(values) & (values != np.floor(values))
    if invalid.any() or fractional.any():
        text = np.asarray([_to_text(v) for v in s.tolist()], dtype=object)
        problems += _not_numbers(raw, table, c, invalid, text)
        problems += _grouped(table.name, f"a whole number ({c.label})", c.name, raw, fractional, text)
        values[invalid | fractional] = np.nan
    if not c.nullable:
        key = " — key column" if c.name in table.key else ""
        problems += _grouped(
            table.name,
            f"a value ({c.label}; empty or NaN not allowed{key})",
            c.name,
            raw,
            missing,
            ["<empty>"] * len(values),
        )
    return pd.Series(values, dtype="float64")


def check_frame(
    frame: pd.DataFrame, table: Table, source: str | None = None, final: bool = True, rows: Sequence[int] | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The contract engine on a frame in memory: ``table``'s declared rules, checked as a file's are.

    Column kinds, ranges and choices, empty cells, the key, ``same_within``, ``ordered``, ``sums``,
    ``group_has``, ``panel`` and ``positive_when``: the same checks and messages as :func:`load_table`
    (rows: 1-based positions in ``frame``, or ``rows``, the caller's numbers of them). Other modules declare their inputs as a
    :class:`~toolkit.data.contract.Table` and call this (``toolkit.did.panel``,
    ``toolkit.settlement.public_health``). Returns ``(typed, problems)``: the frame with the dtypes
    of docs/architecture.md when there is no problem (None otherwise) and the problems found;
    ``final=False``: the rules' own types instead (numbers as float64, empty = NaN; whole-number ids
    kept as numbers), which saves a conversion when the caller only reads numbers from it.
    """
    numbers = np.arange(1, len(frame) + 1, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
    raw = _Raw(frame.reset_index(drop=True), numbers, source or "")
    raw.header = tuple(str(c) for c in raw.frame.columns)
    problems = _missing_columns(raw.header, table, raw.source)
    present = [n for n in raw.frame.columns if n in table.names]
    raw.frame = raw.frame[present]
    typed = _coerce(raw, table, problems)
    _check_rules(raw, table, typed, problems)
    if problems:
        return None, problems
    return (_final_dtypes(typed, table) if final else typed), problems


def _extra_column(s: pd.Series) -> pd.Series:
    """Extra columns are kept: numeric when every non-empty cell is a number, text otherwise."""
    if s.dtype != object:
        return s
    text = _cell_texts(s)
    missing = _missing(text)
    values, invalid = _parse_numbers(text, missing)
    if missing.all() or invalid.any():
        return pd.Series(np.where(missing, None, text), dtype="str")
    return pd.Series(values, dtype="float64")


def _check_ranges(raw: _Raw, table: Table, typed: pd.DataFrame, problems: list[Problem]) -> None:
    for c in table.columns:
        if c.name not in typed or c.kind not in ("int", "money", "rate", "number"):
            continue
        column = typed[c.name]
        exceptions = [e for e in table.range_exceptions if e.column == c.name]
        if not exceptions and column.dtype in ("int64", "float64") and column.notna().any():
            plain = column.to_numpy()  # the common case: smallest and largest against the bounds, no copy
            if (c.min is None or np.nanmin(plain) >= c.min) and (c.max is None or np.nanmax(plain) <= c.max):
                continue
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        lo = np.full(len(values), -np.inf if c.min is None else c.min, dtype="float64")
        hi = np.full(len(values), np.inf if c.max is None else c.max, dtype="float64")
        special = np.zeros(len(values), dtype=bool)
        for e in table.range_exceptions:
            if e.column == c.name and e.when_column in typed:
                rows = typed[e.when_column].isin(e.when_values).to_numpy(dtype=bool)
                special |= rows
                lo[rows] = -np.inf if e.min is None else e.min
                hi[rows] = np.inf if e.max is None else e.max
        outside = np.isfinite(values) & ((values < lo) | (values > hi))
        if not outside.any():
            continue
        text = _cell_texts(raw.frame[c.name])
        negative_kind = {"int": "count", "money": "amount of money"}.get(c.kind)
        below = values < lo
        for exc_rows, exc, side in [
            (special, True, None),
            (~special & below, False, "low"),
            (~special & ~below, False, "high"),
        ]:
            m = outside & exc_rows
            if not m.any():
                continue
            if exc:
                e = next(e for e in table.range_exceptions if e.column == c.name)
                expected = f"≥ {e.min} for {', '.join(e.when_values)} ({e.why})"
            elif c.kind == "rate":
                expected = f"a fraction between 0 and 1 — 0.64, not 64 ({c.label})"
            elif side == "low" and c.min == 0 and negative_kind:
                expected = f"≥ 0: a {negative_kind} cannot be negative ({c.label})"
            elif side == "high" and c.kind in ("int", "money", "number") and c.max is not None and c.max >= 1e6:
                expected = (
                    f"≤ {_bound(c.max)} — plausibility bound of the contract ({c.label}); "
                    "an id number, a value in 分, or a typo?"
                )
            else:
                expected = f"{c.range_text()} ({c.label})"
            problems += _grouped(table.name, expected, c.name, raw, m, text)
        if typed[c.name].dtype != "float64":  # typed as loaded (pyarrow path): emptied cells need floats
            typed[c.name] = typed[c.name].astype("float64")
        typed.loc[outside, c.name] = np.nan


def _bound(x: float) -> str:
    return f"{x:,.0f}"


def _group_codes(typed: pd.DataFrame, columns: Sequence[str], memo: dict | None = None) -> np.ndarray:
    """One integer per row naming its combination of ``columns`` (-1 where any of them is empty).

    Each column is factorised once (``memo``: column -> codes, shared by the rules of one table) and
    the codes combined, so grouping rules count and compare integers instead of hashing rows.
    """
    n = len(typed)
    combined = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    size = 1  # the codes so far lie in range(size)
    for name in columns:
        codes, count = _column_codes(typed, name, memo)
        missing |= codes < 0
        if size * (count + 1) >= 1 << 62:  # renumber the combinations so far before they overflow
            combined, seen = pd.factorize(combined)
            combined, size = combined.astype(np.int64), len(seen)
        combined = combined * (count + 1) + (codes + 1)
        size *= count + 1
    if size > 4 * n + 1024:  # dense codes, so that counting them (np.bincount) stays small
        combined = pd.factorize(combined)[0].astype(np.int64)
    return np.where(missing, -1, combined)


def _column_codes(typed: pd.DataFrame, name: str, memo: dict | None) -> tuple[np.ndarray, int]:
    """(codes in range(count), count) of one column; empty cells are -1, equal values share a code."""
    if memo is not None and name in memo:
        return memo[name]
    values = typed[name]
    found = None
    numeric = pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype)
    if numeric:  # whole numbers in a short range (years, quarters): v - min
        x = values.to_numpy(dtype="float64", na_value=np.nan)
        present = ~np.isnan(x)
        if present.any():
            lo, hi = x[present].min(), x[present].max()
            if hi - lo < 4 * len(x) + 1024 and (x[present] == np.floor(x[present])).all():
                found = np.where(present, x - lo, -1).astype(np.int64), int(hi - lo) + 1
    if found is None:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        found = codes.astype(np.int64, copy=False), len(uniques)
    if memo is not None:
        memo[name] = found
    return found


def _repeated(codes: np.ndarray) -> np.ndarray:
    """Rows whose code (``>= 0``) occurs more than once."""
    kept = codes >= 0
    counts = np.bincount(codes[kept], minlength=1)
    return kept & (counts[np.where(kept, codes, 0)] > 1)


def _check_keys(raw: _Raw, table: Table, typed: pd.DataFrame, problems: list[Problem]) -> None:
    key = [k for k in table.key if k in typed]
    if len(key) != len(table.key):
        return
    codes = _group_codes(typed, key, raw.codes)
    repeated = _repeated(codes)
    if not repeated.any():  # the common case decided on integer codes, no frame built
        return
    sub = typed.loc[codes >= 0, key]
    dup = pd.Series(repeated[codes >= 0], index=sub.index)
    groups = list(sub[dup].groupby(key if len(key) > 1 else key[0], sort=False, dropna=True).groups.items())
    if len(groups) > DETAIL_LIMIT:
        rest = sorted(int(raw.rows[i]) for _, idx in groups[DETAIL_LIMIT:] for i in idx)
        rest_problem = Problem(
            table.name,
            f"one row per ({', '.join(key)}) — duplicated key",
            column=", ".join(key),
            rows=tuple(rest),
            value=f"{len(groups) - DETAIL_LIMIT} more duplicated keys",
            source=raw.source,
        )
    else:
        rest_problem = None
    for values, idx in groups[:DETAIL_LIMIT]:
        values = values if isinstance(values, tuple) else (values,)
        rows = tuple(sorted(int(raw.rows[i]) for i in idx))
        shown = ", ".join(_to_text(v) for v in values)
        conflict = None
        for rule in table.key_conflicts:  # a duplicated key whose rows disagree on a column the key fixes
            found = typed.loc[idx, rule.column].dropna().unique() if rule.column in typed else ()
            if len(found) > 1:
                conflict = Problem(
                    table.name,
                    rule.expected,
                    column=rule.column,
                    rows=rows,
                    value=f"{rule.entity} {shown} in {rule.plural} {', '.join(sorted(map(str, found)))}",
                    source=raw.source,
                )
                break
        if conflict is not None:
            problems.append(conflict)
            continue
        if any(k in IDENTIFIER_COLUMNS for k in key):
            shown = WITHHELD
        problems.append(
            Problem(
                table.name,
                f"one row per ({', '.join(key)}) — duplicated key",
                column=", ".join(key),
                rows=rows,
                value=shown,
                source=raw.source,
            )
        )
    if rest_problem is not None:
        problems.append(rest_problem)


def _check_ordered(raw: _Raw, table: Table, typed: pd.DataFrame, problems: list[Problem]) -> None:
    for o in table.ordered:
        if o.smaller not in typed or o.larger not in typed:
            continue
        a = typed[o.smaller].to_numpy(dtype="float64", na_value=np.nan)
        b = typed[o.larger].to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            above = np.isfinite(a) & np.isfinite(b) & (a > b + 1e-9 * np.maximum(1.0, np.abs(b)))
        ca, cb = table.column(o.smaller), table.column(o.larger)
        expected = f"{o.smaller} ≤ {o.larger}: {ca.label_en} is part of {cb.label_en} ({ca.label_zh} ≤ {cb.label_zh})"
        where = np.flatnonzero(above)
        for i in where[:DETAIL_LIMIT]:
            problems.append(
                Problem(
                    table.name,
                    expected,
                    column=o.smaller,
                    rows=(int(raw.rows[i]),),
                    value=f"{o.smaller} {_to_text(a[i])} > {o.larger} {_to_text(b[i])}",
                    source=raw.source,
                )
            )
        if len(where) > DETAIL_LIMIT:
            problems.append(
                Problem(
                    table.name,
                    expected,
                    column=o.smaller,
                    rows=tuple(int(r) for r in raw.rows[where[DETAIL_LIMIT:]]),
                    value=f"{len(where) - DETAIL_LIMIT} more rows",
                    source=raw.source,
                )
            )


def _check_sums(raw: _Raw, table: Table, typed: pd.DataFrame, problems: list[Problem]) -> None:
    for rule in table.sums:
        if rule.total not in typed or any(p not in typed for p in rule.parts):
            continue
        parts = typed[list(rule.parts)].to_numpy(dtype="float64", na_value=np.nan)
        total = typed[rule.total].to_numpy(dtype="float64", na_value=np.nan)
        summed = parts.sum(axis=1)
        with np.errstate(invalid="ignore"):
            above = np.isfinite(summed) & np.isfinite(total) & (summed > total + 1e-9 * np.maximum(1.0, np.abs(total)))
        expected = f"{' + '.join(rule.parts)} ≤ {rule.total}: {rule.why}"
        found = [
            Problem(
                table.name,
                expected,
                column=rule.total,
                rows=(int(raw.rows[i]),),
                value=f"{' + '.join(rule.parts)} = {_to_text(summed[i])} > {rule.total} {_to_text(total[i])}",
                source=raw.source,
            )
            for i in np.flatnonzero(above)
        ]
        problems += _capped(found)


def _check_group_has(raw: _Raw, table: Table, typed: pd.DataFrame, problems: list[Problem]) -> None:
    for rule in table.group_has:
        by = list(rule.by)
        if any(c not in typed for c in [*by, rule.column]):
            continue
        has_value = (typed[rule.column] == rule.value).to_numpy(dtype=bool, na_value=False)
        group = _group_codes(typed, by, raw.codes)
        kept = group >= 0
        groups_with = np.bincount(group[kept & has_value], minlength=int(group.max(initial=-1)) + 1) > 0
        if groups_with[group[kept]].all():  # the common case: every group has one
            continue
        sub = typed[by].assign(_has=has_value).dropna(subset=by)
        has = sub.groupby(by, sort=True)["_has"].transform("any").to_numpy(dtype=bool)
        lacking = sub.loc[~has]
        found = []
        for group_key, idx in lacking.groupby(by, sort=True).indices.items():
            group_key = group_key if isinstance(group_key, tuple) else (group_key,)
            found.append(
                Problem(
                    table.name,
                    f"a row with {rule.column} = {rule.value} in each ({', '.join(by)}): {rule.why}",
                    column=rule.column,
                    rows=tuple(sorted(int(raw.rows[i]) for i in lacking.index[idx])),
                    value=f"({', '.join(by)}) = ({', '.join(_to_text(v) for v in group_key)}): "
                    f"no {rule.column} {rule.value}",
                    source=raw.source,
                )
            )
        problems += _capped(found)


def _natural(text: str):
    """Sort key putting numbers in numeric order ('8' before '10'), text after."""
    try:
        return (0, float(text), "")
    except ValueError:
        return (1, 0.0, text)


def _check_same_within(raw: _Raw, table: Table, typed: pd.DataFrame, problems: list[Problem]) -> None:
    for rule in table.same_within:
        by = list(rule.by)
        if any(c not in typed for c in [*by, rule.column]):
            continue
        group = _group_codes(typed, by, raw.codes)
        kept = group >= 0
        if not kept.any():
            continue
        # a group holds one value when every row agrees with one row of the group (any row: an
        # assignment with repeated indices keeps one of the values); an empty cell is a value of its own
        values = typed[rule.column]
        if pd.api.types.is_float_dtype(values.dtype) or pd.api.types.is_integer_dtype(values.dtype):
            v = values.to_numpy(dtype="float64", na_value=np.nan)
        else:
            v = _column_codes(typed, rule.column, raw.codes)[0].astype("float64")
        one = np.full(int(group.max()) + 1, np.nan)
        one[group[kept]] = v[kept]
        theirs = one[np.where(kept, group, 0)]
        differs = kept & (theirs != v) & ~(np.isnan(theirs) & np.isnan(v))
        if not differs.any():
            continue
        varies = np.zeros(len(one), dtype=bool)
        varies[group[differs]] = True
        offending = kept & varies[np.where(kept, group, 0)]
        _same_within_problems(raw, table, typed.loc[offending], rule, problems)


def _same_within_problems(raw: _Raw, table: Table, bad: pd.DataFrame, rule, problems: list[Problem]) -> None:
    """The messages of one ``same_within`` rule: ``bad`` holds every row of each offending group."""
    by = list(rule.by)
    codes, uniques = pd.factorize(bad[rule.column], use_na_sentinel=True)
    shown = {int(k): "<empty>" if k < 0 else _to_text(uniques[k]) for k in np.unique(codes)}
    bad = bad[by].assign(_v=np.asarray([shown[int(k)] for k in codes], dtype=object))
    groups = list(bad.groupby(by if len(by) > 1 else by[0], sort=False).indices.items())
    expected = f"one {rule.column} within each ({', '.join(by)}): {rule.why}"
    for group_key, idx in groups[:DETAIL_LIMIT]:
        group_key = group_key if isinstance(group_key, tuple) else (group_key,)
        positions = bad.index[idx]
        seen = sorted(set(bad["_v"].iloc[idx]), key=_natural)
        problems.append(
            Problem(
                table.name,
                expected,
                column=rule.column,
                rows=tuple(sorted(int(raw.rows[i]) for i in positions)),
                value=f"{', '.join(_to_text(v) for v in group_key)}: {' vs '.join(seen)}",
                source=raw.source,
            )
        )
    if len(groups) > DETAIL_LIMIT:
        rest = np.concatenate([bad.index[idx] for _, idx in groups[DETAIL_LIMIT:]])
        problems.append(
            Problem(
                table.name,
                expected,
                column=rule.column,
                rows=tuple(sorted(int(raw.rows[i]) for i in rest)),
                value=f"{len(groups) - DETAIL_LIMIT} more groups",
                source=raw.source,
            )
        )


def _check_panel(raw: _Raw, table: Table, typed: pd.DataFrame, problems: list[Problem]) -> None:
    if not table.panel or table.panel not in typed or "year" not in typed:
        return
    entity, n_entities = _column_codes(typed, table.panel, raw.codes)
    years = typed["year"].to_numpy(dtype="float64", na_value=np.nan)
    kept = (entity >= 0) & ~np.isnan(years)
    if not kept.any():
        return
    first_year = years[kept].min()
    n_years = int(years[kept].max() - first_year) + 1
    if n_entities * n_years <= 1 << 26:  # a presence table entity × year tells every gap at once
        year = np.where(kept, years - first_year, 0).astype(np.int64)
        seen = np.zeros((n_entities, n_years), dtype=bool)
        seen[entity[kept], year[kept]] = True
        first, last = seen.argmax(axis=1), n_years - 1 - seen[:, ::-1].argmax(axis=1)
        if not (seen.any(axis=1) & (last - first + 1 > seen.sum(axis=1))).any():
            return
    sub = typed[[table.panel, "year"]].dropna()
    span = sub.groupby(table.panel, sort=True)["year"].agg(["min", "max", "nunique"])
    gaps = span[span["max"] - span["min"] + 1 > span["nunique"]]
    if gaps.empty:
        return
    in_gap = sub[sub[table.panel].isin(gaps.index)]
    found = []
    for entity, idx in sorted(in_gap.groupby(table.panel, sort=True).indices.items()):
        positions = in_gap.index[idx]
        have = set(in_gap["year"].iloc[idx].astype(int))
        lo, hi = int(gaps.loc[entity, "min"]), int(gaps.loc[entity, "max"])
        missing = [y for y in range(lo, hi + 1) if y not in have]
        found.append(
            Problem(
                table.name,
                f"a row for every year between the {table.panel}'s first "
                f"({lo}) and last ({hi}) year — missing year inside the panel",
                column="year",
                rows=tuple(sorted(int(raw.rows[i]) for i in positions)),
                value=f"{table.panel} {entity}: no row for {', '.join(map(str, missing))}",
                source=raw.source,
            )
        )
    problems += _capped(found)


def _final_dtypes(typed: pd.DataFrame, table: Table, raw: _Raw | None = None) -> pd.DataFrame:
    if raw is not None and raw.final:
        return typed
    out = {}
    for name in typed.columns:
        s = typed[name]
        if name in table.names:
            dtype = table.column(name).dtype
            if dtype == "bool":
                s = s.astype("float64").astype("bool")
            elif dtype == "boolean":  # a nullable yes/no: an empty cell stays empty, never True
                s = s.astype("float64").astype("boolean")
            elif dtype in ("int64", "Int64"):
                s = s.astype("Int64") if dtype == "Int64" else s.astype("float64").astype("int64")
            else:
                s = s.astype(dtype)
        out[name] = s
    return pd.DataFrame(out)


def _read(path: Path, table: Table, problems: list[Problem], sheet: str | None = None) -> _Raw | None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, table, problems)
    if suffix == ".xlsx":
        return _read_xlsx(path, table, problems, sheet)
    if suffix == ".parquet":
        return _read_parquet(path, table, problems)
    problems.append(
        Problem(
            table.name,
            "a .csv, .xlsx or .parquet file (save .xls workbooks as .xlsx)",
            value=path.suffix or "no suffix",
            source=path.name,
        )
    )
    return None


#: a cell Python's str.strip would change: leading or trailing whitespace, Unicode spaces included
_EDGE_SPACE = r"[\s\x0b\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_UNTRIMMED = f"^{_EDGE_SPACE}|{_EDGE_SPACE}$"
_STR_DTYPE: dict = {}
NUMERIC_KINDS = ("int", "money", "rate", "number")


def _str_dtypes() -> dict:
    import pyarrow as pa

    return {pa.string(): pd.Series([], dtype="str").dtype}


def _arrow_csv(path: Path, table: Table, optional: Iterable[str]) -> tuple[pd.DataFrame, _Raw] | None:
    """The typed table of a CSV file that is plainly valid, read and converted by pyarrow; None otherwise.

    The common case — UTF-8, the header on the first row, every cell of the right kind, trimmed — is
    read in C (pyarrow.csv) and converted with pyarrow.compute: the same typed frame as the general
    path, which rereads any file this one declines (another encoding, a title row, quotes spanning
    lines, a bad cell, a broken rule), so every message comes from one place with its spreadsheet row.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pv

    data = path.read_bytes()
    end = data.find(b"\n")
    first = data[: end if end >= 0 else len(data)]  # the header line only (partition would copy the file)
    try:
        first_line = first.decode("utf-8-sig").rstrip("\r")
    except UnicodeDecodeError:
        return None
    if not first_line or b"\x00" in data or '"' in first_line:
        return None
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    header = [_clean_header(v, table) for v in first_line.split(delimiter)]
    names = set(header)
    if "" in names or len(names) != len(header) or not set(table.required) - set(optional) <= names:
        return None
    numeric = {n for n in header if n in table.names and table.column(n).kind in NUMERIC_KINDS}
    types = {n: pa.float64() if n in numeric else pa.string() for n in header}
    try:
        arrow = pv.read_csv(
            pa.py_buffer(data),
            read_options=pv.ReadOptions(column_names=header, skip_rows=1, use_threads=True),
            parse_options=pv.ParseOptions(delimiter=delimiter, newlines_in_values=False, ignore_empty_lines=False),
            # numbers parsed while reading, the loader's empty-cell tokens as nulls; text kept verbatim
            convert_options=pv.ConvertOptions(
                column_types=types, null_values=sorted(NA_TOKENS), strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    if arrow.num_rows == 0:
        return None
    na_tokens = pa.array(sorted(NA_TOKENS))
    global _STR_DTYPE
    _STR_DTYPE = _STR_DTYPE or _str_dtypes()
    out: dict[str, pa.Array] = {}  # contract columns, converted to pandas at once (blocks built by pyarrow)
    extra: dict[str, pd.Series] = {}
    for name in header:
        s = arrow.column(name)  # chunked as read: pyarrow.compute and to_pandas take the chunks as they are
        if name not in table.names:
            extra[name] = _extra_column(pd.Series(s.to_numpy(), dtype=object))
            continue
        c = table.column(name)
        if name in numeric:
            if (s.null_count and not c.nullable) or pc.any(pc.is_inf(s)).as_py():
                return None
            if c.kind == "int":  # whole numbers, typed int64 as in the loaded dataset
                if pc.all(pc.equal(pc.floor(s), s)).as_py() not in (True, None):
                    return None
                try:
                    s = s.cast(pa.int64())
                except pa.ArrowInvalid:  # beyond int64: the general path reports it
                    return None
            out[name] = s
            continue
        # every text check on the distinct texts (ids repeat on every row of their unit); yes/no and
        # choices match exactly, so a cell with spaces is declined by them anyway
        distinct = s.unique()
        if c.kind in ("id", "text") and pc.any(pc.match_substring_regex(distinct, _UNTRIMMED)).as_py():
            return None
        empty = pc.is_in(distinct, value_set=na_tokens)
        if c.choices:  # a code of the column ("none") is a value, as on the general path
            empty = pc.and_(empty, pc.invert(pc.is_in(distinct, value_set=pa.array(list(c.choices)))))
        cells = s
        if pc.any(empty).as_py():
            if not c.nullable:
                return None
            cells = pc.if_else(pc.is_in(s, value_set=distinct.filter(empty)), pa.scalar(None, pa.string()), s)
            distinct = distinct.filter(pc.invert(empty))
        if c.kind == "bool":
            truth = pa.array(sorted(_TRUE | _FALSE))
            if pc.all(pc.is_in(pc.utf8_lower(distinct), value_set=truth)).as_py() not in (True, None):
                return None
            low = pc.utf8_lower(cells)
            is_true, is_false = (
                pc.is_in(low, value_set=pa.array(sorted(_TRUE))),
                pc.is_in(low, value_set=pa.array(sorted(_FALSE))),
            )
            out[name] = pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_())))
            continue
        if c.kind == "enum" and pc.all(pc.is_in(distinct, value_set=pa.array(list(c.choices)))).as_py() is False:
            return None
        if c.kind == "id" and pc.any(pc.starts_with(distinct, EXAMPLE_MARK)).as_py():
            return None  # the template's example rows: reported by the general path
        out[name] = cells
    typed = pa.table(out).to_pandas(types_mapper=_STR_DTYPE.get) if out else pd.DataFrame(index=range(arrow.num_rows))
    for name in out:  # the final dtypes of docs/architecture.md: nullable counts and yes/no stay nullable
        dtype = table.column(name).dtype
        if dtype in ("Int64", "boolean"):
            typed[name] = typed[name].astype(dtype)
    for name, series in extra.items():
        typed[name] = series
    typed = typed[header] if extra else typed
    return typed, _Raw(typed, np.arange(1, arrow.num_rows + 1, dtype=np.int64), path.name, tuple(header), final=True)


def _check_rules(raw: _Raw, table: Table, typed: pd.DataFrame, problems: list[Problem]) -> None:
    """Every rule of one table the contract declares, on its typed cells."""
    _check_ranges(raw, table, typed, problems)  # the one rule that changes cells (out of range -> empty)
    raw.codes = {}
    _check_keys(raw, table, typed, problems)
    _check_ordered(raw, table, typed, problems)
    _check_same_within(raw, table, typed, problems)
    _check_sums(raw, table, typed, problems)
    _check_group_has(raw, table, typed, problems)
    _check_panel(raw, table, typed, problems)
    problems += plausibility.text_problems(table, typed, raw.rows, raw.source)
    problems += plausibility.table_problems(table, typed, raw.rows, raw.source)


def _check_table(
    path: Path, table: Table, sheet: str | None = None, optional: Iterable[str] = ()
) -> tuple[pd.DataFrame | None, _Raw | None, list[Problem]]:
    """Read one table and check it alone; ``optional``: required columns that may be absent here."""
    problems: list[Problem] = []
    if path.suffix.lower() == ".csv":
        fast = _arrow_csv(path, table, optional)
        if fast is not None:
            typed, raw = fast
            problems[:0] = _missing_columns(raw.header, table, raw.source, optional)
            _check_rules(raw, table, typed, problems)
            if not problems:
                return typed, raw, problems
            problems = []  # reread by the general path: its messages carry the spreadsheet rows
    raw = _read(path, table, problems, sheet)
    if raw is None:
        return None, None, problems
    _drop_example_rows(raw, table, problems)
    problems[:0] = _missing_columns(raw.header, table, raw.source, optional)
    typed = _coerce(raw, table, problems)
    _check_rules(raw, table, typed, problems)
    return typed, raw, problems


def load_table(file: str | Path, name: str, sheet: str | None = None) -> pd.DataFrame:
    """Read and validate one table from ``file`` (no cross-table checks). Raises ValidationError."""
    table = get_table(name)
    path = Path(file)
    if not path.exists():
        raise ToolkitError(f"{name}: file not found: {path}")
    if table.large:
        raise ToolkitError(f"{name} is too large to load into memory; use validate_claims() and DuckDB")
    typed, raw, problems = _check_table(path, table, sheet)
    if problems:
        raise ValidationError.from_problems(_as_written(problems, [raw] if raw else []), what=path.name)
    return _final_dtypes(typed, table, raw)


def _drop_example_rows(raw: _Raw, table: Table, problems: list[Problem]) -> None:
    """The input template's example rows (identifiers starting with 示例) are reported and left out.

    Left out so that the one clear message ("delete the example row") is not buried under the
    unknown-id and range problems the example's placeholder values would raise.
    """
    ids = [c.name for c in table.columns if c.kind == "id" and c.name in raw.frame]
    if not ids or raw.frame.empty:
        return
    marked = np.zeros(len(raw.frame), dtype=bool)
    for name in ids:
        marked |= raw.frame[name].astype("string").str.startswith(EXAMPLE_MARK, na=False).to_numpy(dtype=bool)
    if not marked.any():
        return
    problems.append(
        Problem(
            table.name,
            f"no example rows: delete the template's example row (identifiers starting with '{EXAMPLE_MARK}', "
            "示例行) before validating",
            column=ids[0],
            rows=tuple(int(r) for r in raw.rows[marked]),
            value=f"{int(marked.sum())} example row{'s' if marked.sum() > 1 else ''}",
            source=raw.source,
        )
    )
    raw.frame = raw.frame.loc[~marked].reset_index(drop=True)
    raw.rows = raw.rows[~marked]


def _as_written(problems: list[Problem], raws: Iterable[_Raw]) -> list[Problem]:
    """Problems of workbook sheets also give the Excel row numbers and the header as the sheet wrote it."""
    sheets = {raw.source: raw for raw in raws if raw is not None and raw.sheet_header_row}
    if not sheets:
        return problems
    out = []
    for p in problems:
        raw = sheets.get(p.source)
        if raw is None:
            out.append(p)
            continue
        heading = raw.written.get(p.column) if p.column else None
        out.append(replace(p, sheet_header_row=raw.sheet_header_row, heading=heading))
    return out


# --------------------------------------------------------------------------- dataset level
def _discover(root: Path, wanted: Sequence[str], problems: list[Problem]) -> tuple[dict[str, Path], dict[str, str]]:
    files: dict[str, Path] = {}
    sheets: dict[str, str] = {}
    entries = sorted(p for p in root.iterdir() if not p.name.startswith((".", "~$")))
    problems += special_files.problems(entries, wanted, (*FORMATS, ".xls"))
    for name in wanted:
        found = [p for p in entries if p.is_file() and p.stem == name and p.suffix.lower() in FORMATS]
        found += [p for p in entries if p.is_file() and p.stem == name and p.suffix.lower() == ".xls"]
        if name == "claims" and (root / "claims").is_dir():
            found.append(root / "claims")
        if len(found) > 1:
            problems.append(
                Problem(name, "one file per table", value=", ".join(p.name for p in found), source=str(root))
            )
        elif found:
            files[name] = found[0]
    workbooks = [p for p in entries if p.is_file() and p.suffix.lower() == ".xlsx" and p.stem not in TABLES]
    for book in workbooks:
        _workbook_tables(book, wanted, files, sheets, problems)
    return files, sheets


def sheet_table(sheet: str) -> str | None:
    """The contract table a workbook sheet holds: named by the table (units) or its label (健康管理单元)."""
    text = sheet.strip()
    for name, table in TABLES.items():
        if text in (name, table.label_zh) or text.lower() == table.label_en.lower():
            return name
    return None


def _workbook_tables(
    book: Path, wanted: Sequence[str], files: dict[str, Path], sheets: dict[str, str], problems: list[Problem]
) -> None:
    """Add the sheets of ``book`` that hold wanted contract tables to ``files``/``sheets``."""
    try:
        import openpyxl

        wb = openpyxl.load_workbook(book, read_only=True)
        names = list(wb.sheetnames)
        wb.close()
    except Exception as err:
        problems.append(
            Problem(book.stem, "a readable .xlsx workbook", value=f"{type(err).__name__}: {err}", source=book.name)
        )
        return
    for sheet in names:
        name = sheet_table(sheet)
        if name is None or name not in wanted or TABLES[name].large:
            continue
        if name in files:
            where = f"{files[name].name}" + (f" sheet '{sheets[name]}'" if name in sheets else "")
            problems.append(
                Problem(
                    name, "one file per table", value=f"{where}, {book.name} sheet '{sheet}'", source=str(book.parent)
                )
            )
        else:
            files[name], sheets[name] = book, sheet


def _isin(values: pd.Series, known: pd.Series) -> np.ndarray:
    """``values.isin(known)`` as a bool array, by pyarrow's hash lookup for text columns."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if values.dtype == "str" and known.dtype == "str":
        found = pc.is_in(pa.array(values), value_set=pa.array(known.dropna()).cast(pa.array(values).type))
        return pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    return values.isin(known.dropna()).to_numpy(dtype=bool)


def _cross_checks(typed: dict[str, pd.DataFrame], raws: dict[str, _Raw], problems: list[Problem]) -> None:
    for name, frame in typed.items():
        table = TABLES[name]
        for ref in table.references:
            if ref.target not in typed or ref.column not in frame or ref.target_column not in typed[ref.target]:
                continue
            values = frame[ref.column]
            unknown = values.notna().to_numpy(dtype=bool) & ~_isin(values, typed[ref.target][ref.target_column])
            problems += _grouped(
                name,
                f"a {ref.column} listed in {ref.target} ({raws[ref.target].source}) — unknown id",
                ref.column,
                raws[name],
                unknown,
                values,
            )


def file_hash(files: dict[str, Path]) -> str:
    """sha256 over (table name, file bytes) sorted by table name; folders hash their files by path."""
    h = hashlib.sha256()
    for name in sorted(files):
        path = files[name]
        parts = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        h.update(f"table:{name}\n".encode())
        for part in parts:
            rel = part.relative_to(path).as_posix() if path.is_dir() else ""
            h.update(f"file:{rel}:{part.stat().st_size}\n".encode())
            with part.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()


def _stamps(files: dict[str, Path]) -> list[tuple[str, int, int]]:
    """(path, size, modification time in ns) of every table file (folders: of the files in them)."""
    out = []
    for name in sorted(files):
        path = files[name]
        for part in sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]:
            st = part.stat()
            out.append((str(part), st.st_size, st.st_mtime_ns))
    return out


def load_dataset(
    path: str | Path, tables: Iterable[str] | str | None = None, require: Iterable[str] = (), cache: bool = True
) -> Dataset:
    """Read and validate the tables of a dataset folder.

    ``tables``: names (or ``"a,b"``) to load, default every contract table present. ``require``:
    tables that must be present. All problems of all tables are raised together as one
    :class:`ValidationError`; claims values are checked separately by :func:`validate_claims`.
    ``cache``: serve an unchanged, previously valid dataset from (and store a valid one in)
    :mod:`toolkit.data.cache`; the data hash is recomputed from the files every time.
    """
    root = Path(path)
    workbook = root.is_file() and root.suffix.lower() == ".xlsx"  # a filled input template is a dataset too
    if not root.is_dir() and not workbook:
        raise ToolkitError(
            f"dataset folder not found: {root} (a dataset is a folder of table files or one .xlsx workbook)"
        )
    if isinstance(tables, str):
        tables = [t.strip() for t in tables.split(",") if t.strip()]
    wanted = list(TABLES) if tables is None else [get_table(t).name for t in tables]
    require = [get_table(t).name for t in require]
    wanted += [r for r in require if r not in wanted]
    problems: list[Problem] = []
    wanted_tables = [t for t in TABLES if t in wanted]
    if workbook:
        files, sheets = {}, {}
        _workbook_tables(root, wanted_tables, files, sheets, problems)
    else:
        files, sheets = _discover(root, wanted_tables, problems)
    for name in require:
        if name not in files:
            problems.append(
                Problem(
                    name,
                    f"a table file {name}.csv, {name}.xlsx or {name}.parquet (or a sheet '{name}' in a workbook)",
                    value="table missing",
                    source=str(root),
                )
            )
    loaded = [t for t in TABLES if t in files]
    in_memory = [t for t in loaded if not TABLES[t].large]
    data_hash = file_hash(files) if not problems else None
    stamps = _stamps(files)
    if cache and data_hash is not None:
        from toolkit.data import cache as _cache

        hit = _cache.read(root, data_hash, loaded, in_memory)
        if hit is not None:
            return Dataset(root=root, tables=hit, files=files, data_hash=data_hash, sheets=sheets)
    typed: dict[str, pd.DataFrame] = {}
    raws: dict[str, _Raw] = {}
    read: list[_Raw] = []
    for name in loaded:
        table = TABLES[name]
        if table.large:
            problems += claims_schema_problems(files[name])
            continue
        optional = DERIVED_FROM_CLAIMS.get(name, ()) if "claims" in files else ()
        frame, raw, found = _check_table(files[name], table, sheets.get(name), optional)
        problems += found
        if raw is not None:
            read.append(raw)
        if frame is not None:
            typed[name], raws[name] = frame, raw
    _cross_checks(typed, raws, problems)
    if not problems:  # shares across tables are only meaningful between valid tables
        problems += plausibility.dataset_problems(
            typed, {n: r.rows for n, r in raws.items()}, {n: r.source for n, r in raws.items()}
        )
    if problems:
        raise ValidationError.from_problems(_as_written(problems, read), what=f"dataset {root}")
    unchanged = _stamps(files) == stamps  # size and modification time: the files were not rewritten while read
    ds = Dataset(
        root=root,
        tables={n: _final_dtypes(f, TABLES[n], raws[n]) for n, f in typed.items()},
        files=files,
        data_hash=data_hash if unchanged else file_hash(files),
        sheets=sheets,
    )
    if cache and unchanged:  # only a valid dataset, unchanged while read: errors are never cached
        from toolkit.data import cache as _cache

        _cache.write(root, ds.data_hash, loaded, ds.tables)
    return ds


# --------------------------------------------------------------------------- claims
@dataclass(frozen=True)
class ClaimsSummary:
    rows: int
    files: int
    years: tuple[int, int] | None


def _claims_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.parquet") if p.is_file())
    return [path]


def claims_schema_problems(path: str | Path) -> list[Problem]:
    """Columns and types of the claims Parquet file(s), read from metadata only (no rows)."""
    import pyarrow.parquet as pq

    path = Path(path)
    table = TABLES["claims"]
    if path.is_file() and path.suffix.lower() != ".parquet":
        return [
            Problem(
                "claims",
                "claims as Parquet (claims.parquet or a folder claims/ of .parquet files): "
                "tens of millions of rows do not fit a spreadsheet",
                value=path.name,
                source=path.name,
            )
        ]
    files = _claims_files(path)
    if not files:
        return [Problem("claims", "at least one .parquet file", value="no files", source=str(path))]
    problems = []
    for f in files:
        try:
            schema = pq.read_schema(f)
        except Exception as err:
            problems.append(
                Problem("claims", "a readable Parquet file", value=f"{type(err).__name__}: {err}", source=f.name)
            )
            continue
        problems += _missing_columns(schema.names, table, f.name)
        problems += _parquet_schema_problems(schema, table, f.name)[0]
    return problems


def _cpus() -> int:
    """The cores this process may use (a container's or taskset's limit, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _are_identifiers(con, column: str, pred: str, n: int, values: list) -> bool:
    """True when the offending values of ``column`` are (or behave like) identifiers: withhold them.

    Either a shown value is a value of an identifier column (claim_id, person_id) of the claims,
    or the offending values are nearly one per row (at least 5 and half the rows distinct) — ids
    of people or claims in a column of units or counties, e.g. person_id and unit_id swapped.
    """
    distinct = con.execute(f'SELECT count(DISTINCT "{column}") FROM claims WHERE coalesce({pred}, false)').fetchone()[0]
    if distinct >= 5 and distinct * 2 >= n:
        return True
    values = [str(v) for v in values if v is not None]
    names = {r[0] for r in con.execute("DESCRIBE claims").fetchall()}
    present = [c for c in sorted(IDENTIFIER_COLUMNS) if c in names]
    if not values or not present:
        return False
    marks = ", ".join("?" * len(values))
    where = " OR ".join(f'CAST("{c}" AS VARCHAR) IN ({marks})' for c in present)
    return bool(con.execute(f"SELECT count(*) FROM claims WHERE {where}", values * len(present)).fetchone()[0])


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def validate_claims(
    path: str | Path,
    units: pd.DataFrame | None = None,
    counties: Iterable[str] | None = None,
    *,
    max_rows_listed: int = 20,
) -> ClaimsSummary:
    """Check claims values with DuckDB, streaming over the Parquet file(s); raise ValidationError.

    Checks: empty required cells, years, months, enums, chronic groups 1–41, negative or
    non-finite money, fund or critical-illness payment above total cost, unknown unit/county ids
    (when ``units``/``counties`` are given), a unit's county differing from ``units``, and
    duplicate claim ids. Messages carry row numbers and counts; ``claim_id`` and ``person_id``
    values are withheld.
    """
    import duckdb

    path = Path(path)
    problems = claims_schema_problems(path)
    if problems:
        raise ValidationError.from_problems(problems, what="claims")
    import pyarrow.parquet as pq

    table = TABLES["claims"]
    files = _claims_files(path)
    present = {name for f in files for name in pq.read_schema(f).names}  # optional columns may be absent
    con = duckdb.connect()
    try:
        con.execute(f"SET threads TO {_cpus()}")
        con.execute("SET preserve_insertion_order = false")
        src = f"read_parquet([{_sql_list(str(f) for f in files)}], file_row_number = true, filename = true)"
        if units is not None and "unit_id" in units:
            known = units[[c for c in ("unit_id", "county_id") if c in units]].astype("object")
            if "county_id" not in known:
                known = known.assign(county_id=None)
            con.register("known_units_df", known)
            # one hash join instead of a lookup per row: the unit's county rides along each claim
            con.execute(
                "CREATE VIEW known_units AS SELECT CAST(unit_id AS VARCHAR) AS unit_id, "
                "CAST(any_value(county_id) AS VARCHAR) AS county_id "
                "FROM known_units_df GROUP BY 1"
            )
            con.execute(
                f"CREATE VIEW claims AS SELECT c.*, k.unit_id IS NOT NULL AS _known_unit, "
                f"k.county_id AS _unit_county FROM {src} c LEFT JOIN known_units k "
                f"ON CAST(c.unit_id AS VARCHAR) = k.unit_id"
            )  # ids may be integers in Parquet
        else:
            con.execute(f"CREATE VIEW claims AS SELECT * FROM {src}")
        checks: list[tuple[str, str, str]] = []  # (column, predicate, expected)
        for c in table.columns:
            if not c.required and c.name not in present:
                continue
            col = f'"{c.name}"'
            if not c.nullable:
                pred = (
                    f"{col} IS NULL"
                    if c.kind not in ("id", "text", "enum")
                    else f"({col} IS NULL OR trim(CAST({col} AS VARCHAR)) = '')"
                )
                checks.append((c.name, pred, f"a value ({c.label}; empty not allowed)"))
            if c.choices:
                checks.append((c.name, f"{col} NOT IN ({_sql_list(c.choices)})", f"{c.range_text()} ({c.label})"))
            if c.kind in ("int", "money", "rate", "number"):
                d = f"CAST({col} AS DOUBLE)"
                checks.append((c.name, f"NOT isfinite({d})", f"a finite number ({c.label})"))
                if c.kind == "int":
                    checks.append((c.name, f"isfinite({d}) AND {d} <> floor({d})", f"a whole number ({c.label})"))
                lo = f"{d} < {c.min}" if c.min is not None else None
                hi = f"{d} > {c.max}" if c.max is not None else None
                rng = " OR ".join(x for x in (lo, hi) if x)
                if rng:
                    exp = (
                        f"≥ 0: an amount of money cannot be negative ({c.label})"
                        if c.kind == "money"
                        else f"{c.range_text()} ({c.label})"
                    )
                    checks.append((c.name, f"isfinite({d}) AND ({rng})", exp))
        for o in table.ordered:
            checks.append(
                (
                    o.smaller,
                    f'"{o.smaller}" > "{o.larger}" + 0.005',
                    f"{o.smaller} ≤ {o.larger} ({table.column(o.smaller).label_en} is part of the total cost)",
                )
            )
        if units is not None and "unit_id" in units:
            checks.append(
                ("unit_id", "unit_id IS NOT NULL AND NOT _known_unit", "a unit_id listed in units — unknown id")
            )
            if "county_id" in units:
                checks.append(
                    (
                        "county_id",
                        "_known_unit AND CAST(county_id AS VARCHAR) <> _unit_county",
                        "the county of the unit in units",
                    )
                )
        if counties is not None:
            con.register("known_counties", pd.DataFrame({"county_id": pd.Series(list(counties), dtype="object")}))
            checks.append(
                (
                    "county_id",
                    "CAST(county_id AS VARCHAR) NOT IN (SELECT county_id FROM known_counties)",
                    "a county_id listed in county_year — unknown id",
                )
            )
        sums = ", ".join(f"count(*) FILTER (WHERE coalesce({pred}, false))" for _, pred, _ in checks)
        totals = con.execute(f"SELECT count(*), min(year), max(year), {sums} FROM claims").fetchone()
        n_rows, y0, y1, counts = totals[0], totals[1], totals[2], totals[3:]
        for (column, pred, expected), n in zip(checks, counts):
            if not n:
                continue
            rows = con.execute(
                f"SELECT filename, file_row_number + 1 AS r FROM claims WHERE coalesce({pred}, false) "
                f"ORDER BY filename, r LIMIT {max_rows_listed}"
            ).fetchall()
            if column in IDENTIFIER_COLUMNS:
                value = f"{WITHHELD}; {n} row{'s' if n != 1 else ''}"
            else:
                shown = con.execute(
                    f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM claims WHERE coalesce({pred}, false) LIMIT 5'
                ).fetchall()
                value = f"{', '.join(repr(v[0]) for v in shown)} ({n} row{'s' if n != 1 else ''})"
                if _are_identifiers(con, column, pred, n, [v[0] for v in shown]):  # e.g. person_id, unit_id swapped
                    value = f"{WITHHELD}: values of an identifier column ({n} row{'s' if n != 1 else ''})"
            source = ", ".join(sorted({Path(f).name for f, _ in rows}))
            problems.append(
                Problem(
                    "claims", expected, column=column, rows=tuple(int(r) for _, r in rows), value=value, source=source
                )
            )
        dup = con.execute(
            "SELECT count(*), coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM claims "
            "WHERE claim_id IS NOT NULL GROUP BY claim_id HAVING count(*) > 1)"
        ).fetchone()
        if dup[0]:
            rows = con.execute(
                "WITH d AS (SELECT claim_id FROM claims WHERE claim_id IS NOT NULL GROUP BY claim_id "
                f"HAVING count(*) > 1 ORDER BY min(filename), min(file_row_number) LIMIT {max_rows_listed}) "
                "SELECT filename, file_row_number + 1 AS r FROM claims SEMI JOIN d USING (claim_id) "
                f"ORDER BY filename, r LIMIT {max_rows_listed}"
            ).fetchall()
            problems.append(
                Problem(
                    "claims",
                    "one row per claim_id — duplicated key",
                    column="claim_id",
                    rows=tuple(int(r) for _, r in rows),
                    value=f"{WITHHELD}; {dup[0]} claim ids on {dup[1]} rows",
                    source=", ".join(sorted({Path(f).name for f, _ in rows})),
                )
            )
    except duckdb.Error as err:  # corrupt pages found while scanning (schema read fine)
        if isinstance(err, (duckdb.BinderException, duckdb.ParserException, duckdb.CatalogException)):
            raise  # our SQL, not the user's data
        problem = Problem("claims", "a readable Parquet file", value=str(err).splitlines()[0][:200], source=path.name)
        raise ValidationError.from_problems([problem], what="claims") from None
    finally:
        con.close()
    if problems:
        raise ValidationError.from_problems(problems, what="claims")
    return ClaimsSummary(rows=int(n_rows), files=len(files), years=(int(y0), int(y1)) if y0 is not None else None)
