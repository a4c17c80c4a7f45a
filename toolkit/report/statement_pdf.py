"""The unit payment statement (单元结算单) as PDF, for a clerk to print and sign on any machine.

Made with fpdf2 (pure Python) and the project's CJK font, Noto Sans CJK SC from ``mplfonts``
(:func:`toolkit.report.fonts.cjk_font_path`), embedded as a subset of the glyphs shown. A county
is laid out once, as the combined file; each unit's file is its pages of it (pypdf), so the 16 MB
font is read and subset once per county, not once per unit. Page 1 holds
the lines and the amount paid, page 2 the public-health detail and the parameters; a unit never
takes more than two A4 pages (tests/statements/test_pdf.py counts them).

Same statements, same bytes: the creation date is the settlement year's 31 December and the
document id is derived from the content.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from toolkit.catalogue import localized, text
from toolkit.report.statement_html import (
    credits_basis,
    documents_line,
    format_indicator_value,
    format_number,
    heading,
)
from toolkit.report.statement_html import t as _t
from toolkit.settlement.unit_statement import UnitStatement, yuan

FAMILY = "cjk"
PAGE_W, MARGIN = 210.0, 11.0


def _new_pdf(font_path: str | Path | None, year: int):
    from fpdf import FPDF

    if font_path is None:
        from toolkit.report.fonts import cjk_font_path

        font_path = cjk_font_path()
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, TOP, MARGIN)
    pdf.set_auto_page_break(False)
    pdf.add_font(FAMILY, fname=str(font_path))
    # fpdf2 embeds a subset of the glyphs used; recomputing the bounding boxes of CFF outlines
    # on save costs seconds and changes nothing the PDF shows (fpdf2 writes its own font metrics)
    pdf.fonts[FAMILY].ttfont.recalcBBoxes = False
    pdf.set_creation_date(dt.datetime(year, 12, 31, tzinfo=dt.UTC))
    pdf.set_producer("county-health-toolkit")
    pdf.set_line_width(0.15)
    pdf.set_draw_color(110, 110, 110)
    return pdf


class _Advances(dict):
    """Character → advance width in ems, read from fpdf2's width table (thousandths of an em)."""

    def __init__(self, cw):
        super().__init__()
        self._cw = cw

    def get(self, ch, default=1.0):
        try:
            return self[ch]
        except KeyError:
            w = self._cw.get(ord(ch), 0) / 1000.0
            self[ch] = w or default
            return self[ch]


TOP, BOTTOM = 10.0, 287.0
PT = 0.3528  # mm per point


class Layout:
    """Rows of bordered cells drawn with fpdf2's low-level text(): lines are wrapped here, with
    the font's own advance widths, so laying out hundreds of statements stays fast."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.widths = _Advances(pdf.fonts[FAMILY].cw)
        self.y = TOP
        self._wrapped: dict = {}  # (text, width, size) → lines: most texts repeat from unit to unit
        self._grid: list = []  # [top, bottom, column widths] of runs of rows with the same columns
        self._rules: list = []  # the top of every row
        self.fitted: dict = {}  # page → index of the font size that fitted the previous unit

    def width(self, text: str, size: float) -> float:
        w = self.widths
        return sum(w.get(c, 1.0) for c in text) * size * PT

    def wrap(self, text: str, avail: float, size: float) -> list[str]:
        key = (text, avail, size)
        hit = self._wrapped.get(key)
        if hit is None:
            hit = self._wrapped[key] = self._wrap(text, avail, size)
        return hit

    def _wrap(self, text: str, avail: float, size: float) -> list[str]:
        if not text:
            return [""]
        lines, current, used = [], "", 0.0
        scale = size * PT
        for ch in text:
            cw = self.widths.get(ch, 1.0) * scale
            if used + cw > avail and current:
                # break before a run of Latin letters/digits rather than inside it
                cut = len(current)
                if ch.isascii() and ch.isalnum():
                    k = len(current)
                    while k > 0 and current[k - 1].isascii() and current[k - 1].isalnum():
                        k -= 1
                    if 0 < k < len(current):
                        cut = k
                lines.append(current[:cut].rstrip())
                current = current[cut:].lstrip()
                used = self.width(current, size)
            current += ch
            used += cw
        lines.append(current)
        return lines

    def row_height(self, cells: list[str], widths: list[float], size: float) -> tuple[float, list[list[str]]]:
        wrapped = [self.wrap(c, w - 1.6, size) for c, w in zip(cells, widths)]
        n = max(len(x) for x in wrapped)
        return n * size * PT * 1.22 + 1.0, wrapped

    def row(self, cells, widths, aligns, size, fill=None, measure_only=False) -> float:
        h, wrapped = self.row_height(cells, widths, size)
        if measure_only:
            return h
        pdf, x = self.pdf, MARGIN
        pdf.set_font(FAMILY, size=size)
        if fill is not None:
            pdf.set_fill_color(*fill)
            pdf.rect(MARGIN, self.y, sum(widths), h, style="F")
        # the grid is drawn once per table (end_table): a line per row and per column, not a box per cell
        if self._grid and self._grid[-1][2] == tuple(widths):
            self._grid[-1][1] = self.y + h
        else:
            self._grid.append([self.y, self.y + h, tuple(widths)])
        self._rules.append(self.y)
        for lines, w, align in zip(wrapped, widths, aligns):
            base = self.y + 0.5 + size * PT * 0.95
            for line in lines:
                if align == "R":
                    tx = x + w - 0.8 - self.width(line, size)
                elif align == "C":
                    tx = x + (w - self.width(line, size)) / 2
                else:
                    tx = x + 0.8
                if line:
                    pdf.text(tx, base, line)
                base += size * PT * 1.22
            x += w
        self.y += h
        return h

    def end_table(self) -> None:
        """Draw the grid of the rows drawn since the last call."""
        if not self._grid:
            return
        pdf = self.pdf
        right = MARGIN + max(sum(w) for _, _, w in self._grid)
        for y in self._rules + [self._grid[-1][1]]:
            pdf.line(MARGIN, y, right, y)
        for top, bottom, widths in self._grid:
            x = MARGIN
            pdf.line(x, top, x, bottom)
            for w in widths:
                x += w
                pdf.line(x, top, x, bottom)
        self._grid, self._rules = [], []

    def text(self, text: str, size: float, align: str = "L", measure_only=False) -> float:
        avail = PAGE_W - 2 * MARGIN
        lines = self.wrap(text, avail, size)
        h = len(lines) * size * PT * 1.3 + 0.6
        if measure_only:
            return h
        self.pdf.set_font(FAMILY, size=size)
        base = self.y + size * PT
        for line in lines:
            tx = MARGIN + ((avail - self.width(line, size)) / 2 if align == "C" else 0)
            self.pdf.text(tx, base, line)
            base += size * PT * 1.3
        self.y += h
        return h


def _page_one(st: UnitStatement, lang: str):
    """What page 1 prints: (kind, content) items."""
    title = heading(st, lang)
    fields = (
        ("unit", st.unit_name),
        ("township", st.township_name),
        ("community", st.community_name),
        ("year", st.year),
    )
    who = "    ".join(text("statement_field", lang, label=_t(key, lang), value=value) for key, value in fields)
    rows = [("head", [_t("item", lang), _t("amount", lang), _t("how", lang), _t("paid", lang)])]
    for s in st.sections:
        rows.append(("section", [localized(s, "title", lang)]))
        for line in s.lines:
            amount = yuan(line.amount_fen) if line.amount_fen is not None else localized(line, "value", lang)
            kind = "total" if line.key == "total" else "sub" if line.subtotal else "line"
            rows.append(
                (
                    kind,
                    [localized(line, "label", lang), amount, localized(line, "note", lang), "✓" if line.paid else ""],
                )
            )
    notes = [localized(st, "rounding", lang), localized(st, "gate", lang)]
    warning = localized(st, "warning", lang)
    if warning:  # a plausibility warning on the data (toolkit.report.plausibility_notes)
        notes.append(warning)
    return title, who, rows, notes


LINE_WIDTHS = [62.0, 36.0, 74.0, 16.0]
GREY, LIGHT = (235, 235, 235), (245, 245, 245)


def _draw_page_one(lay: Layout, st: UnitStatement, lang: str, size: float, measure_only: bool) -> float:
    title, who, rows, notes = _page_one(st, lang)
    y0 = lay.y
    lay.text(title, size + 4.5, "C", measure_only)
    lay.text(who, size + 0.4, "L", measure_only)
    for kind, cells in rows:
        if kind == "section":
            if measure_only:
                lay.y += lay.row([cells[0]], [sum(LINE_WIDTHS)], ["L"], size, LIGHT, True)
            else:
                lay.row([cells[0]], [sum(LINE_WIDTHS)], ["L"], size, LIGHT)
            continue
        fill = GREY if kind == "head" else None
        sz = size + 1.2 if kind == "total" else size
        aligns = ["C"] * 4 if kind == "head" else ["L", "R", "L", "C"]
        if measure_only:
            lay.y += lay.row(cells, LINE_WIDTHS, aligns, sz, fill, True)
        else:
            lay.row(cells, LINE_WIDTHS, aligns, sz, fill)
    if not measure_only:
        lay.end_table()
    for note in notes:
        if measure_only:
            lay.y += lay.text(note, size - 0.8, "L", True)
        else:
            lay.text(note, size - 0.8, "L")
    if measure_only:
        lay.y += 12
    else:
        lay.y += 6
        third = (PAGE_W - 2 * MARGIN) / 3
        lay.pdf.set_font(FAMILY, size=size + 0.6)
        for k, key in enumerate(("sign_unit", "sign_clerk", "sign_date")):
            lay.pdf.text(MARGIN + k * third, lay.y + 3, _t(key, lang))
        lay.y += 6
    used = lay.y - y0
    if measure_only:
        lay.y = y0
    return used


def _page_two_tables(st: UnitStatement, lang: str):
    prow = []
    for r in st.process:
        basis = (
            credits_basis(format_number(r.basis, "{:,.1f}"), format_number(r.yuan_per_credit, "{:g}"), lang)
            if r.two_card
            else format_number(r.planned_amount)
        )
        quarters = " · ".join(format_number(getattr(r, f"score_q{q}"), "{:g}") for q in (1, 2, 3, 4))
        prow.append(
            [
                localized(r, "project", lang),
                basis,
                quarters,
                format_number(r.quality_coefficient, "{:.4f}"),
                yuan(r.amount_fen),
            ]
        )
    orow = [
        [
            localized(r, "indicator", lang),
            format_indicator_value(r.value, r.indicator),
            format_indicator_value(r.benchmark, r.indicator),
            localized(r, "result", lang),
            yuan(r.share_fen),
            yuan(r.amount_fen),
        ]
        for r in st.objective
    ]
    par = [
        [
            localized(r, "label", lang),
            localized(r, "value", lang),
            localized(r, "source", lang),
        ]
        for r in st.parameter_rows
    ]
    head_p = [_t("project", lang), _t("basis", lang), _t("quarters", lang), _t("coef", lang), _t("amount", lang)]
    head_o = [
        _t("indicator", lang),
        _t("value", lang),
        _t("benchmark", lang),
        _t("result", lang),
        _t("share", lang),
        _t("amount", lang),
    ]
    head_r = [_t("parameter", lang), _t("setting", lang), _t("source", lang)]
    return [
        (_t("process", lang), [62, 38, 40, 20, 28], ["L", "R", "R", "R", "R"], head_p, prow),
        (_t("objective", lang), [74, 24, 24, 18, 24, 24], ["L", "R", "R", "C", "R", "R"], head_o, orow),
        (
            _t("params", lang) + text("statement_digest_note", lang, digest=st.params_digest[:12]),
            [52, 60, 76],
            ["L", "L", "L"],
            head_r,
            par,
        ),
    ]


def _draw_page_two(lay: Layout, st: UnitStatement, lang: str, size: float, measure_only: bool) -> float:
    y0 = lay.y
    for caption, widths, aligns, head, rows in _page_two_tables(st, lang):
        if measure_only:
            lay.y += lay.text(caption, size + 0.8, "L", True)
            lay.y += lay.row(head, widths, ["C"] * len(head), size, GREY, True)
            for cells in rows:
                lay.y += lay.row(cells, widths, aligns, size, None, True)
        else:
            lay.text(caption, size + 0.8, "L")
            lay.row(head, widths, ["C"] * len(head), size, GREY)
            for cells in rows:
                lay.row(cells, widths, aligns, size)
            lay.end_table()
        lay.y += 1.5
    docs = localized(st, "documents", lang)
    if docs:
        legend = documents_line(docs, lang)
        lay.y += lay.text(legend, size - 0.4, "L", True) if measure_only else lay.text(legend, size - 0.4, "L")
    used = lay.y - y0
    if measure_only:
        lay.y = y0
    return used


def _fit(draw, lay: Layout, st: UnitStatement, lang: str, sizes: tuple[float, ...]) -> float:
    """The largest font size at which ``draw`` fits one page. The units of a county have the
    same lines, so the search starts at the size that fitted the previous unit (and tries one up)."""
    start = lay.fitted.get(draw, 0)
    if start > 0 and draw(lay, st, lang, sizes[start - 1], True) <= BOTTOM - TOP:
        start -= 1
    for k in range(start, len(sizes)):
        if draw(lay, st, lang, sizes[k], True) <= BOTTOM - TOP:
            lay.fitted[draw] = k
            return sizes[k]
    lay.fitted[draw] = len(sizes) - 1
    return sizes[-1]


#: the 示例数据 line's colour: the report pages' banner (toolkit.report.print_css)
SYNTHETIC_COLOR = (122, 62, 0)


def _synthetic_line(lay: Layout, lang: str) -> None:
    """示例数据 · synthetic data… in the page's top margin, above what the page lays out (so the
    statement's two pages stay two), at the largest size up to 7 pt that fits the width."""
    line = text("statement_synthetic_banner", lang)
    avail = PAGE_W - 2 * MARGIN
    size = min(7.0, 7.0 * avail / max(lay.width(line, 7.0), 1e-9))
    pdf = lay.pdf
    pdf.set_font(FAMILY, size=size)
    pdf.set_text_color(*SYNTHETIC_COLOR)
    pdf.text(MARGIN + (avail - lay.width(line, size)) / 2, TOP - 3.0, line)
    pdf.set_text_color(0, 0, 0)


def _unit_pages(pdf, lay: Layout, st: UnitStatement, lang: str, synthetic: bool = False) -> None:
    size1 = _fit(_draw_page_one, lay, st, lang, (8.4, 7.8, 7.2, 6.6, 6.0))
    pdf.add_page()
    if synthetic:
        _synthetic_line(lay, lang)
    lay.y = TOP
    _draw_page_one(lay, st, lang, size1, False)
    size2 = _fit(_draw_page_two, lay, st, lang, (7.6, 7.0, 6.4, 5.8, 5.2))
    pdf.add_page()
    if synthetic:
        _synthetic_line(lay, lang)
    lay.y = TOP
    _draw_page_two(lay, st, lang, size2, False)


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    pages_per_unit: tuple[int, ...]


def statements_pdf(
    statements: list[UnitStatement],
    lang: str = "zh",
    font_path: str | Path | None = None,
    synthetic: bool = False,
) -> PdfResult:
    """One PDF with the statements of ``statements`` in order (each starting on a new page);
    ``synthetic`` (the dataset's manifest says so): 示例数据 · synthetic data at the top of every page."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be zh or en, not {lang!r}")
    year = statements[0].year if statements else 2000
    pdf = _new_pdf(font_path, year)
    lay = Layout(pdf)
    per_unit = []
    for st in statements:
        before = pdf.pages_count
        _unit_pages(pdf, lay, st, lang, synthetic)
        per_unit.append(pdf.pages_count - before)
    title = f"{statements[0].county_name} {year} {_t('title', lang)}" if statements else _t("title", lang)
    pdf.set_title(title)
    pdf.set_subject("digest " + (statements[0].params_digest if statements else ""))
    if synthetic:
        pdf.set_keywords(text("workbook_synthetic_header", lang))
    data = bytes(pdf.output())
    return PdfResult(data, pdf.pages_count, tuple(per_unit))


def county_pdfs(
    statements: list[UnitStatement],
    lang: str = "zh",
    font_path: str | Path | None = None,
    synthetic: bool = False,
) -> dict[str, PdfResult]:
    """One PDF per unit (by unit id) and the county's combined file (key ``""``).

    The combined file is laid out once; each unit's file holds its pages of it (pypdf), so the
    font subset is made once per county instead of once per unit."""
    from pypdf import PdfReader, PdfWriter

    combined = statements_pdf(statements, lang, font_path, synthetic)
    reader = PdfReader(io.BytesIO(combined.data))
    out: dict[str, PdfResult] = {}
    start = 0
    for st, n in zip(statements, combined.pages_per_unit):
        writer = PdfWriter()
        for k in range(start, start + n):
            writer.add_page(reader.pages[k])
        meta = {"/Title": f"{st.unit_name} {st.year} {_t('title', lang)}", "/Producer": "county-health-toolkit"}
        if synthetic:
            meta["/Keywords"] = text("workbook_synthetic_header", lang)
        writer.add_metadata(meta)
        buf = io.BytesIO()
        writer.write(buf)
        out[st.unit_id] = PdfResult(buf.getvalue(), n, (n,))
        start += n
    out[""] = combined
    return out


def page_count(data: bytes) -> int:
    """Pages of a PDF made here (its page tree's /Count)."""
    import re

    counts = [int(m) for m in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    if not counts:
        counts = [int(m) for m in re.findall(rb"/Count\s+(\d+)", data)]
    return max(counts) if counts else 0


__all__ = ["statements_pdf", "county_pdfs", "page_count", "PdfResult"]
