"""The indicator registry: every indicator's id, names, formula, unit, direction, source and targets.

The entries are data (``registry.yaml`` beside this module); this module only reads and checks
them. It is the single source for report labels (:func:`label`) and for the documentation page
``docs/indicators.md`` (:func:`render_markdown`, written by ``python -m toolkit.indicators.docs``).
Sources: seed 000 §3.1, §3.2, §4.1 (Suixi), seed 001 (Zhejiang targets), seed 004 (national
monitoring indicator system, 国卫办基层发〔2020〕12号); rules.md §4, §6, §7.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

REGISTRY_FILE = Path(__file__).with_name("registry.yaml")

Kind = Literal["ratio", "ratio_of_means", "total", "growth", "probability", "difference", "not_computable"]
KINDS = ("ratio", "ratio_of_means", "total", "growth", "probability", "difference", "not_computable")
#: kinds computed from the registry's own numerator/denominator expressions (toolkit.indicators.evaluate)
EVALUATED_KINDS = ("ratio", "ratio_of_means", "total")
SETS = ("monitoring", "family_doctor", "other")
#: the first-level groups of seed 004 附2 by indicator number (一 1–7, 二 8–13, 三 14–20)
MONITORING_GROUPS = (
    (range(1, 8), "一、有序就医格局基本形成", "Orderly care-seeking pattern"),
    (range(8, 14), "二、县域医疗卫生服务能力提升", "County health-service capacity"),
    (range(14, 21), "三、医疗卫生资源有效利用", "Efficient use of health resources"),
)
LEVELS = ("county_year", "unit_year")
DIRECTIONS = ("higher_is_better", "lower_is_better")
UNITS = {
    "fraction": ("比例", "fraction"),
    "yuan": ("元", "yuan"),
    "per_100_insured": ("每百参保人次", "per 100 insured per year"),
    "probability": ("概率", "probability"),
    "days": ("天", "days"),
    "per_1000": ("每千人口", "per 1,000 residents"),
    "per_10000": ("每万人口", "per 10,000 residents"),
    "count": ("个", "count"),
    "score": ("分", "points (0–100)"),
}


@dataclass(frozen=True)
class Term:
    """One side of a formula: an expression evaluated on every row of one table, then summed.

    ``where``: column -> allowed values (or ``"present"``: any non-empty value) selecting the
    rows; ``per``: the term is Σ expr / Σ per (an average, e.g. pay per staff member).
    """

    expr: str
    columns: tuple[str, ...]
    where: tuple[tuple[str, tuple[str, ...] | str], ...] = ()
    per: str | None = None

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.split(".", 1)[0] for c in self.columns))

    @property
    def table(self) -> str:
        return self.tables[0]

    def column_names(self) -> tuple[str, ...]:
        return tuple(c.split(".", 1)[1] for c in self.columns)


@dataclass(frozen=True)
class Source:
    seed: str
    section: str
    standard: str | None = None

    def __str__(self) -> str:
        text = f"seed {self.seed} {self.section}"
        return f"{text}; {self.standard}" if self.standard else text


@dataclass(frozen=True)
class Target:
    value: float
    source: str
    note: str | None = None


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    definition: str
    level: str
    kind: str
    unit: str
    direction: str
    source: Source
    numerator: Term | None = None
    denominator: Term | None = None
    scale: float = 1.0
    targets: tuple[Target, ...] = ()
    base: str | None = None  # growth: the indicator whose change this is
    method: str | None = None  # probability: how it is computed
    sex: str | None = None  # premature mortality: male / female / all
    set: str = "other"  # monitoring (seed 004 附2) | family_doctor | other
    number: str | None = None  # number in seed 004 附2
    note: str | None = None  # an ambiguity of the seed and what the toolkit does about it
    note_zh: str | None = None  # the same note in Chinese (zh reports)

    @property
    def evaluated(self) -> bool:
        """Computed from the registry's expressions (toolkit.indicators.evaluate)."""
        return self.kind in EVALUATED_KINDS and self.level == "county_year"

    @property
    def group(self) -> tuple[str, str] | None:
        """The seed 004 附2 first-level group (zh, en) of a monitoring indicator."""
        if self.number is None or not self.number.isdigit():
            return (MONITORING_GROUPS[0][1], MONITORING_GROUPS[0][2]) if self.set == "monitoring" else None
        return next((zh, en) for r, zh, en in MONITORING_GROUPS if int(self.number) in r)

    @property
    def computable(self) -> bool:
        return self.kind != "not_computable"

    @property
    def label(self) -> str:
        return f"{self.name_zh} / {self.name_en}"


_REQUIRED = ("id", "name_zh", "name_en", "definition", "level", "kind", "unit", "direction", "source")
_ALLOWED = set(_REQUIRED) | {
    "numerator",
    "denominator",
    "scale",
    "targets",
    "base",
    "method",
    "sex",
    "set",
    "number",
    "note",
    "note_zh",
}


def _term(raw: dict | None, where: str) -> Term | None:
    if raw is None:
        return None
    if not {"expr", "columns"} <= set(raw) or set(raw) - {"expr", "columns", "where", "per"}:
        raise ValueError(f"{where}: a term needs 'expr' and 'columns' (and may have 'where', 'per'), got {sorted(raw)}")
    filters = []
    for col, allowed in (raw.get("where") or {}).items():
        if allowed != "present" and not isinstance(allowed, list):
            raise ValueError(f"{where}: where {col}: a list of values or 'present', got {allowed!r}")
        filters.append((str(col), "present" if allowed == "present" else tuple(str(v) for v in allowed)))
    return Term(
        expr=str(raw["expr"]),
        columns=tuple(str(c) for c in raw["columns"]),
        where=tuple(filters),
        per=str(raw["per"]) if raw.get("per") is not None else None,
    )


def _check_evaluable(term: Term, where: str) -> None:
    """An evaluated term reads one table and names every column its expressions and filter use."""
    from toolkit.indicators.expr import names

    if len(term.tables) != 1:
        raise ValueError(f"{where}: a term reads one table, got {term.tables}")
    used = set(names(term.expr)) | (set(names(term.per)) if term.per else set()) | {c for c, _ in term.where}
    undeclared = used - set(term.column_names())
    if undeclared:
        raise ValueError(f"{where}: expression uses columns not listed in 'columns': {sorted(undeclared)}")


def parse_registry(entries: list[dict]) -> tuple[Indicator, ...]:
    """Check and convert the raw YAML entries. Errors here are programming errors (the file ships
    with the package), so they are ordinary exceptions naming the entry and the field."""
    out: list[Indicator] = []
    seen: set[str] = set()
    for i, raw in enumerate(entries):
        where = f"registry.yaml entry {i + 1} ({raw.get('id', '?')})"
        missing = [k for k in _REQUIRED if k not in raw]
        unknown = sorted(set(raw) - _ALLOWED)
        if missing or unknown:
            raise ValueError(f"{where}: missing {missing}, unknown {unknown}")
        if raw["id"] in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(raw["id"])
        for key, allowed in (("kind", KINDS), ("level", LEVELS), ("direction", DIRECTIONS), ("unit", tuple(UNITS))):
            if raw[key] not in allowed:
                raise ValueError(f"{where}: {key} {raw[key]!r} not in {allowed}")
        computable = raw["kind"] != "not_computable"
        needs_denominator = computable and raw["kind"] != "total"
        if computable and ("numerator" not in raw or (needs_denominator and "denominator" not in raw)):
            raise ValueError(f"{where}: a computable indicator needs numerator and denominator")
        if raw.get("set", "other") not in SETS:
            raise ValueError(f"{where}: set {raw['set']!r} not in {SETS}")
        if raw["kind"] == "growth" and not raw.get("base"):
            raise ValueError(f"{where}: a growth indicator names its base")
        src = raw["source"]
        out.append(
            Indicator(
                id=raw["id"],
                name_zh=raw["name_zh"],
                name_en=raw["name_en"],
                definition=raw["definition"],
                level=raw["level"],
                kind=raw["kind"],
                unit=raw["unit"],
                direction=raw["direction"],
                source=Source(seed=str(src["seed"]), section=str(src["section"]), standard=src.get("standard")),
                numerator=_term(raw.get("numerator"), where),
                denominator=_term(raw.get("denominator"), where),
                scale=float(raw.get("scale", 1)),
                targets=tuple(
                    Target(value=float(t["value"]), source=t["source"], note=t.get("note"))
                    for t in raw.get("targets", ())
                ),
                base=raw.get("base"),
                method=raw.get("method"),
                sex=raw.get("sex"),
                set=raw.get("set", "other"),
                number=str(raw["number"]) if raw.get("number") is not None else None,
                note=raw.get("note"),
                note_zh=raw.get("note_zh"),
            )
        )
        if out[-1].evaluated:
            for side, term in (("numerator", out[-1].numerator), ("denominator", out[-1].denominator)):
                if term is not None:
                    _check_evaluable(term, f"{where} {side}")
    ids = {ind.id for ind in out}
    for ind in out:
        if ind.base and ind.base not in ids:
            raise ValueError(f"registry.yaml: {ind.id} has unknown base {ind.base!r}")
    return tuple(out)


@lru_cache(maxsize=1)
def load_registry() -> tuple[Indicator, ...]:
    """All indicators, in the file's order (the order of every result table and of the docs)."""
    with open(REGISTRY_FILE, encoding="utf-8") as fh:
        return parse_registry(yaml.safe_load(fh))


def registry_by_id() -> dict[str, Indicator]:
    return {ind.id: ind for ind in load_registry()}


def get(indicator_id: str) -> Indicator:
    """The registry entry of ``indicator_id``; an unknown id is a user error (it comes from claim
    files and command lines)."""
    from toolkit.errors import ToolkitError

    by_id = registry_by_id()
    if indicator_id not in by_id:
        known = ", ".join(i.id for i in load_registry() if i.computable)
        raise ToolkitError(f"unknown indicator {indicator_id!r}; known indicators: {known}")
    return by_id[indicator_id]


def order(indicator_id: str) -> int:
    """Position in the registry: result tables sort their indicators by it."""
    return [i.id for i in load_registry()].index(indicator_id)


def _fmt_target(t: Target, unit: str) -> str:
    value = f"{t.value:.0%}" if unit == "fraction" else f"{t.value:g}"
    note = f" ({t.note})" if t.note else ""
    return f"{value}{note} — {t.source}"


def render_markdown() -> str:
    """The documentation page listing every indicator, generated from the registry."""
    inds = load_registry()
    lines = [
        "# Indicators / 指标",
        "",
        "<!-- GENERATED by `python -m toolkit.indicators.docs` from toolkit/indicators/registry.yaml;"
        " do not edit by hand (tests/indicators/test_registry.py checks it is up to date). -->",
        "",
        "Every indicator the toolkit computes, with its formula and source. The numerator and",
        "denominator below are the computation itself (`toolkit.indicators.evaluate` reads them from",
        "the registry): each is evaluated on the rows of one table, summed over the rows of a facility,",
        "a medical community, a county or the province, and divided once — a county's rate is never an",
        "average of its units' rates, and the province's figure comes from the same definition.",
        "Rates are fractions (0.64 = 64%). A zero denominator is an error naming the table, rows,",
        "column, unit and year. A missing table, column or cell gives a row with an empty value and",
        "the note `not computable: needs table.column` — never a zero, never dropped.",
        "`python -m toolkit indicators DATASET --out OUT` writes the tidy table (county_id, year,",
        "indicator, value, numerator, denominator, lower, upper, note) and `OUT_levels.csv` (every level).",
        "",
        "## The national monitoring indicator system (seed 004 附2, 国卫办基层发〔2020〕12号)",
        "",
        "| № | id | 名称 | name | unit | direction | reads |",
        "|---|---|---|---|---|---|---|",
    ]
    for ind in inds:
        if ind.set == "monitoring":
            lines.append(
                f"| {ind.number} | `{ind.id}` | {ind.name_zh} | {ind.name_en} | {UNITS[ind.unit][1]} | "
                f"{ind.direction.replace('_', ' ')} | {', '.join(sorted(set(_tables(ind))))} |"
            )
    lines += [
        "",
        "## Summary",
        "",
        "| id | 名称 | name | unit | direction | computable |",
        "|---|---|---|---|---|---|",
    ]
    for ind in inds:
        lines.append(
            f"| `{ind.id}` | {ind.name_zh} | {ind.name_en} | {UNITS[ind.unit][1]} | "
            f"{ind.direction.replace('_', ' ')} | {'yes' if ind.computable else 'no (not in the data contract)'} |"
        )
    lines += [""]
    for ind in inds:
        lines += [f"## `{ind.id}` — {ind.name_zh} / {ind.name_en}", "", ind.definition, ""]
        lines.append(
            f"* Level: `{ind.level}`; kind: `{ind.kind}`" + (f"; method: `{ind.method}`" if ind.method else "")
        )
        if ind.group:
            lines.append(f"* Seed 004 附2 № {ind.number} — {ind.group[0]} / {ind.group[1]}")
        for side, term in (("Numerator", ind.numerator), ("Denominator", ind.denominator)):
            if term is not None:
                lines.append(f"* {side}: {_term_text(term)} (reads {', '.join(f'`{c}`' for c in term.columns)})")
        if ind.computable:
            lines.append(f"* Scale: {ind.scale:g}")
        if ind.base:
            lines.append(f"* Change of: `{ind.base}`")
        if ind.sex:
            lines.append(f"* Sex: {ind.sex}")
        lines.append(f"* Unit: {UNITS[ind.unit][1]} ({UNITS[ind.unit][0]}); {ind.direction.replace('_', ' ')}")
        lines.append(f"* Source: {ind.source}")
        if ind.note:
            lines.append(f"* Note: {ind.note}" + (f" （{ind.note_zh}）" if ind.note_zh else ""))
        for t in ind.targets:
            lines.append(f"* Target: {_fmt_target(t, ind.unit)}")
        lines.append("")
    lines += _methods_section()
    return "\n".join(lines).rstrip() + "\n"


def _tables(ind: Indicator) -> list[str]:
    return [t for term in (ind.numerator, ind.denominator) if term is not None for t in term.tables]


def _term_text(term: Term) -> str:
    text = f"Σ `{term.expr}`" + (f" / Σ `{term.per}`" if term.per else "")
    for col, allowed in term.where:
        text += f" over rows with `{col}` " + ("given" if allowed == "present" else "in " + ", ".join(allowed))
    return text


def _methods_section() -> list[str]:
    return [
        "## Methods",
        "",
        "### Growth (增长)",
        "",
        "* Year-on-year change: `value(t) / value(t−1) − 1`, reported for year t (the period is t−1→t).",
        "* Compound annual growth over a stated period A→B: `(value(B) / value(A)) ** (1 / (B − A)) − 1`.",
        "  Example (seed 000 §4.1): 41,000 → 66,000 yuan, 2017→2023 (6 years): (66000/41000)^(1/6) − 1",
        "  = 8.26% a year, not the 17.20% the seed states; the claim checker flags it.",
        "",
        "### Premature mortality (WHO SDG 3.4.1)",
        "",
        "For each five-year band 30–34, 35–39, …, 65–69: M = deaths from cvd + cancer + diabetes + crd",
        "divided by the band's mid-year population; 5q = 5M / (1 + 2.5M); the probability of dying",
        "between 30 and 70 is 1 − Π(1 − 5q). Both sexes use the `all` rows when present, otherwise",
        "male + female summed per band. A band missing or with zero population is an error; a band",
        "with zero deaths contributes 5q = 0.",
        "",
        "Uncertainty (lower, upper): a 95% interval from the gamma method of Fay & Feuer (1997). The",
        "cumulative hazard H = −log Π(1 − 5q) is, to first order, the weighted Poisson sum",
        "Y = Σ w_i D_i with w_i = 5 / N_i. Fay–Feuer gives lower = v/(2Y)·χ²⁻¹(0.025; 2Y²/v) and",
        "upper = (v + w_max²)/(2(Y + w_max))·χ²⁻¹(0.975; 2(Y + w_max)²/(v + w_max²)) with v = Σ w_i² D_i;",
        "the bounds are scaled by H/Y (1 when there are no deaths) and mapped to 1 − exp(−H). With a",
        "single band this is exactly the Garwood (exact Poisson) interval; with zero deaths the lower",
        "bound is 0 and the upper bound is positive, which is what a small county with few deaths needs.",
        "The interval's coverage is checked by simulation in tests/indicators/test_mortality.py.",
        "",
        "### 评判标准 and assessment schemes (seed 004 附1; 四川考核暂行办法)",
        "",
        "The ten yes/no criteria live in `toolkit/indicators/criteria.yaml` (id, dimension, Chinese and",
        "English text); a county states them in `criteria_year`. Criteria 9 (医保管理改革) and 10",
        "(基本公共卫生经费依据医共体统一考核结果拨付) are derived from the settlement when not given (met",
        "when the county is under the reform and every unit is settled by capitation, resp. by the",
        "unified public-health evaluation); a given row overrides and the derived value is shown beside",
        'it. The result is "x / 10" by dimension (责任、管理、服务、利益共同体).',
        "",
        "`python -m toolkit assess DATASET [--scheme NAME] --year Y [--level L] --out OUT` scores units",
        "(medical communities by default) on a scheme in `params/schemes/`: per indicator its points,",
        "method `yoy` (change against last year), `rank` (share = (n − rank)/(n − 1), ties share the",
        "better rank) or `threshold` with cut-offs, and a missing-data rule (zero | exclude | error).",
        "A scheme whose dimension points do not add up to its total, or whose indicators do not add up",
        "to their dimension, is an error. The default `sichuan_one_total` has Sichuan's six dimensions",
        "(20/20/20/15/15/10) with the indicators this toolkit computes; where Sichuan names data the",
        "contract lacks (suspicious-claims verification, satisfaction) the scheme says what stands in.",
        "",
        "### Checking a report's claims (核对报告数据)",
        "",
        "`python -m toolkit check-claims DATASET --claims FILE.yaml [--out OUT]` recomputes each stated",
        "figure and prints stated vs recomputed; exit status 1 when one does not follow. A claim:",
        "",
        "```yaml",
        "- text: village doctor subsidy grew on average 17.20% a year from 2017 to 2023",
        "  indicator: village_doctor_subsidy_per_doctor",
        "  kind: cagr            # value (year) | yoy (year) | cagr (start, end) | change (start, end)",
        "  county: C01",
        "  start: 2017",
        "  end: 2023",
        '  stated: 17.20%        # or 0.172, "6.6万", "66,000"',
        "  # tolerance: 0.0005   # absolute, in the indicator's unit; default half a unit of the last stated digit",
        "```",
        "",
        "### Claims-level data",
        "",
        "`toolkit.data.claims.aggregate_claims(path)` derives the unit_year spending and county_year",
        "admission, visit and fund columns from claims Parquet with DuckDB (one streaming scan, money",
        "summed in integer fen); `indicators --from-claims` uses them. Mapping: fund_general = fund_paid",
        "of claims that are not chronic outpatient; fund_chronic_outpatient = fund_paid of outpatient",
        "claims with a chronic_group; total_medical_spending = total_cost; admissions = inpatient claims;",
        "visits = outpatient claims; *_in_county = provider_level ≠ outside; *_primary = township or",
        "village. critical_illness_paid is never counted (rules.md §2). person_id and claim_id are never",
        "read.",
        "",
    ]
