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
