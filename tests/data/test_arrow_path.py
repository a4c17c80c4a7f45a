"""The pyarrow path for plainly valid CSV files gives exactly the frames of the general path, and
declines (so the general path reads, with its messages) every file it cannot read the same way."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.data.conftest import write_dataset
from toolkit.data import load
from toolkit.data.contract import TABLES
from toolkit.data.synth import generate_province


def test_the_synthetic_province_takes_the_arrow_path_with_identical_frames(tmp_path, monkeypatch):
    folder = tmp_path / "p"
    generate_province(folder, n_counties=3)
    taken = []
    real = load._arrow_csv
    monkeypatch.setattr(load, "_arrow_csv", lambda *a: taken.append(a[0].name) or real(*a))
    fast = load.load_dataset(folder, cache=False)
    assert sorted(taken) == sorted(f"{n}.csv" for n in fast.tables)
    monkeypatch.setattr(load, "_arrow_csv", lambda *a: None)  # the general path only
    general = load.load_dataset(folder, cache=False)
    for name, frame in fast.tables.items():
        pd.testing.assert_frame_equal(frame, general.tables[name], check_exact=True, obj=name)


@pytest.mark.parametrize(
    "edit, declined, why",
    [
        (lambda t: t.replace("unit_id", "单元编码", 1), False, "a header in Chinese: read, names as the contract's"),
        (lambda t: "各单元名册\n" + t, True, "a title row above the header"),
        (lambda t: t.replace("U01", " U01", 1), True, "a cell with spaces around it"),
        (lambda t: t.replace("\n", "\n\n", 2), True, "blank lines (row numbers must stay those of the file)"),
        (lambda t: t.replace("城关单元", '"城关, 单元"', 1), False, "a quoted cell holding the delimiter"),
    ],
)
def test_either_path_loads_the_same_frame(tmp_path, tables, monkeypatch, edit, declined, why):
    folder = write_dataset(tmp_path / "d", tables)
    path = folder / "units.csv"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert (load._arrow_csv(path, TABLES["units"], ()) is None) == declined, why
    loaded = load.load_dataset(folder, cache=False).tables["units"]
    monkeypatch.setattr(load, "_arrow_csv", lambda *a: None)
    pd.testing.assert_frame_equal(loaded, load.load_dataset(folder, cache=False).tables["units"])


def test_a_bad_cell_found_on_the_arrow_path_is_reported_with_its_row(tmp_path, tables):
    folder = write_dataset(tmp_path / "d", tables)
    path = folder / "unit_year.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace(lines[3].split(",")[2], "-5", 1)  # a negative count on data row 3
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(load.ValidationError) as info:
        load.load_dataset(folder, cache=False)
    assert "row 3" in str(info.value) and "unit_year.csv" in str(info.value)
