"""Print rules every report page carries: A4, a running header with the report title, page numbers,
figures and tables kept whole, headings kept with what follows, wide tables that fit the page.

Browsers' "Save as PDF" and headless Chromium's ``--print-to-pdf`` both honour ``@page`` margin
boxes (CSS Paged Media), so the header and the page numbers are the page's own, not the browser's
(which would print the file path). Body text, tables and the embedded font come from the screen
styles; only what print needs differently is here.
"""

from __future__ import annotations

from toolkit.report.labels import message


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (quotes and backslashes escaped, no line breaks)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_css(title: str, lang: str = "zh-CN") -> str:
    """The CSS of a report page: font stacks, print rules (module docstring), the 示例数据 banner style."""
    from toolkit.report.webfont import font_stack

    short = "en" if lang.lower().startswith("en") else "zh"
    page_of = message("page_of", short)  # e.g. 第 {page} 页 / 共 {pages} 页
    before, _, rest = page_of.partition("{page}")
    middle, _, after = rest.partition("{pages}")
    counter = f"{css_string(before)} counter(page) {css_string(middle)} counter(pages) {css_string(after)}"
    sans, mono = font_stack("system-ui", "sans-serif"), font_stack("monospace")
    return f"""
:root{{--jp-ui-font-family:{sans};--jp-content-font-family:{sans};--jp-code-font-family:{mono}}}
body,.jp-RenderedHTMLCommon,.toolkit-table,.toolkit-provenance{{font-family:{sans}}}
code,pre,.error,[style*="monospace"]{{font-family:{mono}!important}}
.toolkit-synthetic{{border:2px solid #b35c00;background:#fff4e5;color:#7a3e00;padding:.4em .8em;margin:.5em 0;font-weight:bold}}
.toolkit-source{{font-size:smaller;color:#555;margin:.2em 0 1em}}
@page{{size:A4;margin:20mm 15mm 18mm 15mm;
@top-center{{content:{css_string(title)};font-family:{sans};font-size:9pt;color:#555}}
@bottom-center{{content:{counter};font-family:{sans};font-size:9pt;color:#555}}}}
@media print{{
html,body{{background:#fff}}
body{{margin:0;padding:0;font-size:10.5pt}}
.jp-Notebook,main{{padding:0!important;margin:0!important}}
.jp-Cell,.jp-Cell-outputWrapper,.jp-OutputArea,.jp-OutputArea-child{{break-inside:auto;page-break-inside:auto;margin:0!important;padding:0!important}}
.jp-Cell:empty,.jp-OutputArea:empty,.jp-Cell-outputWrapper:empty{{display:none}}
img,svg,figure,.jp-RenderedImage,.toolkit-figure,.toolkit-keep,tr{{break-inside:avoid;page-break-inside:avoid}}
thead{{display:table-header-group}}
h1,h2,h3,h4,caption,.jp-RenderedMarkdown:has(> h2),.jp-RenderedMarkdown:has(> h3){{break-after:avoid;page-break-after:avoid}}
.jp-Cell:has(.jp-RenderedMarkdown > h2),.jp-Cell:has(.jp-RenderedMarkdown > h3){{break-after:avoid;page-break-after:avoid}}
img{{max-width:100%!important;max-height:235mm;height:auto;object-fit:contain}}
table{{max-width:100%;font-size:8pt!important;table-layout:auto}}
td,th{{overflow-wrap:anywhere;min-width:3em;padding:1px 4px!important}}
td:first-child,th:first-child{{min-width:6em}}
table.toolkit-wide{{font-size:6pt!important}}
.toolkit-wide td,.toolkit-wide th{{padding:0 2px!important}}
details::details-content{{content-visibility:visible;display:block}}
.jp-OutputArea-output{{overflow:visible!important}}
a.anchor-link{{display:none}}
a{{color:inherit;text-decoration:none}}
}}
"""
