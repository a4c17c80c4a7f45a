"""Report sections of the national evaluation system (seed 004; rules.md §9–11).

* :func:`monitoring_section` — the 20 monitoring indicators (附2) and family-doctor contracting of
  the county-year, each with numerator and denominator, or "无法计算：缺少 table.column";
* :func:`criteria_section` / :func:`criteria_overview` — the 评判标准 "x / 10" by dimension, given
  vs derived (附1);
* :func:`assessment_section` / :func:`assessment_overview` — the points of the default scheme
  (Sichuan "一个总额付费", params/schemes/) for the county's medical communities / all of them.

Chinese first: in a ``zh`` report every label and note is Chinese (ids and ``table.column``
names are the data contract's and stay as they are). Every heading, column name and sentence is an
entry of the catalogue (``toolkit/catalogue/national.yaml``, and ``report.yaml`` for the shared
column names); the lower layers' English notes ("not computable: needs …", the basis of a score)
are read by the English of a catalogue entry and shown in its Chinese. ``both`` gives
``中文 / English`` throughout.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from functools import cache

import pandas as pd

from toolkit.catalogue import choose, localized, text
from toolkit.errors import ToolkitError
from toolkit.report.bundle import Bundle
from toolkit.report.context import ReportContext
from toolkit.report.labels import label
from toolkit.report.tables import HtmlTable, fmt_number, fmt_pct, fmt_yuan, unit_text
from toolkit.report.text import Markdown

PERCENT_UNITS = ("fraction",)
#: results shared by the reports of one batch kernel (same dataset): computed once per data hash
_SHARED: dict = {}
#: the reasons of a "not computable" note (catalogue keys), most specific first
NOTE_REASONS = (
    "national_note_no_table",
    "national_note_empty_cells",
    "national_note_county_rows_in_community",
    "national_note_county_rows_of_level",
    "national_note_county_rows",
    "national_note_community_rows_in_community",
    "national_note_community_rows_of_level",
    "national_note_community_rows",
    "national_note_no_breakdown",
    "national_note_no_community_breakdown",
    "national_note_last_year",
    "national_note_no_county_year",
    "national_note_no_unit",
    "national_note_needs",
)
#: the bases of an assessment score (catalogue keys)
BASES = ("national_basis_change", "national_basis_rank", "national_basis_value")


def _shared(ctx: ReportContext, what: tuple, compute):
    key = (getattr(ctx.dataset, "data_hash", None), tuple(sorted(ctx.tables)), *what)
    if key not in _SHARED:
        if len(_SHARED) > 8:
            _SHARED.clear()
        _SHARED[key] = compute()
    return _SHARED[key]


def _in(lang: str, build: Callable[[str], str]) -> str:
    """``build(lang)`` for a text whose fields are themselves in the language (a list of localized
    names); ``both`` joins the Chinese and the English text (``中文 / English``)."""
    return choose((build("zh"), build("en")), lang)


def _fmt(value, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit in PERCENT_UNITS:
        return fmt_pct(value)
    if unit == "yuan":
        return fmt_yuan(value, 0)
    if unit == "count":
        return fmt_number(value, 0)
    return fmt_number(value, 2)


@cache
def _english_pattern(key: str) -> re.Pattern:
    """The catalogue entry's English as a pattern matching a whole text, one group per field."""
    parts = []
    for literal, field, _, _ in string.Formatter().parse(text(key, "en")):
        parts.append(re.escape(literal))
        if field:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts))


def _read_english(english: str, keys) -> str | None:
    """The Chinese of a lower layer's English sentence: the first catalogue entry of ``keys`` whose
    English matches all of it, its fields carried over (None when none matches)."""
    for key in keys:
        found = _english_pattern(key).fullmatch(english)
        if found:
            return text(key, "zh", **found.groupdict())
    return None


def _note_zh(note: str) -> str:
    found = _english_pattern("national_note_not_computable").fullmatch(note)
    if not found:
        return note
    reason = found["reason"]
    return text("national_note_not_computable", "zh", reason=_read_english(reason, NOTE_REASONS) or reason)


def note_text(note: str, lang: str) -> str:
    """A "not computable" note in the report language (table and column names stay as they are)."""
    if not note:
        return note
    return choose((_note_zh(note), note), lang)


def _source(ctx: ReportContext, indicators=()) -> str:
    """The 资料来源 line under a table (toolkit.report.county.source_text)."""
    from toolkit.report.county import source_text

    return source_text(ctx, indicators)


def _heading(title: str) -> Markdown:
    return Markdown(f"## {title}")


def monitoring_frame(ctx: ReportContext) -> pd.DataFrame:
    """The county-year's monitoring (附2) and family-doctor rows, every indicator present."""
    from toolkit.indicators import compute_indicators
    from toolkit.indicators.registry import load_registry

    allrows = _shared(ctx, ("indicators",), lambda: compute_indicators(ctx.tables, include_not_computable=True))
    mine = allrows.loc[(allrows["county_id"] == ctx.county_id) & (allrows["year"] == ctx.year)].set_index("indicator")
    rows = []
    for ind in load_registry():
        if ind.set not in ("monitoring", "family_doctor"):
            continue
        r = mine.loc[ind.id] if ind.id in mine.index else None
        note = "" if r is None else str(r["note"])
        rows.append(
            {
                "number": ind.number or "",
                "indicator": ind.id,
                "name_zh": ind.name_zh,
                "name_en": ind.name_en,
                "unit": ind.unit,
                "value": math.nan if r is None else r["value"],
                "numerator": math.nan if r is None else r["numerator"],
                "denominator": math.nan if r is None else r["denominator"],
                "note": note if r is not None else "not computable: no data for this county-year",
                "remark_zh": ind.note_zh or "",
                "remark_en": ind.note or "",
            }
        )
    return pd.DataFrame(rows)


def monitoring_section(ctx: ReportContext) -> Bundle:
    """The national monitoring indicator system for the county-year (seed 004 附2)."""
    lang = ctx.lang
    f = monitoring_frame(ctx)
    table = pd.DataFrame(
        {
            text("national_number_col", lang): f["number"],
            text("indicator_column", lang): localized(f, "name", lang),
            f"{ctx.year}": [_fmt(v, u) for v, u in zip(f["value"], f["unit"])],
            label("unit", lang): [unit_text(u, lang) for u in f["unit"]],
            text("numerator", lang): [fmt_number(v, 2) if not pd.isna(v) else "—" for v in f["numerator"]],
            text("denominator", lang): [fmt_number(v, 2) if not pd.isna(v) else "—" for v in f["denominator"]],
            text("note", lang): [
                note_text(n, lang) or choose((rz, rn), lang)
                for n, rz, rn in zip(f["note"], f["remark_zh"], f["remark_en"])
            ],
        }
    )
    n_ok = int((f["note"] == "").sum())
    summary = text("national_monitoring_summary", lang, total=len(f), computable=n_ok)
    caption = f"{ctx.county_name} · {ctx.year} · " + text("national_monitoring_caption", lang)
    return Bundle(
        [
            _heading(text("national_monitoring_heading", lang)),
            HtmlTable(table, caption=caption, source=_source(ctx, list(f["indicator"]))),
            Markdown(summary),
        ],
        summary=summary,
    )


def _settlement(ctx: ReportContext):
    return ctx._memo.get("settlement")  # the county report's settlement, when it computed one


def _mark(met, lang: str) -> str:
    return "—" if pd.isna(met) else text("yes" if bool(met) else "no", lang)


def _evidence(evidence: str, lang: str) -> str:
    """The criteria module's evidence; a derived one (its English) reads 依据结算数据推导 in Chinese."""
    derived = str(evidence).startswith(text("national_evidence_derived", "en"))
    return choose((text("national_evidence_derived", "zh") if derived else evidence, evidence), lang)


def criteria_section(ctx: ReportContext) -> Bundle:
    """The 评判标准 of the county-year: each criterion met or not, given or derived, and "x / 10"."""
    from toolkit.indicators.criteria import criteria_score, criteria_table

    lang = ctx.lang
    t = criteria_table(ctx.tables, ctx.county_id, int(ctx.year), _settlement(ctx))
    table = pd.DataFrame(
        {
            text("national_dimension_col", lang): localized(t, "dimension", lang),
            text("national_criterion_col", lang): [
                f"{n}. {choose((z, e), lang)}" for n, z, e in zip(t["number"], t["name_zh"], t["name_en"])
            ],
            text("national_met_col", lang): [_mark(m, lang) for m in t["met"]],
            text("source", lang): [text(f"national_source_{s}", lang) for s in t["source"]],
            text("national_derived_col", lang): [_mark(m, lang) for m in t["derived_met"]],
            text("national_evidence_col", lang): [_evidence(e, lang) for e in t["evidence"]],
        }
    )
    score = criteria_score(t)
    total = score.loc[score["dimension"] == "all"].iloc[0]
    dims = [r for r in score.itertuples() if r.dimension != "all"]

    def sentence(lg: str) -> str:
        by_dimension = text("national_list_separator", lg).join(
            f"{localized(r, 'dimension', lg)} {r.result}" for r in dims
        )
        not_given = text("national_criteria_not_given", lg, n=total["unknown"]) if total["unknown"] else ""
        return text(
            "national_criteria_summary", lg, result=total["result"], by_dimension=by_dimension, not_given=not_given
        )

    summary = _in(lang, sentence)
    return Bundle(
        [
            _heading(text("national_criteria_heading", lang)),
            HtmlTable(table, caption=f"{ctx.county_name} · {ctx.year}", source=_source(ctx)),
            Markdown(summary),
        ],
        summary=summary,
    )


def criteria_overview(ctx: ReportContext) -> Bundle:
    """Every county's 评判标准 result of the year by dimension (province overview)."""
    from toolkit.indicators.criteria import load_criteria, province_criteria

    lang = ctx.lang
    prov = province_criteria(ctx.tables, int(ctx.year))
    if prov.empty:
        note = text("national_no_county_year", lang)
        return Bundle([Markdown(note)], summary=note)
    dims, crits = load_criteria()
    names = getattr(ctx, "county_names", {}) or {}
    table = pd.DataFrame({text("county", lang): [names.get(c, c) for c in prov["county_id"]]})
    for d in dims:
        table[localized(d, "name", lang)] = prov[d.id]
    table[text("total", lang)] = [f"{m} / {len(crits)}" for m in prov["met"]]
    table[text("national_not_given_col", lang)] = prov["unknown"]
    summary = text(
        "national_criteria_overview_summary",
        lang,
        year=ctx.year,
        n=len(prov),
        median=f"{prov['met'].median():g}",
        out_of=len(crits),
    )
    return Bundle(
        [
            _heading(text("national_criteria_overview_heading", lang)),
            HtmlTable(table, source=_source(ctx)),
            Markdown(summary),
        ],
        summary=summary,
    )


def _assessment(ctx: ReportContext, scheme_name: str | None):
    from toolkit.indicators.assessment import DEFAULT_SCHEME, load_scheme, score

    scheme = load_scheme(scheme_name or DEFAULT_SCHEME)
    return _shared(
        ctx, ("assessment", scheme.digest, int(ctx.year)), lambda: (scheme, *score(ctx.tables, scheme, int(ctx.year)))
    )


def _no_assessment(err: ToolkitError, lang: str) -> Bundle:
    note = _in(
        lang,
        lambda lg: text("national_no_assessment", lg, reason=text("national_assessment_reason", lg, text=err.message)),
    )
    return Bundle([Markdown(note)], summary=note)


def _assessment_heading(scheme, lang: str) -> Markdown:
    return _heading(_in(lang, lambda lg: text("national_assessment_heading", lg, scheme=localized(scheme, "name", lg))))


def _totals_table(scheme, totals: pd.DataFrame, lang: str) -> pd.DataFrame:
    table = pd.DataFrame({text("community_name_col", lang): totals["entity_id"]})
    for d in scheme.dimensions:
        column = _in(
            lang,
            lambda lg, d=d: text(
                "national_dimension_points_col", lg, dimension=localized(d, "name", lg), points=f"{d.points:g}"
            ),
        )
        table[column] = [fmt_number(v, 1) for v in totals[d.id]]
    table[text("national_total_points_col", lang)] = [fmt_number(v, 1) for v in totals["total"]]
    table[text("national_points_with_data_col", lang)] = [fmt_number(v, 0) for v in totals["points_possible"]]
    return table


def assessment_section(ctx: ReportContext, scheme_name: str | None = None) -> Bundle:
    """The county's medical communities scored on the scheme (default: Sichuan "一个总额付费")."""
    lang = ctx.lang
    try:
        scheme, points, totals = _assessment(ctx, scheme_name)
    except ToolkitError as err:
        return _no_assessment(err, lang)
    mine = totals.loc[totals["county_id"] == ctx.county_id] if len(totals) else totals
    detail = points.loc[points["county_id"] == ctx.county_id]
    if mine.empty:
        note = text("national_no_county_community", lang)
        return Bundle([Markdown(note)], summary=note)
    from toolkit.indicators.registry import registry_by_id

    reg = registry_by_id()
    items = pd.DataFrame(
        {
            text("national_community_col", lang): detail["entity_id"],
            text("indicator_column", lang): [localized(reg[i], "name", lang) for i in detail["indicator"]],
            text("national_method_col", lang): [text(f"national_method_{m}", lang) for m in detail["method"]],
            text("national_points_col", lang): [
                f"{p:.1f} / {q:g}" for p, q in zip(detail["points"], detail["points_possible"])
            ],
            text("note", lang): [
                note_text(n, lang) or basis_text(b, lang) for n, b in zip(detail["note"], detail["basis"])
            ],
        }
    )

    def sentence(lg: str) -> str:
        scores = text("national_list_separator", lg).join(
            text("national_community_score", lg, community=r.entity_id, points=f"{r.total:.1f}", out_of=f"{r.out_of:g}")
            for r in mine.itertuples()
        )
        return text("national_scores_summary", lg, scores=scores)

    summary = _in(lang, sentence)
    return Bundle(
        [
            _assessment_heading(scheme, lang),
            HtmlTable(
                _totals_table(scheme, mine, lang), caption=f"{ctx.county_name} · {ctx.year}", source=_source(ctx)
            ),
            HtmlTable(items, source=_source(ctx)),
            Markdown(summary),
        ],
        summary=summary,
    )


def assessment_overview(ctx: ReportContext, scheme_name: str | None = None) -> Bundle:
    """Every medical community of the province scored on the scheme, best first."""
    lang = ctx.lang
    try:
        scheme, _, totals = _assessment(ctx, scheme_name)
    except ToolkitError as err:
        return _no_assessment(err, lang)
    if totals.empty:
        note = text("national_no_community", lang)
        return Bundle([Markdown(note)], summary=note)
    ordered = totals.sort_values(["total", "entity_id"], ascending=[False, True], kind="mergesort")
    summary = text(
        "national_assessment_overview_summary",
        lang,
        year=ctx.year,
        n=len(ordered),
        median=f"{ordered['total'].median():.1f}",
        out_of=f"{scheme.total_points:g}",
    )
    return Bundle(
        [
            _assessment_heading(scheme, lang),
            HtmlTable(_totals_table(scheme, ordered, lang), source=_source(ctx)),
            Markdown(summary),
        ],
        summary=summary,
    )


def basis_text(basis: str, lang: str) -> str:
    """The assessment module's basis of a score (its English) in the report language."""
    if not basis:
        return basis
    return choose((_read_english(basis, BASES) or basis, basis), lang)
