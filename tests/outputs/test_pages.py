"""Every page the main job writes reads and prints on its own: its CJK font inside the page, its
language, a Chinese title naming report, county and year, A4 print rules with a running header and
page numbers — and, where headless Chromium is installed, rendered with every system font hidden
(so a character the page's own font lacks would be missing from the printed text)."""

import re
from pathlib import Path

import pandas as pd
import pytest

from .pages import (
    CHROMIUM,
    NO_BROWSER,
    POPPLER,
    is_report_page,
    page_size_pt,
    pdf_image_pages,
    pdf_pages,
    print_to_pdf,
    text_nodes,
    uncovered,
)

needs_browser = pytest.mark.skipif(not (CHROMIUM and POPPLER), reason=NO_BROWSER)


def _pages(out: Path) -> list[Path]:
    """The batch's report pages and the index (the unit statements under settlement/ are their own pages)."""
    return [p for p in sorted(out.rglob("*.html")) if is_report_page(p, out)]


def _names(sample_dir: Path) -> dict[str, str]:
    cy = pd.read_csv(sample_dir / "county_year.csv", dtype=str)
    return dict(zip(cy["county_id"], cy["county_name"]))


def _latest(sample_dir: Path) -> int:
    return int(pd.read_csv(sample_dir / "county_year.csv")["year"].max())


def test_every_page_embeds_a_font_holding_each_of_its_characters(main_outputs):
    pages = _pages(main_outputs)
    assert len(pages) >= 6  # two county reports, two statements, evaluation, overview, index
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert uncovered(text) == set(), page
        assert "_assets/" not in text and "report-cjk.woff" not in text, page  # nothing outside the page
        # the embedded family comes first in the stacks, so text is laid out with it from the start
        assert re.search(r"--jp-content-font-family:'Toolkit CJK',", text), page
        assert "font-display:block" in text, page


def test_every_page_has_its_language_and_a_chinese_title(main_outputs, sample_dir):
    names, year = _names(sample_dir), _latest(sample_dir)
    for page in _pages(main_outputs):
        text = page.read_text(encoding="utf-8")
        assert re.search(r'<html lang="zh-CN">', text), page
        title = re.search(r"<title>(.*?)</title>", text).group(1)
        assert "/" not in title and re.search(r"[\u4e00-\u9fff]", title), (page, title)
    county = (main_outputs / f"county_annual_report/C01/{year}.html").read_text(encoding="utf-8")
    assert f"<title>县域医共体年度报告 · {names['C01']} · {year}</title>" in county
    unit = (main_outputs / f"unit_settlement/C01/{year}.html").read_text(encoding="utf-8")
    assert f"<title>健康管理单元结算 · {names['C01']} · {year}</title>" in unit


def test_every_page_prints_on_a4_with_running_header_and_page_numbers(main_outputs):
    for page in _pages(main_outputs):
        text = page.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", text).group(1)
        assert "@page{size:A4;" in text, page
        assert f'@top-center{{content:"{title}"' in text, page
        assert re.search(r'@bottom-center\{content:"第 " counter\(page\) " 页 / 共 " counter\(pages\) " 页"', text)
        # figures and tables whole, headings with what follows
        assert "break-inside:avoid" in text and "break-after:avoid" in text


def _printed(main_outputs, tmp_path, rel) -> tuple[str, list[str]]:
    page = main_outputs / rel
    pdf = print_to_pdf(page, tmp_path / "page.pdf", tmp_path)
    assert page_size_pt(pdf) == pytest.approx((595.0, 842.0), abs=1.5)  # A4, not US Letter
    return page.read_text(encoding="utf-8"), pdf_pages(pdf)


@needs_browser
@pytest.mark.parametrize(
    "kind", ["county_annual_report/C01/{y}.html", "reform_evaluation/province/all.html", "unit_settlement/C01/{y}.html"]
)
def test_rendered_without_system_fonts_no_text_is_lost(main_outputs, sample_dir, tmp_path, kind):
    html, pages = _printed(main_outputs, tmp_path, kind.format(y=_latest(sample_dir)))
    printed = re.sub(r"\s+", "", "".join(pages))
    # a character no available font holds is not drawn, so it is missing from the PDF's text
    lost = [n for n in text_nodes(html) if re.sub(r"\s+", "", n) not in printed]
    assert lost == []


@needs_browser
def test_county_report_prints_without_blank_pages(main_outputs, sample_dir, tmp_path):
    names, year = _names(sample_dir), _latest(sample_dir)
    pdf = print_to_pdf(main_outputs / f"county_annual_report/C01/{year}.html", tmp_path / "c.pdf", tmp_path)
    pages = pdf_pages(pdf)
    images = pdf_image_pages(pdf)
    title = f"县域医共体年度报告 · {names['C01']} · {year}"
    assert len(pages) >= 2
    title = re.sub(r"\s+", "", title)
    for i, text in enumerate(pages, start=1):
        lines = [re.sub(r"\s+", "", ln) for ln in text.splitlines() if ln.strip()]
        # every page carries the running header and its number (pdftotext drops the spaces)
        assert title in lines and f"第{i}页/共{len(pages)}页" in lines, i
        body = [ln for ln in lines if ln != title and not re.fullmatch(r"第\d+页/共\d+页", ln)]
        assert body or i in images, f"page {i} of {len(pages)} is blank"
