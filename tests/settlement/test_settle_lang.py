"""``settle`` writes Chinese headers unless asked otherwise (Chinese first for commission outputs;
``--lang en`` or ``--lang both`` on request)."""

import openpyxl
import pytest

from tests.settlement.builders import make_tables
from toolkit import cli


@pytest.fixture()
def dataset(tmp_path):
    root = tmp_path / "ds"
    root.mkdir()
    for name, frame in make_tables().items():
        frame.to_csv(root / f"{name}.csv", index=False)
    return root


def _headers(dataset, out, *lang):
    argv = ["settle", str(dataset), "--year", "2023", "--statements", "none", "--out", str(out), *lang]
    assert cli.main(argv) == 0
    wb = openpyxl.load_workbook(out / "C99" / "2023" / "settlement.xlsx", read_only=True)
    ws = wb["大包干"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    wb.close()
    return [h for h in header if h]


def test_settle_headers_are_chinese_by_default_and_bilingual_on_request(dataset, tmp_path):
    default = _headers(dataset, tmp_path / "default")
    assert default == _headers(dataset, tmp_path / "zh", "--lang", "zh")
    assert not any(" / " in h for h in default)  # no 中文 / English pair
    assert not any(ch.isascii() and ch.isalpha() for h in default[:3] for ch in h), default[:3]
    both = _headers(dataset, tmp_path / "both", "--lang", "both")
    assert len(both) == len(default) and any(" / " in h for h in both)
