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

from toolkit.catalogue import choose, text
from toolkit.settlement.labels import pair
from toolkit.settlement.money import allocate, yuan_to_fen
from toolkit.settlement.words import (
    CHOICES,
    TIER_WORDS,
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


def _both(make) -> tuple[str, str]:
    """(zh, en) of a text made by ``make(lang)`` (a sentence whose fields are themselves in words)."""
    return make("zh"), make("en")


def _line(key: str, amount: int | None = None, label=None, note=("", ""), value=("", ""), **flags) -> Line:
    """A statement line; its label is the catalogue entry ``settle_st_<key>`` unless given as (zh, en)."""
    label_zh, label_en = label or pair(f"settle_st_{key}")
    return Line(key, label_zh, label_en, amount, value[0], value[1], note[0], note[1], **flags)


def _monthly_note(total: int, rate: float, budget: int) -> tuple[str, str]:
    months = allocate(total, [1] * 12)
    hi, lo = max(months), min(months)
    if hi == lo:
        each_key, each_fields = "settle_st_monthly_even", {"amount": yuan(hi)}
    else:
        k = months.count(hi)
        each_key, each_fields = "settle_st_monthly_uneven", {"k": k, "high": yuan(hi), "rest": 12 - k, "low": yuan(lo)}
    return _both(
        lambda lang: text(
            "settle_st_monthly", lang, budget=yuan(budget), rate=f"{rate:g}", each=text(each_key, lang, **each_fields)
        )
    )


def _package(row, p: str, snap) -> Section:
    first, last = int(row[f"{p}baseline_first_year"]), int(row[f"{p}baseline_last_year"])
    lags = sorted((c for c in row if c.startswith(f"{p}baseline_pc_lag")), key=lambda c: -int(c.rsplit("lag", 1)[1]))
    years = list(range(first, last + 1))
    per_year = [(y, "—" if pd.isna(v) else f"{v:,.2f}") for y, c in zip(years, lags) for v in [row[c]]]
    per_year_note = _both(
        lambda lang: text("settle_value_sep", lang).join(
            text("settle_st_baseline_year", lang, year=y, value=v) for y, v in per_year
        )
    )
    pop = int(row["chronic_pop" if p else "insured_pop"])
    base = float(row[f"{p}baseline_per_capita"])
    growth = float(row[f"{p}budget_growth"])
    budget, actual = _f(row, f"{p}budget"), _f(row, f"{p}actual")
    savings = _f(row, f"{p}savings")
    advance = _f(row, f"{p}advance_total")
    year_end = _f(row, f"{p}year_end_payment")
    rate = float(row[f"{p}advance_rate"])
    package = "chronic" if p else "big"
    split_key = "chronic_savings_split" if p else "savings_split"
    split = snap[split_key] if snap is not None else {"county": 0.4, "township": 0.4, "village": 0.2}
    ratio = ":".join(f"{10 * v:g}" for v in split.values())
    lines = [
        _line("baseline", label=pair("settle_st_baseline", first=first, last=last), note=per_year_note),
        _line(
            "baseline_per_capita",
            value=(f"{base:,.2f}", f"{base:,.2f}"),
            note=pair("settle_st_baseline_mean", n=len(years)),
        ),
        _line("population", label=pair(f"settle_st_population_{package}"), value=(f"{pop:,}", f"{pop:,}")),
        _line(
            "budget",
            budget,
            note=pair(
                "settle_st_budget_note",
                base=f"{base:,.2f}",
                pop=f"{pop:,}",
                growth=f" × (1 + {growth:g})" if growth else "",
            ),
        ),
        _line("advance_total", advance, note=_monthly_note(advance, rate, budget), paid=True),
        _line("actual", actual),
    ]
    if savings >= 0:
        tiers = [_f(row, f"{p}savings_{t}") for t in TIERS]
        lines.append(
            _line("savings", savings, note=pair("settle_st_savings_note", budget=yuan(budget), actual=yuan(actual)))
        )
        withheld = _f(row, f"{p}savings_withheld") if f"{p}savings_withheld" in row else 0
        gate = str(snap["savings_gate"]) if snap is not None and "savings_gate" in snap else "none"
        if gate != "none" or withheld:
            score = row.get("savings_gate_score")
            shown = "—" if score is None or pd.isna(score) else f"{float(score):.2f}"
            note = _both(
                lambda lang: text(
                    "settle_st_savings_withheld_note", lang, score=shown, gate=choose(CHOICES[gate], lang)
                )
            )
            lines.append(_line("savings_withheld", withheld, note=note))
        what = "settle_st_savings_net" if withheld else "settle_st_savings_all"
        for t, v in zip(TIERS, tiers):
            tier, share = TIER_WORDS[t], f"{split[t]:g}"
            label = _both(lambda lang, tier=tier: text("settle_st_savings_tier", lang, tier=choose(tier, lang)))
            note = _both(
                lambda lang, share=share: text(
                    "settle_st_savings_tier_note", lang, what=text(what, lang), share=share, ratio=ratio
                )
            )
            lines.append(_line(f"savings_{t}", v, label=label, note=note))
    else:
        over = _f(row, f"{p}overspend")
        insurer, community = _f(row, f"{p}overspend_insurer"), _f(row, f"{p}overspend_community")
        share = float(row[f"{p}overspend_share"])
        lines += [
            _line("overspend", over, note=pair("settle_st_overspend_note", actual=yuan(actual), budget=yuan(budget))),
            _line("overspend_insurer", insurer, note=pair("settle_st_overspend_insurer_note", share=f"{share:g}")),
            _line("overspend_community", community, note=pair("settle_st_overspend_community_note")),
        ]
    lines += [
        _line("year_end_payment", year_end, note=pair("settle_st_year_end_payment_note"), paid=True),
        _line("insurer_paid", advance + year_end, note=pair("settle_st_insurer_paid_note"), subtotal=True),
    ]
    return Section(package, *pair(f"settle_st_section_{package}"), tuple(lines))


#: the tiers a unit's savings are split to (rules.md §2)
TIERS = ("county", "township", "village")


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
        # the lower layer's reason is English; the Chinese statement says what is missing
        why = str(row.get("ph_effect_not_ranked") or "")
        effect_words = (
            text("settle_st_effect_not_ranked", "zh", why=text("settle_st_effect_no_spending", "zh")),
            text("settle_st_effect_not_ranked", "en", why=why or text("settle_st_effect_no_spending", "en")),
        )
    elif pd.isna(bracket) or int(bracket) == 0:
        effect_words = pair("settle_st_effect_bottom_half", rank=int(rank), ranked=ranked)
    else:
        effect_words = pair("settle_st_effect_bracket", rank=int(rank), ranked=ranked, bracket=int(bracket))
    effect_pool = yuan(pool.get("effect_pool_fen"))
    prev, now = row["ph_spending_pc_prev"], row["ph_spending_pc"]
    before, after = ("—" if pd.isna(v) else f"{v:,.2f}" for v in (prev, now))
    lines = (
        _line("ph_lump_sum", lump),
        _line("ph_process_share", shares[0], label=pair("settle_st_ph_process_share", share=f"{split['process']:.0%}")),
        _line("ph_process_earned", earned, note=pair("settle_st_ph_process_earned_note")),
        _line("ph_process", paid, note=pair("settle_st_ph_process_note"), paid=True),
        _line("ph_process_deduction", p_ded, note=pair("settle_st_ph_process_deduction_note")),
        _line(
            "ph_objective_share",
            shares[1],
            label=pair("settle_st_ph_objective_share", share=f"{split['objective']:.0%}"),
        ),
        _line("ph_objective", obj, note=pair("settle_st_ph_objective_note", met=met, vetoed=vetoed), paid=True),
        _line("ph_objective_deduction", o_ded, note=pair("settle_st_ph_objective_deduction_note")),
        _line("ph_effect_share", shares[2], label=pair("settle_st_ph_effect_share", share=f"{split['effect']:.0%}")),
        _line(
            "ph_effect_change",
            value=pair("settle_st_ph_effect_change_value", before=before, after=after, change=_pct(change)),
        ),
        _line(
            "ph_effect",
            effect,
            note=(
                text("settle_st_ph_effect_note", "zh", why=effect_words[0], pool=effect_pool),
                text("settle_st_ph_effect_note", "en", why=effect_words[1], pool=effect_pool),
            ),
            paid=True,
        ),
        _line("ph_final", final, note=pair("settle_st_ph_final_note"), subtotal=True),
    )
    return Section("public_health", *pair("settle_st_section_public_health"), lines)


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
            **{
                f"result_{lang}": np.where(
                    vetoed,
                    text("settle_st_result_veto", lang),
                    np.where(met, text("settle_st_result_met", lang), text("settle_st_result_missed", lang)),
                )
                for lang in ("zh", "en")
            },
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
        mark = f"{snap['savings_gate_pass_mark']:g}"
        zh, en = (
            text("settle_st_gate_pass_mark", "zh", gate=zh, mark=mark),
            text("settle_st_gate_pass_mark", "en", gate=en, mark=mark),
        )
    if gate == "none":
        zh, en = text("settle_st_gate_none", "zh", gate=zh), text("settle_st_gate_none", "en", gate=en)
    return text("settle_st_gate", "zh", gate=zh), text("settle_st_gate", "en", gate=en)


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
    big = _package(row, "", snap)
    chronic = _package(row, "chronic_", snap)
    ph = _public_health(row, cs.effect_pool or {}, len(units), snap)
    sections = [big, chronic, ph]
    paid = [line for s in sections for line in s.lines if line.paid]
    total = sum(int(line.amount_fen) for line in paid)
    expected = _f(row, "insurer_paid") + _f(row, "chronic_insurer_paid") + _f(row, "ph_final")
    if total != expected:  # the statement's lines must add up to what the settlement pays
        raise RuntimeError(f"statement of {unit_id} adds up to {total} fen, the settlement pays {expected}")
    total_section = Section(
        "total",
        *pair("settle_st_section_total"),
        (
            _line("big_paid", _f(row, "insurer_paid")),
            _line("chronic_paid", _f(row, "chronic_insurer_paid")),
            _line("ph_paid", _f(row, "ph_final")),
            _line("total", total, note=pair("settle_st_total_note"), subtotal=True),
        ),
    )
    rounding_zh, rounding_en = pair("settle_st_rounding")
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
