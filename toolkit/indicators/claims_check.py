"""Check the figures a report states ("claims") against the data: recompute, show both, flag.

Commissions type figures into their reports by hand. Seed 000 §4.1 states that village doctors'
average subsidy rose from 41,000 yuan (2017) to 66,000 yuan (2023), "average annual growth
17.20%"; the compound rate of those figures is 8.26% a year. A claim here is a small spec::

    Claim(indicator="village_doctor_subsidy_per_doctor", kind="cagr", start=2017, end=2023,
          stated="17.20%", county="C01")
    Claim(indicator="income_ratio", kind="value", year=2023, stated="99.16%", county="C01")

``kind``: ``value`` (the indicator in ``year``), ``yoy`` (change year−1 → year), ``cagr``
(compound annual growth start → end), ``change`` (total change start → end). ``stated`` is a
number in the indicator's unit (fractions for rates) or text such as ``"17.20%"``, ``"6.6万"``,
``"66,000"``. The tolerance is absolute in that unit; by default half a unit in the last digit
stated ("17.20%" → ±0.005 percentage points), so a figure passes exactly when it is the
recomputed value correctly rounded to the precision the report shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from toolkit.errors import Problem, ToolkitError, ValidationError
from toolkit.indicators import registry
from toolkit.indicators.growth import cagr, yoy

KINDS = ("value", "yoy", "cagr", "change")
RESULT_COLUMNS = [
    "claim",
    "county_id",
    "indicator",
    "kind",
    "period",
    "stated",
    "recomputed",
    "difference",
    "tolerance",
    "ok",
    "start_value",
    "end_value",
    "explanation",
]
_NUMBER = re.compile(r"^\s*([+-]?[\d,]*\.?\d+)\s*(%|万|万元|元|亿|亿元)?\s*$")


@dataclass(frozen=True)
class Claim:
    indicator: str
    kind: str
    stated: Any
    county: str | None = None
    year: int | None = None
    start: int | None = None
    end: int | None = None
    tolerance: float | None = None
    text: str | None = None


@dataclass(frozen=True)
class StatedNumber:
    value: float
    half_unit: float  # half a unit in the last stated digit, in the same scale as value


def parse_stated(stated: Any) -> StatedNumber:
    """``"17.20%"`` → 0.1720 (±0.00005); ``"6.6万"`` → 66,000 (±500); ``0.172`` → 0.172 (±0.0005)."""
    if isinstance(stated, bool):
        raise ValueError("a number")
    if isinstance(stated, (int, float)):
        text = repr(float(stated)) if isinstance(stated, float) else str(stated)
        suffix = None
        digits = text
    else:
        m = _NUMBER.match(str(stated))
        if not m:
            raise ValueError('a number such as 0.172, "17.20%", "66,000" or "6.6万"')
        digits, suffix = m.group(1).replace(",", ""), m.group(2)
    try:
        dec = Decimal(digits)
    except InvalidOperation:
        raise ValueError("a number") from None
    exponent = dec.as_tuple().exponent
    half = Decimal(5) * Decimal(10) ** (exponent - 1) if isinstance(exponent, int) else Decimal(0)
    factor = {None: 1, "元": 1, "%": Decimal("0.01"), "万": 10_000, "万元": 10_000, "亿": 10**8, "亿元": 10**8}[suffix]
    return StatedNumber(value=float(dec * factor), half_unit=float(half * factor))


def read_claims_file(path: str | Path) -> list[Claim]:
    """Claims from YAML: a list of mappings (or ``{claims: [...]}``) with the fields of :class:`Claim`.

    Every problem of every entry is reported at once (entry number, field, value, expected).
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ToolkitError(f"claims file not found: {path}") from None
    except yaml.YAMLError as err:
        raise ToolkitError(f"claims file {path.name} is not valid YAML: {err}") from None
    if isinstance(raw, Mapping) and "claims" in raw:
        raw = raw["claims"]
    if not isinstance(raw, list):
        raise ToolkitError(f"claims file {path.name}: expected a list of claims (or a mapping with key 'claims')")
    allowed = {f.name for f in fields(Claim)}
    problems: list[Problem] = []
    out: list[Claim] = []
    for i, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping):
            problems.append(
                Problem(
                    "claims file", "a mapping with indicator, kind, stated, …", rows=(i,), value=entry, source=path.name
                )
            )
            continue
        unknown = sorted(set(entry) - allowed)
        for key in unknown:
            problems.append(
                Problem(
                    "claims file",
                    f"one of the fields {', '.join(sorted(allowed))}",
                    rows=(i,),
                    column=key,
                    source=path.name,
                )
            )
        kw = {k: entry[k] for k in allowed if k in entry}
        for key in ("county", "text", "indicator", "kind"):
            if kw.get(key) is not None:
                kw[key] = str(kw[key])
        try:
            claim = Claim(**{"indicator": None, "kind": None, "stated": None, **kw})
        except TypeError as err:
            problems.append(Problem("claims file", str(err), rows=(i,), source=path.name))
            continue
        problems += [
            Problem(p.table, p.expected, column=p.column, rows=(i,), value=p.value, source=path.name)
            for p in claim_problems(claim)
        ]
        out.append(claim)
    if problems:
        raise ValidationError.from_problems(problems, what=f"claims file {path.name}")
    return out


def claim_problems(claim: Claim) -> list[Problem]:
    """What is wrong with a claim's spec (not with its figure)."""
    p: list[Problem] = []
    by_id = registry.registry_by_id()
    if claim.indicator not in by_id or not by_id[claim.indicator].computable:
        known = ", ".join(i.id for i in registry.load_registry() if i.computable and i.level == "county_year")
        p.append(
            Problem("claims file", f"a county-year indicator id: {known}", column="indicator", value=claim.indicator)
        )
    if claim.kind not in KINDS:
        p.append(Problem("claims file", f"one of {', '.join(KINDS)}", column="kind", value=claim.kind))
    if claim.kind in ("value", "yoy") and not isinstance(claim.year, int):
        p.append(Problem("claims file", f"a year for a claim of kind {claim.kind}", column="year", value=claim.year))
    if claim.kind in ("cagr", "change"):
        if not isinstance(claim.start, int) or not isinstance(claim.end, int) or claim.end <= claim.start:
            p.append(
                Problem(
                    "claims file",
                    "start and end years with end after start",
                    column="start/end",
                    value=(claim.start, claim.end),
                )
            )
    try:
        parse_stated(claim.stated)
    except ValueError as err:
        p.append(Problem("claims file", str(err), column="stated", value=claim.stated))
    if claim.tolerance is not None and not (isinstance(claim.tolerance, (int, float)) and claim.tolerance >= 0):
        p.append(Problem("claims file", "a non-negative number", column="tolerance", value=claim.tolerance))
    return p


def _level(values: pd.DataFrame, county: str, indicator: str, year: int, what: str) -> float:
    hit = values.loc[
        (values["county_id"] == county) & (values["indicator"] == indicator) & (values["year"] == year), "value"
    ]
    if hit.empty:
        years = sorted(
            values.loc[(values["county_id"] == county) & (values["indicator"] == indicator), "year"].unique()
        )
        raise ToolkitError(
            f"claim {what!r}: no {indicator} for county {county} in {year}; the data has "
            f"{', '.join(map(str, years)) if years else 'no year'}"
        )
    return float(hit.iloc[0])


def _display(value: float, unit: str, kind: str) -> str:
    if kind != "value" or unit in ("fraction", "probability"):
        return f"{value * 100:.2f}%"
    if unit == "yuan":
        return f"{value:,.0f} yuan"
    return f"{value:.4g}"


def check_claims(claims: Iterable[Claim], indicator_values: pd.DataFrame) -> pd.DataFrame:
    """Recompute every claim from a tidy indicator table (``compute_indicators`` output).

    Returns one row per claim: stated, recomputed, difference (stated − recomputed), tolerance,
    ok (|difference| ≤ tolerance), the levels used and a sentence explaining the result.
    """
    claims = list(claims)
    problems = [q for c in claims for q in claim_problems(c)]
    if problems:
        raise ValidationError.from_problems(problems, what="claims")
    counties = sorted(indicator_values["county_id"].unique())
    rows = []
    for i, c in enumerate(claims, start=1):
        what = c.text or f"claim {i}"
        county = c.county
        if county is None:
            if len(counties) != 1:
                raise ToolkitError(f"claim {what!r}: name its county (the data has {', '.join(counties)})")
            county = counties[0]
        ind = registry.get(c.indicator)
        stated = parse_stated(c.stated)
        tol = float(c.tolerance) if c.tolerance is not None else stated.half_unit
        if c.kind == "value":
            start_value = end_value = _level(indicator_values, county, c.indicator, c.year, what)
            recomputed, period = end_value, str(c.year)
            how = f"{ind.name_en} in {c.year}"
        elif c.kind == "yoy":
            g = yoy(
                _level(indicator_values, county, c.indicator, c.year - 1, what),
                _level(indicator_values, county, c.indicator, c.year, what),
                c.year,
                c.indicator,
            )
            start_value, end_value, recomputed, period = g.start_value, g.end_value, g.rate, g.period
            how = f"{ind.name_en}: {_display(g.start_value, ind.unit, 'value')} ({c.year - 1}) → {_display(g.end_value, ind.unit, 'value')} ({c.year})"
        else:
            s = _level(indicator_values, county, c.indicator, c.start, what)
            e = _level(indicator_values, county, c.indicator, c.end, what)
            g = cagr(s, e, c.start, c.end, c.indicator)
            start_value, end_value, period = s, e, g.period
            recomputed = g.rate if c.kind == "cagr" else e / s - 1.0
            how = (
                f"{ind.name_en}: {_display(s, ind.unit, 'value')} ({c.start}) → {_display(e, ind.unit, 'value')} ({c.end}), "
                f"{'compound annual growth over ' + str(g.years) + ' years' if c.kind == 'cagr' else 'total change'}"
            )
        diff = stated.value - recomputed
        ok = bool(abs(diff) <= tol + 1e-12)  # 1e-12 absorbs binary floating point, not a real difference
        verdict = "consistent with the data" if ok else "DOES NOT FOLLOW from the data"
        explanation = (
            f"stated {_display(stated.value, ind.unit, c.kind)}, recomputed {_display(recomputed, ind.unit, c.kind)} "
            f"({how}): {verdict}"
        )
        rows.append(
            {
                "claim": what,
                "county_id": county,
                "indicator": c.indicator,
                "kind": c.kind,
                "period": period,
                "stated": stated.value,
                "recomputed": recomputed,
                "difference": diff,
                "tolerance": tol,
                "ok": ok,
                "start_value": start_value,
                "end_value": end_value,
                "explanation": explanation,
            }
        )
    out = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    out["ok"] = out["ok"].astype(bool)
    return out
