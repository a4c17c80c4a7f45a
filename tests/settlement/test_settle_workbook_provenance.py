"""settlement.xlsx says what made it: the parameter digest, the dataset's hash and the toolkit version
on its 说明 sheet (the same bytes on every run, so no run time)."""

import openpyxl

from tests.hostile.base import YEAR, base_tables, write_tables
from toolkit import __version__, cli
from toolkit.commands.settle import SETTLEMENT_TABLES
from toolkit.data.load import load_dataset


def test_the_about_sheet_names_the_data_hash_and_the_version(tmp_path, capsys):
    ds = write_tables(tmp_path / "ds", base_tables())
    out = tmp_path / "out"
    assert cli.main(["settle", str(ds), "--year", str(YEAR), "--out", str(out), "--statements", "none"]) == 0
    capsys.readouterr()
    # the hash of the tables the settlement reads, as its load computes it
    data_hash = load_dataset(ds, tables=[*SETTLEMENT_TABLES, "county_year"], cache=False).data_hash
    book = openpyxl.load_workbook(out / "C01" / str(YEAR) / "settlement.xlsx")
    lines = [row[0] for row in book["说明"].iter_rows(values_only=True)]
    assert f"数据指纹：{data_hash} · 工具包版本 {__version__}" in lines
    assert any(str(line).startswith("参数指纹：") for line in lines)
    first = (out / "C01" / str(YEAR) / "settlement.xlsx").read_bytes()
    again = tmp_path / "again"
    assert cli.main(["settle", str(ds), "--year", str(YEAR), "--out", str(again), "--statements", "none"]) == 0
    assert (again / "C01" / str(YEAR) / "settlement.xlsx").read_bytes() == first
