"""Whatever bytes arrive, the loader answers with a ToolkitError (or a table), never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from toolkit.data.contract import TABLES
from toolkit.data.load import load_table
from toolkit.errors import ToolkitError

_DIR = Path(tempfile.mkdtemp(prefix="toolkit-fuzz-"))
_HEADER = ",".join(TABLES["unit_year"].names)
_FIELD = st.one_of(
    st.sampled_from(
        [
            "U01",
            "2021",
            "-5",
            "1,234",
            "1,2,3",
            "NaN",
            "",
            "  ",
            "1e400",
            "inf",
            "0x10",
            "是",
            '"',
            '"a,b"',
            "2020.5",
            "１２",
            "\u0000",
            "\ufeff",
            "\r",
            "\n",
            "True",
        ]
    ),
    st.text(max_size=12),
)


def _load(data: bytes, suffix: str = ".csv", name: str = "unit_year") -> None:
    path = _DIR / f"{name}{suffix}"
    path.write_bytes(data)
    try:
        frame = load_table(path, name)
    except ToolkitError as err:
        assert err.render()  # renders without raising
        return
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_as_csv(data):
    _load(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(_FIELD, min_size=0, max_size=10), max_size=6),
    st.sampled_from(["utf-8", "gb18030"]),
    st.booleans(),
)
@example(rows=[["\ufeff"]], encoding="utf-8", with_header=False)  # once crashed: a BOM and nothing else
def test_random_csv_text_under_a_valid_header(rows, encoding, with_header):
    lines = ([_HEADER] if with_header else []) + [",".join(r) for r in rows]
    try:
        data = "\n".join(lines).encode(encoding)
    except UnicodeEncodeError:
        data = "\n".join(lines).encode("utf-8")
    _load(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300), st.sampled_from([".xlsx", ".parquet"]))
def test_random_bytes_as_workbook_or_parquet(data, suffix):
    _load(data, suffix)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_FIELD, min_size=5, max_size=5), min_size=1, max_size=5))
def test_random_values_in_every_table_shape(rows):
    for name, table in TABLES.items():
        if table.large:
            continue
        header = ",".join(table.names[:5])
        _load(("\n".join([header] + [",".join(f.replace("\n", " ") for f in r) for r in rows])).encode(), name=name)


_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=8),
    st.dates(),
    st.sampled_from(["U01", "2021", "1,234", "#N/A", "=A1"]),
)  # openpyxl cannot write control chars


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_CELL, min_size=8, max_size=9), min_size=1, max_size=4), st.integers(0, 2))
def test_random_cells_in_a_workbook(rows, title_rows):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for _ in range(title_rows):
        ws.append(["标题"])
    ws.append(list(TABLES["unit_year"].names))
    for r in rows:
        ws.append(r)
    path = _DIR / "unit_year.xlsx"
    wb.save(path)
    try:
        load_table(path, "unit_year")
    except ToolkitError as err:
        assert err.render()
