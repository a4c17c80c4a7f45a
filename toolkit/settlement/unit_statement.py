"""The unit payment statement (单元结算单): the lines of one unit's settlement, from inputs to payment.

:func:`unit_statement` is a pure function of a :class:`~toolkit.settlement.statement.CountySettlement`
and a unit id. It lays out, for a clerk to check and sign, the big package and the chronic package
(seed 000 §3.1, rules.md §2–3: baseline years and spending per head, population, budget, monthly
advances, spending, savings or overspend, who bears an overspend, the savings split by tier, the
year-end payment) and public health (seed 000 §3.2, rules.md §5: lump sum, 70/20/10 shares, each
process sub-project, each objective indicator, the deductions moved to the effect pool, the unit's
year-on-year change, rank, bracket and effect money).

**The amount paid** to a unit for the year is what the insurer pays for its two packages (monthly
advances + year-end payment, i.e. the budget plus the insurer's share of an overspend; savings are
retained by the unit's tiers) plus its public-health settlement amount (process + objective +
effect). The lines marked ``paid`` add up to it exactly, in integer fen; every other line explains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd

from toolkit.catalogue import text
from toolkit.settlement.money import allocate, yuan_to_fen
from toolkit.settlement.words import (
    CHOICES,
    documents_cited,
    indicator_label,
    project_label,
    source_words,
    value_words,
)


@dataclass(frozen=True)
class Line:
    """One line of a statement: a label, an amount in fen (or a value in words), how it was computed."""

    key: str
    label_zh: str
    label_en: str
    amount_fen: int | None = None
    value_zh: str = ""
    value_en: str = ""
    note_zh: str = ""
    note_en: str = ""
    paid: bool = False  # enters the amount paid
    subtotal: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title_zh: str
    title_en: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class UnitStatement:
    unit_id: str
    unit_name: str
    township_name: str
    community_name: str
    county_name: str
    county_id: str
    year: int
    sections: tuple[Section, ...]
    process: tuple  # one record per sub-project (attributes: the columns of _process_table)
    objective: tuple  # one record per indicator (attributes: the columns of _objective_table)
    parameters: pd.DataFrame  # label, value and source in words (zh, en)
    parameter_rows: tuple  # the same, as records
    total_fen: int
    rounding_zh: str
    rounding_en: str
    params_digest: str
    gate_zh: str = ""
    gate_en: str = ""
    warning_zh: str = ""  # a plausibility warning on the data (toolkit.report.plausibility_notes); "" when none
    warning_en: str = ""
    documents_zh: tuple = ()  # the policy documents the parameters cite, in full
    documents_en: tuple = ()
    extra: dict = field(default_factory=dict)

    def lines(self) -> list[Line]:
        return [line for s in self.sections for line in s.lines]

    def paid_lines(self) -> list[Line]:
        return [line for line in self.lines() if line.paid]


def yuan(fen: int | None) -> str:
    """Fen as ``1,234.56`` (the statement's one money format, yuan to the fen)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _f(row, column: str) -> int:
    """An amount of the statement (yuan, exact to the fen) as integer fen, half away from zero as
    :func:`toolkit.settlement.money.yuan_to_fen`."""
    scaled = round(float(row[column]) * 100.0, 4)
    return int(math.copysign(math.floor(abs(scaled) + 0.5), scaled))


def _pct(v: float, digits: int = 2) -> str:
    return "—" if v is None or pd.isna(v) else f"{v:.{digits}%}"


def _monthly_note(total: int, rate: float, budget: int) -> tuple[str, str]:
    months = allocate(total, [1] * 12)
    hi, lo = max(months), min(months)
    if hi == lo:
        each_zh, each_en = f"每月{yuan(hi)}元", f"{yuan(hi)} a month"
    else:
        k = months.count(hi)
        each_zh = f"{k}个月各{yuan(hi)}元、{12 - k}个月各{yuan(lo)}元"
        each_en = f"{k} months of {yuan(hi)} and {12 - k} of {yuan(lo)}"
    return (
        f"预算{yuan(budget)} × 预拨比例{rate:g}，分12个月：{each_zh}",
        f"budget {yuan(budget)} × advance rate {rate:g}, in 12 instalments: {each_en}",
    )


def _package(row, p: str, snap, zh: str, en: str, pop_zh: str, pop_en: str) -> Section:
    first, last = int(row[f"{p}baseline_first_year"]), int(row[f"{p}baseline_last_year"])
    lags = sorted((c for c in row if c.startswith(f"{p}baseline_pc_lag")), key=lambda c: -int(c.rsplit("lag", 1)[1]))
    years = list(range(first, last + 1))
    per_year = [(y, row[c]) for y, c in zip(years, lags)]
    pc_zh = "；".join(f"{y}年 {'—' if pd.isna(v) else f'{v:,.2f}'}" for y, v in per_year)
    pc_en = "; ".join(f"{y} {'—' if pd.isna(v) else f'{v:,.2f}'}" for y, v in per_year)
    pop = int(row["chronic_pop" if p else "insured_pop"])
    base = float(row[f"{p}baseline_per_capita"])
    growth = float(row[f"{p}budget_growth"])
    budget, actual = _f(row, f"{p}budget"), _f(row, f"{p}actual")
    savings = _f(row, f"{p}savings")
    advance = _f(row, f"{p}advance_total")
    year_end = _f(row, f"{p}year_end_payment")
    rate = float(row[f"{p}advance_rate"])
    m_zh, m_en = _monthly_note(advance, rate, budget)
    split_key = "chronic_savings_split" if p else "savings_split"
    split = snap[split_key] if snap is not None else {"county": 0.4, "township": 0.4, "village": 0.2}
    ratio = ":".join(f"{10 * v:g}" for v in split.values())
    lines = [
        Line(
            "baseline",
            f"基数年度人均支出（{first}–{last}年，元/人）",
            f"baseline spending per head {first}–{last} (yuan)",
            note_zh=pc_zh,
            note_en=pc_en,
        ),
        Line(
            "baseline_per_capita",
            "基数人均年均支出（元/人）",
            "baseline spending per head (yuan)",
            value_zh=f"{base:,.2f}",
            value_en=f"{base:,.2f}",
            note_zh=f"近{len(years)}年平均",
            note_en=f"mean of {len(years)} years",
        ),
        Line("population", f"{pop_zh}（人）", f"{pop_en} (persons)", value_zh=f"{pop:,}", value_en=f"{pop:,}"),
        Line(
            "budget",
            "包干预算",
            "budget",
            budget,
            note_zh=f"{base:,.2f} × {pop:,}人" + (f" × (1 + {growth:g})" if growth else ""),
            note_en=f"{base:,.2f} × {pop:,}" + (f" × (1 + {growth:g})" if growth else ""),
        ),
        Line(
            "advance_total", "按月预拨合计", "monthly advances, total", advance, note_zh=m_zh, note_en=m_en, paid=True
        ),
        Line("actual", "实际支出", "actual spending", actual),
    ]
    if savings >= 0:
        tiers = [_f(row, f"{p}savings_{t}") for t in ("county", "township", "village")]
        lines.append(
            Line(
                "savings",
                "结余（留用）",
                "savings (retained)",
                savings,
                note_zh=f"预算{yuan(budget)} − 实际支出{yuan(actual)}",
                note_en=f"budget {yuan(budget)} − spending {yuan(actual)}",
            )
        )
        withheld = _f(row, f"{p}savings_withheld") if f"{p}savings_withheld" in row else 0
        gate = str(snap["savings_gate"]) if snap is not None and "savings_gate" in snap else "none"
        if gate != "none" or withheld:
            score = row.get("savings_gate_score")
            shown = "—" if score is None or pd.isna(score) else f"{float(score):.2f}"
            lines.append(
                Line(
                    "savings_withheld",
                    "　其中考核未通过部分（退回医保基金）",
                    "  returned to the fund after assessment",
                    withheld,
                    note_zh=f"考核得分{shown}（{CHOICES[gate][0]}）",
                    note_en=f"assessment score {shown} ({CHOICES[gate][1]})",
                )
            )
        for t, zh_t, en_t, v in zip(("county", "township", "village"), ("县级", "乡镇", "村级"), TIERS_EN, tiers):
            lines.append(
                Line(
                    f"savings_{t}",
                    f"　其中结余分配：{zh_t}",
                    f"  savings to the {en_t} tier",
                    v,
                    note_zh=f"{'（结余 − 退回部分）' if withheld else '结余'} × {split[t]:g}（县镇村 {ratio}）",
                    note_en=f"{'(savings − returned)' if withheld else 'savings'} × {split[t]:g} ({ratio})",
                )
            )
    else:
        over = _f(row, f"{p}overspend")
        insurer, community = _f(row, f"{p}overspend_insurer"), _f(row, f"{p}overspend_community")
        share = float(row[f"{p}overspend_share"])
        lines += [
            Line(
                "overspend",
                "超支",
                "overspend",
                over,
                note_zh=f"实际支出{yuan(actual)} − 预算{yuan(budget)}",
                note_en=f"spending {yuan(actual)} − budget {yuan(budget)}",
            ),
            Line(
                "overspend_insurer",
                "　其中医保基金分担",
                "  borne by the insurer",
                insurer,
                note_zh=f"超支 × 医保分担比例{share:g}",
                note_en=f"overspend × insurer share {share:g}",
            ),
            Line(
                "overspend_community",
                "　其中医共体承担",
                "  borne by the medical community",
                community,
                note_zh="超支 − 医保分担（医共体自行承担，不拨付）",
                note_en="overspend − insurer's part (the community's own loss, not paid)",
            ),
        ]
    lines += [
        Line(
            "year_end_payment",
            "年终决算拨付",
            "year-end payment",
            year_end,
            note_zh="预算 + 医保分担超支 − 已预拨 − 考核未通过退回的结余",
            note_en="budget + insurer's share of an overspend − advances − savings returned after assessment",
            paid=True,
        ),
        Line(
            "insurer_paid",
            "医保基金拨付小计",
            "paid by the insurer, subtotal",
            advance + year_end,
            note_zh="按月预拨 + 年终决算拨付",
            note_en="advances + year-end payment",
            subtotal=True,
        ),
    ]
    return Section("chronic" if p else "big", zh, en, tuple(lines))


TIERS_EN = ("county", "township", "village")


def _public_health(row, pool: dict, n_units: int, snap) -> Section:
    lump = _f(row, "ph_lump_sum")
    shares = [_f(row, c) for c in ("ph_process_share", "ph_objective_share", "ph_effect_share")]
    earned, paid = _f(row, "ph_process_earned"), _f(row, "ph_process")
    p_ded, o_ded = _f(row, "ph_process_deduction"), _f(row, "ph_objective_deduction")
    obj, effect, final = _f(row, "ph_objective"), _f(row, "ph_effect"), _f(row, "ph_final")
    split = snap["evaluation_split"] if snap is not None else {"process": 0.7, "objective": 0.2, "effect": 0.1}
    met, vetoed = int(row["ph_indicators_met"]), int(row["ph_indicators_vetoed"])
    change = row["ph_effect_change"]
    rank, bracket = row["ph_effect_rank"], row["ph_effect_bracket"]
    ranked = int(pool.get("ranked_units", n_units))
    if pd.isna(change):
        why = str(row.get("ph_effect_not_ranked") or "")
        eff_zh = "未参加排名（缺少本年或上年人均医疗总支出），不分配效果资金"
        eff_en = f"not ranked ({why or 'no per-capita spending'}): no effect money"
    elif pd.isna(bracket) or int(bracket) == 0:
        eff_zh = f"排名第{int(rank)}/{ranked}位，位于后50%，按规定不分配效果资金"
        eff_en = f"rank {int(rank)} of {ranked}, in the bottom half: no effect money under the rule"
    else:
        eff_zh = f"排名第{int(rank)}/{ranked}位，第{int(bracket)}档，分得该档资金"
        eff_en = f"rank {int(rank)} of {ranked}, bracket {int(bracket)}: its part of the bracket's money"
    prev, now = row["ph_spending_pc_prev"], row["ph_spending_pc"]
    lines = (
        Line("ph_lump_sum", "公卫包干额度", "public-health lump sum", lump),
        Line(
            "ph_process_share",
            f"过程评价额度（{split['process']:.0%}）",
            f"process share ({split['process']:.0%})",
            shares[0],
        ),
        Line(
            "ph_process_earned",
            "过程评价核算金额",
            "process amount earned",
            earned,
            note_zh="各子项目核算金额之和（见过程评价明细）",
            note_en="sum of the sub-projects (see the process detail)",
        ),
        Line(
            "ph_process",
            "过程评价结算",
            "process amount paid",
            paid,
            note_zh="核算金额，不超过过程评价额度",
            note_en="amount earned, at most the process share",
            paid=True,
        ),
        Line(
            "ph_process_deduction",
            "过程评价扣减（转入效果资金池）",
            "process deduction (to the effect pool)",
            p_ded,
            note_zh="过程评价额度 − 过程评价结算",
            note_en="process share − process paid",
        ),
        Line(
            "ph_objective_share",
            f"目标评价额度（{split['objective']:.0%}）",
            f"objective share ({split['objective']:.0%})",
            shares[1],
        ),
        Line(
            "ph_objective",
            "目标评价结算",
            "objective amount paid",
            obj,
            note_zh=f"达标指标{met}项（否决{vetoed}项）的指标额度之和",
            note_en=f"shares of the {met} indicators at benchmark ({vetoed} vetoed)",
            paid=True,
        ),
        Line(
            "ph_objective_deduction",
            "目标评价扣减（转入效果资金池）",
            "objective deduction (to the effect pool)",
            o_ded,
            note_zh="目标评价额度 − 目标评价结算",
            note_en="objective share − objective paid",
        ),
        Line(
            "ph_effect_share",
            f"效果评价额度（{split['effect']:.0%}，并入县效果资金池）",
            f"effect share ({split['effect']:.0%}, into the county's effect pool)",
            shares[2],
        ),
        Line(
            "ph_effect_change",
            "人均医疗总支出同比变化",
            "year-on-year change of total spending per insured",
            value_zh=f"{'—' if pd.isna(prev) else f'{prev:,.2f}'} → {'—' if pd.isna(now) else f'{now:,.2f}'} 元/人，{_pct(change)}",
            value_en=f"{'—' if pd.isna(prev) else f'{prev:,.2f}'} → {'—' if pd.isna(now) else f'{now:,.2f}'} yuan, {_pct(change)}",
        ),
        Line(
            "ph_effect",
            "效果评价分配",
            "effect allocation",
            effect,
            note_zh=eff_zh + f"（全县效果资金池{yuan(pool.get('effect_pool_fen'))}元）",
            note_en=eff_en + f" (county effect pool {yuan(pool.get('effect_pool_fen'))} yuan)",
            paid=True,
        ),
        Line(
            "ph_final",
            "公卫包干结算金额小计",
            "public-health settlement, subtotal",
            final,
            note_zh="过程评价结算 + 目标评价结算 + 效果评价分配",
            note_en="process + objective + effect",
            subtotal=True,
        ),
    )
    return Section(
        "public_health", "三、公卫经费包干（过程70%·目标20%·效果10%）", "3. Public-health lump sum (70/20/10)", lines
    )


def _process_table(d: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_zh": [project_label(p, "zh") for p in d["project"]],
            "project_en": [project_label(p, "en") for p in d["project"]],
            "two_card": d["two_card"].to_numpy(dtype=bool),
            "basis": d["calibrated_credits"].where(d["two_card"].astype(bool), d["planned_amount"]).to_numpy(),
            "credits_year": d["credits_year"].to_numpy(),
            "yuan_per_credit": d["yuan_per_credit"].to_numpy(),
            "planned_amount": d["planned_amount"].to_numpy(),
            **{f"score_q{q}": d[f"score_q{q}"].to_numpy() for q in (1, 2, 3, 4)},
            "quality_coefficient": d["quality_coefficient"].to_numpy(),
            "amount_fen": yuan_to_fen(d["amount"].to_numpy()),
        }
    )


def _objective_table(d: pd.DataFrame) -> pd.DataFrame:
    met, vetoed = d["met"].to_numpy(dtype=bool), d["vetoed"].to_numpy(dtype=bool)
    return pd.DataFrame(
        {
            "indicator_zh": [indicator_label(i, "zh") for i in d["indicator"]],
            "indicator_en": [indicator_label(i, "en") for i in d["indicator"]],
            "indicator": d["indicator"].to_numpy(),
            "value": d["value"].to_numpy(),
            "benchmark": d["benchmark"].to_numpy(),
            "result_zh": np.where(vetoed, "否决", np.where(met, "达标", "未达标")),
            "result_en": np.where(vetoed, "veto", np.where(met, "met", "missed")),
            "share_fen": yuan_to_fen(d["share"].to_numpy()),
            "amount_fen": yuan_to_fen(d["amount"].to_numpy()),
        }
    )


def _records_by_unit(detail: pd.DataFrame, table: pd.DataFrame) -> dict[str, tuple]:
    """The rows of ``table`` (built from ``detail`` row for row) as records, grouped by unit."""
    out: dict[str, list] = {}
    for unit, record in zip(detail["unit_id"].tolist(), table.to_dict("records")):
        out.setdefault(unit, []).append(SimpleNamespace(**record))
    return {u: tuple(v) for u, v in out.items()}


def parameter_table(cs) -> pd.DataFrame:
    """The parameters used, by Chinese label, value in words and source document in words."""
    snap = cs.snapshot
    p = cs.params
    values = [snap[k] if snap is not None and k in snap else v for k, v in zip(p["key"], p["value"])]
    words = {lang: [_compact(k, v, lang) for k, v in zip(p["key"], values)] for lang in ("zh", "en")}
    return pd.DataFrame(
        {
            "key": p["key"].to_numpy(),
            "label_zh": p["label_zh"].to_numpy(),
            "label_en": p["label_en"].to_numpy(),
            "value_zh": words["zh"],
            "value_en": words["en"],
            "since": p["since"].to_numpy(),
            "source_zh": [source_words(s, "zh", short=True) for s in p["source"]],
            "source_en": [source_words(s, "en", short=True) for s in p["source"]],
            "source_full_zh": [source_words(s, "zh") for s in p["source"]],
            "source_full_en": [source_words(s, "en") for s in p["source"]],
        }
    )


def _compact(key: str, value, lang: str) -> str:
    """A parameter value in words, short enough for the statement's second page: the long
    per-indicator tables are shown in the detail tables already."""
    if key == "objective_benchmarks":
        return text("settle_compact_benchmarks", lang)
    if key == "objective_weights" and isinstance(value, dict):
        if len({float(v) for v in value.values()}) == 1:
            return text("settle_compact_equal_weights", lang, n=len(value))
        return text("settle_compact_weights", lang)
    if key == "ph_projects" and isinstance(value, list):
        return text("settle_compact_projects", lang, n=len(value))
    return value_words(value, lang)


def gate_words(snap) -> tuple[str, str]:
    """How a unit's savings are split "after assessment" (rules.md §12), in words."""
    gate = snap["savings_gate"] if snap is not None and "savings_gate" in snap else "none"
    zh, en = CHOICES.get(gate, (gate, gate))
    if gate == "pass_mark":
        mark = snap["savings_gate_pass_mark"]
        zh, en = f"{zh}（合格分{mark:g}）", f"{en} ({mark:g})"
    if gate == "none":
        zh, en = zh + "：结余全部按县镇村比例分配", en + ": all savings are split by tier"
    return "结余考核分配方式：" + zh, "savings split after assessment: " + en


def unit_statement(cs, unit_id: str) -> UnitStatement:
    """The statement of ``unit_id`` in the county settlement ``cs`` (see the module docstring)."""
    return _Prepared(cs).statement(unit_id)


class _Prepared:
    """A county settlement indexed by unit once, so each statement is a few lookups."""

    def __init__(self, cs):
        self.cs = cs
        self.units = cs.units.set_index("unit_id", drop=False)
        self.rows = {r["unit_id"]: r for r in cs.units.to_dict("records")}
        self.process = _records_by_unit(cs.ph_process, _process_table(cs.ph_process))
        self.objective = _records_by_unit(cs.ph_objective, _objective_table(cs.ph_objective))
        self.parameters = parameter_table(cs)
        self.documents = {lang: tuple(documents_cited(cs.params["source"], lang)) for lang in ("zh", "en")}
        self.parameter_rows = tuple(SimpleNamespace(**r) for r in self.parameters.to_dict("records"))

    def statement(self, unit_id: str) -> UnitStatement:
        return _statement(self.cs, self.units, self.rows[unit_id], unit_id, self)


def _statement(cs, units, row, unit_id, prepared) -> UnitStatement:
    snap = cs.snapshot
    big = _package(
        row, "", snap, "一、大包干（城乡居民医保基金按人头包干）", "1. Big package (capitation)", "参保人数", "insured"
    )
    chronic = _package(
        row, "chronic_", snap, "二、门诊慢病小包干", "2. Chronic outpatient package", "慢病人数", "chronic patients"
    )
    ph = _public_health(row, cs.effect_pool or {}, len(units), snap)
    sections = [big, chronic, ph]
    paid = [line for s in sections for line in s.lines if line.paid]
    total = sum(int(line.amount_fen) for line in paid)
    expected = _f(row, "insurer_paid") + _f(row, "chronic_insurer_paid") + _f(row, "ph_final")
    if total != expected:  # the statement's lines must add up to what the settlement pays
        raise RuntimeError(f"statement of {unit_id} adds up to {total} fen, the settlement pays {expected}")
    total_section = Section(
        "total",
        "四、本年度结算合计",
        "4. Total for the year",
        (
            Line("big_paid", "大包干医保基金拨付", "big package paid by the insurer", _f(row, "insurer_paid")),
            Line(
                "chronic_paid",
                "小包干医保基金拨付",
                "chronic package paid by the insurer",
                _f(row, "chronic_insurer_paid"),
            ),
            Line("ph_paid", "公卫包干结算金额", "public-health settlement", _f(row, "ph_final")),
            Line(
                "total",
                "合计（本年度拨付单元）",
                "total paid to the unit",
                total,
                note_zh="上述三项之和 = 各“计入合计”行之和",
                note_en="the three above = the sum of the lines marked as paid",
                subtotal=True,
            ),
        ),
    )
    rounding_zh = (
        "金额单位：元，精确到分。各项先以分为单位计算，按比例拆分（县镇村结余、7:2:1额度、12个月预拨、"
        "效果资金分档）时用最大余数法，余下的1分计入余数最大的一项，故各分项之和与合计相等，不存在尾差。"
    )
    rounding_en = (
        "Money in yuan to the fen. Every split (tiers, 70/20/10, 12 advances, effect brackets) is made in "
        "whole fen by the largest-remainder rule, so the parts add up to the total exactly."
    )
    gate_zh, gate_en = gate_words(snap)
    return UnitStatement(
        unit_id=str(unit_id),
        unit_name=str(row.get("unit_name") or unit_id),
        township_name=str(row.get("township_name") or row.get("township_id")),
        community_name=str(row.get("community_name") or row.get("community_id")),
        county_name=str(cs.county_name or cs.county_id),
        county_id=str(cs.county_id),
        year=int(cs.year),
        sections=(*sections, total_section),
        process=prepared.process.get(unit_id, ()),
        objective=prepared.objective.get(unit_id, ()),
        parameters=prepared.parameters,
        parameter_rows=prepared.parameter_rows,
        total_fen=total,
        rounding_zh=rounding_zh,
        rounding_en=rounding_en,
        params_digest=cs.params_digest,
        gate_zh=gate_zh,
        gate_en=gate_en,
        documents_zh=prepared.documents["zh"],
        documents_en=prepared.documents["en"],
    )


def county_statements(cs) -> list[UnitStatement]:
    """Every unit's statement, in unit order (the county's parameters put in words once)."""
    prepared = _Prepared(cs)
    return [prepared.statement(u) for u in sorted(cs.units["unit_id"])]
