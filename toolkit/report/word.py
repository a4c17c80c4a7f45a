"""The county annual report as a Word draft (``.docx``, python-docx) the commission edits in WPS or
Word into its 年度成效报告: the same title, headings, tables, figures and sentences as the HTML
report, from the same section functions (:mod:`toolkit.report.county`), on A4 with a Chinese body
font (宋体 for text, 黑体 for headings, both present in every Chinese WPS/Word install).

The conversion is by display object, so any report can use it: :class:`toolkit.report.text.Title`
→ title (and the 示例数据 banner for synthetic data), :class:`~toolkit.report.text.Markdown` →
headings, paragraphs and bullet lists, :class:`~toolkit.report.tables.HtmlTable` → a table with its
caption and footnote, :class:`~toolkit.report.figures.PngFigure` → the figure 16 cm wide with its
title under it, :class:`~toolkit.report.bundle.Bundle` → its items in turn. Same inputs, same bytes:
document dates and zip member dates are fixed (:func:`toolkit.report.excel.fix_zip_times`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from toolkit.report.excel import DEFAULT_TIMESTAMP, fix_zip_times

BODY_FONT = "SimSun"  # 宋体
HEADING_FONT = "SimHei"  # 黑体
FIGURE_WIDTH_CM = 16.0


def _east_asian(style_or_run, name: str) -> None:
    from docx.oxml.ns import qn

    style_or_run.font.name = name
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def new_document():
    """An empty A4 document with Chinese fonts on the body and heading styles."""
    from docx import Document
    from docx.shared import Mm, Pt

    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(25)
        section.top_margin = section.bottom_margin = Mm(25)
    _east_asian(doc.styles["Normal"], BODY_FONT)
    doc.styles["Normal"].font.size = Pt(10.5)  # 五号
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        _east_asian(doc.styles[name], HEADING_FONT)
    return doc


_INLINE = re.compile(r"\*\*|`")


def _plain(text: str) -> str:
    return _INLINE.sub("", text)


def add(doc, item: Any) -> None:
    """Append one display object (module docstring) to ``doc``."""
    from toolkit.report.bundle import Bundle
    from toolkit.report.figures import PngFigure
    from toolkit.report.tables import HtmlTable
    from toolkit.report.text import Markdown, Title

    if item is None:
        return
    if isinstance(item, Title):
        doc.add_heading(_plain(item.text.lstrip("# ")), 0)
        if item.synthetic:
            from docx.shared import RGBColor

            from toolkit.report.labels import message

            run = doc.add_paragraph().add_run(message("synthetic_banner", item.lang))
            run.bold = True
            run.font.color.rgb = RGBColor(0x7A, 0x3E, 0x00)
    elif isinstance(item, Markdown):
        for line in str(item.text).splitlines():
            m = re.match(r"^(#{1,6}) (.*)$", line)
            if m:
                doc.add_heading(_plain(m.group(2)), min(len(m.group(1)) - 1, 3) or 1)
            elif line.startswith("- "):
                doc.add_paragraph(_plain(line[2:]), style="List Bullet")
            elif line.strip():
                doc.add_paragraph(_plain(line))
    elif isinstance(item, HtmlTable):
        _add_table(doc, item)
    elif isinstance(item, PngFigure):
        from docx.shared import Cm

        doc.add_picture(io.BytesIO(item.data), width=Cm(FIGURE_WIDTH_CM))
        if item.alt:
            doc.add_paragraph(item.alt, style="Caption")
    elif isinstance(item, Bundle):
        for sub in item.items:
            add(doc, sub)
    elif isinstance(item, (list, tuple)):
        for sub in item:
            add(doc, sub)


def _add_table(doc, item) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    frame = item.table
    if item.caption:
        doc.add_paragraph(item.caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, frame.columns):
        cell.text = str(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            text = str(value)
            cell.text = text
            if text[:1].isdigit() or text[:1] in "-+<—" or text.endswith("%"):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if item.footnote:
        doc.add_paragraph(item.footnote)
    if getattr(item, "source", None):
        doc.add_paragraph(item.source)


def document_bytes(items, timestamp: dt.datetime = DEFAULT_TIMESTAMP) -> bytes:
    """The .docx bytes of ``items`` (display objects, in order); the same bytes for the same items."""
    doc = new_document()
    for item in items:
        add(doc, item)
    props = doc.core_properties
    props.author = props.last_modified_by = "county-health-toolkit"
    props.created = props.modified = props.last_printed = timestamp
    props.revision = 1
    raw = io.BytesIO()
    doc.save(raw)
    return fix_zip_times(raw.getvalue(), timestamp)


def county_report_items(ctx, claims_file: str = "") -> list:
    """The county annual report's display objects, in the notebook's order (notebooks/county_annual_report)."""
    from toolkit.report import county
    from toolkit.report.text import section, title_block

    lang = ctx.lang
    return [
        title_block("county_annual_report", ctx.county_name, ctx.year, lang, synthetic=ctx.synthetic),
        section("county_profile", lang),
        county.county_profile(ctx),
        section("indicators_and_targets", lang),
        county.indicator_table(ctx),
        county.indicator_summary(ctx),
        county.indicator_trends(ctx),
        section("trends_tested", lang),
        county.trend_summary(ctx),
        section("settlement_results", lang),
        county.settlement_summary(ctx),
        section("unit_indicators", lang),
        county.unit_core_indicators(ctx),
        county.objective_attainment(ctx),
        section("comparison_with_province", lang),
        county.province_comparison(ctx),
        section("deaths_table", lang),
        county.deaths_by_cause(ctx),
        section("claims_checked", lang),
        county.claims_checked(ctx, claims_file),
    ]


def write_county_docx(ctx, claims_file: str = ""):
    """Write ``<side files>/…_report.docx`` (the Word draft) and say so in the report."""
    from toolkit.io import write_bytes
    from toolkit.report.labels import message
    from toolkit.report.text import Markdown

    path = ctx.side_file("report.docx")
    if path is None:
        return Markdown("")
    write_bytes(path, document_bytes(county_report_items(ctx, claims_file)))
    return Markdown(message("word_draft_saved", ctx.lang, name=path.name))
