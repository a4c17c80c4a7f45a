"""Sections of the county annual report (notebooks/county_annual_report.ipynb).

Each function takes the :class:`~toolkit.report.context.ReportContext` and returns something a
notebook cell displays (Markdown, a table, a figure or a :class:`~toolkit.report.bundle.Bundle`);
all logic lives here so the notebook stays a parameters cell and calls. Indicators come from
:mod:`toolkit.indicators` (rules.md §6–7, seed 004), the settlement from
:func:`toolkit.settlement.statement.settle_county` (rules.md §2–5, seed 000 §3.1–3.2), published
the county's own stated figures (the dataset's report_claims.yaml) are rechecked with
:mod:`toolkit.indicators.claims_check` (rules.md §13), and count tables
pass through small-cell suppression (:mod:`toolkit.report.disclosure`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.catalogue import body_lang, choose, localized
from toolkit.report import figures
from toolkit.report.bundle import Bundle
from toolkit.report.context import ReportContext
from toolkit.report.disclosure import suppress_table, suppression_footnote
from toolkit.report.labels import label, message
from toolkit.report.tables import (
    PERCENT_UNITS,
    HtmlTable,
    fmt_indicator,
    fmt_indicator_change,
    fmt_number,
    fmt_pct,
    fmt_wan,
    unit_text,
)
from toolkit.report.text import (
    Markdown,
    SourceNote,
    claims_summary,
    each_lang,
    each_line,
    indicator_sentences,
)

#: the indicators of the county report, in display order (ids of toolkit/indicators/registry.yaml)
KEY_INDICATORS = (
    "in_county_inpatient_share",
    "in_county_visit_rate",
    "primary_visit_share",
    "fund_in_county_rate",
    "primary_fund_share",
    "hospitalisation_rate",
    "premature_ncd_mortality",
    "income_ratio",
    "village_doctor_subsidy_per_doctor",
    "ph_village_share",
)


def _registry():
    from toolkit.indicators.registry import registry_by_id

    return registry_by_id()


def _fmt(value: Any, unit: str) -> str:
    return fmt_indicator(value, unit)


def source_text(ctx: ReportContext, indicators=(), years=None, settlement_digest: str | None = None) -> str:
    """The 资料来源 line under a table or figure: the dataset (its data hash), the standards that
    define ``indicators`` (the registry's sources; in a Chinese report only the Chinese document
    numbers), the settlement parameters' digest when given, and the data year(s) — ``years`` an int,
    a (first, last) pair or None for the report year."""
    lang = body_lang(ctx.lang)
    reg = _registry()
    standards = []
    for iid in indicators:
        std = getattr(getattr(reg.get(iid), "source", None), "standard", None)
        # a Chinese report cites only the Chinese document numbers (the catalogue's script for the language)
        if std and std not in standards and re.search(message("county_standard_script", lang), std):
            standards.append(std)
    listed = message("county_standards_sep", lang).join(standards)
    definitions = message("source_definitions", lang, standards=listed) if standards else ""
    if settlement_digest:
        definitions += message("source_settlement", lang, digest=str(settlement_digest)[:12])
    if years is None:
        years = getattr(ctx, "year", None) or "—"
    if isinstance(years, tuple):
        years = str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"
    digest = getattr(getattr(ctx, "dataset", None), "data_hash", None) or "—"
    data = message("source_dataset", lang, digest=str(digest)[:12])
    return message("source_line", lang, data=data, definitions=definitions, years=years)


def source_note(ctx: ReportContext, indicators=(), years=None, settlement_digest: str | None = None) -> SourceNote:
    """:func:`source_text` as a display object (under a figure)."""
    return SourceNote(source_text(ctx, indicators, years, settlement_digest))


def years_of(frame: pd.DataFrame) -> tuple[int, int] | None:
    """(first, last) year of ``frame``'s rows, or None when it has none."""
    years = frame["year"].dropna()
    return (int(years.min()), int(years.max())) if len(years) else None


def target_for(ctx: ReportContext, indicator: str, county: bool = True):
    """The target in force for this county (``county=False``: the province as a whole) and year,
    as (value, :class:`~toolkit.params.targets.Target`), or (None, None) when none applies
    (``params/targets.yaml``: dated and scoped; toolkit/params/targets.py)."""
    found = ctx.targets.applicable(indicator, int(ctx.year), ctx.county_id if county else None)
    if not found:
        return None, None
    from toolkit.params.targets import target_value

    t = found[0]
    return target_value(t, ctx.county_id if county else None, int(ctx.year), ctx.params_dir), t


def indicator_frame(ctx: ReportContext, indicators=KEY_INDICATORS) -> pd.DataFrame:
    """One row per key indicator for the county-year: value, previous year, target, province
    median, min, max and rank among the counties (1 = best in the indicator's direction)."""
    reg = _registry()
    ind = ctx.indicators
    this = ind.loc[ind["year"] == ctx.year]
    prev = ind.loc[(ind["year"] == ctx.year - 1) & (ind["county_id"] == ctx.county_id)].set_index("indicator")["value"]
    rows = []
    for iid in indicators:
        if iid not in reg:
            continue
        allc = this.loc[this["indicator"] == iid].dropna(subset=["value"])
        mine = allc.loc[allc["county_id"] == ctx.county_id, "value"]
        if mine.empty:
            continue
        v = float(mine.iloc[0])
        higher = reg[iid].direction == "higher_is_better"
        target, tgt = target_for(ctx, iid)
        # rank: 1 + counties strictly better (ties share the better rank)
        better = (allc["value"] > v) if higher else (allc["value"] < v)
        previous = float(prev[iid]) if iid in prev.index else math.nan
        median = float(allc["value"].median())
        rows.append(
            {
                "indicator": iid,
                "label": label(iid, ctx.lang),
                "unit": reg[iid].unit,
                "direction": reg[iid].direction,
                "value": v,
                "previous": previous,
                "change": v - previous,
                "change_verdict": _relation(v, previous, higher, reg[iid].unit),
                "vs_median": _relation(v, median, higher, reg[iid].unit),
                "target": target,
                "target_label": localized(tgt, "label", ctx.lang) if tgt else None,
                "target_source": tgt.source if tgt else None,
                "province_median": median,
                "province_min": float(allc["value"].min()),
                "province_max": float(allc["value"].max()),
                "rank": int(better.sum()) + 1,
                "n_counties": int(len(allc)),
            }
        )
    return pd.DataFrame(rows)


def _relation(value: float, other: float, higher: bool, unit: str) -> str | None:
    """``better``, ``worse`` or ``equal`` (as printed) in the indicator's direction; None if either is missing."""
    if pd.isna(value) or pd.isna(other):
        return None
    if fmt_indicator(value, unit) == fmt_indicator(other, unit):
        return "equal"
    return "better" if (value > other) == higher else "worse"


def _target_cell(value, unit: str, whose, lang: str) -> str:
    if value is None or pd.isna(value):
        return "—"
    # a table cell of a bilingual report shows the value once
    return message("county_target_cell", body_lang(lang), value=_fmt(value, unit), whose=whose)


def _change_cell(change, verdict, unit: str, lang: str) -> str:
    if verdict is None:
        return "—"
    text = fmt_indicator_change(change, unit, lang)
    if verdict == "equal":
        return text
    return message("change_cell", lang, change=text, verdict=label(f"change_{verdict}", lang))


def indicator_table(ctx: ReportContext) -> HtmlTable:
    """The key indicators of the year: unit and direction (the registry's), this year and last, the
    change on last year (better or worse), target, province median and whether the county is better
    or worse than it, rank (1 = best); the source and data year under it."""
    f = indicator_frame(ctx)
    lang = ctx.lang
    units = f["unit"] if len(f) else []
    out = pd.DataFrame(
        {
            label("indicator_column", lang): f["label"] if len(f) else [],
            label("unit", lang): [unit_text(u, lang) for u in units],
            label("direction", lang): [label(f"direction_{d}", lang) for d in (f["direction"] if len(f) else [])],
            f"{ctx.year}": [_fmt(v, u) for v, u in zip(f.get("value", []), units)],
            f"{ctx.year - 1}": [_fmt(v, u) for v, u in zip(f.get("previous", []), units)],
            label("change_on_last_year", lang): [
                _change_cell(c, d, u, lang) for c, d, u in zip(f.get("change", []), f.get("change_verdict", []), units)
            ],
            label("target", lang): [
                _target_cell(v, u, lab, lang)
                for v, u, lab in zip(f.get("target", []), units, f.get("target_label", []))
            ],
            label("province_median", lang): [_fmt(v, u) for v, u in zip(f.get("province_median", []), units)],
            label("vs_median", lang): [label(f"vs_median_{r}", lang) if r else "—" for r in f.get("vs_median", [])],
            label("rank_best_first", lang): [f"{r} / {n}" for r, n in zip(f.get("rank", []), f.get("n_counties", []))],
        }
    )
    caption = f"{ctx.county_name} · {ctx.year} · {label('indicators_and_targets', lang)}"
    indicators = list(f["indicator"]) if len(f) else []
    return HtmlTable(out, caption=caption, source=source_text(ctx, indicators))


def indicator_summary(ctx: ReportContext) -> Markdown:
    f = indicator_frame(ctx)
    return Markdown(
        indicator_sentences(f.to_dict("records"), county=ctx.county_name or ctx.county_id, year=ctx.year, lang=ctx.lang)
    )


def province_median_series(ctx: ReportContext, indicator: str) -> pd.DataFrame:
    d = ctx.indicators.loc[ctx.indicators["indicator"] == indicator].dropna(subset=["value"])
    return d.groupby("year", as_index=False)["value"].median()


def indicator_trends(ctx: ReportContext, indicators=KEY_INDICATORS, ncols: int = 2) -> Bundle:
    """Small panels: each key indicator over the years, with target, province median and reform;
    one legend under all panels, the source and data years under the figure."""
    reg = _registry()
    ind = ctx.indicators
    mine = ind.loc[ind["county_id"] == ctx.county_id]
    present = [i for i in indicators if i in reg and mine.loc[mine["indicator"] == i, "value"].notna().any()]
    panels = [
        {
            "series": mine.loc[mine["indicator"] == iid, ["year", "value", "lower", "upper"]],
            "title": label(iid, ctx.lang),
            "target": target_for(ctx, iid)[0],
            "reform_year": ctx.reform_year,
            "comparison": province_median_series(ctx, iid),
            "series_label": ctx.county_name or ctx.county_id,
            "percent": reg[iid].unit in PERCENT_UNITS,
            "band": True,
        }
        for iid in present
    ]
    fig = figures.trend_grid(panels, ncols=ncols, lang=ctx.lang)
    alt = label("indicators_and_targets", ctx.lang)
    years = years_of(mine.loc[mine["indicator"].isin(present) & mine["value"].notna()])
    return Bundle([figures.show(fig, alt=alt), source_note(ctx, present, years)], summary=alt)


# --------------------------------------------------------------------------- profile
#: facility tiers of facility_year (data.md, contract extension) in display order; their names are
#: the catalogue's ``tier_<tier>`` (toolkit.report.labels)
FACILITY_TIERS = ("lead_hospital", "county_other", "township", "community_centre", "village")


#: decimals of a rate in the county profile
RATE = 2


def profile_frame(ctx: ReportContext) -> pd.DataFrame:
    """The county in the report year (seed 000 §1.2 县情): population, facilities by tier, beds and
    general practitioners (per 1,000 / 10,000 residents) from ``facility_year``, staff from
    ``county_year``. Rows: item, value (None = not in the data), unit, decimals shown; every word
    from the catalogue."""
    lang = body_lang(ctx.lang)
    cy = ctx.county_year
    row = cy.loc[(cy["county_id"] == ctx.county_id) & (cy["year"] == ctx.year)]
    r = row.iloc[0] if len(row) else pd.Series(dtype=object)
    pop = float(r["population"]) if "population" in r and pd.notna(r["population"]) else None

    def cy_value(col):
        return float(r[col]) if col in r and pd.notna(r[col]) else None

    def word(key):
        return message(key, lang)

    people, persons, count, beds_unit = (word(k) for k in ("mu_people", "mu_persons", "mu_count", "mu_beds"))
    out = [
        (label("population", lang), pop, people),
        (label("insured_pop", lang), cy_value("insured_pop"), people),
    ]
    fy = ctx.tables.get("facility_year")
    mine = None
    if fy is not None:
        mine = fy.loc[(fy["county_id"] == ctx.county_id) & (fy["year"] == ctx.year)]
        if mine.empty:
            mine = None
    for tier in FACILITY_TIERS:
        # a tier without rows is not known to be zero (a table may list only some tiers)
        n = int((mine["level"] == tier).sum()) if mine is not None else 0
        out.append((message("profile_facilities", lang, tier=message(f"tier_{tier}", lang)), n or None, count))

    def fac_sum(col):
        if mine is None or col not in mine or mine[col].isna().all():
            return None
        return float(mine[col].sum())

    beds, gps = fac_sum("beds"), fac_sum("general_practitioners")
    out += [
        (word("profile_open_beds"), beds, beds_unit),
        (word("profile_beds_per_1000"), beds / pop * 1000 if beds is not None and pop else None, beds_unit, RATE),
        (label("general_practitioners", lang), gps, persons),
        (word("profile_gps_per_10000"), gps / pop * 10_000 if gps is not None and pop else None, persons, RATE),
        (label("township_staff", lang), cy_value("township_staff"), persons),
        (label("lead_hospital_staff", lang), cy_value("lead_hospital_staff"), persons),
        (label("village_doctors", lang), cy_value("village_doctors"), persons),
        # the contract has no practitioner or nurse counts (seed 000 §1.2 reports both per 1,000)
        (word("profile_practitioners_per_1000"), None, "", RATE),
        (word("profile_nurses_per_1000"), None, "", RATE),
    ]
    if "units" in ctx.tables:
        u = ctx.tables["units"]
        u = u.loc[u["county_id"] == ctx.county_id]
        out.append((word("profile_units"), int(len(u)), count))
        if "community_id" in u:
            out.append((word("profile_communities"), int(u["community_id"].nunique()), count))
    # counts are shown whole, rates per 1,000 / 10,000 residents with two decimals
    out = [row if len(row) == 4 else (*row, 0) for row in out]
    return pd.DataFrame(out, columns=["item", "value", "unit", "decimals"])


def county_profile(ctx: ReportContext) -> HtmlTable:
    """The profile as a two-column table; an item the data lacks says "数据中无此项"."""
    lang = body_lang(ctx.lang)
    f = profile_frame(ctx)
    missing = message("not_in_data", lang)

    def shown(v, decimals):
        return missing if v is None or pd.isna(v) else fmt_number(v, int(decimals))

    table = pd.DataFrame(
        {
            message("profile_item", lang): f["item"],
            label("value", lang): [
                shown(v, d) + (f" {u}" if u and v is not None and not pd.isna(v) else "")
                for v, d, u in zip(f["value"], f["decimals"], f["unit"])
            ],
        }
    )
    caption = f"{ctx.county_name} · {ctx.year} · {label('county_profile', lang)}"
    return HtmlTable(table, caption=caption, source=source_text(ctx))


# --------------------------------------------------------------------------- trends
def trend_frame(ctx: ReportContext, indicators=KEY_INDICATORS) -> pd.DataFrame:
    """Each key indicator's trend over the county's years up to the report year: Mann–Kendall test
    with Sen's slope (:mod:`toolkit.indicators.trend`; rules.md §13)."""
    from toolkit.indicators.trend import mann_kendall

    reg = _registry()
    ind = ctx.indicators
    mine = ind.loc[(ind["county_id"] == ctx.county_id) & (ind["year"] <= ctx.year)].dropna(subset=["value"])
    rows = []
    for iid in indicators:
        d = mine.loc[mine["indicator"] == iid].sort_values("year")
        if iid not in reg or d.empty:
            continue
        t = mann_kendall(d["year"].to_numpy(), d["value"].to_numpy())
        rows.append(
            {
                "indicator": iid,
                "label": label(iid, ctx.lang),
                "unit": reg[iid].unit,
                "first_year": int(d["year"].min()),
                "last_year": int(d["year"].max()),
                "n_years": t.n,
                "s": t.s,
                "p_value": t.p_value,
                "slope": t.slope,
                "direction": t.direction,
                "reason": t.reason,
            }
        )
    return pd.DataFrame(rows)


def trend_summary(ctx: ReportContext) -> Bundle:
    """Which key indicators rose or fell over the years: "上升"/"下降" only where the Mann–Kendall
    test finds a trend at the 5% level; otherwise "无显著趋势" — never from two end points."""
    from toolkit.indicators.claims_check import fmt_slope

    f = trend_frame(ctx)
    lang = ctx.lang
    if f.empty:
        text = message("county_no_trend_indicator", lang)
        return Bundle([Markdown(text)], summary=text)
    records = f.to_dict("records")

    def word(r, lang: str) -> str:
        return message(f"county_trend_{r['direction']}", lang)

    def detail(r, lang: str) -> str:
        if r["reason"]:
            return message("county_trend_few_years" if "fewer" in r["reason"] else "county_trend_constant", lang)
        slope = fmt_slope(r["slope"], r["unit"], lang)
        return message("county_trend_test", lang, p=f"{r['p_value']:.3f}", slope=slope)

    def period(r) -> str:
        return f"{r['first_year']}–{r['last_year']}"

    def lines_in(lang: str) -> list[str]:
        return [
            message(
                "county_trend_line",
                lang,
                label=label(r["indicator"], lang),
                period=period(r),
                trend=word(r, lang),
                detail=detail(r, lang),
            )
            for r in records
        ]

    lines = each_line(lang, lines_in)
    cells = [
        (
            r["label"],
            period(r),
            each_lang(lang, lambda one, r=r: word(r, one)),
            each_lang(lang, lambda one, r=r: detail(r, one)),
        )
        for r in records
    ]
    head = [
        label("indicator_column", lang),
        message("county_trend_years_column", lang),
        message("county_trend_column", lang),
        label("pretest", lang),
    ]
    note = message("county_trend_note", lang)
    years = (int(f["first_year"].min()), int(f["last_year"].max()))
    table = HtmlTable(
        pd.DataFrame(cells, columns=head), footnote=note, source=source_text(ctx, list(f["indicator"]), years)
    )
    text = "\n".join(lines)
    return Bundle([Markdown(text), table], summary=text)


# --------------------------------------------------------------------------- settlement
def settlement(ctx: ReportContext):
    """The county's settlement of the year (cached on the context)."""
    if "settlement" not in ctx._memo:
        from toolkit.settlement.statement import settle_county

        ctx._memo["settlement"] = settle_county(ctx.tables, ctx.county_id, int(ctx.year), ctx.snapshot)
    return ctx._memo["settlement"]


def settlement_summary(ctx: ReportContext) -> Bundle:
    """Budget, spending and savings of both insurance packages and the public-health pool, the
    savings split by tier, and the conservation checks — money in 万元."""
    lang = ctx.lang
    missing = [t for t in ("units", "unit_year", "ph_process", "ph_targets") if t not in ctx.tables]
    if missing:
        note = message("county_settlement_tables_missing", lang, tables=", ".join(missing))
        return Bundle([Markdown(note)], summary=note)
    cs = settlement(ctx)
    c = cs.by_county.iloc[0]
    rows = [
        (label("big_package", lang), c["budget"], c["actual"], c["savings"]),
        (label("small_package", lang), c["chronic_budget"], c["chronic_actual"], c["chronic_savings"]),
        (
            each_lang(lang, lambda one: message("county_public_health_row", one, name=label("public_health", one))),
            c["ph_lump_sum"],
            c["ph_final"],
            c["ph_lump_sum"] - c["ph_final"],
        ),
    ]
    head = [
        "",
        message("in_wan", lang, name=label("budget", lang)),
        message("in_wan", lang, name=label("spending", lang)),
        message("in_wan", lang, name=label("savings", lang)),
    ]
    table = pd.DataFrame([[r[0], fmt_wan(r[1]), fmt_wan(r[2]), fmt_wan(r[3])] for r in rows], columns=head)
    tiers = cs.by_tier.set_index("tier")
    tier_table = pd.DataFrame(
        {
            message("tier_column", lang): [label(f"{t}_share", lang) for t in tiers.index],
            message("in_wan", lang, name=label("savings", lang)): [fmt_wan(v) for v in tiers["total"]],
        }
    )
    # informational rows carry ok=None (e.g. the effect ranking; the village share when the
    # county has no approved subsidy total): only rows with a verdict count as checks
    checks = cs.checks
    judged = checks[checks["ok"].map(lambda v: v is not None and not pd.isna(v))]
    failing = judged.loc[~judged["ok"].astype(bool), "check"].tolist()
    ok = not failing
    check_text = each_lang(
        lang,
        lambda one: (
            message("county_checks_pass", one, n=len(judged))
            if ok
            else message("county_checks_failing", one, checks=message("county_checks_sep", one).join(failing))
        ),
    )
    # the communities by name where the units table names them (codes otherwise)
    comm_key = "community_name" if "community_name" in cs.by_community.columns else "community_id"
    by_comm = cs.by_community.set_index(comm_key)[["budget", "actual"]]
    by_comm.columns = ["budget", "spending"]
    fig = figures.grouped_bars(
        by_comm, label("big_package", lang), ylabel=message("wan_unit", lang), lang=lang, scale=1e4
    )
    summary = f"settlement {ctx.county_id} {ctx.year}: {len(cs.units)} units, checks {'ok' if ok else 'FAILED'}"
    source = source_text(ctx, settlement_digest=getattr(cs, "params_digest", None))
    parts = [
        HtmlTable(table, caption=label("settlement_results", lang), source=source),
        HtmlTable(tier_table, source=source),
        Markdown(check_text),
    ]
    parts += plausibility_warning(ctx, cs)
    return Bundle([*parts, figures.show(fig), SourceNote(source)], summary=summary)


def plausibility_warning(ctx: ReportContext, cs) -> list:
    """The per-capita plausibility warning of the settlement section (toolkit.report.plausibility_notes), if any."""
    from toolkit.report.plausibility_notes import county_sentence

    names = dict(zip(cs.units["unit_id"].astype(str), cs.units.get("unit_name", cs.units["unit_id"]).astype(str)))
    sentence = county_sentence(ctx.tables, ctx.county_id, int(ctx.year), ctx.lang, names)
    return [Markdown(sentence)] if sentence else []


# --------------------------------------------------------------------------- units
#: how many units the ranked table shows at each end (all units are in the Excel side file)
UNITS_SHOWN = 10


def unit_ranking_frame(ctx: ReportContext) -> pd.DataFrame:
    """Every unit's three core insurance indicators (rules.md §4, seed 000 §3.1): fund savings,
    change of per-capita fund spending, change of per-capita total spending — ranked by the last
    (the effect evaluation's indicator, rules.md §5: the largest decline first; ties by name)."""
    cs = settlement(ctx)
    u = cs.units[["unit_name", "township_name", "fund_savings", "fund_pc_change", "total_pc_change"]].copy()
    u = u.sort_values(["total_pc_change", "unit_name"], na_position="last", kind="stable").reset_index(drop=True)
    u.insert(0, "rank", range(1, len(u) + 1))
    return u


def unit_core_indicators(ctx: ReportContext) -> Bundle:
    """The units ranked on the core insurance indicators: the first and last :data:`UNITS_SHOWN`."""
    lang = body_lang(ctx.lang)
    if any(t not in ctx.tables for t in ("units", "unit_year", "ph_process", "ph_targets")):
        text = message("no_settlement_tables", lang)
        return Bundle([Markdown(text)], summary=text)
    f = unit_ranking_frame(ctx)
    n = len(f)
    shown = f if n <= 2 * UNITS_SHOWN else pd.concat([f.head(UNITS_SHOWN), f.tail(UNITS_SHOWN)])
    cols = [message(f"unit_core_col_{i}", lang) for i in range(6)]
    table = pd.DataFrame(
        {
            cols[0]: shown["rank"].astype(str),
            cols[1]: shown["unit_name"],
            cols[2]: shown["township_name"],
            cols[3]: [fmt_wan(v) for v in shown["fund_savings"]],
            cols[4]: [fmt_pct(v) for v in shown["fund_pc_change"]],
            cols[5]: [fmt_pct(v) for v in shown["total_pc_change"]],
        }
    )
    saving = int((f["fund_savings"] > 0).sum())
    text = message("unit_core_sentence", lang, n=n, saving=saving)
    note = message("unit_core_note", lang, shown=UNITS_SHOWN) if n > 2 * UNITS_SHOWN else None
    caption = f"{ctx.county_name} · {ctx.year} · {message('unit_core_caption', lang)}"
    source = source_text(ctx, settlement_digest=getattr(settlement(ctx), "params_digest", None))
    return Bundle([Markdown(text), HtmlTable(table, caption=caption, footnote=note, source=source)], summary=text)


def objective_attainment_frame(ctx: ReportContext) -> pd.DataFrame:
    """Per objective indicator (rules.md §5, seed 000 §3.2): benchmark, units evaluated, units at
    or above it, units vetoed, in the registry's benchmark order."""
    o = settlement(ctx).ph_objective
    order = list(dict.fromkeys(o["indicator"]))
    g = o.groupby("indicator", sort=False)
    out = pd.DataFrame(
        {
            "indicator": order,
            "benchmark": [float(g.get_group(i)["benchmark"].iloc[0]) for i in order],
            "units": [int(len(g.get_group(i))) for i in order],
            "met": [
                int((g.get_group(i)["met"].astype(bool) & ~g.get_group(i)["vetoed"].astype(bool)).sum()) for i in order
            ],
            "vetoed": [int(g.get_group(i)["vetoed"].astype(bool).sum()) for i in order],
        }
    )
    out["share_met"] = out["met"] / out["units"].where(out["units"] > 0)
    return out


def objective_attainment(ctx: ReportContext) -> Bundle:
    """How many units met each objective benchmark (they get that sub-project's full share)."""
    from toolkit.settlement.words import indicator_label

    lang = body_lang(ctx.lang)
    if any(t not in ctx.tables for t in ("units", "unit_year", "ph_process", "ph_targets")):
        text = message("no_settlement_tables", lang)
        return Bundle([Markdown(text)], summary=text)
    f = objective_attainment_frame(ctx)
    cols = [message(f"attainment_col_{i}", lang) for i in range(5)]
    table = pd.DataFrame(
        {
            cols[0]: [indicator_label(i, lang) for i in f["indicator"]],
            cols[1]: [
                fmt_number(b, 0) if i.endswith("_credits") else fmt_pct(b)
                for i, b in zip(f["indicator"], f["benchmark"])
            ],
            cols[2]: [f"{m} / {n}" for m, n in zip(f["met"], f["units"])],
            cols[3]: [str(v) for v in f["vetoed"]],
            cols[4]: [fmt_pct(v) for v in f["share_met"]],
        }
    )
    worst = f.sort_values(["share_met", "indicator"]).iloc[0] if len(f) else None
    if worst is None:
        text = message("attainment_none", lang)
    else:
        name, share = indicator_label(worst["indicator"], lang), fmt_pct(worst["share_met"])
        text = message("attainment_sentence", lang, n=len(f), name=name, share=share)
    caption = f"{ctx.county_name} · {ctx.year} · {message('attainment_caption', lang)}"
    source = source_text(ctx, settlement_digest=getattr(settlement(ctx), "params_digest", None))
    return Bundle([Markdown(text), HtmlTable(table, caption=caption, source=source)], summary=text)


# --------------------------------------------------------------------------- province comparison
def province_comparison(ctx: ReportContext, indicator: str = "in_county_inpatient_share") -> Bundle:
    """Where the county stands among all counties this year: a ranking with the county highlighted."""
    reg = _registry()
    d = ctx.indicators.loc[(ctx.indicators["indicator"] == indicator) & (ctx.indicators["year"] == ctx.year)]
    d = d.dropna(subset=["value"])
    higher = reg[indicator].direction == "higher_is_better"
    d = d.sort_values(["value", "county_id"], ascending=[not higher, True])
    names = [ctx.county_names.get(c, c) for c in d["county_id"]]
    series = pd.Series(d["value"].to_numpy(), index=names)
    target, tgt = target_for(ctx, indicator)
    fig = figures.ranking(
        series,
        f"{label(indicator, ctx.lang)} · {ctx.year}",
        highlight=[ctx.county_name],
        percent=reg[indicator].unit in PERCENT_UNITS,
        reference=target,
        reference_label=localized(tgt, "label", ctx.lang) if tgt else label("target", ctx.lang),
    )
    pos = names.index(ctx.county_name) + 1 if ctx.county_name in names else None
    text = message("county_rank_sentence", ctx.lang, county=ctx.county_name, n=len(names), pos=pos)
    return Bundle([figures.show(fig), source_note(ctx, [indicator]), Markdown(text)], summary=text)


# --------------------------------------------------------------------------- deaths (suppressed)
def deaths_by_cause(ctx: ReportContext, age_bands: tuple[str, str] = ("30-34", "65-69")) -> HtmlTable:
    """Deaths aged 30–69 by cause and sex in the county-year, with small cells suppressed
    (primary ``<threshold``, complementary ``—``) so no count can be recovered from the totals."""
    d = ctx.tables["deaths"]
    d = d.loc[(d["county_id"] == ctx.county_id) & (d["year"] == ctx.year) & d["sex"].isin(["male", "female"])]
    lo, hi = (int(b.split("-")[0]) for b in age_bands)
    start = d["age_band"].str.extract(r"^(\d+)")[0].astype("float")
    d = d.loc[(start >= lo) & (start <= hi)]
    counts = d.pivot_table(index="cause", columns="sex", values="deaths", aggfunc="sum", fill_value=0)
    counts = counts.reindex(
        index=[c for c in ("cvd", "cancer", "diabetes", "crd", "other") if c in counts.index],
        columns=["male", "female"],
        fill_value=0,
    )
    res = suppress_table(counts.astype("int64"), ctx.suppress_threshold)
    pub = res.published()
    lang = ctx.lang
    sex_label = {
        "male": message("sex_male", lang),
        "female": message("sex_female", lang),
        "total": label("total", lang),
    }
    table = pd.DataFrame({label("cause", lang): [label(str(i), lang) for i in pub.index]})
    for col in pub.columns:
        table[sex_label.get(col, col)] = pub[col].to_numpy()
    note = suppression_footnote(ctx.suppress_threshold, lang) if res.n_suppressed else None
    caption = f"{label('deaths_table', lang)} · 30–69 · {ctx.year}"
    return HtmlTable(table, caption=caption, footnote=note, source=source_text(ctx, ["premature_ncd_mortality"]))


# --------------------------------------------------------------------------- claims
def county_claims(ctx: ReportContext, claims_file: str = "") -> list:
    """The figures this county's report states: its own entries of ``claims_file`` when given,
    else of the dataset's ``report_claims.yaml`` (data.md); none when neither lists the county.
    The file read and its sha256 go into the report's provenance."""
    import hashlib

    from toolkit.indicators.claims_check import county_claims as from_file
    from toolkit.indicators.claims_check import dataset_claims

    if claims_file:
        path, claims = Path(claims_file), from_file(claims_file, ctx.county_id)
    else:
        claims, path = dataset_claims(ctx.dataset.root, ctx.county_id)
    if path is not None:
        ctx._memo["provenance"] = {
            **ctx._memo.get("provenance", {}),
            "claims_file": path.name,
            "claims_file_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
    return claims


def claim_values(ctx: ReportContext, claims) -> pd.DataFrame:
    """The county's indicator values plus the settlement series the claims name (savings by year)."""
    from toolkit.report.claim_series import with_settlement_series

    values = ctx.indicators.loc[
        ctx.indicators["county_id"] == ctx.county_id, ["county_id", "year", "indicator", "value"]
    ]
    return with_settlement_series(values, ctx.tables, claims, ctx.params_dir)


def _shown(row, unit: str, lang: str, which: str) -> str:
    value = row[which]
    if (row["status"] == "not_checkable" and which == "recomputed") or pd.isna(value):
        return "—"
    if row["kind"] == "streak":
        return message("county_claim_years", lang, n=int(value))
    if row["kind"] == "trend":
        if which == "stated":
            return message("county_claim_decreasing" if value < 0 else "county_claim_increasing", lang)
        from toolkit.indicators.claims_check import fmt_slope

        return each_lang(lang, lambda one: message("county_claim_slope", one, slope=fmt_slope(value, unit, one)))
    if row["kind"] in ("cagr", "yoy", "change"):
        return fmt_pct(value)
    return _fmt(value, unit)


def claims_checked(ctx: ReportContext, claims_file: str = "") -> Bundle:
    """This county's stated figures recomputed from the data: stated, recomputed, verdict, how
    (rules.md §13: value, growth, streak, trend). A county that states none gets one sentence."""
    from toolkit.indicators.claims_check import check_claims, indicator_info

    claims = county_claims(ctx, claims_file)
    lang = ctx.lang
    if not claims:
        text = claims_summary(pd.DataFrame({"claim": [], "ok": []}), lang)
        return Bundle([Markdown(text)], summary=text)
    checked = check_claims(claims, claim_values(ctx, claims), lang=lang, missing="report")
    rows = checked.to_dict("records")
    units = [indicator_info(r["indicator"]).unit for r in rows]
    table = pd.DataFrame(
        {
            label("claim", lang): checked["claim"],
            label("stated", lang): [_shown(r, u, lang, "stated") for r, u in zip(rows, units)],
            label("recomputed", lang): [_shown(r, u, lang, "recomputed") for r, u in zip(rows, units)],
            label("verdict", lang): [message(f"county_claim_{st}", lang) for st in checked["status"]],
            message("county_explanation_column", lang): checked["explanation"],
        }
    )
    text = claims_summary(checked, lang)
    years = years_of(ctx.indicators.loc[ctx.indicators["county_id"] == ctx.county_id])
    return Bundle([Markdown(text), HtmlTable(table, source=source_text(ctx, years=years))], summary=text)


# --------------------------------------------------------------------------- side files
#: sheets of the county report's Excel side file, in order; their names are the catalogue's ``county_sheet_<sheet>``
SIDE_SHEETS = ("indicators", "settlement", "unit_core_indicators", "objective_attainment", "params")


def _side_headers(columns, lang: str, extra: dict | None = None) -> dict[str, str]:
    """Headers of a side-file sheet: the settlement's column labels (toolkit.settlement.labels), then
    the report catalogue, in ``lang``."""
    from toolkit.settlement.labels import column_label

    out = {}
    for c in columns:
        if extra and c in extra:
            out[c] = extra[c]
            continue
        pair = column_label(c)
        # a settlement column has a label of its own; any other column the report catalogue's (or the
        # registry's, the data contract's)
        out[c] = choose(pair, lang) if pair[0] != c else label(c, lang)
    return out


def _plain_number(value):
    """A parameter value a spreadsheet can compute with: numbers as numbers, the rest as words."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    return None


def write_side_files(ctx: ReportContext) -> Markdown:
    """The report's tables as an Excel workbook in ``output_dir`` (nothing when it is not set): Chinese
    sheet names and headers in a Chinese report, indicator names and units, shares as percentages,
    parameter values as numbers where they are numbers (参数值) and in words otherwise."""
    from toolkit.report.excel import Sheet, SheetLayout, write_workbook

    path = ctx.side_file("tables.xlsx")
    if path is None:
        return Markdown("")
    lang = body_lang(ctx.lang)
    f = indicator_frame(ctx)
    kinds = ["pct" if u in PERCENT_UNITS else "num2" for u in f["unit"]] if len(f) else []
    ind = pd.DataFrame(
        {
            "indicator_name": f["label"] if len(f) else [],
            "unit": [unit_text(u, lang) for u in f.get("unit", [])],
            "direction": [label(f"direction_{d}", lang) for d in f.get("direction", [])],
            "value": f.get("value", []),
            "previous": f.get("previous", []),
            "change": [
                _change_cell(c, d, u, lang)
                for c, d, u in zip(f.get("change", []), f.get("change_verdict", []), f.get("unit", []))
            ],
            "target": f.get("target", []),
            "target_label": f.get("target_label", []),
            "province_median": f.get("province_median", []),
            "vs_median": [label(f"vs_median_{r}", lang) if r else "—" for r in f.get("vs_median", [])],
            "rank": f.get("rank", []),
            "n_counties": f.get("n_counties", []),
            "indicator": f.get("indicator", []),
        }
    )
    ind_labels = {
        "value": str(ctx.year),
        "previous": str(ctx.year - 1),
        "change": label("change_on_last_year", lang),
        "target_label": message("side_target_whose", lang),
        "vs_median": label("vs_median", lang),
        "rank": label("rank_best_first", lang),
        "n_counties": message("side_n_counties", lang),
    }
    sheets = [
        Sheet(
            message("county_sheet_indicators", lang),
            ind,
            formats={"rank": "int", "n_counties": "int"},
            labels=_side_headers(ind.columns, lang, ind_labels),
            row_formats={c: kinds for c in ("value", "previous", "target", "province_median")},
            notes=[source_text(ctx, list(ind["indicator"]))],
            layout=SheetLayout(id_columns=1),
        )
    ]
    if all(t in ctx.tables for t in ("units", "unit_year", "ph_process", "ph_targets")):
        cs = settlement(ctx)
        money = [
            "budget",
            "actual",
            "savings",
            "chronic_budget",
            "chronic_actual",
            "chronic_savings",
            "ph_lump_sum",
            "ph_process",
            "ph_objective",
            "ph_effect",
            "ph_final",
        ]
        names = ["unit_id", "unit_name", "township_name", "community_name"]
        units = cs.units[[c for c in names if c in cs.units.columns] + money]
        sheets.append(
            Sheet(
                message("county_sheet_settlement", lang),
                units,
                formats={m: "yuan" for m in money},
                labels=_side_headers(
                    units.columns,
                    lang,
                    {
                        "township_name": label("township_name_col", lang),
                        "community_name": label("community_name_col", lang),
                    },
                ),
                layout=SheetLayout(id_columns=2),
            )
        )
        ranked = unit_ranking_frame(ctx)
        sheets.append(
            Sheet(
                message("county_sheet_unit_core_indicators", lang),
                ranked,
                formats={"fund_savings": "yuan", "fund_pc_change": "pct", "total_pc_change": "pct"},
                labels=_side_headers(
                    ranked.columns,
                    lang,
                    {"township_name": label("township_name_col", lang), "rank": label("rank", lang)},
                ),
                layout=SheetLayout(id_columns=2),
            )
        )
        from toolkit.settlement.words import indicator_label

        att = objective_attainment_frame(ctx)
        raw_ids = list(att["indicator"])
        att = att.assign(indicator=[indicator_label(i, lang) for i in att["indicator"]])
        sheets.append(
            Sheet(
                message("county_sheet_objective_attainment", lang),
                att,
                formats={"share_met": "pct", "units": "int", "met": "int", "vetoed": "int"},
                row_formats={"benchmark": ["num2" if i.endswith("_credits") else "pct" for i in raw_ids]},
                labels=_side_headers(
                    att.columns,
                    lang,
                    {
                        "indicator": label("indicator_column", lang),
                        "units": message("side_units_evaluated", lang),
                        "met": message("side_units_met", lang),
                        "vetoed": message("side_units_vetoed", lang),
                        "share_met": message("side_share_met", lang),
                    },
                ),
            )
        )
        from toolkit.settlement.unit_statement import parameter_table

        words = parameter_table(cs)
        used = dict(zip(cs.params["key"], cs.params["value"]))
        snap = cs.snapshot
        raw = [snap[k] if snap is not None and k in snap else used.get(k) for k in words["key"]]
        numbers = [_plain_number(v) for v in raw]
        params = pd.DataFrame(
            {
                "label": words[f"label_{lang}"],
                "param_value": [n if n is not None else w for n, w in zip(numbers, words[f"value_{lang}"])],
                "since": words["since"],
                "source": words[f"source_full_{lang}"],
                "key": words["key"],
            }
        )
        sheets.append(
            Sheet(
                message("county_sheet_params", lang),
                params,
                formats={"since": "int_plain"},
                # a number is written as a number (General format), words as text
                row_formats={"param_value": ["general" if n is not None else "text" for n in numbers]},
                labels={
                    "label": label("parameter", lang),
                    "param_value": message("side_param_value", lang),
                    "since": message("side_since", lang),
                    "source": label("source", lang),
                    "key": message("side_param_key", lang),
                },
                layout=SheetLayout(id_columns=1),
            )
        )
    write_workbook(path, sheets, lang=ctx.lang, synthetic=ctx.synthetic)
    return Markdown(message("tables_saved", ctx.lang, name=path.name))
