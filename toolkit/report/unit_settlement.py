"""Sections of the unit settlement report (notebooks/unit_settlement.ipynb): the per-unit
statement of the three packages of one county-year (seed 000 §3.1 big and small packages, §3.2
public-health 7:2:1 evaluation; computed by :func:`toolkit.settlement.statement.settle_county`),
charts by township, the conservation checks and the parameter snapshot used.
"""

from __future__ import annotations

import pandas as pd

from toolkit.catalogue import body_lang, choose, localized, text
from toolkit.report import figures
from toolkit.report.bundle import Bundle
from toolkit.report.context import ReportContext
from toolkit.report.county import settlement
from toolkit.report.labels import label
from toolkit.report.tables import HtmlTable, fmt_pct, fmt_yuan
from toolkit.report.text import Markdown
from toolkit.settlement.money import yuan_to_fen

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
#: statement column -> catalogue key of its header (toolkit/catalogue/statements.yaml, report.yaml)
HEADERS = {
    "unit_name": "unit_core_col_1",
    "township_name": "township_name_col",
    "community_name": "community_name_col",
    **{col: f"unit_settlement_{col}" for col in ("units", *UNIT_MONEY, "insurer_paid", "chronic_insurer_paid", "paid")},
}
#: the unit table: what each unit is paid (the statements' totals), in yuan like the statements
PAID = ("insurer_paid", "chronic_insurer_paid", "ph_final", "paid")


def _each(lang: str, make) -> str:
    """``make(l)`` in ``lang``; ``both`` joins the Chinese and the English made apart (``中文 / English``)."""
    return choose((make("zh"), make("en")), lang)


def _h(col: str, lang: str, money: bool = True) -> str:
    if not money:
        return text(HEADERS[col], lang)
    return _each(lang, lambda one: text("in_yuan", one, name=text(HEADERS[col], one)))


def unit_table(ctx: ReportContext) -> HtmlTable:
    """What every unit is paid (the total of its statement), in yuan, with the county total."""
    cs = settlement(ctx)
    u = cs.units.sort_values("unit_id")
    lang = ctx.lang
    fen = {c: yuan_to_fen(u[c].to_numpy()) for c in PAID[:3]}
    fen["paid"] = fen["insurer_paid"] + fen["chronic_insurer_paid"] + fen["ph_final"]
    out = pd.DataFrame(
        {
            _h("unit_name", lang, False): u["unit_name"].to_numpy(),
            _h("township_name", lang, False): u["township_name"].to_numpy(),
            **{_h(c, lang): [fmt_yuan(v / 100) for v in fen[c]] for c in PAID},
        }
    )
    total = {_h("unit_name", lang, False): label("total", lang), _h("township_name", lang, False): ""}
    total.update({_h(c, lang): fmt_yuan(int(fen[c].sum()) / 100) for c in PAID})
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return HtmlTable(out, caption=f"{ctx.county_name} · {ctx.year} · {label('unit_settlement', lang)}")


def reconciliation_table(ctx: ReportContext) -> HtmlTable:
    """The county reconciliation (结算汇总与平衡表): each package's pool, what accounts for it and
    the difference, which is 0.00 when the settlement balances (toolkit.settlement.reconciliation)."""
    from toolkit.settlement.reconciliation import PACKAGES, reconcile

    rec = reconcile(settlement(ctx))
    lang = ctx.lang
    amounts = [
        (fmt_pct(v) if unit == "比例" else fmt_yuan(v)) if pd.notna(v) else "—"
        for v, unit in zip(rec["amount"], rec["unit"])
    ]
    table = pd.DataFrame(
        {
            label("package", lang): [choose(PACKAGES[p], lang) for p in rec["package"]],
            label("line", lang): localized(rec, "label", lang),
            text("amount_yuan", lang): amounts,
            label("role", lang): [text(f"reconciliation_role_{r}", lang) for r in rec["role"]],
        }
    )
    note = text("reconciliation_note", lang)
    return HtmlTable(table, caption=label("reconciliation", lang), footnote=note)


def rollup_table(ctx: ReportContext, level: str = "township") -> HtmlTable:
    """Money by township or medical community (by name), in yuan, with a totals row."""
    cs = settlement(ctx)
    lang = ctx.lang
    frame = cs.by_township if level == "township" else cs.by_community
    name = f"{level}_name"
    cols = ("units", "budget", "actual", "savings", "chronic_budget", "chronic_actual", "chronic_savings", "ph_final")
    out = pd.DataFrame({_h(name, lang, False): frame[name].to_numpy()})
    for c in cols:
        out[_h(c, lang, c != "units")] = [f"{int(v):,}" if c == "units" else fmt_yuan(v) for v in frame[c]]
    total = {_h(name, lang, False): label("total", lang)}
    for c in cols:
        s = int(frame[c].sum()) if c == "units" else int(yuan_to_fen(frame[c].to_numpy()).sum()) / 100
        total[_h(c, lang, c != "units")] = f"{s:,}" if c == "units" else fmt_yuan(s)
    out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return HtmlTable(out)


def chart_rows(cs) -> pd.DataFrame:
    """The rows the package charts draw, labelled by name: townships, or the units of a county
    with one township."""
    if cs.by_township["township_id"].nunique() > 1:
        return cs.by_township.set_index("township_name")
    return cs.units.set_index("unit_name")


def package_charts(ctx: ReportContext) -> Bundle:
    """Budget against spending of both insurance packages, and the public-health pool split into
    process / objective / effect amounts — by township (by unit when the county has one township)."""
    cs = settlement(ctx)
    lang = ctx.lang
    by = chart_rows(cs)
    unit = label("wan_unit", lang)
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
    """The settlement's own checks, each with a sentence saying what it checked and its inputs."""
    c = settlement(ctx).checks
    lang = ctx.lang
    verdict = [
        "—" if ok is None or pd.isna(ok) else text("check_verdict_pass" if ok else "check_verdict_fail", lang)
        for ok in c["ok"]
    ]

    def pick(zh_col: str, en_col: str) -> list[str]:
        en = c[en_col].fillna("").astype(str).tolist()
        zh = [z if isinstance(z, str) and z else e for z, e in zip(c[zh_col], en)] if zh_col in c.columns else en
        return [choose(pair, lang) for pair in zip(zh, en)]

    table = pd.DataFrame(
        {
            label("check", lang): pick("check_zh", "check"),
            label("verdict", lang): verdict,
            text("check_what", lang): pick("note_zh", "note"),
        }
    )
    return HtmlTable(table)


def parameters_table(ctx: ReportContext) -> HtmlTable:
    """The parameters the settlement used: label, value and the policy document, in words."""
    from toolkit.settlement.unit_statement import parameter_table

    cs = settlement(ctx)
    p = parameter_table(cs)
    lang = ctx.lang
    table = pd.DataFrame(
        {
            label("parameter", lang): localized(p, "label", lang),
            label("value", lang): localized(p, "value", lang),
            label("since", lang): p["since"].astype(str),
            label("source", lang): localized(p, "source_full", lang),
        }
    )
    digest = f"{text('settlement_digest', lang)} {cs.params_digest[:12]}"
    return HtmlTable(table, caption=f"{label('parameters_used', lang)} · {digest}")


def write_side_files(ctx: ReportContext) -> Markdown:
    """The settlement workbook (money in yuan, as the statements) and every unit's statement (HTML
    and PDF, toolkit.report.statements) in ``output_dir``; nothing when it is not set."""
    from toolkit.io import write_bytes
    from toolkit.report.settlement_workbook import settlement_workbook_bytes
    from toolkit.report.statements import FOLDER, statement_files

    path = ctx.side_file("statement.xlsx")
    if path is None:
        return Markdown("")
    cs = settlement(ctx)
    lang = body_lang(ctx.lang)  # a unit's statement has one language: a bilingual report's reads Chinese
    write_bytes(path, settlement_workbook_bytes(cs, lang, synthetic=ctx.synthetic, data_hash=ctx.dataset.data_hash))
    folder = ctx.side_file(FOLDER)  # one folder per county-year: a batch writes many beside each other
    for name, data in sorted(statement_files(cs, lang, tables=ctx.tables, synthetic=ctx.synthetic).items()):
        write_bytes(folder / name, data)
    return Markdown(text("side_files_saved", ctx.lang, workbook=path.name, n=len(cs.units), folder=folder.name))
