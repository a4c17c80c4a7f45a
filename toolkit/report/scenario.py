"""Presenting a policy scenario: labels, the Excel sheets and a one-page HTML summary with a chart.

Computation lives in :mod:`toolkit.settlement.scenario`; this module only lays its tables out for
a commission: Chinese first (``lang="zh"``), English on request, money in yuan to the fen.
"""

from __future__ import annotations

import html
import math

import pandas as pd

from toolkit.catalogue import body_lang, choose, has, html_lang, localized, text
from toolkit.settlement.scenario import MEASURES, ScenarioResult

#: the coded tiers, in the order the chart shows them (their words: ``scenario_tier_*`` of the catalogue)
TIERS = ("county", "township", "village")
#: the column holding a check's sentence in each language (scenario_checks.csv keeps both). Where there
#: is room for one language only (a sheet name, a parameter's name inside a cell, a check's sentence) a
#: bilingual output reads Chinese (:func:`toolkit.catalogue.body_lang`)
CHECK_COLUMN = {"zh": "check_zh", "en": "check"}


def _word(prefix: str, code: str, lang: str) -> str:
    """The catalogue's word for a coded value (``scenario_tier_county`` → 县级); the code when there is none."""
    return text(f"{prefix}{code}", lang) if has(f"{prefix}{code}") else code


def column_label(col: str, lang: str = "zh") -> str:
    """The header of an output column (``savings_county_difference`` → 县级结余分配·差额)."""
    if has(f"scenario_column_{col}"):
        return text(f"scenario_column_{col}", lang)
    for m in MEASURES:
        for suffix in ("baseline", "reform", "difference", "change_pct"):
            if col == f"{m}_{suffix}":
                pair = tuple(
                    text(
                        "scenario_measure_column",
                        one,
                        measure=text(f"scenario_measure_{m}", one),
                        suffix=text(f"scenario_suffix_{suffix}", one),
                    )
                    for one in ("zh", "en")
                )
                return choose(pair, lang)
    return col


def _display(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Coded values (tier, outcome) in words for people."""
    out = frame.copy()
    if "tier" in out.columns:
        out["tier"] = [_word("scenario_tier_", t, lang) for t in out["tier"]]
    if "outcome" in out.columns:
        out["outcome"] = [_word("scenario_outcome_", t, lang) for t in out["outcome"]]
    if "variant" in out.columns:  # the baseline by its name; a reform keeps its own
        out["variant"] = [
            text("scenario_column_baseline", body_lang(lang)) if v == "baseline" else v for v in out["variant"]
        ]
    if "ok" in out.columns:
        out["ok"] = [text("yes" if ok else "no", body_lang(lang)) for ok in out["ok"]]
    return out


def workbook_sheets(result: ScenarioResult, lang: str = "zh", notes: list[str] | None = None):
    """One sheet per table, headers in ``lang`` (``both``: 中文 / English)."""
    from toolkit.report.excel import Sheet

    sheets = []
    for name, frame in result.tables().items():
        if name == "checks":  # the full sentences are in scenario_checks.csv; the workbook keeps the verdicts
            sentence = CHECK_COLUMN[body_lang(lang)]
            sentence = sentence if sentence in frame.columns else "check"
            keep = ("variant", "county_id", "year", "check_id", sentence, "ok")
            frame = frame[[c for c in keep if c in frame.columns]]
        if name == "changes":  # one language's names and values; the CSV keeps both and the codes
            body = body_lang(lang)
            keep = ("reform", "county_id", "year", "key", f"label_{body}", f"baseline_value_{body}")
            keep += (f"reform_value_{body}", "reform_since", "reform_source")
            frame = frame[list(keep)]
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
                name=text(f"scenario_sheet_{name}", body_lang(lang)),
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
    tiers = list(TIERS)
    values = [[float(row[f"moved_to_{t}"]) for t in tiers] for _, row in comp.iterrows()]
    biggest = max((abs(v) for row in values for v in row), default=0.0)
    scale, unit = (10_000.0, "scenario_unit_wan") if biggest >= 100_000 else (1.0, "scenario_unit_yuan")
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

    title = text("scenario_tiers_chart", lang)
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
        f"{esc(text(unit, lang))}</text>"
    )
    group = plot_w / len(tiers)
    bar = group * 0.8 / max(len(scaled), 1)
    for j, tier in enumerate(tiers):
        gx = left + group * j
        out.append(
            f'<text x="{gx + group / 2:.1f}" y="{top + plot_h + 18}" text-anchor="middle">'
            f"{esc(text(f'scenario_tier_{tier}', lang))}</text>"
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
    names = {row.key: localized(row, "label", body_lang(lang)) for row in result.changes.itertuples()}
    shown = result.comparison.drop(columns=["year"]).copy()
    shown["changed_parameters"] = [
        "、".join(names.get(k, k) for k in keys.split(", ")) if keys else text("scenario_none", lang)
        for keys in shown["changed_parameters"]
    ]
    return shown


def comparison_by_measure(result: ScenarioResult, lang: str) -> pd.DataFrame:
    """The comparison as it prints on A4 portrait: one row per measure (its header as the first
    column), one column per reform, the cells formatted (money to the fen, change %). The table of
    one row per reform has 18 columns: on A4 its numbers break in the middle."""
    shown = _formatted(_comparison_shown(result, lang), lang, result.money)
    reform = column_label("reform", lang)
    body = shown.drop(columns=[reform])
    out = pd.DataFrame(body.to_numpy().T, columns=list(shown[reform]))
    out.insert(0, text("scenario_measure", lang), list(body.columns))
    return out


#: the headings and sentences of the page (``scenario_<key>`` in the catalogue; :func:`heading` takes the key)
PAGE_TEXTS = (
    "title",
    "intro",
    "comparison",
    "tiers_chart",
    "counties",
    "changes",
    "winners",
    "losers",
    "none",
    "provenance",
)


def _changes_shown(changes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The changed parameters as a reader sees them: name and values in words (tier names, 5:3:2)."""
    body = body_lang(lang)
    return pd.DataFrame(
        {
            "reform": changes["reform"],
            f"label_{body}": changes[f"label_{body}"],
            "baseline_value": changes[f"baseline_value_{body}"],
            "reform_value_text": changes[f"reform_value_{body}"],
        }
    )


def html_page(
    result: ScenarioResult, lang: str = "zh", provenance: dict | None = None, top: int = 10, synthetic: bool = False
) -> str:
    """One self-contained HTML page: comparison, tier chart, county table, biggest winners and losers
    (with the CJK font subset it needs embedded, :func:`toolkit.report.webfont.finish_page`);
    ``synthetic`` (the dataset's manifest says so): the 示例数据 · synthetic data banner under the title."""
    from toolkit.report.tables import to_html
    from toolkit.report.text import synthetic_banner_html

    t = {k: text(f"scenario_{k}", lang) for k in PAGE_TEXTS}
    money = result.money
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{html_lang(lang)}"><head><meta charset="utf-8">',
        f"<title>{html.escape(t['title'])} {result.year}</title>",
        "<style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;max-width:190mm}"
        "table{font-size:10pt;margin-bottom:1.5em}caption{text-align:left;font-weight:bold}"
        "@media print{body{margin:0}}</style></head><body>",
        f"<h1>{html.escape(t['title'])} {result.year}</h1>",
        *([synthetic_banner_html(lang)] if synthetic else []),
        f"<p>{html.escape(t['intro'])}</p>",
        f"<h2>{html.escape(t['comparison'])}</h2>",
        to_html(comparison_by_measure(result, lang)),
        f"<h2>{html.escape(t['tiers_chart'])}</h2>",
        tier_chart_svg(result, lang),
        f"<h2>{html.escape(t['changes'])}</h2>",
    ]
    changes = result.changes
    if changes.empty:
        parts.append(f"<p>{html.escape(t['none'])}</p>")
    else:
        distinct = changes.drop_duplicates(["reform", "key", "baseline_value", "reform_value"])
        parts.append(_table(_changes_shown(distinct, lang), lang, money))
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
    page = finish_page("\n".join(parts), title=f"{t['title']} {result.year}", lang=html_lang(lang))
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

    parts = [text("scenario_title", ctx.lang)] + ([ctx.county_name] if ctx.county_name else []) + [str(ctx.year)]
    return Title("# " + " · ".join(parts))


def intro(ctx):
    from toolkit.report.text import Markdown

    return Markdown(text("scenario_intro", ctx.lang))


def heading(key: str, lang: str):
    from toolkit.report.text import Markdown

    return Markdown(f"## {text(f'scenario_{key}', lang)}")


def comparison_table(result: ScenarioResult, lang: str):
    from toolkit.report.tables import HtmlTable

    return HtmlTable(comparison_by_measure(result, lang))


def tier_chart(result: ScenarioResult, lang: str):
    from toolkit.report.text import Markdown

    class _Svg(Markdown):
        def _repr_html_(self) -> str:
            return self.text

    return _Svg(tier_chart_svg(result, lang))


def changes_table(result: ScenarioResult, lang: str):
    from toolkit.report.tables import HtmlTable

    distinct = result.changes.drop_duplicates(["reform", "key", "baseline_value", "reform_value"])
    return HtmlTable(_formatted(_changes_shown(distinct, lang), lang, result.money))


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
            column_label("variant", lang): summary["variant"],
            text("scenario_checks_count", lang): summary["size"].astype(int),
            text("scenario_checks_passed", lang): summary["sum"].astype(int),
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
    write_bytes(path, build_workbook_bytes(workbook_sheets(result, ctx.lang), synthetic=ctx.synthetic))
    csv = ctx.side_file("scenario_units.csv")
    write_bytes(csv, money_csv_bytes(result.units, result.money))  # BOM from toolkit.report.csvout
    saved = text("scenario_saved", ctx.lang)
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
