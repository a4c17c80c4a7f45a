"""The settlement workbook a county commission prints (``settlement.xlsx``).

One money unit for the whole workbook: **yuan (元), to the fen**, stated on the first sheet and in
every money header. Chinese sheet names (English with ``lang="en"``), a unit in every header that
has one, money as ``#,##0.00``, percentages as ``0.00%``, a totals row (合计) under every table
whose rows add up, the header row and the id columns frozen and repeated on every printed page,
an autofilter over the data rows, A4 landscape fitted to one page wide. Every cell goes through
:func:`toolkit.report.safe_cells.write_cell` (``toolkit.report.excel``): no cell is a formula.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit import __version__
from toolkit.catalogue import body_lang, choose, localized, text
from toolkit.report.excel import Sheet, SheetLayout, build_workbook_bytes
from toolkit.settlement.labels import column_label
from toolkit.settlement.money import yuan_to_fen
from toolkit.settlement.reconciliation import PACKAGES, reconcile
from toolkit.settlement.unit_statement import parameter_table
from toolkit.settlement.words import TIER_WORDS, indicator_label, project_label

MONEY_UNIT = ("元", "yuan")
UNIT_KEYS = ["unit_id", "unit_name", "township_name", "community_name"]
INDICATORS = ["fund_savings", "fund_pc", "fund_pc_prev", "fund_pc_change", "total_pc_change"]

#: sheet id → (Chinese name, English name)
SHEET_NAMES = {
    "about": ("说明", "about"),
    "reconciliation": ("结算汇总与平衡表", "reconciliation"),
    "big_package": ("大包干", "big package"),
    "chronic_package": ("门诊慢病小包干", "chronic package"),
    "public_health": ("公卫包干", "public health"),
    "insurance_indicators": ("医保核心指标", "insurance indicators"),
    "ph_process": ("过程评价明细", "process detail"),
    "ph_objective": ("目标评价明细", "objective detail"),
    "by_township": ("按乡镇汇总", "by township"),
    "by_community": ("按医共体汇总", "by community"),
    "by_county": ("全县汇总", "county total"),
    "by_tier": ("按层级结余", "savings by tier"),
    "checks": ("核对", "checks"),
    "parameters": ("参数", "parameters"),
}

#: units of columns that are not money (money columns are all in yuan)
UNITS = {
    "insured_pop": ("人", "persons"),
    "chronic_pop": ("人", "persons"),
    "units": ("个", "units"),
    "ph_indicators_met": ("项", "indicators"),
    "ph_indicators_vetoed": ("项", "indicators"),
    "ph_effect_rank": ("名", "rank"),
    "ph_effect_bracket": ("档", "bracket"),
    "baseline_first_year": ("年", "year"),
    "baseline_last_year": ("年", "year"),
    "credits_year": ("分", "credits"),
    "calibrated_credits": ("分", "credits"),
    "yuan_per_credit": ("元/分", "yuan per credit"),
    "quality_coefficient": ("系数", "coefficient"),
    "value": ("比例；健康教育为工分", "fraction; credits for health education"),
    "benchmark": ("比例；健康教育为工分", "fraction; credits for health education"),
}
EXTRA_LABELS = {
    "township_name": ("乡镇", "township"),
    "community_name": ("医共体", "medical community"),
    "county_name": ("县", "county"),
    "package": ("项目", "package"),
    "line": ("行", "line"),
    "amount": ("金额（元）", "amount (yuan)"),
    "role": ("类别", "role"),
    "check": ("核对项", "check"),
    "result": ("结果", "result"),
    "note": ("说明", "explanation"),
    "value_words": ("取值", "value"),
    "param_value": ("参数值", "parameter value"),
    "source_words": ("依据", "source"),
    "about": ("说明", "about"),
    "label": ("参数", "parameter"),
    "since": ("起始年", "since"),
    "key": ("参数键（参数文件中的名称）", "key in the parameter files"),
}
#: the roles of the reconciliation's lines (catalogue entries ``settle_role_<role>``)
ROLES = ("pool", "accounted", "difference", "memo")
PERCENT_HINTS = ("change", "overspend_share", "advance_rate", "budget_growth", "village_share")


def _kind(column: str, series: pd.Series, money: frozenset) -> str | None:
    if column in money or column == "amount":
        return "yuan"
    if any(h in column for h in PERCENT_HINTS) and pd.api.types.is_float_dtype(series):
        return "pct"
    if column in ("year", "since", "baseline_first_year", "baseline_last_year") or column.endswith("_rank"):
        return "int_plain"
    if pd.api.types.is_integer_dtype(series) or column in ("insured_pop", "chronic_pop", "units"):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "num4"
    return "text"


def header(column: str, kind: str | None, lang: str) -> str:
    """The header of a column: its label with its unit (``包干预算（元）``), in ``lang``."""
    if column in EXTRA_LABELS:
        zh, en = EXTRA_LABELS[column]
    else:
        zh, en = column_label(column)
    zh_unit = en_unit = None
    if kind == "yuan":
        zh_unit, en_unit = MONEY_UNIT
    elif kind == "pct":
        zh_unit, en_unit = "%", "%"
    elif column in UNITS or (column.startswith("chronic_") and column[8:] in UNITS):
        zh_unit, en_unit = UNITS.get(column) or UNITS[column[8:]]
    elif column.startswith(("score_q", "chronic_score")):
        zh_unit, en_unit = "分", "points"
    elif column.startswith("credits_q"):
        zh_unit, en_unit = "分", "credits"
    zh = zh.replace("(元)", "").replace("（元）", "")
    en = en.replace(" (yuan)", "")
    if zh_unit:
        zh = text("settle_header_unit", "zh", label=zh, unit=zh_unit)
        en = text("settle_header_unit", "en", label=en, unit=en_unit)
    return choose((zh, en), lang)


def _with_total(frame: pd.DataFrame, label_column: str, lang: str, sum_columns: list[str], money) -> pd.DataFrame:
    """``frame`` with a 合计 row: sums of ``sum_columns`` (exact: money is summed in fen)."""
    total: dict = {c: None for c in frame.columns}
    total[label_column] = text("settle_total_row", body_lang(lang))
    for c in sum_columns:
        values = pd.to_numeric(frame[c], errors="coerce").fillna(0).to_numpy()
        if pd.api.types.is_integer_dtype(frame[c]):
            total[c] = int(values.sum())
        else:
            total[c] = int(yuan_to_fen(values).sum()) / 100.0 if c in money else float(values.sum())
    out = frame.astype(object)
    out.loc[len(out)] = [total[c] for c in frame.columns]
    return out


def _is_flag(series: pd.Series) -> bool:
    """True for a yes/no column: bool dtype, or objects that are all bools or missing."""
    if pd.api.types.is_bool_dtype(series):
        return True
    if series.dtype != object:
        return False
    present = [v for v in series if v is not None and not (isinstance(v, float) and pd.isna(v)) and v is not pd.NA]
    return bool(present) and all(isinstance(v, (bool, np.bool_)) for v in present)


def _words_for_flags(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``frame`` with every yes/no column in words (是/否, not True/False; yes/no in English), missing stays
    empty."""
    flags = [c for c in frame.columns if _is_flag(frame[c])]
    if not flags:
        return frame
    yes, no = text("yes", body_lang(lang)), text("no", body_lang(lang))
    frame = frame.copy()
    for c in flags:
        frame[c] = [
            None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else (yes if v else no)
            for v in frame[c]
        ]
    return frame


def _sheet(sheet_id, frame, lang, money, ids=1, total_label=None, sums=None, notes=()) -> Sheet:
    frame = _words_for_flags(frame, lang)
    kinds = {c: _kind(str(c), frame[c], money) for c in frame.columns}
    n = len(frame)
    if total_label is not None:
        frame = _with_total(frame, total_label, lang, sums if sums is not None else [], money)
    labels = {c: header(str(c), kinds[c], lang) for c in frame.columns}
    formats = {c: k for c, k in kinds.items() if k}
    return Sheet(
        name=choose(SHEET_NAMES[sheet_id], body_lang(lang)),
        frame=frame,
        formats=formats,
        labels=labels,
        notes=list(notes),
        layout=SheetLayout(id_columns=ids, filter_rows=n),
    )


def settlement_sheets(cs, lang: str = "zh", data_hash: str | None = None) -> list[Sheet]:
    """The sheets of one county settlement (see the module docstring); ``data_hash``: the dataset's,
    named on the 说明 sheet with the toolkit's version, so the workbook says what made it."""
    money = frozenset(cs.money) | {"amount"}
    units = cs.units.sort_values("unit_id").reset_index(drop=True)
    keys = [c for c in UNIT_KEYS if c in units.columns]
    chronic = [c for c in units.columns if c.startswith("chronic_") or c == "chronic_pop"]
    ph = [c for c in units.columns if c.startswith("ph_")]
    skip = set(keys) | set(chronic) | set(ph) | set(INDICATORS)
    skip |= {"params_digest", "county_id", "township_id", "community_id", "year"}
    big = [c for c in units.columns if c not in skip]

    def summable(cols):
        return [c for c in cols if c in money or c in ("insured_pop", "chronic_pop", "units")]

    body = body_lang(lang)  # the words in the cells; only the headers are bilingual
    about = pd.DataFrame(
        {
            "about": [
                text("settle_about_title", body, county=cs.county_name, year=cs.year),
                text("settle_about_money", body, unit=choose(MONEY_UNIT, body)),
                text("settle_about_digest", body, digest=cs.params_digest),
                *([text("settle_about_data", body, digest=data_hash, version=__version__)] if data_hash else []),
                text("settle_about_layout", body),
            ]
        }
    )
    rec = reconcile(cs)
    rec_sheet = pd.DataFrame(
        {
            "package": [choose(PACKAGES[p], body) for p in rec["package"]],
            "line": localized(rec, "label", body),
            "amount": rec["amount"],
            "role": rec["role"].map({r: text(f"settle_role_{r}", body) for r in ROLES}),
        }
    )
    share_rows = rec["unit"] != "元"
    rec_sheet["amount"] = rec_sheet["amount"].astype(object)
    checks = cs.checks
    check_zh = checks["check_zh"] if "check_zh" in checks.columns else checks["check"]
    note_zh = checks["note_zh"] if "note_zh" in checks.columns else checks["note"]
    # a check without Chinese words reads in English
    in_words = {
        "check_zh": [z if isinstance(z, str) and z else e for z, e in zip(check_zh, checks["check"])],
        "check_en": checks["check"],
        "note_zh": [z if isinstance(z, str) and z else e for z, e in zip(note_zh, checks["note"])],
        "note_en": checks["note"],
    }
    passed, failed = text("settle_check_pass", body), text("settle_check_fail", body)
    check_sheet = pd.DataFrame(
        {
            "check": localized(in_words, "check", body),
            "result": ["—" if ok is None or pd.isna(ok) else (passed if ok else failed) for ok in checks["ok"]],
            "note": localized(in_words, "note", body),
        }
    )
    words = parameter_table(cs)
    # a plain number is written as a number (a spreadsheet can compute with it); choices and tables in words
    snap = cs.snapshot
    used = dict(zip(cs.params["key"], cs.params["value"]))
    raw = [snap[k] if snap is not None and k in snap else used.get(k) for k in words["key"]]
    plain = [isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw]
    param_sheet = pd.DataFrame(
        {
            "label": localized(words, "label", body),
            "param_value": [v if p else w for v, p, w in zip(raw, plain, localized(words, "value", body))],
            "since": words["since"],
            "source_words": localized(words, "source_full", body),
            "key": words["key"],
        }
    )

    def named_first(frame, name, drop):
        frame = frame.drop(columns=[c for c in drop if c in frame.columns])
        return frame[[name] + [c for c in frame.columns if c != name]]

    town = named_first(cs.by_township, "township_name", ["county_id", "township_id", "year"])
    comm = named_first(cs.by_community, "community_name", ["county_id", "community_id", "year"])
    county = named_first(cs.by_county, "county_name", ["county_id", "year"])
    tier = cs.by_tier.drop(columns=["county_id"], errors="ignore")
    tier = tier.assign(tier=[choose(TIER_WORDS.get(t, (t, t)), body) for t in tier["tier"]])
    process = cs.ph_process.drop(columns=["county_id"], errors="ignore")
    process = process.assign(project=[project_label(p, body) for p in process["project"]])
    objective = cs.ph_objective.drop(columns=["county_id"], errors="ignore")
    objective = objective.assign(indicator=[indicator_label(i, body) for i in objective["indicator"]])
    sheets = [
        _sheet("about", about, lang, money, ids=0),
        _sheet("reconciliation", rec_sheet, lang, money, ids=2),
        _sheet("big_package", units[keys + big], lang, money, ids=2, total_label="unit_id", sums=summable(big)),
        _sheet(
            "chronic_package", units[keys + chronic], lang, money, ids=2, total_label="unit_id", sums=summable(chronic)
        ),
        _sheet("public_health", units[keys + ph], lang, money, ids=2, total_label="unit_id", sums=summable(ph)),
        _sheet(
            "insurance_indicators",
            units[keys + INDICATORS],
            lang,
            money,
            ids=2,
            total_label="unit_id",
            sums=["fund_savings"],
        ),
        _sheet("ph_process", process, lang, money, ids=3, total_label="unit_id", sums=["amount"]),
        _sheet("ph_objective", objective, lang, money, ids=3, total_label="unit_id", sums=["share", "amount"]),
        _sheet("by_township", town, lang, money, ids=1, total_label="township_name", sums=summable(list(town.columns))),
        _sheet(
            "by_community", comm, lang, money, ids=1, total_label="community_name", sums=summable(list(comm.columns))
        ),
        _sheet("by_county", county, lang, money, ids=1),
        _sheet("by_tier", tier, lang, money, ids=2, total_label="tier", sums=["savings", "chronic_savings", "total"]),
        _sheet("checks", check_sheet, lang, money, ids=1),
        _sheet("parameters", param_sheet, lang, money, ids=1),
    ]
    sheets[-1].row_formats = {"param_value": ["general" if p else "text" for p in plain]}
    # the reconciliation's share lines are fractions, not yuan
    rec_formats = dict(sheets[1].formats)
    sheets[1].frame.loc[share_rows.to_numpy(), "amount"] = [
        f"{v:.2%}" if pd.notna(v) else "—" for v in rec.loc[share_rows, "amount"]
    ]
    sheets[1].formats = rec_formats
    return sheets


def settlement_workbook_bytes(cs, lang: str = "zh", synthetic: bool = False, data_hash: str | None = None) -> bytes:
    """settlement.xlsx; ``synthetic`` (the dataset's manifest says so): every sheet labelled 示例数据
    (toolkit.report.excel); ``data_hash``: named on the 说明 sheet."""
    return build_workbook_bytes(settlement_sheets(cs, lang, data_hash), lang=body_lang(lang), synthetic=synthetic)
