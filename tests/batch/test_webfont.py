"""Self-contained pages (toolkit.report.webfont.finish_page): the CJK font subset inside the page,
first in every stack, holding every character drawn; language and title from the title block;
the same bytes for the same page; the same page from `jupyter nbconvert --to html` once installed."""

import io
import json
import os
import re
import subprocess
import sys

from fontTools.ttLib import TTFont
from nbformat.v4 import new_code_cell, new_notebook, new_output

from toolkit.batch.runner import plan_jobs, run_batch
from toolkit.paths import PROJECT_ROOT
from toolkit.report import webfont
from toolkit.report.text import title_block

from .conftest import FAILING, OK

PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head><title>a/C01/2024</title></head><body>'
    '<h1 class="toolkit-title" data-lang="zh-CN">县域报告 · 甲县 · 2024</h1><p>住院率 &#x6D4B; 12.7</p></body></html>'
)


def _cmap(page):
    data = webfont.embedded_font_bytes(page)
    assert data and data[:4] == b"wOFF"
    with TTFont(io.BytesIO(data)) as font:
        return set(font.getBestCmap())


def test_finished_page_embeds_a_subset_holding_every_character_first_in_the_stacks():
    page = webfont.finish_page(PAGE)
    cmap = _cmap(page)
    assert {ord(c) for c in "县域报告甲住院率测12.7·"} <= cmap  # 测 from &#x6D4B;
    assert ord("龘") not in cmap  # only the page's characters: a subset, not the 16 MB font
    # the running header and page numbers print characters of their own: the font holds them too
    assert {ord(c) for c in "第页共"} <= cmap
    assert re.search(r"--jp-content-font-family:'Toolkit CJK', 'Noto Sans CJK SC'", page)
    assert "font-display:block" in page
    assert '<html lang="zh-CN">' in page and "<title>县域报告 · 甲县 · 2024</title>" in page


def test_finishing_is_byte_stable_and_idempotent():
    once = webfont.finish_page(PAGE)
    assert webfont.finish_page(PAGE) == once
    assert webfont.finish_page(once) == once  # re-finishing replaces its own style, adds nothing
    assert once.count(f'<style id="{webfont.STYLE_ID}">') == 1


def test_explicit_title_and_language_when_a_page_has_no_title_block():
    page = webfont.finish_page("<html><head><title>x</title></head><body>Index</body></html>", "报告索引", "en")
    assert '<html lang="en">' in page and "<title>报告索引</title>" in page
    assert '@bottom-center{content:"Page " counter(page) " of " counter(pages) ""' in page


def test_page_characters_decode_references_and_skip_scripts_and_styles():
    assert webfont.page_characters("a&#20013;&#x6587;&lt;") == set("a&#20013;x6587lt") | {"中", "文", "<"}
    assert webfont.page_characters("<style>ℜ</style><script>&Scaron;</script>b") == set("b")


def test_batch_pages_carry_their_own_font_and_nothing_outside(dataset, tmp_path):
    out = tmp_path / "reports"
    jobs = plan_jobs([OK, FAILING], dataset, ["C01", "C02"], [2023], out)
    result = run_batch(jobs, out, workers=0, progress=False)
    assert result.failed == ["failing_report/C02/2023"]
    assert not (out / "_assets").exists()
    for page in [out / "ok_report/C01/2023.html", out / "ok_report/C02/2023.html", out / "index.html"]:
        text = page.read_text(encoding="utf-8")
        cmap = _cmap(text)
        drawn = {c for c in re.sub(r"<[^>]+>", "", webfont._CODE.sub("", text)) if not c.isspace()}
        assert {c for c in drawn if ord(c) not in cmap} == set(), page
        assert "report-cjk.woff" not in text and "require.min.js" not in text


def _titled_notebook():
    title = title_block("county_annual_report", "甲县", 2024, "zh", synthetic=True)
    out = new_output("display_data", data={"text/html": title._repr_html_(), "text/markdown": title.text})
    nb = new_notebook(cells=[new_code_cell("title", outputs=[out], execution_count=1)])
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def test_plain_nbconvert_gives_the_same_self_contained_page_once_installed(tmp_path):
    import nbformat

    from toolkit.batch.nbexport import install_nbconvert_config

    config = tmp_path / "jupyter-config"
    target = install_nbconvert_config(config)
    assert json.loads(target.read_text())["NbConvertApp"]["postprocessor_class"].endswith("nbexport.FinishPage")
    nb_path = tmp_path / "report.ipynb"
    nbformat.write(_titled_notebook(), nb_path)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config), "PYTHONPATH": str(PROJECT_ROOT)}
    cmd = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(nb_path)]
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in page and "<title>县域医共体年度报告 · 甲县 · 2024</title>" in page
    assert {ord(c) for c in "县域医共体年度报告甲示例数据"} <= _cmap(page)
    assert "@page{size:A4;" in page and 'class="toolkit-synthetic"' in page
