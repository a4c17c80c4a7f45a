"""Statistical disclosure control for published count tables, and an identifier scanner.

Small counts (deaths of a cause in a county, admissions of a small unit) can point at people.
Cells with ``0 < count < threshold`` (default 5) are suppressed (*primary* suppression). A
suppressed cell must also not be recoverable from the totals that are published beside it, so
*complementary* cells are suppressed until no suppressed cell is determined by the published
margins:

* 1-D table with a total: if exactly one cell is suppressed, the next smallest is suppressed too.
* 2-D table with row and column totals: a suppressed cell is recoverable when it is determined by
  the linear system "row sums and column sums of the suppressed cells are known" — the simple
  case is a row or column with exactly one suppressed cell, the subtle one a cell that joins two
  otherwise protected blocks (a bridge). Any recoverable cell gets a complement (the smallest
  unsuppressed cell of its row, else of its column; positive counts preferred over zeros, since
  sums of zeros reveal themselves), and the check repeats to a fixed point.

Margins (row/column/grand totals) are published as computed. Zeros are not primary-suppressed
(``suppress_zeros=False``): a zero identifies no one.

Published tables show primary cells as ``<5`` and complementary ones as ``—`` with a footnote
(``suppression_footnote``).

:func:`assert_no_identifiers` scans output files for ``person_id``/``claim_id`` columns and for
values matching identifier patterns (architecture.md "Privacy").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.report.labels import label

DEFAULT_THRESHOLD = 5
PRIMARY = "primary"
COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class Suppressed:
    """A count table after suppression.

    ``values``: the original counts (with margins when ``margins``); ``status``: same shape,
    ``""`` (published), ``"primary"`` or ``"complementary"``; ``threshold``: the cut used.
    """

    values: pd.DataFrame
    status: pd.DataFrame
    threshold: int

    @property
    def mask(self) -> pd.DataFrame:
        return self.status != ""

    def published(self, missing_primary: str | None = None, missing_complementary: str = "—") -> pd.DataFrame:
        """Strings for people: counts with thousands separators, suppressed cells replaced."""
        primary_text = missing_primary or f"<{self.threshold}"
        out = self.values.map(lambda v: f"{int(v):,}")
        out = out.mask(self.status == PRIMARY, primary_text)
        return out.mask(self.status == COMPLEMENTARY, missing_complementary)

    @property
    def n_suppressed(self) -> int:
        return int(self.mask.to_numpy().sum())


def suppression_footnote(threshold: int = DEFAULT_THRESHOLD, lang: str = "zh") -> str:
    return label("suppressed_note", lang).format(threshold=threshold)


def _check_counts(table: pd.DataFrame | pd.Series, threshold: int) -> None:
    if threshold < 1:
        raise ValueError(f"suppression threshold must be >= 1, got {threshold}")
    values = np.asarray(table, dtype=float)
    if np.isnan(values).any() or (values < 0).any() or (values != np.round(values)).any():
        raise ValueError(
            "disclosure control works on non-negative whole counts; got missing, negative or fractional values"
        )


def _pick_complement(
    values: np.ndarray, status: np.ndarray, cells: Sequence[tuple[int, int]], axis: int
) -> tuple[int, int] | None:
    """The complement to hide among ``cells`` (one row when ``axis`` is 0, one column when 1).

    Preference: a cell whose crossing line already holds exactly one hidden cell (it closes a
    cycle, protecting both lines at once), then positive counts before zeros, then the smallest
    count, then position — deterministic.
    """
    free = [c for c in cells if status[c] == ""]
    if not free:
        return None
    hidden = status != ""

    def closes(cell: tuple[int, int]) -> bool:
        crossing = hidden[:, cell[1]] if axis == 0 else hidden[cell[0], :]
        return int(crossing.sum()) == 1

    return min(free, key=lambda c: (not closes(c), values[c] == 0, values[c], c))


def _determined_cells(status: np.ndarray) -> list[tuple[int, int]]:
    """Suppressed cells whose value follows from the row and column totals (linear algebra).

    Unknowns are the suppressed cells; equations are one per row and column containing any. A
    cell is determined when its unit vector lies in the row space of the equations, i.e. adding it
    as an extra equation does not raise the rank.
    """
    cells = [tuple(int(i) for i in c) for c in np.argwhere(status != "")]
    if not cells:
        return []
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    a = np.zeros((len(rows) + len(cols), len(cells)))
    for j, (r, c) in enumerate(cells):
        a[rows.index(r), j] = 1
        a[len(rows) + cols.index(c), j] = 1
    rank = np.linalg.matrix_rank(a)
    out = []
    for j, cell in enumerate(cells):
        e = np.zeros((1, len(cells)))
        e[0, j] = 1
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(cell)
    return out


def suppress_table(
    table: pd.DataFrame,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    margins: bool = True,
    suppress_zeros: bool = False,
    total_label: str = "total",
) -> Suppressed:
    """Primary + complementary suppression of a 2-D count table (rows × columns).

    With ``margins`` the result carries a ``total`` row and column (published). The table must be
    at least 2 × 2 for margins to leave anything to protect; a single row or column is handled as
    a 1-D table (:func:`suppress_series`).
    """
    _check_counts(table, threshold)
    if table.shape[0] < 2 or table.shape[1] < 2:
        raise ValueError("a 2-D table needs at least 2 rows and 2 columns; use suppress_series for one line")
    values = table.to_numpy(dtype=np.int64)
    status = np.full(values.shape, "", dtype=object)
    small = (values < threshold) & ((values > 0) | suppress_zeros)
    status[small] = PRIMARY
    while True:
        determined = _determined_cells(status)
        if not determined:
            break
        hidden = status != ""
        # first protect lines that give a cell away by plain subtraction (exactly one hidden cell),
        # rows before columns; only then cells determined through longer chains (bridges)
        single = [(cell, 0) for cell in determined if hidden[cell[0], :].sum() == 1]
        single += [(cell, 1) for cell in determined if hidden[:, cell[1]].sum() == 1]
        (r, c), axis0 = single[0] if single else (determined[0], 0)
        row_cells = [(r, j) for j in range(values.shape[1])]
        col_cells = [(i, c) for i in range(values.shape[0])]
        order = [(row_cells, 0), (col_cells, 1)] if axis0 == 0 else [(col_cells, 1), (row_cells, 0)]
        pick = None
        for cells, axis in order:
            pick = _pick_complement(values, status, cells, axis)
            if pick is not None:
                break
        if pick is None:  # row and column fully hidden yet still determined: widen to any cell
            free = [tuple(int(i) for i in x) for x in np.argwhere(status == "")]
            if not free:
                break  # everything suppressed
            pick = min(free, key=lambda x: (values[x] == 0, values[x], x))
        status[pick] = COMPLEMENTARY
    values_df = pd.DataFrame(values, index=table.index, columns=table.columns)
    status_df = pd.DataFrame(status, index=table.index, columns=table.columns).astype(object)
    if margins:
        values_df = values_df.copy()
        values_df[total_label] = values.sum(axis=1)
        values_df.loc[total_label] = values_df.sum(axis=0)
        status_df[total_label] = ""
        status_df.loc[total_label] = ""
    return Suppressed(values_df, status_df, threshold)


def suppress_series(
    counts: pd.Series,
    threshold: int = DEFAULT_THRESHOLD,
    *,
    total: bool = True,
    suppress_zeros: bool = False,
    total_label: str = "total",
) -> Suppressed:
    """Primary + complementary suppression of one line of counts published with its total.

    Returns a one-column :class:`Suppressed` (column = the series name or ``count``). If only one
    cell is suppressed, the next smallest (positive first) is suppressed too; with a single cell,
    the total is suppressed instead (it would equal the cell).
    """
    _check_counts(counts, threshold)
    name = counts.name if counts.name is not None else "count"
    values = counts.to_numpy(dtype=np.int64)
    status = np.full(len(values), "", dtype=object)
    status[(values < threshold) & ((values > 0) | suppress_zeros)] = PRIMARY
    total_status = ""
    if total and (status != "").sum() == 1:
        free = [i for i in range(len(values)) if status[i] == ""]
        if free:
            pick = min(free, key=lambda i: (values[i] == 0, values[i], i))
            status[pick] = COMPLEMENTARY
        else:
            total_status = COMPLEMENTARY
    values_df = pd.DataFrame({name: values}, index=counts.index)
    status_df = pd.DataFrame({name: status}, index=counts.index).astype(object)
    if total:
        values_df.loc[total_label] = int(values.sum())
        status_df.loc[total_label] = total_status
    return Suppressed(values_df, status_df, threshold)


# --------------------------------------------------------------------------- identifier scanner

#: column names that must never appear in an output (architecture.md "Privacy")
IDENTIFIER_COLUMNS = ("person_id", "claim_id")
SCANNED_SUFFIXES = {".html", ".htm", ".csv", ".tsv", ".json", ".ipynb", ".log", ".txt", ".md", ".xlsx", ".svg"}


def _file_texts(path: Path) -> Iterable[str]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                yield ws.title
                for row in ws.iter_rows(values_only=True):
                    yield "\t".join("" if v is None else str(v) for v in row)
        finally:
            wb.close()
        return
    data = path.read_bytes()
    for enc in ("utf-8", "gb18030"):
        try:
            yield data.decode(enc)
            return
        except UnicodeDecodeError:
            continue
    yield data.decode("latin-1")


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SCANNED_SUFFIXES)
        elif p.is_file():
            out.append(p)
    return out


def find_identifiers(
    paths: Iterable[str | Path],
    patterns: Sequence[str | re.Pattern] = (),
    columns: Sequence[str] = IDENTIFIER_COLUMNS,
) -> list[str]:
    """Findings as text: ``"<file>: column name 'person_id'"`` or ``"<file>: value matching pattern #0"``.

    The matched value itself is never included in a finding (that would leak it into a log).
    Directories are scanned recursively (html, csv, json, ipynb, log, txt, md, xlsx, …).
    """
    compiled = [re.compile(p) if isinstance(p, str) else p for p in patterns]
    col_res = [re.compile(rf"(?<![A-Za-z0-9_]){re.escape(c)}(?![A-Za-z0-9_])", re.IGNORECASE) for c in columns]
    findings: list[str] = []
    for path in _expand(paths):
        hit_cols: set[str] = set()
        hit_pats: set[int] = set()
        for text in _file_texts(path):
            for c, rx in zip(columns, col_res):
                if rx.search(text):
                    hit_cols.add(c)
            for i, rx in enumerate(compiled):
                if rx.search(text):
                    hit_pats.add(i)
        findings += [f"{path}: column name {c!r}" for c in sorted(hit_cols)]
        findings += [
            f"{path}: value matching identifier pattern #{i} ({compiled[i].pattern!r})" for i in sorted(hit_pats)
        ]
    return findings


def assert_no_identifiers(
    paths: Iterable[str | Path],
    patterns: Sequence[str | re.Pattern] = (),
    columns: Sequence[str] = IDENTIFIER_COLUMNS,
) -> None:
    """Raise ``AssertionError`` listing every file that names an identifier column or holds a value
    matching one of ``patterns`` (e.g. ``r"P\\d{8}"`` for the synthetic person ids)."""
    findings = find_identifiers(paths, patterns, columns)
    if findings:
        raise AssertionError("identifiers found in outputs:\n" + "\n".join(f"  - {f}" for f in findings))
