"""CSV files a commission can open by double-click in Excel or WPS on Chinese Windows.

Excel reads a CSV without a byte-order mark in the system code page (GBK on Chinese Windows), so
UTF-8 unit names turn into mojibake. Every CSV the toolkit writes is therefore **UTF-8 with BOM**
(``utf-8-sig``) by default — Excel, WPS, LibreOffice and pandas all detect it — or **GB18030** on
request, for systems that expect the national encoding. The header is the column ids by default (a
CSV is also read by programs); on request Chinese labels (``zh``), Chinese labels with the ids
(``both``: ``住院率 / hospitalisation_rate``) or Chinese and English labels (``zh-en``:
``住院率 / Hospitalisation rate``).

Both choices come from the environment, so every command and every report notebook a batch starts
follows one setting: ``TOOLKIT_CSV_ENCODING`` (``utf-8-sig`` | ``gb18030``) and
``TOOLKIT_CSV_HEADER`` (``id`` | ``zh`` | ``both`` | ``zh-en``). Every command that writes CSVs
takes ``--csv-encoding`` and ``--csv-header`` (:func:`add_csv_options`), which set them while the
command runs (:func:`csv_settings`; for ``main`` the whole job, its report notebooks included).
"""

from __future__ import annotations

import argparse
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from toolkit.catalogue import choose
from toolkit.errors import ToolkitError

ENV_ENCODING = "TOOLKIT_CSV_ENCODING"
ENV_HEADER = "TOOLKIT_CSV_HEADER"
ENCODINGS = ("utf-8-sig", "gb18030")
HEADERS = ("id", "zh", "both", "zh-en")


def _setting(var: str, allowed: tuple[str, ...]) -> str:
    value = (os.environ.get(var) or allowed[0]).strip().lower()
    if value not in allowed:
        raise ToolkitError(f"environment variable {var}: value {value!r} — expected one of {', '.join(allowed)}")
    return value


def csv_encoding() -> str:
    """``utf-8-sig`` (default) or ``gb18030``, from :data:`ENV_ENCODING`."""
    return _setting(ENV_ENCODING, ENCODINGS)


def csv_header() -> str:
    """``id`` (default), ``zh``, ``both`` or ``zh-en``, from :data:`ENV_HEADER`."""
    return _setting(ENV_HEADER, HEADERS)


def add_csv_options(parser: argparse.ArgumentParser) -> None:
    """``--csv-encoding`` and ``--csv-header``: the one pair of options of every command that writes CSVs."""
    parser.add_argument(
        "--csv-encoding",
        choices=ENCODINGS,
        default=None,
        help="encoding of every CSV written (default UTF-8 with BOM, which Excel and WPS open directly)",
    )
    parser.add_argument(
        "--csv-header",
        choices=HEADERS,
        default=None,
        help="CSV header: column ids (default), Chinese labels, Chinese labels with the ids (both), "
        "or Chinese and English labels (zh-en)",
    )


@contextmanager
def csv_settings(encoding: str | None = None, header: str | None = None) -> Iterator[None]:
    """The CSV encoding and header form for what runs inside (the environment, so report notebooks a
    batch starts follow them too); ``None`` leaves a setting as it is. The previous settings come back
    afterwards."""
    changes = {var: value for var, value in ((ENV_ENCODING, encoding), (ENV_HEADER, header)) if value}
    before = {var: os.environ.get(var) for var in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for var, value in before.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value


def _default_labels(column: str) -> tuple[str, str]:
    from toolkit.report.labels import label

    return label(column, "zh"), label(column, "en")


#: header form -> the cell of a column with Chinese labels: (column id, (zh, en)) -> text
_HEADER_CELL = {
    "zh": lambda col, named: named[0],
    "both": lambda col, named: choose((named[0], col), "both"),
    "zh-en": lambda col, named: choose(named, "both"),
}


def header_row(columns, mode: str | None = None, labels: Callable[[str], tuple[str, str]] | None = None) -> list[str]:
    """The header cells for ``columns``: ids, Chinese labels, ``中文 / id`` or ``中文 / English``."""
    mode = mode or csv_header()
    labels = labels or _default_labels
    out = []
    for col in map(str, columns):
        named = labels(col)
        if named[0] == col and labels is not _default_labels:  # the writer's labels lack it: the report catalogue
            named = _default_labels(col)
        out.append(col if mode == "id" or named[0] == col else _HEADER_CELL[mode](col, named))
    return out


def csv_bytes(
    frame: pd.DataFrame,
    *,
    encoding: str | None = None,
    header: str | None = None,
    labels: Callable[[str], tuple[str, str]] | None = None,
) -> bytes:
    """``frame`` as CSV bytes (no index, ``\\n`` line ends) in the configured encoding and header form."""
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", header=header_row(frame.columns, header, labels))
    return encode_csv(buf.getvalue(), encoding)


def money_csv_bytes(
    frame: pd.DataFrame, money: frozenset, labels: Callable[[str], tuple[str, str]] | None = None
) -> bytes:
    """:func:`csv_bytes` with money (the ``money`` columns) as exact two-decimal text, other floats as
    their shortest repr and booleans as ``true``/``false``: the same bytes each run.
    ``labels``: column → (zh, en) header (default: the settlement statement's labels)."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if col in money and pd.api.types.is_float_dtype(s):
            out[col] = [f"{v:.2f}" if pd.notna(v) else "" for v in s]
        elif pd.api.types.is_bool_dtype(s):
            out[col] = ["true" if v else "false" for v in s]
        elif pd.api.types.is_float_dtype(s):
            out[col] = ["" if pd.isna(v) else repr(float(v)) for v in s]
        else:
            out[col] = [
                "" if (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))) else str(v) for v in s
            ]
    from toolkit.settlement.labels import column_label

    return csv_bytes(pd.DataFrame(out, columns=list(frame.columns)), labels=labels or column_label)


def encode_csv(text: str, encoding: str | None = None) -> bytes:
    """CSV text as bytes: UTF-8 with its byte-order mark, or GB18030 (characters it lacks are an error)."""
    encoding = encoding or csv_encoding()
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as exc:
        raise ToolkitError(
            f"CSV output: character {exc.object[exc.start : exc.end]!r} cannot be written in {encoding} — "
            "expected text GB18030 can hold, or the default UTF-8 with BOM"
        ) from None
