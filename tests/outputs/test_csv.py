"""Every CSV the main job writes opens correctly in Excel/WPS on Chinese Windows: it starts with a
UTF-8 byte-order mark, and decoded as Excel does (UTF-8-sig) the unit names are the dataset's."""

import pandas as pd


def test_every_csv_starts_with_a_bom(main_outputs):
    csvs = sorted(main_outputs.rglob("*.csv"))
    assert len(csvs) >= 10
    without = [str(p.relative_to(main_outputs)) for p in csvs if not p.read_bytes().startswith(b"\xef\xbb\xbf")]
    assert without == []


def test_unit_names_read_back_as_in_the_dataset(main_outputs, sample_dir):
    units = pd.read_csv(sample_dir / "units.csv", dtype=str)
    names = dict(zip(units["unit_id"], units["unit_name"]))
    statement = main_outputs / "settlement/C01"
    path = next(statement.rglob("settlement_units.csv"))
    with open(path, encoding="utf-8-sig", newline="") as f:  # what Excel does with a BOM
        table = pd.read_csv(f, dtype=str)
    assert list(table.columns)[0] == "unit_id"  # the BOM is not glued to the first header
    assert table["unit_name"].tolist() == [names[u] for u in table["unit_id"]]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(table["unit_name"]))
