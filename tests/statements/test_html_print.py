"""HTML statements print on A4 on any machine: their own CJK font inside the page (one subset a
county), the page's language and a title naming unit and year, at most two A4 pages a unit with
the amount paid on page 1 — printed by headless Chromium with every system font hidden, where
Chromium is installed (seed 000 §3.1–3.2 settlement)."""

import re
import subprocess

import pytest

from tests.outputs.pages import CHROMIUM, NO_BROWSER, POPPLER, page_size_pt, print_to_pdf, uncovered
from tests.statements.params_helper import snap_with
from tests.statements.test_unit_statement import three_units
from toolkit.report.statements import statement_files
from toolkit.report.webfont import embedded_font_bytes
from toolkit.settlement.statement import settle_county
from toolkit.settlement.unit_statement import county_statements, yuan

needs_browser = pytest.mark.skipif(not (CHROMIUM and POPPLER), reason=NO_BROWSER)


@pytest.fixture(scope="module")
def county():
    cs = settle_county(three_units(), "C99", 2023, snap_with(overspend_share=0.3))
    return county_statements(cs), statement_files(cs, "zh", pdf=False), cs


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_each_page_has_language_title_and_a4(county):
    sts, files, _ = county
    for st in sts:
        page = files[f"{st.unit_id}.html"].decode("utf-8")
        assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
        assert f"<title>健康管理单元结算单 · {st.unit_name} · 2023</title>" in page
        assert "@page { size: A4 portrait" in page  # the statement's own page box wins (it comes last)
        assert page.index('id="toolkit-page-style"') < page.index('id="statement-style"')
        assert yuan(st.total_fen) in page
    combined = files["all_units.html"].decode("utf-8")
    assert f"<title>健康管理单元结算单 · {sts[0].county_name} · 2023</title>" in combined


def test_embedded_font_holds_every_character_and_is_cut_once_per_county(county):
    sts, files, _ = county
    fonts = set()
    for name, data in files.items():
        page = data.decode("utf-8")
        assert uncovered(page) == set(), name
        # the embedded family comes first in the statement's own font stack
        assert re.search(r"body \{ font-family: 'Toolkit CJK', ", page), name
        fonts.add(embedded_font_bytes(page))
    assert len(fonts) == 1 and None not in fonts  # one subset for the county's pages


def test_english_on_request(county):
    *_, cs = county
    files = statement_files(cs, "en", pdf=False)
    page = files["U1.html"].decode("utf-8")
    assert '<html lang="en">' in page and "Health management unit settlement statement" in page
    assert uncovered(page) == set()


def _printed(tmp_path, name: str, data: bytes) -> list[str]:
    """The text of each printed page (one pdftotext run; pages end in form feeds)."""
    html = tmp_path / name
    html.write_bytes(data)
    pdf = print_to_pdf(html, tmp_path / (name + ".pdf"), tmp_path)
    assert page_size_pt(pdf) == pytest.approx((595.0, 842.0), abs=1.5)  # A4, not US Letter
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    n = int(
        re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout)[1]
    )
    assert len(pages) == n
    return pages


@needs_browser
def test_chromium_prints_each_unit_on_two_a4_pages_with_the_amount_paid_on_page_1(county, tmp_path):
    sts, files, _ = county
    for st in sts:
        pages = _printed(tmp_path, f"{st.unit_id}.html", files[f"{st.unit_id}.html"])
        assert len(pages) <= 2, st.unit_id
        first = _flat(pages[0])
        # drawn with the page's own font (no system font is visible): the amount paid, 合计, the name
        assert yuan(st.total_fen) in first and "合计" in first and st.unit_name in first, st.unit_id


@needs_browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_synthetic_data_banner_adds_no_page(county, tmp_path, lang):
    """Made from synthetic data, each printed page of a unit says 示例数据 · synthetic data (in its
    margin), and the unit still prints on two pages, the amount paid on page 1."""
    sts, _, cs = county
    files = statement_files(cs, lang, pdf=False, synthetic=True)
    for st in sts:
        pages = _printed(tmp_path, f"{lang}_{st.unit_id}.html", files[f"{st.unit_id}.html"])
        assert len(pages) == 2, (lang, st.unit_id)
        assert all(_flat(p).count("示例数据·syntheticdata") == 1 for p in pages), (lang, st.unit_id)
        assert yuan(st.total_fen) in _flat(pages[0])


@needs_browser
@pytest.mark.slow
def test_chromium_prints_the_suixi_shaped_county_two_pages_a_unit(tmp_path):
    """C01 of the synthetic province: 232 units with the longest names; its combined file, with the
    示例数据 banner the synthetic province's statements carry, prints to exactly two pages a unit,
    unit k's amount paid on page 2k−1, the label on every page."""
    from toolkit.data.load import load_dataset
    from toolkit.data.synth import generate_province
    from toolkit.params.load import load_params
    from toolkit.params.snapshot import resolve
    from toolkit.settlement.statement import settle_province

    generate_province(tmp_path / "p", n_counties=1)
    ds = load_dataset(tmp_path / "p", tables=["units", "unit_year", "ph_process", "ph_targets", "county_year"])
    cs = settle_province(ds.tables, 2023, {"C01": resolve(load_params(None), "C01", 2023)})["C01"]
    sts = county_statements(cs)
    assert len(sts) == 232
    files = statement_files(cs, "zh", pdf=False, synthetic=True)
    pages = _printed(tmp_path, "all_units.html", files["all_units.html"])
    assert len(pages) == 2 * len(sts)
    assert all("示例数据·syntheticdata" in _flat(p) for p in pages)
    for k, st in enumerate(sts):
        first = _flat(pages[2 * k])
        assert yuan(st.total_fen) in first and st.unit_name in first, st.unit_id


def test_same_statements_same_bytes(county):
    from toolkit.report import webfont

    _, files, cs = county
    webfont._font_face.cache_clear()  # the font is cut again, not taken from this process's cache
    again = statement_files(cs, "zh", pdf=False)
    assert again == files
