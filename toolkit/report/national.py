"""Report sections of the national evaluation system (seed 004; rules.md §9–11).

* :func:`monitoring_section` — the 20 monitoring indicators (附2) and family-doctor contracting of
  the county-year, each with numerator and denominator, or "无法计算：缺少 table.column";
* :func:`criteria_section` / :func:`criteria_overview` — the 评判标准 "x / 10" by dimension, given
  vs derived (附1);
* :func:`assessment_section` / :func:`assessment_overview` — the points of the default scheme
  (Sichuan "一个总额付费", params/schemes/) for the county's medical communities / all of them.

Chinese first: in a ``zh`` report every label and note is Chinese (ids and ``table.column``
names are the data contract's and stay as they are).
"""

from __future__ import annotations

import math
import re

import pandas as pd

from toolkit.errors import ToolkitError
from toolkit.report.bundle import Bundle
from toolkit.report.context import ReportContext
from toolkit.report.labels import label
from toolkit.report.tables import HtmlTable, fmt_number, fmt_pct, fmt_yuan, unit_text
from toolkit.report.text import Markdown

PERCENT_UNITS = ("fraction",)
#: results shared by the reports of one batch kernel (same dataset): computed once per data hash
_SHARED: dict = {}


def _shared(ctx: ReportContext, what: tuple, compute):
    key = (getattr(ctx.dataset, "data_hash", None), tuple(sorted(ctx.tables)), *what)
    if key not in _SHARED:
        if len(_SHARED) > 8:
            _SHARED.clear()
        _SHARED[key] = compute()
    return _SHARED[key]


def _zh(ctx: ReportContext) -> bool:
    return ctx.lang == "zh"


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


def note_text(note: str, zh: bool) -> str:
    """A "not computable" note in the report language (table and column names stay as they are)."""
    if not note or not zh:
        return note
    text = note.replace("not computable: ", "无法计算：")
    for en, cn in (
        ("needs ", "缺少 "),
        (" (no ", "（数据中无 "),
        (" table)", " 表）"),
        (" (empty cells)", "（有空单元格）"),
        (" rows (level ", " 数据行（层级 "),
        (" rows (community_id given)", " 数据行（属于医共体）"),
        (") for this county", "）"),
        (" rows for this county", " 数据行"),
        (" for this county", ""),
        ("county_year has no medical community breakdown", "county_year 无分医共体数据"),
    ):
        text = text.replace(en, cn)
    return re.sub(r" ?\(county (\w+) has several communities\)", r"（县 \1 有多个医共体）", text)


def _source(ctx: ReportContext, indicators=()) -> str:
    """The 资料来源 line under a table (toolkit.report.county.source_text)."""
    from toolkit.report.county import source_text

    return source_text(ctx, indicators)


def _heading(zh_text: str, en_text: str, zh: bool) -> Markdown:
    return Markdown(f"## {zh_text if zh else en_text}")


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
    zh = _zh(ctx)
    f = monitoring_frame(ctx)
    table = pd.DataFrame(
        {
            "序号" if zh else "No.": f["number"],
            "指标" if zh else "Indicator": f["name_zh"] if zh else f["name_en"],
            f"{ctx.year}": [_fmt(v, u) for v, u in zip(f["value"], f["unit"])],
            label("unit", "zh" if zh else "en"): [unit_text(u, "zh" if zh else "en") for u in f["unit"]],
            "分子" if zh else "Numerator": [fmt_number(v, 2) if not pd.isna(v) else "—" for v in f["numerator"]],
            "分母" if zh else "Denominator": [fmt_number(v, 2) if not pd.isna(v) else "—" for v in f["denominator"]],
            "说明" if zh else "Note": [
                note_text(n, zh) or (rz if zh else re) for n, rz, re in zip(f["note"], f["remark_zh"], f["remark_en"])
            ],
        }
    )
    n_ok = int((f["note"] == "").sum())
    summary = (
        f"国家监测指标：{len(f)} 项中 {n_ok} 项可计算。"
        if zh
        else f"National monitoring indicators: {n_ok} of {len(f)} computable."
    )
    caption = f"{ctx.county_name} · {ctx.year} · " + ("县域医共体建设监测指标" if zh else "Monitoring indicators")
    return Bundle(
        [
            _heading("县域医共体建设监测评价指标（附2）", "National monitoring indicators (seed 004 附2)", zh),
            HtmlTable(table, caption=caption, source=_source(ctx, list(f["indicator"]))),
            Markdown(summary),
        ],
        summary=summary,
    )


def _settlement(ctx: ReportContext):
    return ctx._memo.get("settlement")  # the county report's settlement, when it computed one


def criteria_section(ctx: ReportContext) -> Bundle:
    """The 评判标准 of the county-year: each criterion met or not, given or derived, and "x / 10"."""
    from toolkit.indicators.criteria import criteria_score, criteria_table

    zh = _zh(ctx)
    t = criteria_table(ctx.tables, ctx.county_id, int(ctx.year), _settlement(ctx))
    mark = {True: "是" if zh else "yes", False: "否" if zh else "no"}
    src = {
        "given": "填报" if zh else "given",
        "derived": "由结算推导" if zh else "derived",
        "missing": "未填报" if zh else "missing",
    }
    table = pd.DataFrame(
        {
            "维度" if zh else "Dimension": t["dimension_zh"] if zh else t["dimension_en"],
            "评判标准" if zh else "Criterion": [
                f"{n}. {z if zh else e}" for n, z, e in zip(t["number"], t["name_zh"], t["name_en"])
            ],
            "是否达到" if zh else "Met": ["—" if pd.isna(m) else mark[bool(m)] for m in t["met"]],
            "来源" if zh else "Source": [src[s] for s in t["source"]],
            "推导结果" if zh else "Derived": ["—" if pd.isna(m) else mark[bool(m)] for m in t["derived_met"]],
            "佐证" if zh else "Evidence": t["evidence"] if not zh else [_evidence_zh(e) for e in t["evidence"]],
        }
    )
    score = criteria_score(t)
    total = score.loc[score["dimension"] == "all"].iloc[0]
    by_dim = "；".join(f"{r.dimension_zh} {r.result}" for r in score.itertuples() if r.dimension != "all")
    by_dim_en = "; ".join(f"{r.dimension_en} {r.result}" for r in score.itertuples() if r.dimension != "all")
    summary = (
        f"评判标准达到 {total['result']}（{by_dim}）"
        + (f"，{total['unknown']} 项未填报" if total["unknown"] else "")
        + "。"
        if zh
        else f"Criteria met: {total['result']} ({by_dim_en})"
        + (f"; {total['unknown']} not given" if total["unknown"] else "")
        + "."
    )
    return Bundle(
        [
            _heading("紧密型县域医共体评判标准（附1）", "Assessment criteria (seed 004 附1)", zh),
            HtmlTable(table, caption=f"{ctx.county_name} · {ctx.year}", source=_source(ctx)),
            Markdown(summary),
        ],
        summary=summary,
    )


def _evidence_zh(text: str) -> str:
    if text.startswith("derived from the settlement"):
        return "依据结算数据推导"
    return text


def criteria_overview(ctx: ReportContext) -> Bundle:
    """Every county's 评判标准 result of the year by dimension (province overview)."""
    from toolkit.indicators.criteria import load_criteria, province_criteria

    zh = _zh(ctx)
    prov = province_criteria(ctx.tables, int(ctx.year))
    if prov.empty:
        note = "数据中无县年度数据。" if zh else "No county_year data."
        return Bundle([Markdown(note)], summary=note)
    dims, crits = load_criteria()
    names = getattr(ctx, "county_names", {}) or {}
    table = pd.DataFrame({"县" if zh else "County": [names.get(c, c) for c in prov["county_id"]]})
    for d in dims:
        table[d.name_zh if zh else d.name_en] = prov[d.id]
    table["合计" if zh else "Total"] = [f"{m} / {len(crits)}" for m in prov["met"]]
    table["未填报" if zh else "Not given"] = prov["unknown"]
    summary = (
        f"{ctx.year} 年 {len(prov)} 个县评判标准达到项数中位数 {prov['met'].median():g} / {len(crits)}。"
        if zh
        else f"{ctx.year}: median criteria met across {len(prov)} counties {prov['met'].median():g} / {len(crits)}."
    )
    return Bundle(
        [
            _heading("评判标准（附1）", "Assessment criteria (seed 004 附1)", zh),
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


def _totals_table(scheme, totals: pd.DataFrame, zh: bool) -> pd.DataFrame:
    table = pd.DataFrame({"医共体" if zh else "Medical community": totals["entity_id"]})
    for d in scheme.dimensions:
        table[f"{d.name_zh if zh else d.name_en}（{d.points:g}）" if zh else f"{d.name_en} ({d.points:g})"] = [
            fmt_number(v, 1) for v in totals[d.id]
        ]
    table["总分" if zh else "Total"] = [fmt_number(v, 1) for v in totals["total"]]
    table["有数据的分值" if zh else "Points with data"] = [fmt_number(v, 0) for v in totals["points_possible"]]
    return table


def assessment_section(ctx: ReportContext, scheme_name: str | None = None) -> Bundle:
    """The county's medical communities scored on the scheme (default: Sichuan "一个总额付费")."""
    zh = _zh(ctx)
    try:
        scheme, points, totals = _assessment(ctx, scheme_name)
    except ToolkitError as err:
        note = "无法考核：数据中无该年度可考核的医共体。" if zh else f"No assessment: {err.message}"
        return Bundle([Markdown(note)], summary=note)
    mine = totals.loc[totals["county_id"] == ctx.county_id] if len(totals) else totals
    detail = points.loc[points["county_id"] == ctx.county_id]
    if mine.empty:
        note = "本县无可考核的医共体数据。" if zh else "No medical community of this county could be scored."
        return Bundle([Markdown(note)], summary=note)
    from toolkit.indicators.registry import registry_by_id

    reg = registry_by_id()
    items = pd.DataFrame(
        {
            "医共体" if zh else "Community": detail["entity_id"],
            "指标" if zh else "Indicator": [reg[i].name_zh if zh else reg[i].name_en for i in detail["indicator"]],
            "方法" if zh else "Method": [_method(m, zh) for m in detail["method"]],
            "得分" if zh else "Points": [
                f"{p:.1f} / {q:g}" for p, q in zip(detail["points"], detail["points_possible"])
            ],
            "说明" if zh else "Note": [
                note_text(n, zh) or _basis(b, zh) for n, b in zip(detail["note"], detail["basis"])
            ],
        }
    )
    summary = (
        "；".join(f"{r.entity_id} 得分 {r.total:.1f} / {r.out_of:g}" for r in mine.itertuples()) + "。"
        if zh
        else "; ".join(f"{r.entity_id}: {r.total:.1f} / {r.out_of:g}" for r in mine.itertuples()) + "."
    )
    return Bundle(
        [
            _heading(f"医共体考核：{scheme.name_zh}", f"Assessment: {scheme.name_en}", zh),
            HtmlTable(_totals_table(scheme, mine, zh), caption=f"{ctx.county_name} · {ctx.year}", source=_source(ctx)),
            HtmlTable(items, source=_source(ctx)),
            Markdown(summary),
        ],
        summary=summary,
    )


def assessment_overview(ctx: ReportContext, scheme_name: str | None = None) -> Bundle:
    """Every medical community of the province scored on the scheme, best first."""
    zh = _zh(ctx)
    try:
        scheme, _, totals = _assessment(ctx, scheme_name)
    except ToolkitError as err:
        note = "无法考核：数据中无该年度可考核的医共体。" if zh else f"No assessment: {err.message}"
        return Bundle([Markdown(note)], summary=note)
    if totals.empty:
        note = "数据中无可考核的医共体。" if zh else "No medical community could be scored."
        return Bundle([Markdown(note)], summary=note)
    ordered = totals.sort_values(["total", "entity_id"], ascending=[False, True], kind="mergesort")
    summary = (
        f"{ctx.year} 年 {len(ordered)} 个医共体考核得分中位数 {ordered['total'].median():.1f} / {scheme.total_points:g}。"
        if zh
        else f"{ctx.year}: median score of {len(ordered)} medical communities {ordered['total'].median():.1f} / {scheme.total_points:g}."
    )
    return Bundle(
        [
            _heading(f"医共体考核：{scheme.name_zh}", f"Assessment: {scheme.name_en}", zh),
            HtmlTable(_totals_table(scheme, ordered, zh), source=_source(ctx)),
            Markdown(summary),
        ],
        summary=summary,
    )


def _method(method: str, zh: bool) -> str:
    return {
        "yoy": ("与上年同期比", "vs last year"),
        "rank": ("横向比较", "rank"),
        "threshold": ("达标值", "threshold"),
    }[method][0 if zh else 1]


def _basis(basis: str, zh: bool) -> str:
    if not zh:
        return basis
    return (
        basis.replace("change ", "变化 ")
        .replace(" against ", "，对比 ")
        .replace("rank ", "排名 ")
        .replace(" of ", " / ")
        .replace("value ", "数值 ")
    )
