"""PDF statements: at most two A4 pages a unit, the amount paid on page 1, the CJK font embedded
as a subset, the same bytes on every run (seed 000 §3.1–3.2 settlement; fpdf2 + pypdf)."""

import io
import re
from html import unescape

import pytest
from pypdf import PdfReader

from tests.statements.params_helper import snap_with
from tests.statements.test_unit_statement import three_units
from toolkit.report.statement_html import statements_html
from toolkit.report.statement_pdf import county_pdfs
from toolkit.settlement.statement import settle_county
from toolkit.settlement.unit_statement import county_statements, yuan


@pytest.fixture(scope="module")
def made():
    cs = settle_county(three_units(), "C99", 2023, snap_with(overspend_share=0.3))
    sts = county_statements(cs)
    return sts, county_pdfs(sts, "zh")


def _text(page) -> str:
    return re.sub(r"[\s\x00]+", "", page.extract_text())


def test_every_unit_prints_on_two_a4_pages_with_the_amount_paid(made):
    sts, pdfs = made
    assert set(pdfs) == {"", "U1", "U2", "U3"}
    for st in sts:
        reader = PdfReader(io.BytesIO(pdfs[st.unit_id].data))
        assert len(reader.pages) <= 2
        for page in reader.pages:
            w, h = float(page.mediabox.width), float(page.mediabox.height)
            assert abs(w - 595.28) < 1 and abs(h - 841.89) < 1  # A4 portrait in points
        first = _text(reader.pages[0])
        assert yuan(st.total_fen) in first and "合计" in first
        assert st.unit_name in first
    # the unit without effect money reads its rank on the page (text extraction of a few CJK
    # glyphs that share an outline with another code point is not reliable, so only the digits)
    assert "排名第3/3位" in _text(PdfReader(io.BytesIO(pdfs["U3"].data)).pages[0])
    combined = PdfReader(io.BytesIO(pdfs[""].data))
    assert len(combined.pages) == sum(r.pages for k, r in pdfs.items() if k)


def test_font_is_embedded_as_a_subset(made):
    data = made[1]["U1"].data
    fonts = re.findall(rb"/BaseFont\s*/([A-Z]{6})\+(\w+)", data)
    assert fonts and all(name.startswith(b"NotoSansCJK") for _, name in fonts)
    assert b"/FontFile3" in data  # the OpenType (CFF) outlines are in the file
    assert len(data) < 400_000  # a subset, not the 16 MB font


def test_same_statements_same_bytes(made):
    sts, pdfs = made
    again = county_pdfs(sts, "zh")
    assert all(again[k].data == pdfs[k].data for k in pdfs)


def test_english_on_request_and_no_english_in_chinese(made):
    sts, _ = made
    en = county_pdfs(sts[:1], "en")
    page = PdfReader(io.BytesIO(en["U1"].data)).pages[0].extract_text().replace("\x00", "")
    assert "Health management unit settlement statement" in page and "total paid to the unit" in page
    html = statements_html(sts, "zh")
    body = unescape(re.sub(r"<style\b.*?</style>|<[^>]+>", " ", html, flags=re.S))
    body = body.replace(sts[0].params_digest[:12], "")  # the parameter digest is hexadecimal
    words = set(re.findall(r"[A-Za-z]{3,}", body))
    assert words <= {"CJK", "Noto", "Sans"}, words  # digits and Q1–Q4 only, no stray English


def test_html_prints_on_a4_with_a_page_per_unit(made):
    sts, _ = made
    html = statements_html(sts, "zh")
    assert "@page { size: A4 portrait" in html
    assert html.count('<section class="unit"') == 3
    assert all(yuan(st.total_fen) in html for st in sts)


def test_settle_writes_every_units_statement(tmp_path):
    from tests.settlement.builders import make_tables
    from toolkit import cli

    root = tmp_path / "ds"
    root.mkdir()
    for name, frame in make_tables(n_units=3).items():
        frame.to_csv(root / f"{name}.csv", index=False)
    assert cli.main(["settle", str(root), "--year", "2023", "--out", str(tmp_path / "out")]) == 0
    folder = tmp_path / "out" / "C99" / "2023" / "statements"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(
        [f"U{i}.{x}" for i in (1, 2, 3) for x in ("html", "pdf")] + ["all_units.html", "all_units.pdf"]
    )
    assert all(len(PdfReader(folder / f"U{i}.pdf").pages) == 2 for i in (1, 2, 3))
    assert len(PdfReader(folder / "all_units.pdf").pages) == 6


@pytest.mark.slow
def test_every_unit_of_the_sample_counties_prints_on_two_pages(tmp_path):
    """C01 is the Suixi-shaped county (232 units, the longest names); C02, C03 are generated."""
    from toolkit.data.load import load_dataset
    from toolkit.data.synth import generate_province
    from toolkit.params.load import load_params
    from toolkit.params.snapshot import resolve
    from toolkit.settlement.statement import settle_province

    generate_province(tmp_path / "p", n_counties=3)
    ds = load_dataset(tmp_path / "p", tables=["units", "unit_year", "ph_process", "ph_targets", "county_year"])
    params = load_params(None)
    results = settle_province(ds.tables, 2023, {c: resolve(params, c, 2023) for c in ("C01", "C02", "C03")})
    for county, cs in results.items():
        sts = county_statements(cs)
        made = county_pdfs(sts, "zh")
        combined = PdfReader(io.BytesIO(made[""].data))
        assert all(n <= 2 for n in made[""].pages_per_unit), county
        assert len(combined.pages) == sum(made[""].pages_per_unit)
        for st in sts[:3] + sts[-3:]:
            first = _text(PdfReader(io.BytesIO(made[st.unit_id].data)).pages[0])
            assert yuan(st.total_fen) in first, (county, st.unit_id)
