"""The one error type users see.

A :class:`ToolkitError` is raised for anything wrong with the user's data, parameters or command
line. It carries where the problem is (table, rows, column, value) and what was expected; the CLI
prints it and exits with status 2 without writing any output. Programming errors are ordinary
exceptions and stay tracebacks. No identifier value reaches a message: values of identifier
columns are withheld by the loader, and :func:`redact` withholds identifier-like values (by
pattern) in every rendered message and problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: how many problems of one table are listed before the rest are only counted
MAX_LISTED = 20

#: identifier-like values, withheld wherever they appear in a message (values of the contract's
#: identifier columns are withheld by name too: toolkit.data.contract.IDENTIFIER_COLUMNS):
#: * 15 or more digits in a row: resident id card numbers (15/18 digits, last may be X), social
#:   security and insurance card numbers, claim numbers. No count or money of the contract has
#:   that many digits (plausibility bounds: ≤ 12 digits), so nothing a user needs is hidden;
#: * letters followed by 10 or more digits (P00000000001234567890, ZY2023000001234);
#: * claim numbers of the form <county>-<year>-<serial> (C01-2023-00001234).
IDENTIFIER_PATTERNS = (
    r"\d{15,}[Xx]?",
    r"[A-Za-z]{1,4}\d{10,}",
    r"[A-Za-z]\d{2,}-\d{4}-\d{6,}",
)
_IDENTIFIER_RE = re.compile(r"(?<![0-9A-Za-z])(?:" + "|".join(IDENTIFIER_PATTERNS) + r")(?![0-9A-Za-z])")
WITHHELD = "<withheld: identifier>"


def redact(text: str) -> str:
    """``text`` with every identifier-like token replaced by ``<withheld: identifier>``."""
    return _IDENTIFIER_RE.sub(WITHHELD, text)


def looks_like_identifier(value: Any) -> bool:
    return isinstance(value, str) and bool(_IDENTIFIER_RE.search(value))


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rows_text(rows: Sequence[int]) -> str:
    rows = list(rows)
    if not rows:
        return ""
    shown = ", ".join(str(r) for r in rows[:8])
    more = f" (+{len(rows) - 8} more)" if len(rows) > 8 else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


@dataclass(frozen=True)
class Problem:
    """One violation: where it is and what was expected.

    ``rows`` are 1-based data row numbers as a person sees them in the file (header excluded),
    or empty when the problem concerns the whole table/file.
    """

    table: str
    expected: str
    column: str | None = None
    rows: tuple[int, ...] = ()
    value: Any = None
    source: str | None = None  # file path, parameter file, ...
    #: workbook sheets: the sheet row of the header, so the rows are also given as Excel numbers them
    sheet_header_row: int = 0
    #: the column's header as the file wrote it (a Chinese header), when it differs from ``column``
    heading: str | None = None

    def __str__(self) -> str:
        parts = [self.table]
        if self.source:
            parts.append(f"({self.source})")
        where = _rows_text(self.rows)
        if where:
            if self.sheet_header_row:
                excel = _rows_text([r + self.sheet_header_row for r in self.rows]).replace("row", "Excel row", 1)
                where = f"{where} ({excel})"
            parts.append(where)
        if self.column:
            if self.heading and self.heading != self.column:
                parts.append(f"column '{self.heading}' ({self.column})")
            else:
                parts.append(f"column '{self.column}'")
        head = " ".join(parts)
        value = f": value {_short(redact(self.value) if isinstance(self.value, str) else self.value)}"
        value = value if self.value is not None else ""
        return redact(f"{head}{value} — expected {self.expected}")


class ToolkitError(Exception):
    """A user-facing error (bad data, bad parameters, bad command line). Exit status 2."""

    exit_code = 2

    def __init__(self, message: str, problems: Iterable[Problem] = ()):
        self.problems = list(problems)
        self.message = message
        super().__init__(self.render())

    def render(self) -> str:
        """The message and the problems, identifier-like values withheld (IDENTIFIER_PATTERNS)."""
        lines = [redact(self.message)]
        listed = self.problems[:MAX_LISTED]
        lines += [f"  - {p}" for p in listed]
        if len(self.problems) > MAX_LISTED:
            lines.append(f"  … and {len(self.problems) - MAX_LISTED} more problems")
        return "\n".join(lines)


class ValidationError(ToolkitError):
    """One or more tables (or parameter files) broke the contract."""

    @classmethod
    def from_problems(cls, problems: Sequence[Problem], what: str = "input data") -> ValidationError:
        tables = sorted({p.table for p in problems})
        n = len(problems)
        return cls(
            f"{n} problem{'s' if n != 1 else ''} found in {what} ({', '.join(tables)}); nothing was written.", problems
        )
