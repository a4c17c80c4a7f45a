"""Presenting a policy scenario: labels, the Excel sheets and a one-page HTML summary with a chart.

Computation lives in :mod:`toolkit.settlement.scenario`; this module only lays its tables out for
a commission: Chinese first (``lang="zh"``), English on request, money in yuan to the fen.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from toolkit.settlement.scenario import MEASURES, ScenarioResult

#: measure → (zh, en)
MEASURE_LABELS = {
    "retained": ("单元留用合计", "kept by the unit"),
    "savings_county": ("县级结余分配", "savings share, county tier"),
    "savings_township": ("乡镇结余分配", "savings share, township tier"),
    "savings_village": ("村级结余分配", "savings share, village tier"),
    "ph_final": ("公卫经费", "public-health amount"),
    "overspend_community": ("医共体承担超支", "overspend carried by the community"),
    "budget": ("包干预算", "capitation budget"),
    "insurer_paid": ("医保基金支付", "paid by the insurer"),
}
SUFFIX_LABELS = {
    "baseline": ("现行", "baseline"),
    "reform": ("改革", "reform"),
    "difference": ("差额", "difference"),
    "change_pct": ("变化率", "change %"),
}
#: other columns → (zh, en)
COLUMN_LABELS = {
    "reform": ("改革方案", "reform"),
    "variant": ("方案", "variant"),
    "county_id": ("县", "county"),
    "county_name": ("县名", "county name"),
    "township_id": ("乡镇", "township"),
    "township_name": ("乡镇名称", "township name"),
    "community_id": ("医共体", "medical community"),
    "community_name": ("医共体名称", "medical community name"),
    "unit_id": ("单元", "unit"),
    "unit_name": ("单元名称", "unit name"),
    "year": ("年度", "year"),
    "tier": ("层级", "tier"),
    "baseline": ("现行", "baseline"),
    "reform_value": ("改革", "reform"),
    "difference": ("差额", "difference"),
    "counties": ("县数", "counties"),
    "units": ("单元数", "units"),
    "changed_parameters": ("调整的参数", "parameters changed"),
    "moved_to_county": ("流向县级", "moved to county tier"),
    "moved_to_township": ("流向乡镇", "moved to township tier"),
    "moved_to_village": ("流向村级", "moved to village tier"),
    "insurer_paid_difference": ("医保支付差额", "insurer payment difference"),
    "budget_difference": ("预算差额", "budget difference"),
    "winners": ("增收单元数", "winners"),
    "losers": ("减收单元数", "losers"),
    "unchanged": ("不变单元数", "unchanged"),
    "max_gain": ("单元最大增收", "largest gain of a unit"),
    "max_loss": ("单元最大减收", "largest loss of a unit"),
    "outcome": ("结果", "outcome"),
    "key": ("参数", "parameter"),
    "label_zh": ("参数名称", "label (zh)"),
    "label_en": ("参数名称(英)", "label (en)"),
    "baseline_value": ("现行取值", "baseline value"),
    "reform_value_text": ("改革取值", "reform value"),
    "reform_since": ("改革起始年", "reform from"),
    "reform_source": ("改革依据", "reform source"),
    "check": ("核对项", "check"),
    "check_zh": ("核对项", "check"),
    "check_id": ("核对编码", "check id"),
    "expected": ("应为", "expected"),
    "found": ("实为", "found"),
    "ok": ("通过", "ok"),
    "note": ("说明", "note"),
}
TIER_LABELS = {"county": ("县级", "county"), "township": ("乡镇", "township"), "village": ("村级", "village")}
OUTCOME_LABELS = {"winner": ("增收", "gains"), "loser": ("减收", "loses"), "unchanged": ("不变", "unchanged")}
SHEET_NAMES = {
    "comparison": ("方案比较", "comparison"),
    "tiers": ("层级资金流动", "tiers"),
    "counties": ("县", "counties"),
    "communities": ("医共体", "communities"),
    "townships": ("乡镇", "townships"),
    "units": ("单元", "units"),
    "changes": ("参数调整", "changes"),
    "checks": ("核对", "checks"),
}
TEXT = {
    "title": ("政策情景测算", "Policy scenario"),
    "intro": (
        "同一数据按现行参数和改革方案各结算一次（濉溪规则，种子文件000 §3.1–3.2），按单元、乡镇、医共体、县比较。"
        "差额 = 改革 − 现行，单位元，精确到分；“单元留用合计” = 三级结余分配 + 公卫经费 − 医共体承担的超支。",
        "The same data settled with the baseline parameters and with each reform (Suixi rules, seed 000 §3.1–3.2), "
        "compared per unit, township, medical community and county. Difference = reform − baseline, in yuan to the fen; "
        "'kept by the unit' = the three tiers' savings shares + public health − the overspend the community carries.",
    ),
    "comparison": ("方案比较（全部所选县）", "Reforms compared (all counties settled)"),
    "tiers_chart": ("结余在县、乡、村三级之间的流动", "Savings moved between the tiers"),
    "counties": ("各县差额", "Difference per county"),
    "changes": ("改革调整的参数", "Parameters the reforms change"),
    "winners": ("增收最多的单元", "Units gaining most"),
    "losers": ("减收最多的单元", "Units losing most"),
    "none": ("无", "none"),
    "provenance": ("数据与参数来源", "Provenance"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1] if lang == "en" else f"{pair[0]} / {pair[1]}"


def column_label(col: str, lang: str = "zh") -> str:
    """The header of an output column (``savings_county_difference`` → 县级结余分配·差额)."""
    if col in COLUMN_LABELS:
        return _pick(COLUMN_LABELS[col], lang)
    for m in MEASURES:
        for suffix, pair in SUFFIX_LABELS.items():
            if col == f"{m}_{suffix}":
                zh, en = f"{MEASURE_LABELS[m][0]}·{pair[0]}", f"{MEASURE_LABELS[m][1]}, {pair[1]}"
                return zh if lang == "zh" else en if lang == "en" else f"{zh} / {col}"
    return col


def _display(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Coded values (tier, outcome) in words for people."""
    out = frame.copy()
    if "tier" in out.columns:
        out["tier"] = [_pick(TIER_LABELS.get(t, (t, t)), lang) for t in out["tier"]]
    if "outcome" in out.columns:
        out["outcome"] = [_pick(OUTCOME_LABELS.get(t, (t, t)), lang) for t in out["outcome"]]
    return out


def workbook_sheets(result: ScenarioResult, lang: str = "zh", notes: list[str] | None = None):
    """One sheet per table, headers in ``lang`` (``both``: 中文 / English)."""
    from toolkit.report.excel import Sheet

    sheets = []
    for name, frame in result.tables().items():
        if name == "checks":  # the full sentences are in scenario_checks.csv; the workbook keeps the verdicts
            text = "check_zh" if lang != "en" and "check_zh" in frame.columns else "check"
            frame = frame[[c for c in ("variant", "county_id", "year", "check_id", text, "ok") if c in frame.columns]]
        shown = _display(frame, lang)
        formats = {}
        for c in shown.columns:
            if c in result.money:
                formats[c] = "yuan"
            elif c.endswith("_change_pct"):
                formats[c] = "pct"
            elif pd.api.types.is_float_dtype(shown[c]):
                formats[c] = "num4"
            elif c in ("year", "reform_since", "since"):
                formats[c] = "int_plain"
            elif not pd.api.types.is_numeric_dtype(shown[c]):
                formats[c] = "text"
        labels = {c: column_label(c, lang) for c in shown.columns}
        sheets.append(
            Sheet(
                name=_pick(SHEET_NAMES[name], "zh" if lang != "en" else "en"),
                frame=shown,
                formats=formats,
                labels=labels,
                notes=notes or [],
            )
        )
    return sheets


def _money(v: float) -> str:
    return "" if pd.isna(v) else f"{v:,.2f}"


def _pct(v: float) -> str:
    return "" if pd.isna(v) else f"{v:+.2%}"


def _table(frame: pd.DataFrame, lang: str, money: frozenset) -> str:
    from toolkit.report.tables import to_html

    return to_html(_formatted(frame, lang, money))


#: bar colours, one per reform: the first of toolkit.report.figures.PALETTE (that module loads matplotlib)
CHART_COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values (1, 2, 5 × 10^k apart) covering ``lo``..``hi`` (which include 0)."""
    span = hi - lo
    if span <= 0:
        return [0.0]
    raw = span / n
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    return [k * step for k in range(first, last + 1)]


def tier_chart_svg(result: ScenarioResult, lang: str = "zh") -> str:
    """Grouped bars: money moved to each tier (x) per reform (legend), in yuan (万元 when large).

    Written as SVG directly: its text is text in the page's font (no font-family of its own, so a
    page with an embedded CJK subset shows it on any machine) and searchable; the same result gives
    the same bytes."""
    comp = result.comparison
    tiers = list(TIER_LABELS)
    values = [[float(row[f"moved_to_{t}"]) for t in tiers] for _, row in comp.iterrows()]
    biggest = max((abs(v) for row in values for v in row), default=0.0)
    scale, unit = (10_000.0, ("万元", "10,000 yuan")) if biggest >= 100_000 else (1.0, ("元", "yuan"))
    scaled = [[v / scale for v in row] for row in values]
    lo = min([0.0] + [v for row in scaled for v in row])
    hi = max([0.0] + [v for row in scaled for v in row])
    if lo == hi:
        lo, hi = -1.0, 1.0
    ticks = _nice_ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    width, height, left, right, top, bottom = 640, 340, 84, 16, 40, 44
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * plot_h

    def esc(text: str) -> str:
        return html.escape(str(text), quote=True)

    title = _pick(TEXT["tiers_chart"], lang)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' role="img" font-size="11">',
        f"<title>{esc(title)}</title>",
        f'<text x="{width / 2:.1f}" y="18" text-anchor="middle" font-size="13">{esc(title)}</text>',
    ]
    for t in ticks:
        ty = y(t)
        out.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" stroke="#dddddd"/>')
        out.append(f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end">{t:,.6g}</text>')
    out.append(
        f'<text x="16" y="{top + plot_h / 2:.1f}" text-anchor="middle" transform="rotate(-90 16 {top + plot_h / 2:.1f})">'
        f"{esc(_pick(unit, lang))}</text>"
    )
    group = plot_w / len(tiers)
    bar = group * 0.8 / max(len(scaled), 1)
    for j, tier in enumerate(tiers):
        gx = left + group * j
        out.append(
            f'<text x="{gx + group / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle">'
            f"{esc(_pick(TIER_LABELS[tier], lang))}</text>"
        )
        for i, row in enumerate(scaled):
            v = row[j]
            x0 = gx + group * 0.1 + bar * i
            y0, y1 = sorted((y(0.0), y(v)))
            out.append(
                f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{bar:.1f}" height="{y1 - y0:.1f}" '
                f'fill="{CHART_COLORS[i % len(CHART_COLORS)]}"><title>{esc(comp["reform"].iloc[i])}: {v:,.2f}</title></rect>'
            )
    out.append(f'<line x1="{left}" y1="{y(0.0):.1f}" x2="{width - right}" y2="{y(0.0):.1f}" stroke="black"/>')
    for i, name in enumerate(comp["reform"]):
        ly = top + 4 + 14 * i
        out.append(
            f'<rect x="{width - right - 150}" y="{ly}" width="10" height="10" fill="{CHART_COLORS[i % len(CHART_COLORS)]}"/>'
        )
        out.append(f'<text x="{width - right - 136}" y="{ly + 9}">{esc(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _comparison_shown(result: ScenarioResult, lang: str) -> pd.DataFrame:
    """The comparison table with the changed parameters named in ``lang`` rather than by key."""
    names = {}
    for row in result.changes.itertuples():
        names[row.key] = row.label_en if lang == "en" else row.label_zh
    shown = result.comparison.drop(columns=["year"]).copy()
    shown["changed_parameters"] = [
        "、".join(names.get(k, k) for k in text.split(", ")) if text else _pick(TEXT["none"], lang)
        for text in shown["changed_parameters"]
    ]
    return shown


def html_page(result: ScenarioResult, lang: str = "zh", provenance: dict | None = None, top: int = 10) -> str:
    """One self-contained HTML page: comparison, tier chart, county table, biggest winners and losers
    (with the CJK font subset it needs embedded, :func:`toolkit.report.webfont.finish_page`)."""
    t = {k: _pick(v, lang) for k, v in TEXT.items()}
    money = result.money
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{html.escape(t['title'])} {result.year}</title>",
        "<style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;max-width:190mm}"
        "table{font-size:10pt;margin-bottom:1.5em}caption{text-align:left;font-weight:bold}"
        "@media print{body{margin:0}}</style></head><body>",
        f"<h1>{html.escape(t['title'])} {result.year}</h1>",
        f"<p>{html.escape(t['intro'])}</p>",
        f"<h2>{html.escape(t['comparison'])}</h2>",
        _table(_comparison_shown(result, lang), lang, money),
        f"<h2>{html.escape(t['tiers_chart'])}</h2>",
        tier_chart_svg(result, lang),
        f"<h2>{html.escape(t['changes'])}</h2>",
    ]
    changes = result.changes
    if changes.empty:
        parts.append(f"<p>{html.escape(t['none'])}</p>")
    else:
        distinct = changes.drop_duplicates(["reform", "key", "baseline_value", "reform_value"])
        cols = ["reform", "label_zh" if lang != "en" else "label_en", "baseline_value", "reform_value"]
        parts.append(_table(distinct[cols].rename(columns={"reform_value": "reform_value_text"}), lang, money))
    keep = ["reform", "county_id"] + [f"{m}_difference" for m in MEASURES[:6]] + ["retained_change_pct"]
    keep += ["winners", "losers"]
    parts += [f"<h2>{html.escape(t['counties'])}</h2>", _table(result.counties[keep], lang, money)]
    unit_cols = ["reform", "county_id", "unit_id", "unit_name", "retained_baseline", "retained_reform"]
    unit_cols += ["retained_difference", "retained_change_pct"]
    unit_cols = [c for c in unit_cols if c in result.units.columns]
    for key, ascending in (("winners", False), ("losers", True)):
        pick = result.units[result.units["outcome"] == ("winner" if key == "winners" else "loser")]
        pick = pick.sort_values(["retained_difference", "unit_id"], ascending=[ascending, True]).head(top)
        parts.append(f"<h2>{html.escape(t[key])}</h2>")
        parts.append(_table(pick[unit_cols], lang, money) if len(pick) else f"<p>{html.escape(t['none'])}</p>")
    if provenance:
        from toolkit.report.provenance import render_provenance_html

        parts += [f"<h2>{html.escape(t['provenance'])}</h2>", render_provenance_html(provenance, lang)]
    parts.append("</body></html>")
    from toolkit.report.webfont import finish_page

    # finished like a report page: the CJK subset of its characters embedded, so the tables and the
    # chart read the same on a machine without a Chinese font; A4 print rules
    page = finish_page("\n".join(parts), title=f"{t['title']} {result.year}", lang="zh-CN" if lang == "zh" else "en")
    return page + "\n"


# ── notebook helpers (notebooks/policy_scenario): thin, one call per cell ──

#: the example reform the notebook runs when no reform file is given
EXAMPLE_REFORM = "reforms/savings_split_532.yaml"


def _reform_paths(reform_files) -> list[str]:
    from toolkit.paths import PARAMS_DIR

    if isinstance(reform_files, str):
        reform_files = [p for p in reform_files.split(";") if p.strip()]
    return [str(p) for p in reform_files] or [str(PARAMS_DIR / EXAMPLE_REFORM)]


def scenario_for(ctx, reform_files) -> ScenarioResult:
    """Settle the report's county (every county when none is given) under baseline and reforms."""
    from toolkit.params.load import load_params
    from toolkit.params.reform import load_reforms
    from toolkit.params.snapshot import resolve
    from toolkit.settlement.scenario import run_scenario

    key = ("scenario", tuple(_reform_paths(reform_files)))
    if key not in ctx._memo:
        paramset = load_params(ctx.params_dir)
        reforms = load_reforms(list(key[1]))
        units = ctx.tables["units"]
        counties = [ctx.county_id] if ctx.county_id else sorted(units["county_id"].astype(str).unique())
        baseline = {c: resolve(paramset, c, int(ctx.year)) for c in counties}
        ctx._memo[key] = run_scenario(ctx.tables, int(ctx.year), baseline, reforms)
    return ctx._memo[key]


def title(ctx):
    from toolkit.report.text import Title

    parts = [_pick(TEXT["title"], ctx.lang)] + ([ctx.county_name] if ctx.county_name else []) + [str(ctx.year)]
    return Title("# " + " · ".join(parts))


def intro(ctx):
    from toolkit.report.text import Markdown

    return Markdown(_pick(TEXT["intro"], ctx.lang))


def heading(key: str, lang: str):
    from toolkit.report.text import Markdown

    return Markdown(f"## {_pick(TEXT[key], lang)}")


def comparison_table(result: ScenarioResult, lang: str):
    from toolkit.report.tables import HtmlTable

    return HtmlTable(_formatted(_comparison_shown(result, lang), lang, result.money))


def tier_chart(result: ScenarioResult, lang: str):
    from toolkit.report.text import Markdown

    class _Svg(Markdown):
        def _repr_html_(self) -> str:
            return self.text

    return _Svg(tier_chart_svg(result, lang))


def changes_table(result: ScenarioResult, lang: str):
    from toolkit.report.tables import HtmlTable

    cols = ["reform", "label_zh" if lang != "en" else "label_en", "baseline_value", "reform_value"]
    distinct = result.changes.drop_duplicates(["reform", "key", "baseline_value", "reform_value"])[cols]
    return HtmlTable(_formatted(distinct.rename(columns={"reform_value": "reform_value_text"}), lang, result.money))


def counties_table(result: ScenarioResult, lang: str):
    from toolkit.report.tables import HtmlTable

    keep = ["reform", "county_id"] + [f"{m}_difference" for m in MEASURES[:6]] + ["winners", "losers"]
    return HtmlTable(_formatted(result.counties[keep], lang, result.money))


def units_table(result: ScenarioResult, lang: str, outcome: str = "winner", top: int = 10):
    """The ``top`` units gaining most (``winner``) or losing most (``loser``)."""
    from toolkit.report.tables import HtmlTable

    cols = ["reform", "county_id", "unit_name", "retained_baseline", "retained_reform", "retained_difference"]
    cols = [c for c in cols + ["retained_change_pct"] if c in result.units.columns]
    pick = result.units[result.units["outcome"] == outcome]
    pick = pick.sort_values(["retained_difference", "unit_id"], ascending=[outcome == "loser", True]).head(top)
    return HtmlTable(_formatted(pick[cols], lang, result.money))


def checks_table(result: ScenarioResult, lang: str):
    """Conservation of every settlement (baseline and reforms), counted: all must pass."""
    from toolkit.report.tables import HtmlTable

    c = result.checks.dropna(subset=["ok"])
    summary = c.groupby("variant", sort=False)["ok"].agg(["size", "sum"]).reset_index()
    table = pd.DataFrame(
        {
            _pick(COLUMN_LABELS["variant"], lang): summary["variant"],
            _pick(("核对项数", "checks"), lang): summary["size"].astype(int),
            _pick(("通过", "passed"), lang): summary["sum"].astype(int),
        }
    )
    return HtmlTable(table)


def write_side_files(ctx, result: ScenarioResult):
    """The comparison tables as CSV (UTF-8 with BOM) and Excel in ``output_dir`` (nothing when not set)."""
    from toolkit.io import write_bytes
    from toolkit.report.csvout import money_csv_bytes
    from toolkit.report.excel import build_workbook_bytes
    from toolkit.report.text import Markdown

    path = ctx.side_file("scenario.xlsx")
    if path is None:
        return Markdown("")
    write_bytes(path, build_workbook_bytes(workbook_sheets(result, ctx.lang)))
    csv = ctx.side_file("scenario_units.csv")
    write_bytes(csv, money_csv_bytes(result.units, result.money))  # BOM from toolkit.report.csvout
    saved = _pick(("测算结果已另存为：", "Saved: "), ctx.lang)
    return Markdown(f"{saved}`{path.name}`, `{csv.name}`")


def _formatted(frame: pd.DataFrame, lang: str, money: frozenset) -> pd.DataFrame:
    shown = _display(frame, lang)
    cells = {}
    for c in shown.columns:
        if c in money:
            cells[column_label(c, lang)] = [_money(v) for v in shown[c]]
        elif c.endswith("_change_pct"):
            cells[column_label(c, lang)] = [_pct(v) for v in shown[c]]
        else:
            cells[column_label(c, lang)] = ["" if pd.isna(v) else str(v) for v in shown[c]]
    return pd.DataFrame(cells)
