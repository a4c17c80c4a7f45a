"""CSV encodings: UTF-8, UTF-8 with BOM and GB18030/GBK load; anything else is reported with its rows."""

from __future__ import annotations

import pytest

from toolkit.data.load import load_dataset, load_table

from .conftest import write_csv, write_dataset
from .helpers import find_problem, raises_problems


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_chinese_text_loads_in_every_accepted_encoding(tmp_path, tables, encoding):
    folder = write_dataset(tmp_path / "ds", tables, encoding=encoding)
    ds = load_dataset(folder)
    assert ds.tables["units"]["unit_name"].tolist() == ["城关单元", "南坪单元", "临涣单元", "五沟单元", "百善单元"]
    assert ds.tables["units"].columns[0] == "unit_id"  # the BOM is not part of the first column name
    assert ds.tables["county_year"]["county_name"].iloc[0] == "濉溪县"


def test_shift_jis_file_is_rejected_with_its_row(tmp_path, tables):
    # half-width katakana in Shift-JIS are single bytes 0xA1–0xDF: "ﾃｽﾄ" = C3 BD C4; followed by ","
    # the lone C4 is neither UTF-8 nor a GB18030 lead byte with a valid trail byte
    tables["units"]["unit_name"] = ["A", "B", "ﾃｽﾄ", "D", "E"]  # Shift-JIS cannot encode 简体 names
    folder = write_dataset(tmp_path / "ds", {k: v for k, v in tables.items() if k != "units"})
    write_csv(folder / "units.csv", tables["units"], encoding="shift_jis")
    problems = raises_problems(lambda: load_dataset(folder))
    find_problem(problems, table="units", rows=[3], value="undecodable bytes", expected="UTF-8 or GB18030/GBK")


def test_random_bytes_are_rejected(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(b"unit_id,unit_name,county_id,township_id,community_id\nU1,\xff\xfe\x80,C1,T1,M1\n")
    problems = raises_problems(lambda: load_table(path, "units"))
    find_problem(problems, table="units", rows=[1], value="0xFF", expected="UTF-8 or GB18030/GBK")


def test_utf16_file_is_rejected(tmp_path, tables):
    path = write_csv(tmp_path / "units.csv", tables["units"], encoding="utf-16")
    problems = raises_problems(lambda: load_table(path, "units"))
    find_problem(problems, table="units", expected="UTF-8 or GB18030/GBK")


def test_undecodable_header_is_said_to_be_in_the_header(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes(b"unit_id,\xff\n")
    problems = raises_problems(lambda: load_table(path, "units"))
    find_problem(problems, table="units", rows=[], value="in the header row")


def test_utf8_file_with_one_corrupt_byte_is_not_read_as_gb18030(tmp_path, tables):
    # the names of rows 1–3 are valid UTF-8 Chinese; a stray 0xFF on data row 4 must be reported,
    # not "repaired" by decoding the whole file as GB18030 (which would garble every name)
    data = tables["units"].to_csv(index=False).encode("utf-8")
    data = data.replace("五沟单元".encode(), "五沟".encode() + b"\xff")
    path = tmp_path / "units.csv"
    path.write_bytes(data)
    problems = raises_problems(lambda: load_table(path, "units"))
    find_problem(problems, table="units", rows=[4], value="0xFF")
