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
#: statement column -> (zh, en) header
HEADERS = {
    "unit_name": ("健康管理单元", "Unit"),
    "township_name": ("乡镇", "Township"),
    "community_name": ("医共体", "Medical community"),
    "units": ("单元数（个）", "Units"),
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
    "insurer_paid": ("大包干医保拨付", "Big package paid"),
    "chronic_insurer_paid": ("小包干医保拨付", "Chronic package paid"),
    "paid": ("本年度拨付合计", "Total paid"),
}
#: the unit table: what each unit is paid (the statements' totals), in yuan like the statements
PAID = ("insurer_paid", "chronic_insurer_paid", "ph_final", "paid")


def _h(col: str, lang: str, money: bool = True) -> str:
    zh, en = HEADERS[col]
    if not money:
        return zh if lang == "zh" else en
    return f"{zh}（元）" if lang == "zh" else f"{en} (yuan)"


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
    zh = lang == "zh"
    amounts = [
        (fmt_pct(v) if unit == "比例" else fmt_yuan(v)) if pd.notna(v) else "—"
        for v, unit in zip(rec["amount"], rec["unit"])
    ]
    role = {"pool": "资金池", "accounted": "去向", "difference": "差额", "memo": "备注"}
    table = pd.DataFrame(
        {
            ("项目" if zh else "Package"): [PACKAGES[p][0 if zh else 1] for p in rec["package"]],
            ("行" if zh else "Line"): rec["label_zh" if zh else "label_en"],
            ("金额（元）" if zh else "Amount (yuan)"): amounts,
            ("类别" if zh else "Role"): rec["role"].map(role) if zh else rec["role"],
        }
    )
    note = (
        "每个项目：资金池 − 各项去向 = 差额；差额为0.00即收支平衡到分。超支以负数计入去向（由医保基金或医共体承担）。"
        if zh
        else "For each package: pool − accounted = difference, 0.00 when it balances to the fen; an overspend "
        "enters with a minus sign (borne by the insurer or the community)."
    )
    return HtmlTable(table, caption="结算汇总与平衡表" if zh else "Reconciliation", footnote=note)


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
    """The settlement's own checks, each with a sentence saying what it checked and its inputs."""
    c = settlement(ctx).checks
    lang = ctx.lang
    zh = lang == "zh"
    verdict = [
        ("—" if ok is None or pd.isna(ok) else ("通过" if ok else "未通过"))
        if zh
        else ("—" if ok is None or pd.isna(ok) else ("pass" if ok else "FAIL"))
        for ok in c["ok"]
    ]

    def pick(zh_col: str, en_col: str) -> list[str]:
        if not zh or zh_col not in c.columns:
            return c[en_col].fillna("").astype(str).tolist()
        return [z if isinstance(z, str) and z else str(e) for z, e in zip(c[zh_col], c[en_col].fillna(""))]

    table = pd.DataFrame(
        {
            ("核对项" if zh else "Check"): pick("check_zh", "check"),
            label("verdict", lang): verdict,
            ("说明" if zh else "What was checked"): pick("note_zh", "note"),
        }
    )
    return HtmlTable(table)


def parameters_table(ctx: ReportContext) -> HtmlTable:
    """The parameters the settlement used: label, value and the policy document, in words."""
    from toolkit.settlement.unit_statement import parameter_table

    cs = settlement(ctx)
    p = parameter_table(cs)
    lang = ctx.lang
    zh = lang == "zh"
    table = pd.DataFrame(
        {
            label("parameter", lang): p["label_zh" if zh else "label_en"],
            label("value", lang): p["value_zh" if zh else "value_en"],
            ("起始年" if zh else "Since"): p["since"].astype(str),
            label("source", lang): p["source_full_zh" if zh else "source_full_en"],
        }
    )
    digest = ("参数指纹" if zh else "digest") + f" {cs.params_digest[:12]}"
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
    lang = "en" if ctx.lang == "en" else "zh"
    write_bytes(path, settlement_workbook_bytes(cs, lang))
    folder = ctx.side_file(FOLDER)  # one folder per county-year: a batch writes many beside each other
    for name, data in sorted(statement_files(cs, lang, tables=ctx.tables).items()):
        write_bytes(folder / name, data)
    n = len(cs.units)
    if ctx.lang == "en":
        return Markdown(
            f"Settlement workbook saved as `{path.name}`; {n} unit statements (HTML and PDF) in `{folder.name}/`."
        )
    return Markdown(
        f"结算工作簿已另存为 Excel：`{path.name}`；{n}个单元的结算单（HTML 和 PDF）在 `{folder.name}/` 文件夹。"
    )
