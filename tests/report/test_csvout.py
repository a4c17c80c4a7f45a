"""CSV for Excel/WPS on Chinese Windows (toolkit.report.csvout): BOM, GB18030 on request, header forms."""

import pandas as pd
import pytest

from toolkit.errors import ToolkitError
from toolkit.report import csvout

FRAME = pd.DataFrame({"county_id": ["C01"], "unit_name": ["甲县第1健康管理单元"], "year": [2024]})


def test_default_is_utf8_with_bom_and_id_header(monkeypatch):
    monkeypatch.delenv(csvout.ENV_ENCODING, raising=False)
    monkeypatch.delenv(csvout.ENV_HEADER, raising=False)
    data = csvout.csv_bytes(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "county_id,unit_name,year\nC01,甲县第1健康管理单元,2024\n"


def test_gb18030_on_request(monkeypatch):
    monkeypatch.setenv(csvout.ENV_ENCODING, "gb18030")
    data = csvout.csv_bytes(FRAME)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("gb18030").splitlines()[1] == "C01,甲县第1健康管理单元,2024"
    # 甲 in GB18030 is the two bytes BC D7 (GB2312 row 28, cell 55)
    assert "甲".encode("gb18030") == b"\xbc\xd7" and b"\xbc\xd7" in data


def test_bilingual_and_chinese_headers(monkeypatch):
    labels = {"county_id": ("县编码", "County id"), "unit_name": ("单元名称", "Unit")}.get
    both = csvout.csv_bytes(FRAME, header="both", labels=lambda c: labels(c) or (c, c))
    # year is not in the writer's labels: the report catalogue names it (a Chinese header has no bare English)
    assert both.decode("utf-8-sig").splitlines()[0] == "县编码 / county_id,单元名称 / unit_name,年份 / year"
    monkeypatch.setenv(csvout.ENV_HEADER, "zh")
    assert csvout.header_row(["county_id", "year"]) == ["县编码", "年份"]  # the report catalogue's labels


def test_bad_setting_is_one_clear_error(monkeypatch):
    monkeypatch.setenv(csvout.ENV_ENCODING, "latin-1")
    with pytest.raises(ToolkitError, match="TOOLKIT_CSV_ENCODING.*utf-8-sig, gb18030"):
        csvout.csv_bytes(FRAME)


def test_chinese_and_english_header(monkeypatch):
    labels = {"county_id": ("县编码", "County id"), "unit_name": ("单元名称", "Unit")}.get
    data = csvout.csv_bytes(FRAME, header="zh-en", labels=lambda c: labels(c) or (c, c))
    assert data.decode("utf-8-sig").splitlines()[0] == "县编码 / County id,单元名称 / Unit,年份 / Year"
    monkeypatch.setenv(csvout.ENV_HEADER, "zh-en")
    # a column no catalogue names keeps its id
    assert csvout.header_row(["county_id", "no_such_column"]) == ["县编码 / County id", "no_such_column"]


def test_settings_hold_while_a_command_runs_and_come_back_after(monkeypatch):
    monkeypatch.setenv(csvout.ENV_ENCODING, "utf-8-sig")
    monkeypatch.delenv(csvout.ENV_HEADER, raising=False)
    with csvout.csv_settings("gb18030", "zh"):
        assert csvout.csv_encoding() == "gb18030" and csvout.csv_header() == "zh"
        with csvout.csv_settings(None, None):  # not given: as it is
            assert csvout.csv_encoding() == "gb18030"
    assert csvout.csv_encoding() == "utf-8-sig" and csvout.ENV_HEADER not in __import__("os").environ


def test_every_command_that_writes_csv_takes_the_two_options():
    import argparse

    from toolkit.cli import CSV_COMMANDS, build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name in CSV_COMMANDS:
        dests = {a.dest: a for a in sub.choices[name]._actions}
        assert dests["csv_encoding"].choices == ("utf-8-sig", "gb18030"), name
        assert dests["csv_header"].choices == ("id", "zh", "both", "zh-en"), name
        assert dests["csv_header"].help.startswith("CSV 表头"), name  # Chinese first (help_zh.yaml)
