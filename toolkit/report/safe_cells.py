"""The one way a workbook cell is written: text stays text, and no cell can hold a control character.

Every workbook the toolkit writes (``toolkit.report.excel``, and through it the settlement
workbook of ``settle`` and the indicators workbook) puts its cells through :func:`write_cell`.

* **Formula injection.** A unit name such as ``=HYPERLINK("http://…","点击")`` that openpyxl is
  handed as a value becomes a live formula. Text starting with ``=``, ``+``, ``-`` or ``@`` (the
  characters Excel and WPS read as the start of a formula; OWASP "CSV injection") is stored as a
  string cell (data type ``s``) with Excel's quote prefix, so it shows as typed and stays text
  even when a user edits the cell.
* **Control characters.** The XML of a workbook cannot hold C0 control characters other than
  tab, line feed and carriage return (openpyxl raises ``IllegalCharacterError``). Such a value is
  *rejected*, not stripped: a BEL or ESC in a name is a sign of a broken export, and silently
  changing a name on a settlement statement would make it disagree with the commission's own
  records. The error names the sheet, row and column and shows the value with the character
  escaped. Input tables are checked for the same characters when they are read
  (``toolkit.data.contract.CONTROL_CHARACTERS``), so a user normally sees the input's table and row.
"""

from __future__ import annotations

import re
from typing import Any

from toolkit.errors import Problem, ToolkitError

#: first characters that make Excel/WPS read a typed text as a formula
FORMULA_PREFIXES = ("=", "+", "-", "@")
#: characters an .xlsx cell cannot hold (XML 1.0: C0 controls except tab, LF, CR)
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(text: str) -> bool:
    """True when Excel would read ``text`` typed into a cell as a formula."""
    return text.startswith(FORMULA_PREFIXES)


def check_text(value: Any, *, sheet: str, row: int, column: str) -> None:
    """Raise a ToolkitError when ``value`` is text holding a character no workbook cell can hold."""
    if isinstance(value, str) and ILLEGAL_CHARACTERS.search(value):
        char = ILLEGAL_CHARACTERS.search(value).group()
        raise ToolkitError(
            f"workbook sheet '{sheet}' cannot be written; nothing was written.",
            [
                Problem(
                    sheet,
                    f"text without control characters (found U+{ord(char):04X}; remove it from the input)",
                    column=column,
                    rows=(row,),
                    value=value,
                )
            ],
        )


def write_cell(ws, row: int, column: int, value: Any, *, sheet: str | None = None, header: str | None = None):
    """Set cell (``row``, ``column``) of worksheet ``ws`` to ``value`` safely; returns the cell.

    ``row``/``column`` are 1-based worksheet coordinates; ``sheet``/``header`` name them in errors
    (the data row is ``row - 1``: row 1 is the header).
    """
    check_text(value, sheet=sheet or ws.title, row=row - 1, column=header or str(column))
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and (cell.data_type == "f" or is_formula_like(value)):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
