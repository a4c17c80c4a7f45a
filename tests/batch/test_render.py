"""The report page (toolkit.batch.render.notebook_to_html): code hidden, figures with their own alt
text, outputs reachable by keyboard — without nbconvert's BeautifulSoup pass, which we skip."""

import base64
import re

from nbformat.v4 import new_code_cell, new_notebook, new_output

from toolkit.batch.render import notebook_to_html

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode("ascii")


def _page():
    figure = new_output("display_data", data={"image/png": PNG}, metadata={"image/png": {"alt": "住院率趋势 <2024>"}})
    bare = new_output("display_data", data={"image/png": PNG})
    table = new_output(
        "execute_result", data={"text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "t"}, execution_count=1
    )
    nb = new_notebook(cells=[new_code_cell("secret_code_line = 1", outputs=[figure, bare, table], execution_count=1)])
    nb.metadata["language_info"] = {"name": "python"}
    return notebook_to_html(nb, title="C01 2024")


def test_figures_carry_their_alt_text_and_code_is_hidden():
    page = _page()
    assert 'alt="住院率趋势 &lt;2024&gt;"' in page  # escaped, from the display metadata
    assert page.count("<img ") == 2 and 'alt=""' in page  # a figure without a title: empty, not a made-up text
    assert "No description has been provided" not in page  # nbconvert's generic text: its pass is skipped
    assert "secret_code_line" not in page
    assert "<title>C01 2024</title>" in page


def test_every_output_is_focusable():
    divs = re.findall(r'<div class="[^"]*\bjp-OutputArea-output\b[^"]*"[^>]*>', _page())
    assert len(divs) == 3 and all('tabindex="0"' in d for d in divs)


def test_page_is_finished_with_the_embedded_font():
    from nbformat.v4 import new_markdown_cell

    nb = new_notebook(cells=[new_markdown_cell("县域报告")])
    nb.metadata["language_info"] = {"name": "python"}
    page = notebook_to_html(nb, title="甲县 2024", lang="en")
    assert page.count("@font-face{font-family:'Toolkit CJK';src:url(data:font/woff;base64,") == 1
    assert '<html lang="en">' in page and "<title>甲县 2024</title>" in page
    # JupyterLab's ui, content and code stacks each start with the embedded family
    stacks = re.findall(r"--jp-(?:ui|content|code)-font-family:([^;]+);", page.split("@font-face")[1])
    assert len(stacks) == 3 and all(s.startswith("'Toolkit CJK', 'Noto Sans CJK SC'") for s in stacks)
