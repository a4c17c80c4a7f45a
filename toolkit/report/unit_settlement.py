"""Sections of the unit settlement report (notebooks/unit_settlement.ipynb): the per-unit
statement of the three packages of one county-year (seed 000 §3.1 big and small packages, §3.2
public-health 7:2:1 evaluation; computed by :func:`toolkit.settlement.statement.settle_county`),
charts by township, the conservation checks and the parameter snapshot used.
"""

from __future__ import annotations

import pandas as pd

from toolkit.report import figures
from toolkit.report.bundle import Bundle
from toolkit.report.context import ReportContext
from toolkit.report.county import settlement
from toolkit.report.labels import label
from toolkit.report.tables import HtmlTable, fmt_wan
from toolkit.report.text import Markdown

UNIT_MONEY = (
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
)
#: statement column -> (zh, en) header
HEADERS = {
    "unit_name": ("健康管理单元", "Unit"),
    "township_id": ("乡镇", "Township"),
    "budget": ("大包干预算", "Big package budget"),
    "actual": ("大包干支出", "Big package spending"),
    "savings": ("大包干结余", "Big package savings"),
    "chronic_budget": ("小包干预算", "Chronic budget"),
    "chronic_actual": ("小包干支出", "Chronic spending"),
    "chronic_savings": ("小包干结余", "Chronic savings"),
    "ph_lump_sum": ("公卫包干额", "PH lump sum"),
    "ph_process": ("过程评价", "PH process"),
    "ph_objective": ("目标评价", "PH objective"),
    "ph_effect": ("效果评价", "PH effect"),
    "ph_final": ("公卫结算额", "PH settled"),
}


def _h(col: str, lang: str, wan: bool = True) -> str:
    zh, en = HEADERS[col]
    if not wan:
        return zh if lang == "zh" else en
    return f"{zh}（万元）" if lang == "zh" else f"{en} (10k yuan)"


def unit_table(ctx: ReportContext) -> HtmlTable:
    """Every unit's amounts in 万元, in unit order, with the county total as the last row."""
    cs = settlement(ctx)
    u = cs.units.sort_values("unit_id")
    lang = ctx.lang
    out = pd.DataFrame(
        {
            _h("unit_name", lang, False): u["unit_name"].to_numpy(),
            _h("township_id", lang, False): u["township_id"].to_numpy(),
        }
    )
    total = cs.by_county.iloc[0]
    for col in UNIT_MONEY:
        out[_h(col, lang)] = [fmt_wan(v) for v in u[col]]
    total_row = {_h("unit_name", lang, False): label("total", lang), _h("township_id", lang, False): ""}
    total_row.update({_h(col, lang): fmt_wan(total[col]) for col in UNIT_MONEY})
    out = pd.concat([out, pd.DataFrame([total_row])], ignore_index=True)
    return HtmlTable(out, caption=f"{ctx.county_name} · {ctx.year} · {label('unit_settlement', lang)}")


def package_charts(ctx: ReportContext) -> Bundle:
    """Budget against spending of both insurance packages, and the public-health pool split into
    process / objective / effect amounts — by township (by unit when the county has one township)."""
    cs = settlement(ctx)
    lang = ctx.lang
    by = (
        cs.by_township.set_index("township_id")
        if cs.by_township["township_id"].nunique() > 1
        else cs.units.set_index("unit_id")
    )
    unit = "万元" if lang == "zh" else "10k yuan"
    big = by[["budget", "actual"]].rename(columns={"actual": "spending"})
    small = by[["chronic_budget", "chronic_actual"]].rename(
        columns={"chronic_budget": "budget", "chronic_actual": "spending"}
    )
    ph = by[["ph_process", "ph_objective", "ph_effect"]]
    ph.columns = [_h(c, lang, False) for c in ph.columns]
    figs = [
        figures.grouped_bars(big, label("big_package", lang), ylabel=unit, lang=lang, scale=1e4),
        figures.grouped_bars(small, label("small_package", lang), ylabel=unit, lang=lang, scale=1e4),
        figures.grouped_bars(ph, label("public_health", lang), ylabel=unit, lang=lang, scale=1e4, stacked=True),
    ]
    return Bundle([figures.show(f) for f in figs], summary=f"{len(by)} bars per chart")


def checks_table(ctx: ReportContext) -> HtmlTable:
    """The settlement's own checks (money conserved to the fen, 48% village share, effect pool)."""
    c = settlement(ctx).checks
    lang = ctx.lang
    verdict = [
        ("—" if ok is None or pd.isna(ok) else ("通过" if ok else "未通过"))
        if lang == "zh"
        else ("—" if ok is None or pd.isna(ok) else ("pass" if ok else "FAIL"))
        for ok in c["ok"]
    ]
    table = pd.DataFrame(
        {
            ("核对项" if lang == "zh" else "Check"): c["check"],
            ("应为" if lang == "zh" else "Expected"): [str(v) for v in c["expected"]],
            ("实际" if lang == "zh" else "Found"): [str(v) for v in c["found"]],
            label("verdict", lang): verdict,
            ("说明" if lang == "zh" else "Note"): c["note"].fillna(""),
        }
    )
    return HtmlTable(table)


def parameters_table(ctx: ReportContext) -> HtmlTable:
    """The parameter snapshot the settlement used: value, unit, since, source document."""
    p = settlement(ctx).params
    lang = ctx.lang
    table = pd.DataFrame(
        {
            label("parameter", lang): p["label_zh"] if lang == "zh" else p["label_en"],
            ("键" if lang == "zh" else "Key"): p["key"],
            label("value", lang): p["value"].astype(str),
            ("单位" if lang == "zh" else "Unit"): p["unit"],
            ("起始年" if lang == "zh" else "Since"): p["since"].astype(str),
            label("source", lang): p["source"],
        }
    )
    return HtmlTable(table, caption=f"{label('parameters_used', lang)} · digest {settlement(ctx).params_digest[:12]}")


def write_side_files(ctx: ReportContext) -> Markdown:
    """The per-unit statement and parameters as Excel in ``output_dir`` (nothing when not set)."""
    from toolkit.report.excel import Sheet, write_workbook

    path = ctx.side_file("statement.xlsx")
    if path is None:
        return Markdown("")
    cs = settlement(ctx)
    units = cs.units.sort_values("unit_id")[["unit_id", "unit_name", "township_id", "community_id", *UNIT_MONEY]]
    labels = {c: _h(c, ctx.lang, False) for c in UNIT_MONEY}
    write_workbook(
        path,
        [
            Sheet("units", units, formats={m: "yuan" for m in UNIT_MONEY}, labels=labels),
            Sheet("params", cs.params[["key", "label_zh", "label_en", "value", "unit", "since", "source"]]),
        ],
        lang=ctx.lang,
    )
    return Markdown(("结算表已另存为 Excel：" if ctx.lang == "zh" else "Statement saved as Excel: ") + f"`{path.name}`")
