"""A workbook made from synthetic data says so on every sheet (示例数据 · synthetic data in the printed
page header, an orange tab) and in its properties, never as a row of the table; one made from real
data never does. indicators.xlsx follows the dataset's manifest."""

import io
import json

import openpyxl
import pandas as pd

from tests.indicators.test_monitoring import county_year
from toolkit.cli import main
from toolkit.data.synth import GENERATOR
from toolkit.report.excel import SYNTHETIC_TAB, Sheet, build_workbook_bytes


def _sheets():
    return [Sheet("甲", pd.DataFrame({"x": [1, 2]})), Sheet("乙", pd.DataFrame({"y": [3]}), notes=["资料来源：测试"])]


def _labels(ws):
    return ws.oddHeader.center.text, ws.sheet_properties.tabColor


def test_every_sheet_of_a_synthetic_workbook_is_labelled():
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook_bytes(_sheets(), synthetic=True)))
    for ws in wb.worksheets:
        header, tab = _labels(ws)
        assert header == "示例数据 · synthetic data" and tab.rgb.endswith(SYNTHETIC_TAB)
    assert wb.properties.subject.startswith("示例数据 · synthetic data：本工作簿由合成的示例数据生成")
    # the tables hold only their rows and their own notes
    assert wb["甲"].max_row == 3 and wb["乙"].max_row == 4 and wb["乙"].cell(4, 1).value == "资料来源：测试"
    assert build_workbook_bytes(_sheets(), synthetic=True) == build_workbook_bytes(_sheets(), synthetic=True)


def test_a_real_workbook_carries_no_label():
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook_bytes(_sheets())))
    assert all(_labels(ws) == (None, None) for ws in wb.worksheets)
    assert not wb.properties.subject and not wb.properties.keywords


def _indicators_xlsx(tmp_path, name, manifest):
    root = tmp_path / name
    root.mkdir()
    county_year().to_csv(root / "county_year.csv", index=False)
    if manifest:
        (root / "manifest.json").write_text(json.dumps({"generator": GENERATOR}), encoding="utf-8")
    assert main(["indicators", str(root), "--out", str(tmp_path / f"{name}_out" / "ind")]) == 0
    return openpyxl.load_workbook(tmp_path / f"{name}_out" / "ind.xlsx")


def test_indicators_xlsx_is_labelled_from_the_dataset_manifest(tmp_path):
    synthetic = _indicators_xlsx(tmp_path, "synthetic", manifest=True)
    assert all(ws.oddHeader.center.text == "示例数据 · synthetic data" for ws in synthetic.worksheets)
    real = _indicators_xlsx(tmp_path, "real", manifest=False)
    assert not any(ws.oddHeader.center.text for ws in real.worksheets)
