"""The batch's CJK web font (toolkit.batch.webfont): one subset per output folder, holding every
character of its pages, reached from each page by a relative URL, the same bytes on a rerun."""

import re
from pathlib import Path
from urllib.parse import unquote

from fontTools.ttLib import TTFont

from toolkit.batch import webfont
from toolkit.batch.runner import format_summary, plan_jobs, run_batch
from toolkit.report.fonts import cjk_font_path
from toolkit.report.text import REPORT_CSS

from .conftest import FAILING, OK

_URL = re.compile(r"@font-face\{font-family:'Toolkit CJK';src:url\('([^']+)'\)")


def _cmap(path):
    with TTFont(str(path)) as font:
        return set(font.getBestCmap())


def _is_cjk(ch):
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def test_batch_font_covers_every_page_and_is_reached_from_each(dataset, tmp_path):
    out = tmp_path / "reports"
    jobs = plan_jobs([OK, FAILING], dataset, ["C01", "C02"], [2023], out)
    first = run_batch(jobs, out, workers=0, progress=False)
    assert first.failed == ["failing_report/C02/2023"]  # a failing report does not stop the font

    font = out / "_assets/report-cjk.woff"
    assert first.font.path == font and first.font.written and font.is_file()
    assert font.read_bytes()[:4] == b"wOFF"
    assert "web font 网页字体:" in format_summary(first)
    cmap = _cmap(font)

    pages = [
        out / "ok_report/C01/2023.html",
        out / "ok_report/C02/2023.html",
        out / "failing_report/C01/2023.html",
        out / "index.html",
    ]
    assert webfont.batch_pages(out, first.entries) == sorted(pages[:3]) + [out / "index.html"]
    cjk_seen = set()
    for page in pages:
        text = page.read_text(encoding="utf-8")
        cjk = {c for c in webfont.page_characters(text) if _is_cjk(c)}
        assert not {c for c in cjk if ord(c) not in cmap}, page
        cjk_seen |= cjk
        # one @font-face, by a relative URL that resolves to the font from the page's folder
        urls = _URL.findall(text)
        assert len(urls) == 1 and not urls[0].startswith(("/", "file:")), page
        assert (page.parent / unquote(urls[0])).resolve() == font.resolve()
    # the fixture's title and printed line, and the index's headings, are among them
    assert set("测试报告县年份人口") <= cjk_seen and set("报告索引失败") <= cjk_seen
    assert "../../_assets/report-cjk.woff" in pages[0].read_text(encoding="utf-8")
    assert "url('_assets/report-cjk.woff')" in pages[3].read_text(encoding="utf-8")

    # a rerun (everything skipped or retried-and-failed) leaves the font alone …
    before = font.stat().st_mtime_ns, font.read_bytes()
    second = run_batch(jobs, out, workers=0, progress=False)
    assert second.skipped and not second.font.written
    assert (font.stat().st_mtime_ns, font.read_bytes()) == before
    # … and, removed, writes it again with the very same bytes
    font.unlink()
    third = run_batch(jobs, out, workers=0, progress=False)
    assert third.font.written and font.read_bytes() == before[1]


def test_font_holds_exactly_the_characters_of_ok_pages(tmp_path):
    out = tmp_path / "reports"
    (out / "a/C01").mkdir(parents=True)
    (out / "a/C01/2024.html").write_text("<p>住院率 &#x6D4B; &amp;</p>", encoding="utf-8")
    (out / "a/C02").mkdir(parents=True)
    (out / "a/C02/2024.html").write_text("<p>龘</p>", encoding="utf-8")  # stale page of a failed report
    (out / "index.html").write_text("<h1>索引</h1>", encoding="utf-8")
    entries = {"a/C01/2024": {"status": "ok"}, "a/C02/2024": {"status": "failed"}}

    report = webfont.write_report_font(out, entries)
    # characters: < p > / h 1 space & # x 6 D 4 B ; a m (markup, ASCII) + 住院率测索引 (测 from &#x6D4B;)
    cmap = _cmap(report.path)
    assert {ord(c) for c in "住院率测索引"} <= cmap
    assert ord("龘") not in cmap  # only ok reports count
    source_cmap = _cmap(cjk_font_path())
    expected = {ord(c) for c in webfont.page_characters("<p>住院率 &#x6D4B; &amp;</p><h1>索引</h1>")} & source_cmap
    assert cmap == expected

    # same characters: not rewritten; one more character: rewritten, and bigger
    again = webfont.write_report_font(out, entries)
    assert not again.written and again.size == report.size
    (out / "index.html").write_text("<h1>索引 龘</h1>", encoding="utf-8")
    grown = webfont.write_report_font(out, entries)
    assert grown.written and ord("龘") in _cmap(grown.path) and grown.size > report.size


def test_page_characters_decode_references():
    assert webfont.page_characters("a&#20013;&#x6587;&lt;") == set("a&#20013;x6587lt") | {"中", "文", "<"}


def test_font_url_follows_the_page_depth(tmp_path):
    assert webfont.font_url(tmp_path / "index.html", tmp_path) == "_assets/report-cjk.woff"
    assert webfont.font_url(tmp_path / "n/C01/2024.html", tmp_path) == "../../_assets/report-cjk.woff"
    assert webfont.font_url(tmp_path / "n/province/all.html", tmp_path) == "../../_assets/report-cjk.woff"


def test_web_font_is_last_in_every_stack_after_the_system_cjk_fonts():
    # REPORT_CSS (toolkit/report/text.py) names the same system fonts, then sans-serif, then ours
    stack = REPORT_CSS.split("font-family:")[1].split(";")[0]
    assert [f.strip().strip("'") for f in stack.split(",")] == [
        *webfont.SYSTEM_CJK_FAMILIES,
        "sans-serif",
        webfont.FAMILY,
    ]
    assert webfont.cjk_fallback_stack().endswith("'WenQuanYi Micro Hei', 'Toolkit CJK'")
    from toolkit.batch.cache import Manifest
    from toolkit.batch.index import render_index

    page = render_index(Manifest(path=Path("x"), entries={}))
    stacks = re.findall(r"font-family:([^;]+);", page.split("@font-face", 1)[1].split("}", 1)[1])
    assert len(stacks) == 2 and all(s.endswith(webfont.cjk_fallback_stack()) for s in stacks)
