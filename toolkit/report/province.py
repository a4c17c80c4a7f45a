"""Sections of the province overview (notebooks/province_overview.ipynb): every county side by
side for one year — a table of the key indicators, a ranking and small multiples of the trends
(no maps). Indicators from :mod:`toolkit.indicators` (rules.md §6–7, seed 004).
"""

from __future__ import annotations

import pandas as pd

from toolkit.indicators.registry import registry_by_id
from toolkit.report import figures
from toolkit.report.bundle import Bundle
from toolkit.report.context import ReportContext
from toolkit.report.county import (
    KEY_INDICATORS,
    PERCENT_UNITS,
    source_note,
    source_text,
    target_for,
    years_of,
)
from toolkit.report.labels import label, message
from toolkit.report.tables import MISSING, HtmlTable, fmt_indicator, unit_text
from toolkit.report.text import Markdown


def county_table(ctx: ReportContext, indicators=KEY_INDICATORS) -> HtmlTable:
    """Counties (rows: code, name, reform year) × key indicators (columns, each header with its unit
    and direction) for the year, sorted by county code, and a last row with the province median;
    the headers sort the rows on a click (the median row stays last)."""
    reg = registry_by_id()
    lang = ctx.lang
    d = ctx.indicators.loc[ctx.indicators["year"] == ctx.year]
    wide = d.pivot_table(index="county_id", columns="indicator", values="value", aggfunc="first")
    cols = [i for i in indicators if i in wide.columns and i in reg]
    counties = sorted(wide.index)
    out = pd.DataFrame(
        {
            label("county_id", lang): [*counties, MISSING],
            label("county", lang): [*(ctx.county_names.get(c, c) for c in counties), label("province_median", lang)],
            label("reform_year", lang): [*(str(ctx.reform_years.get(c) or MISSING) for c in counties), MISSING],
        }
    )
    for i in cols:
        unit = reg[i].unit
        head = message(
            "header_with_unit",
            lang,
            name=label(i, lang),
            unit=unit_text(unit, lang),
            direction=label(f"direction_{reg[i].direction}", lang),
        )
        out[head] = [*(fmt_indicator(wide.loc[c, i], unit) for c in counties), fmt_indicator(wide[i].median(), unit)]
    return HtmlTable(
        out,
        caption=f"{label('province_overview', lang)} · {ctx.year}",
        source=source_text(ctx, cols),
        sortable=True,
        pinned_last=1,
    )


def ranking(ctx: ReportContext, indicator: str = "in_county_inpatient_share") -> Bundle:
    """Counties ranked on one indicator for the year, best first (per the indicator's direction)."""
    reg = registry_by_id()
    if indicator not in reg:
        from toolkit.errors import ToolkitError

        raise ToolkitError(f"parameter indicator: value {indicator!r} — expected an indicator id of the registry")
    d = ctx.indicators.loc[(ctx.indicators["indicator"] == indicator) & (ctx.indicators["year"] == ctx.year)]
    d = d.dropna(subset=["value"])
    higher = reg[indicator].direction == "higher_is_better"
    d = d.sort_values(["value", "county_id"], ascending=[not higher, True])
    names = [ctx.county_names.get(c, c) for c in d["county_id"]]
    fig = figures.ranking(
        pd.Series(d["value"].to_numpy(), index=names),
        f"{label(indicator, ctx.lang)} · {ctx.year}",
        percent=reg[indicator].unit in PERCENT_UNITS,
        reference=target_for(ctx, indicator, county=False)[0],
        reference_label=label("target", ctx.lang),
    )
    best = names[0] if names else MISSING
    text = message("province_best_sentence", ctx.lang, name=label(indicator, ctx.lang), n=len(names), best=best)
    return Bundle([figures.show(fig), source_note(ctx, [indicator]), Markdown(text)], summary=text)


def small_multiples(ctx: ReportContext, indicator: str = "hospitalisation_rate") -> object:
    """One small trend panel per county, reform year marked, shared axes."""
    reg = registry_by_id()
    d = ctx.indicators.loc[ctx.indicators["indicator"] == indicator, ["county_id", "year", "value"]].dropna()
    fig = figures.small_multiples(
        d,
        label(indicator, ctx.lang),
        lang=ctx.lang,
        names=ctx.county_names,
        reform_years=ctx.reform_years,
        target=target_for(ctx, indicator, county=False)[0],
        percent=reg[indicator].unit in PERCENT_UNITS,
    )
    shown = figures.show(fig)
    return Bundle([shown, source_note(ctx, [indicator], years_of(d))], summary=shown.alt)


def write_side_files(ctx: ReportContext) -> Markdown:
    """The province indicator table (all counties and years) as Excel in ``output_dir``: the same
    Chinese, formatted sheets as ``indicators.xlsx`` (:mod:`toolkit.report.indicator_workbook`)."""
    from toolkit.report.excel import write_workbook
    from toolkit.report.indicator_workbook import indicator_sheets, registry_frame
    from toolkit.report.labels import message

    path = ctx.side_file("indicators.xlsx")
    if path is None:
        return Markdown("")
    d = ctx.indicators[["county_id", "year", "indicator", "value", "lower", "upper"]]
    sheets = indicator_sheets(d, None, ctx.county_names, registry_frame())
    write_workbook(path, sheets, lang=ctx.lang, synthetic=ctx.synthetic)
    return Markdown(message("indicators_saved", ctx.lang, name=path.name))
