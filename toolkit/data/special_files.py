"""Table files that are not regular files: an error naming the path, never silently skipped.

A dataset folder copied from a share or unpacked from an archive can hold a link whose target is
gone, a link loop, a folder named ``units.csv``, a named pipe or a link to a device such as
``/dev/zero``. Skipping them made a table disappear from every output with "5 tables valid";
reading them hangs (a FIFO) or never ends (``/dev/zero``). Links to regular files are fine.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from toolkit.errors import Problem


def kind(path: Path) -> str | None:
    """``None`` for a regular file (a link to one included), else what ``path`` is, in words."""
    try:
        st = os.stat(path)  # follows links
    except OSError as err:
        if err.errno == errno.ELOOP:
            return "a symbolic link loop"
        if err.errno == errno.ENOENT and path.is_symlink():
            return f"a dangling symbolic link (its target {os.readlink(path)} does not exist)"
        return f"unreadable ({err.strerror})"
    if stat.S_ISREG(st.st_mode):
        return None
    via = f" (a link to {os.readlink(path)})" if path.is_symlink() else ""
    if stat.S_ISDIR(st.st_mode):
        return "a folder" + via
    if stat.S_ISFIFO(st.st_mode):
        return "a named pipe (FIFO)" + via
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return "a device" + via
    if stat.S_ISSOCK(st.st_mode):
        return "a socket" + via
    return "not a regular file" + via


def problems(entries: Iterable[Path], wanted: Sequence[str], suffixes: Iterable[str]) -> list[Problem]:
    """One problem per entry named like a wanted table (``units.csv`` …) that is not a regular file."""
    suffixes = {s.lower() for s in suffixes}
    out = []
    for p in entries:
        if p.stem not in wanted or p.suffix.lower() not in suffixes:
            continue
        what = kind(p)
        if what is not None:
            out.append(
                Problem(
                    p.stem,
                    "a regular, readable table file (not a link to nothing, a folder, a pipe or a device)",
                    value=what,
                    source=str(p),
                )
            )
    return out


def uncached_formulas(path: Path, sheet: str, records: Sequence[Sequence], header: int, table: str) -> list[Problem]:
    """Formula cells of an .xlsx sheet that have no saved result: read as values they are empty.

    A workbook written by a program (not saved by Excel or WPS) holds formulas without their
    results; ``data_only`` reading then sees an empty cell, and a 48% check silently becomes
    "n/a". Each such cell is a problem naming its row, column and formula. ``records`` are the
    sheet's cached values, ``header`` the index of the header row in them.
    """
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # unreadable: reported by the value read already
        return []
    try:
        ws = wb[sheet]
        names = [("" if v is None else str(v)).strip() for v in (records[header] if header < len(records) else [])]
        out: list[Problem] = []
        for r, row in enumerate(ws.iter_rows(values_only=True)):
            if r <= header:
                continue
            for c, v in enumerate(row):
                cached = records[r][c] if r < len(records) and c < len(records[r]) else None
                if isinstance(v, str) and v.startswith("=") and cached is None:
                    out.append(
                        Problem(
                            table,
                            "a value: the formula has no saved result (open and save the workbook in Excel or "
                            "WPS, or paste the values)",
                            column=names[c] if c < len(names) and names[c] else f"column {c + 1}",
                            rows=(r - header,),
                            value=v,
                            source=f"{path.name}, sheet '{sheet}'",
                        )
                    )
        return out[:50]
    finally:
        wb.close()
