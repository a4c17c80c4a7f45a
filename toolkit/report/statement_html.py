"""The unit payment statement (单元结算单) as a printable HTML page: A4, at most two pages a unit.

Renders a :class:`~toolkit.settlement.unit_statement.UnitStatement` (seed 000 §3.1–3.2) in
Chinese (``lang="zh"``, the default) or English. Money in yuan to the fen, in one column that
always fits the page (the print CSS fixes the column widths); the amount paid is the last line
of the first page. A county's statements go into one file with a page break before each unit.

Every page is finished like a report page (:func:`toolkit.report.webfont.finish_page`): its
language, a ``<title>`` naming the unit (or county) and year, the shared print rules (running
header, page numbers) and the Noto Sans CJK SC subset embedded in the page, first in the font
stack, so it prints on a machine without Chinese fonts. The statement's own rules (:data:`CSS`)
come after the shared ones and override what the statement lays out differently (its page
margins, fixed column widths and type sizes). The pages of a county share one subset holding
the characters of all of them (:func:`statement_pages`), cut once.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from toolkit.catalogue import html_lang, localized, text
from toolkit.report.webfont import font_stack
from toolkit.settlement.unit_statement import UnitStatement, yuan

#: the statement's layout; ``!important`` where the shared print rules (toolkit.report.print_css) use it
CSS = (
    """
@page { size: A4 portrait; margin: 12mm 11mm 12mm 11mm; }
* { box-sizing: border-box; }
body { font-family: """
    + font_stack("sans-serif")
    + """;
       font-size: 8pt; line-height: 1.25; color: #000; margin: 0; }
.unit { break-after: page; page-break-after: always; max-width: 188mm; margin: 0 auto; }
.unit:last-child { break-after: auto; page-break-after: auto; }
h1 { font-size: 12pt; margin: 0 0 1.5mm 0; text-align: center; }
.who { width: 100%; margin-bottom: 1.5mm; }
.who td { padding: 0 2mm 0 0; white-space: nowrap; }
table.lines, table.detail { width: 100%; border-collapse: collapse; table-layout: fixed; margin-bottom: 2mm; }
table.lines td, table.lines th, table.detail td, table.detail th { border: 0.4pt solid #666;
       padding: 0.4mm 1mm !important; vertical-align: top; overflow-wrap: anywhere; min-width: 0; }
table.lines, .who, .sign { font-size: 8pt !important; }
.who td, .sign td { padding: 0 2mm 0 0 !important; min-width: 0; }
table.lines th, table.detail th { background: #eee; font-weight: normal; }
col.label { width: 31%; } col.amount { width: 15%; } col.note { width: 47%; } col.paid { width: 7%; }
td.amount, td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.section td { background: #f3f3f3; font-weight: bold; }
tr.subtotal td { font-weight: bold; }
tr.total td { font-weight: bold; font-size: 9.5pt; border-top: 1.2pt solid #000; }
.small, table.lines td.small { font-size: 7.2pt; }
table.detail { font-size: 6.2pt !important; line-height: 1.15; }
table.detail td, table.detail th { padding: 0.15mm 0.8mm !important; }
.page2 p { margin: 0.8mm 0 0.4mm 0; font-size: 7pt; }
.page2 table.detail { margin-bottom: 0.8mm; }
.page2 p.small { font-size: 6.2pt; line-height: 1.15; }
.unit:lang(en) table.detail, .unit:lang(en) .page2 p.small { font-size: 5.6pt !important; }
.sign { margin-top: 2mm; width: 100%; }
.sign td { padding-top: 4mm !important; width: 33%; }
.page2 { break-before: page; page-break-before: always; }
@media screen { body { background: #ddd; } .unit { background: #fff; padding: 10mm; margin: 5mm auto; } }
"""
)


def synthetic_css(lang: str) -> str:
    """The rules of a statement page made from synthetic data (only such a page has them): on screen
    the report pages' 示例数据 box, made compact, at the top of each of a unit's two pages; in print
    示例数据 · synthetic data in the bottom-left margin of every sheet instead, where it takes no room
    from the statement (a full English page 1 would otherwise spill onto a third sheet)."""
    from toolkit.report.print_css import css_string

    label = css_string(text("workbook_synthetic_header", lang))
    return (
        ".unit .toolkit-synthetic { font-size: 7pt; line-height: 1.2; padding: 0.3mm 1.5mm; margin: 0 0 1mm 0; "
        "border-width: 0.8pt; }\n"
        "@media print { .unit .toolkit-synthetic { display: none; } }\n"
        f"@page {{ @bottom-left {{ content: {label}; font-family: {font_stack('sans-serif')}; font-size: 8pt; "
        "font-weight: bold; color: #7a3e00; } }\n"
    )


#: catalogue key of each label a statement shows (toolkit/catalogue/statements.yaml, report.yaml)
KEYS = {
    "title": "statement_title",
    "unit": "statement_unit",
    "township": "township_name_col",
    "community": "community_name_col",
    "year": "statement_year",
    "item": "profile_item",
    "amount": "amount_yuan",
    "how": "statement_how",
    "paid": "statement_paid",
    "process": "statement_process",
    "objective": "statement_objective",
    "params": "statement_params",
    "project": "statement_project",
    "basis": "statement_basis",
    "quarters": "statement_quarters",
    "coef": "statement_coef",
    "indicator": "indicator_column",
    "value": "statement_value",
    "benchmark": "statement_benchmark",
    "result": "statement_result",
    "share": "statement_share",
    "parameter": "parameter",
    "setting": "statement_setting",
    "source": "statement_source",
    "sign_unit": "statement_sign_unit",
    "sign_clerk": "statement_sign_clerk",
    "sign_date": "statement_sign_date",
}
#: widths (percent) of the parameter table's columns: label, value, source (English labels are longer)
PARAMETER_WIDTHS = {"zh": (24, 33, 43), "en": (37, 27, 36)}


def t(key: str, lang: str) -> str:
    """The statement's label ``key`` (a key of :data:`KEYS`) in ``lang``."""
    return text(KEYS[key], lang)


def heading(st: UnitStatement, lang: str) -> str:
    """濉溪县 2024年 健康管理单元结算单 / Health management unit settlement statement · <county> · <year>."""
    return text("statement_heading", lang, county=st.county_name, year=st.year, title=t("title", lang))


def credits_basis(credits: str, yuan_per_credit: str, lang: str) -> str:
    """A two-card sub-project's basis: calibrated credits × yuan per credit."""
    return text("statement_credits_basis", lang, credits=credits, yuan_per_credit=yuan_per_credit)


def documents_line(docs: list[str], lang: str, quote=lambda d: d) -> str:
    """依据文件：… — the policy documents the parameters cite, each passed through ``quote``."""
    sep = text("statement_documents_sep", lang)
    return text("statement_documents", lang, documents=sep.join(quote(d) for d in docs))


def format_number(v, fmt: str = "{:,.2f}") -> str:
    """``v`` in ``fmt`` (money with thousands separators by default); a missing value is ``—``."""
    return "—" if v is None or pd.isna(v) else fmt.format(v)


def format_indicator_value(v: float, indicator: str) -> str:
    """A quality indicator's value as the statement shows it: credits as a number, shares in percent."""
    if pd.isna(v):
        return "—"
    return f"{v:g}" if indicator == "health_education_credits" else f"{v:.2%}"


def synthetic_banner(lang: str) -> str:
    """The 示例数据 · synthetic data line of a statement made from synthetic data, in the report pages'
    ``toolkit-synthetic`` box (its style: toolkit.report.print_css; made compact by :func:`synthetic_css`)."""
    return f'<div class="toolkit-synthetic" role="note">{escape(text("statement_synthetic_banner", lang))}</div>'


def unit_html(st: UnitStatement, lang: str = "zh", synthetic: bool = False) -> str:
    """One unit's statement as an HTML fragment (a ``<section class="unit">``); ``synthetic``: the
    dataset's manifest says the synthetic generator made it, and each page says so (the banner)."""
    e = escape
    banner = [synthetic_banner(lang)] if synthetic else []
    out = [f'<section class="unit" lang="{html_lang(lang)}">', *banner]
    out.append(f"<h1>{e(heading(st, lang))}</h1>")
    who = (
        ("unit", f"<b>{e(st.unit_name)}</b>"),
        ("township", e(st.township_name)),
        ("community", e(st.community_name)),
        ("year", st.year),
    )
    cells = "".join(f"<td>{text('statement_field', lang, label=e(t(k, lang)), value=v)}</td>" for k, v in who)
    out.append(f'<table class="who"><tr>{cells}</tr></table>')
    out.append(
        '<table class="lines"><colgroup><col class="label"><col class="amount"><col class="note"><col class="paid"></colgroup>'
        f"<tr><th>{e(t('item', lang))}</th><th>{e(t('amount', lang))}</th><th>{e(t('how', lang))}</th><th>{e(t('paid', lang))}</th></tr>"
    )
    for s in st.sections:
        out.append(f'<tr class="section"><td colspan="4">{e(localized(s, "title", lang))}</td></tr>')
        for line in s.lines:
            cls = "total" if line.key == "total" else "subtotal" if line.subtotal else ""
            amount = yuan(line.amount_fen) if line.amount_fen is not None else e(localized(line, "value", lang))
            out.append(
                f'<tr class="{cls}"><td>{e(localized(line, "label", lang))}</td>'
                f'<td class="amount">{amount}</td><td class="small">{e(localized(line, "note", lang))}</td>'
                f'<td class="num">{"✓" if line.paid else ""}</td></tr>'
            )
    out.append("</table>")
    out.append(f'<p class="small">{e(localized(st, "rounding", lang))}<br>{e(localized(st, "gate", lang))}</p>')
    warning = localized(st, "warning", lang)
    if warning:  # a plausibility warning on the data (toolkit.report.plausibility_notes)
        out.append(f'<p class="small warning" role="note">{e(warning)}</p>')
    out.append(
        '<table class="sign"><tr>'
        f"<td>{e(t('sign_unit', lang))}</td><td>{e(t('sign_clerk', lang))}</td><td>{e(t('sign_date', lang))}</td></tr></table>"
    )
    # page 2: the detail behind the public-health lines and the parameters
    out.append('<div class="page2">')
    out += banner
    out.append(f"<p><b>{e(t('process', lang))}</b></p>")
    out.append(
        '<table class="detail"><colgroup><col style="width:34%"><col style="width:20%"><col style="width:22%">'
        '<col style="width:10%"><col style="width:14%"></colgroup>'
        f"<tr><th>{e(t('project', lang))}</th><th>{e(t('basis', lang))}</th><th>{e(t('quarters', lang))}</th>"
        f"<th>{e(t('coef', lang))}</th><th>{e(t('amount', lang))}</th></tr>"
    )
    for r in st.process:
        basis = (
            credits_basis(format_number(r.basis, "{:,.1f}"), format_number(r.yuan_per_credit, "{:g}"), lang)
            if r.two_card
            else format_number(r.planned_amount)
        )
        quarters = " · ".join(format_number(getattr(r, f"score_q{q}"), "{:g}") for q in (1, 2, 3, 4))
        out.append(
            f"<tr><td>{e(localized(r, 'project', lang))}</td><td class='num'>{e(basis)}</td>"
            f"<td class='num'>{quarters}</td><td class='num'>{format_number(r.quality_coefficient, '{:.4f}')}</td>"
            f"<td class='num'>{yuan(r.amount_fen)}</td></tr>"
        )
    out.append("</table>")
    out.append(f"<p><b>{e(t('objective', lang))}</b></p>")
    out.append(
        '<table class="detail"><colgroup><col style="width:40%"><col style="width:13%"><col style="width:13%">'
        '<col style="width:10%"><col style="width:12%"><col style="width:12%"></colgroup>'
        f"<tr><th>{e(t('indicator', lang))}</th><th>{e(t('value', lang))}</th><th>{e(t('benchmark', lang))}</th>"
        f"<th>{e(t('result', lang))}</th><th>{e(t('share', lang))}</th><th>{e(t('amount', lang))}</th></tr>"
    )
    for r in st.objective:
        out.append(
            f"<tr><td>{e(localized(r, 'indicator', lang))}</td>"
            f"<td class='num'>{format_indicator_value(r.value, r.indicator)}</td><td class='num'>{format_indicator_value(r.benchmark, r.indicator)}</td>"
            f"<td>{e(localized(r, 'result', lang))}</td><td class='num'>{yuan(r.share_fen)}</td>"
            f"<td class='num'>{yuan(r.amount_fen)}</td></tr>"
        )
    out.append("</table>")
    digest = text("statement_digest_note", lang, digest=st.params_digest[:12])
    out.append(f"<p><b>{e(t('params', lang))}</b>{e(digest)}</p>")
    out.append(
        '<table class="detail"><colgroup>'
        + ("".join(f'<col style="width:{w}%">' for w in PARAMETER_WIDTHS[lang]))
        + "</colgroup>"
        + f"<tr><th>{e(t('parameter', lang))}</th><th>{e(t('setting', lang))}</th><th>{e(t('source', lang))}</th></tr>"
    )
    for r in st.parameter_rows:
        out.append(
            f"<tr><td>{e(localized(r, 'label', lang))}</td>"
            f"<td>{e(localized(r, 'value', lang))}</td>"
            f"<td>{e(localized(r, 'source', lang))}</td></tr>"
        )
    out.append("</table>")
    docs = localized(st, "documents", lang)
    if docs:
        out.append(f'<p class="small">{documents_line(docs, lang, e)}</p>')
    out.append("</div></section>")
    return "\n".join(out)


def page_title(statements: list[UnitStatement], lang: str = "zh") -> str:
    """健康管理单元结算单 · <unit or county> · <year>: the unit's name for one statement, else the county's."""
    if not statements:
        return t("title", lang)
    who = statements[0].unit_name if len(statements) == 1 else statements[0].county_name
    return f"{t('title', lang)} · {who} · {statements[0].year}"


def _document(bodies: list[str], head: str, lang: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(head)}</title></head><body>\n" + "\n".join(bodies) + "\n</body></html>\n"
    )


def _finish(doc: str, head: str, lang: str, chars: set[str] | None, synthetic: bool = False) -> str:
    from toolkit.report.webfont import finish_page

    page = finish_page(doc, title=head, lang=html_lang(lang), chars=chars)
    css = CSS + (synthetic_css(lang) if synthetic else "")
    return page.replace("</head>", f'<style id="statement-style">{css}</style>\n</head>', 1)


def statements_html(
    statements: list[UnitStatement], lang: str = "zh", title: str | None = None, synthetic: bool = False
) -> str:
    """A complete HTML page with one or more unit statements, a page break before each."""
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be zh or en, not {lang!r}")
    head = title or page_title(statements, lang)
    doc = _document([unit_html(s, lang, synthetic) for s in statements], head, lang)
    return _finish(doc, head, lang, None, synthetic)


def statement_pages(
    statements: list[UnitStatement], lang: str = "zh", combined: str = "all_units", synthetic: bool = False
) -> dict[str, str]:
    """``<unit_id>`` → the unit's page, and ``combined`` → the county's page with every unit.

    Each unit is laid out once; every page embeds the same font subset, holding the characters of
    all of them (a subset per page would be cut once per unit)."""
    from toolkit.report.print_css import page_css
    from toolkit.report.webfont import page_characters

    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be zh or en, not {lang!r}")
    bodies = [unit_html(s, lang, synthetic) for s in statements]
    docs = {st.unit_id: ([body], page_title([st], lang)) for st, body in zip(statements, bodies)}
    docs[combined] = (bodies, page_title(statements, lang))
    made = {key: (_document(b, head, lang), head) for key, (b, head) in docs.items()}
    page_lang = html_lang(lang)
    chars: set[str] = set()
    for doc, head in made.values():
        chars |= page_characters(doc) | set(page_css(head, page_lang))
    return {key: _finish(doc, head, lang, chars, synthetic) for key, (doc, head) in made.items()}
