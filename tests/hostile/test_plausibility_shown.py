"""The per-capita plausibility warning reaches the reader: the county report and the unit statement.

U3's total medical spending typed in 分 instead of 元: 1e8 / 1,000 insured = 100,000.00 yuan per
head, outside the contract's band 50–50,000 (``$TOOLKIT_PER_CAPITA_BAND`` changes it). The
settlement itself is unchanged (a warning, not an error).
"""

from __future__ import annotations

import io

import pytest

from tests.hostile.base import YEAR, write_tables
from toolkit.data.load import load_dataset
from toolkit.params.snapshot import snapshot
from toolkit.report.context import ReportContext

ZH = "人均医疗总费用100,000.00元，超出合理区间50–50,000元"
EN = "per-capita medical spending in 2023 is 100,000.00 yuan, outside the plausible band of 50–50,000 yuan"


@pytest.fixture
def implausible(tmp_path, tables):
    tables["unit_year"].loc[tables["unit_year"]["unit_id"] == "U3", "total_medical_spending"] = 1.0e8
    return write_tables(tmp_path / "ds", tables)


def _statements(run, ds, out, *extra):
    r = run("settle", ds, "--year", YEAR, "--out", out, *extra)
    assert r.code == 0, r.err
    return out / "C01" / str(YEAR) / "statements"


def test_statement_of_the_implausible_unit_carries_the_warning(implausible, tmp_path, run):
    folder = _statements(run, implausible, tmp_path / "out", "--statements", "html")
    assert ZH in (folder / "U3.html").read_text(encoding="utf-8")
    assert "合理区间" not in (folder / "U1.html").read_text(encoding="utf-8")
    assert ZH in (folder / "all_units.html").read_text(encoding="utf-8")


def test_statement_warning_in_english(implausible, tmp_path, run):
    folder = _statements(run, implausible, tmp_path / "out", "--statements", "html", "--lang", "en")
    assert EN in (folder / "U3.html").read_text(encoding="utf-8")


def test_statement_pdf_carries_the_warning(implausible, tmp_path, run):
    from pypdf import PdfReader

    folder = _statements(run, implausible, tmp_path / "out")
    page = PdfReader(io.BytesIO((folder / "U3.pdf").read_bytes())).pages[0]  # with the amount paid
    flat = "".join(page.extract_text().split()).replace("\x00", "")
    # pypdf reads a few glyphs of the subset font back wrongly, so the two parts that read back exactly
    assert "本单元2023年人均医疗总费用100,000.00元" in flat and "50–50,000元" in flat


def test_statement_follows_the_configured_band(implausible, tmp_path, run, monkeypatch):
    monkeypatch.setenv("TOOLKIT_PER_CAPITA_BAND", "10-200000")
    folder = _statements(run, implausible, tmp_path / "out", "--statements", "html")
    assert "合理区间" not in (folder / "U3.html").read_text(encoding="utf-8")


def test_statement_amounts_are_not_changed_by_the_warning(implausible, tmp_path, run, monkeypatch):
    a = _statements(run, implausible, tmp_path / "a", "--statements", "none").parent
    monkeypatch.setenv("TOOLKIT_PER_CAPITA_BAND", "10-200000")
    b = _statements(run, implausible, tmp_path / "b", "--statements", "none").parent
    assert (a / "settlement_units.csv").read_bytes() == (b / "settlement_units.csv").read_bytes()


def _report(ds, lang="zh"):
    from toolkit.report import county

    ctx = ReportContext(
        dataset=load_dataset(ds),
        county_id="C01",
        year=YEAR,
        lang=lang,
        params_dir=None,
        suppress_threshold=5,
        output_dir=None,
        exec_mode="interactive",
        notebook="t",
    )
    ctx._memo["snapshot"] = snapshot("C01", YEAR)
    return county.settlement_summary(ctx)._repr_html_()


def test_county_report_settlement_section_carries_the_warning(implausible):
    html = _report(implausible)
    assert "1个健康管理单元" in html and "单元3" in html and "超出合理区间50–50,000元" in html


def test_county_report_warning_in_english(implausible):
    assert "outside the plausible band of 50–50,000 yuan" in _report(implausible, "en")


def test_county_report_has_no_warning_for_plausible_data(dataset):
    assert "合理区间" not in _report(dataset)


def test_county_report_follows_the_configured_band(implausible, monkeypatch):
    monkeypatch.setenv("TOOLKIT_PER_CAPITA_BAND", "10-200000")
    assert "合理区间" not in _report(implausible)
