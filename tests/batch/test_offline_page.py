"""A report page loads nothing from the network: no script from a CDN (nbconvert's lab template
would load MathJax on every page and Mermaid on demand), so it opens the same offline, alone."""

import re

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from toolkit.batch.render import notebook_to_html


def test_a_report_page_loads_no_script_from_the_network():
    out = new_output("display_data", data={"text/html": "<p>县域内住院率 80.09%</p>", "text/plain": "x"})
    nb = new_notebook(
        cells=[new_markdown_cell("# 县域医共体年度报告 · 甲县 · 2024"), new_code_cell("x", outputs=[out])]
    )
    nb.metadata["language_info"] = {"name": "python"}
    page = notebook_to_html(nb)
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S)
    sources = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', page)
    assert [s for s in sources if not s.startswith("data:")] == []
    assert not any(re.search(r"https?://", s) for s in scripts)
    assert "mathjax" not in page.lower() and "80.09%" in page
