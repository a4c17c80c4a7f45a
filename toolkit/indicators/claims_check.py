"""Check the figures a report states ("claims") against the data: recompute, show both, flag.

Commissions type figures into their reports by hand. Seed 000 §4.1 states that village doctors'
average subsidy rose from 41,000 yuan (2017) to 66,000 yuan (2023), "average annual growth
17.20%"; the compound rate of those figures is 8.26% a year. A claim here is a small spec::

    Claim(indicator="village_doctor_subsidy_per_doctor", kind="cagr", start=2017, end=2023,
          stated="17.20%", county="C01")
    Claim(indicator="income_ratio", kind="value", year=2023, stated="99.16%", county="C01")

``kind`` (rules.md §13): ``value`` (the indicator in ``year``), ``yoy`` (change year−1 → year),
``cagr`` (compound annual growth start → end), ``change`` (total change start → end), ``streak``
(every year start…end meets the condition: value above ``above``, default 0 — "连续7年结余", seed
000 §4.1) and ``trend`` (a Mann–Kendall test with Sen's slope over start…end supports the stated
direction ``下降``/``上升`` — "稳步下降", seed 000 §4.1; :mod:`toolkit.indicators.trend`). For the
first four, ``stated`` is a number in the indicator's unit (fractions for rates) or text such as
``"17.20%"``, ``"6.6万"``, ``"66,000"``; the tolerance is absolute in that unit, by default half a
unit in the last digit stated ("17.20%" → ±0.005 percentage points), so a figure passes exactly
when it is the recomputed value correctly rounded to the precision the report shows.

Besides the registry's county-year indicators a claim may name a series of :data:`SERIES`
(the capitation savings by year): the caller adds its rows to the value table
(:mod:`toolkit.report.claim_series`).

Files: a list of claims, ``{claims: [...]}``, or the dataset's ``report_claims.yaml`` (data.md), a
mapping county_id → list of claims, where each county's report checks only its own entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from toolkit.catalogue import choose, localized
from toolkit.catalogue import text as catalogue_text
from toolkit.errors import Problem, ToolkitError, ValidationError
from toolkit.indicators import registry
from toolkit.indicators.growth import cagr, yoy

KINDS = ("value", "yoy", "cagr", "change", "streak", "trend")
PERIOD_KINDS = ("cagr", "change", "streak", "trend")
#: the dataset file of each county's stated figures (data.md "report_claims.yaml")
REPORT_CLAIMS_FILE = "report_claims.yaml"
#: the words a trend claim may state, and the direction each means
TREND_WORDS = {
    "下降": "decreasing",
    "稳步下降": "decreasing",
    "持续下降": "decreasing",
    "上升": "increasing",
    "稳步上升": "increasing",
    "持续上升": "increasing",
    "decreasing": "decreasing",
    "increasing": "increasing",
}


@dataclass(frozen=True)
class Series:
    """A yearly series a claim may name that is not a registry indicator (computed elsewhere)."""

    name_zh: str
    name_en: str
    unit: str


#: series outside the indicator registry: the county's big-package savings (budget − actual,
#: rules.md §2, seed 000 §3.1), summed over its units, from the settlement layer
SERIES = {"big_package_savings": Series("医保基金包干结余", "big-package capitation savings", "yuan")}
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
    "status",
    "p_value",
    "explanation",
]
STATUSES = ("consistent", "inconsistent", "not_checkable")
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
    above: float | None = None  # streak: every year's value must exceed this (default 0)


@dataclass(frozen=True)
class StatedNumber:
    value: float
    half_unit: float  # half a unit in the last stated digit, in the same scale as value


def _verdict(ok: bool, lang: str) -> str:
    """与数据相符 / 与数据不符 (toolkit/catalogue/report.yaml)."""
    return catalogue_text("claim_verdict_consistent" if ok else "claim_verdict_inconsistent", lang)


def _sentence(key: str, one: str, **fields: Any) -> str:
    """The catalogue's ``key`` in one language; a field given as a function of the language (a name, a
    figure with its unit, a verdict) is filled in for that language."""
    return catalogue_text(key, one, **{k: v(one) if callable(v) else v for k, v in fields.items()})


def _say(key: str, lang: str, **fields: Any) -> str:
    """:func:`_sentence` in ``lang``; ``both``: the Chinese sentence, then the English one."""
    return choose((_sentence(key, "zh", **fields), _sentence(key, "en", **fields)), lang)


def _years(years: list[int], lang: str) -> str:
    """2019、2020 / 2019, 2020."""
    return catalogue_text("claim_year_separator", lang).join(map(str, years))


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


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ToolkitError(f"claims file not found: {path}") from None
    except yaml.YAMLError as err:
        raise ToolkitError(f"claims file {path.name} is not valid YAML: {err}") from None


def _entries(raw: Any, name: str) -> list[tuple[str | None, Any]]:
    """(county from the file's structure or None, entry) for every entry of the three layouts."""
    if isinstance(raw, Mapping) and "claims" in raw:
        raw = raw["claims"]
    if isinstance(raw, list):
        return [(None, e) for e in raw]
    if isinstance(raw, Mapping) and raw:
        out = []
        for county, entries in raw.items():
            if not isinstance(entries, list):
                raise ToolkitError(
                    f"claims file {name}: county {county!r} — expected a list of claims under each county id"
                )
            out += [(str(county), e) for e in entries]
        return out
    if raw is None or (isinstance(raw, Mapping) and not raw):
        return []
    raise ToolkitError(
        f"claims file {name}: expected a list of claims, a mapping with key 'claims', "
        "or a mapping county_id → list of claims (report_claims.yaml)"
    )


def read_claims_file(path: str | Path) -> list[Claim]:
    """Claims from YAML: a list of mappings (or ``{claims: [...]}``) with the fields of :class:`Claim`,
    or the dataset's ``report_claims.yaml`` layout (county_id → list; the county is the key).

    Every problem of every entry is reported at once (entry number, field, value, expected).
    """
    path = Path(path)
    entries = _entries(_load_yaml(path), path.name)
    allowed = {f.name for f in fields(Claim)}
    problems: list[Problem] = []
    out: list[Claim] = []
    for i, (county, entry) in enumerate(entries, start=1):
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
        if county is not None:
            if kw.get("county") is not None and str(kw["county"]) != county:
                problems.append(
                    Problem(
                        "claims file",
                        f"the county it is listed under ({county}) or no county field",
                        rows=(i,),
                        column="county",
                        value=kw["county"],
                        source=path.name,
                    )
                )
            kw["county"] = county
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


def county_claims(path: str | Path, county_id: str) -> list[Claim]:
    """The claims of ``county_id`` in a claims file (none when the file lists none for it).

    Claims without a county (a plain list) are taken as the county's own: a file handed to one
    county's report is about that county.
    """
    return [
        c if c.county else replace(c, county=county_id) for c in read_claims_file(path) if c.county in (None, county_id)
    ]


def dataset_claims(data_root: str | Path, county_id: str) -> tuple[list[Claim], Path | None]:
    """The county's entries of the dataset's ``report_claims.yaml`` and the file (None when absent)."""
    path = Path(data_root) / REPORT_CLAIMS_FILE
    if not path.is_file():
        return [], None
    return county_claims(path, county_id), path


def indicator_info(indicator: str):
    """Names and unit of a claim's indicator: a registry indicator or a :data:`SERIES`."""
    if indicator in SERIES:
        return SERIES[indicator]
    return registry.get(indicator)


def trend_direction(stated: Any) -> str:
    word = str(stated).strip() if stated is not None else ""
    if word.lower() in TREND_WORDS:
        return TREND_WORDS[word.lower()]
    if word in TREND_WORDS:
        return TREND_WORDS[word]
    raise ValueError(f"a direction: {', '.join(TREND_WORDS)}")


def claim_problems(claim: Claim) -> list[Problem]:
    """What is wrong with a claim's spec (not with its figure)."""
    p: list[Problem] = []
    by_id = registry.registry_by_id()
    if claim.indicator not in SERIES and (claim.indicator not in by_id or not by_id[claim.indicator].computable):
        known = ", ".join(
            [i.id for i in registry.load_registry() if i.computable and i.level == "county_year"] + list(SERIES)
        )
        p.append(
            Problem("claims file", f"a county-year indicator id: {known}", column="indicator", value=claim.indicator)
        )
    if claim.kind not in KINDS:
        p.append(Problem("claims file", f"one of {', '.join(KINDS)}", column="kind", value=claim.kind))
    if claim.kind in ("value", "yoy") and not isinstance(claim.year, int):
        p.append(Problem("claims file", f"a year for a claim of kind {claim.kind}", column="year", value=claim.year))
    if claim.kind in PERIOD_KINDS:
        if not isinstance(claim.start, int) or not isinstance(claim.end, int) or claim.end <= claim.start:
            p.append(
                Problem(
                    "claims file",
                    "start and end years with end after start",
                    column="start/end",
                    value=(claim.start, claim.end),
                )
            )
    if claim.kind == "trend":
        try:
            trend_direction(claim.stated)
        except ValueError as err:
            p.append(Problem("claims file", str(err), column="stated", value=claim.stated))
    elif claim.kind == "streak":
        if claim.stated is not None and not (
            isinstance(claim.stated, int)
            and not isinstance(claim.stated, bool)
            and isinstance(claim.start, int)
            and isinstance(claim.end, int)
            and claim.stated == claim.end - claim.start + 1
        ):
            p.append(
                Problem(
                    "claims file",
                    "no stated value, or the number of years start…end",
                    column="stated",
                    value=claim.stated,
                )
            )
        if claim.above is not None and (isinstance(claim.above, bool) or not isinstance(claim.above, (int, float))):
            p.append(Problem("claims file", "a number", column="above", value=claim.above))
    elif claim.kind in KINDS:
        try:
            parse_stated(claim.stated)
        except ValueError as err:
            p.append(Problem("claims file", str(err), column="stated", value=claim.stated))
    if claim.tolerance is not None and not (isinstance(claim.tolerance, (int, float)) and claim.tolerance >= 0):
        p.append(Problem("claims file", "a non-negative number", column="tolerance", value=claim.tolerance))
    return p


class _NotCheckable(ToolkitError):
    """The data lacks what a claim needs (a year, the indicator): say so, do not guess."""


def _series(values: pd.DataFrame, county: str, indicator: str) -> pd.Series:
    d = values.loc[(values["county_id"] == county) & (values["indicator"] == indicator)].dropna(subset=["value"])
    return d.set_index(d["year"].astype(int))["value"].astype(float).sort_index()


def _level(values: pd.DataFrame, county: str, indicator: str, year: int, what: str) -> float:
    s = _series(values, county, indicator)
    if year not in s.index:
        raise _NotCheckable(
            f"claim {what!r}: no {indicator} for county {county} in {year}; the data has "
            f"{', '.join(map(str, s.index)) if len(s) else 'no year'}"
        )
    return float(s.loc[year])


def _period(values: pd.DataFrame, county: str, indicator: str, start: int, end: int, what: str) -> pd.Series:
    s = _series(values, county, indicator)
    missing = [y for y in range(start, end + 1) if y not in s.index]
    if missing:
        raise _NotCheckable(
            f"claim {what!r}: no {indicator} for county {county} in {', '.join(map(str, missing))}; the data has "
            f"{', '.join(map(str, s.index)) if len(s) else 'no year'}"
        )
    return s.loc[start:end]


def _display(value: float, unit: str, kind: str, lang: str = "en") -> str:
    if kind in ("yoy", "cagr", "change") or unit in ("fraction", "probability"):
        return f"{value * 100:.2f}%"
    if unit == "yuan":
        return f"{value:,.0f} {catalogue_text('unit_yuan', lang)}"
    return f"{value:.4g}"


def check_claims(
    claims: Iterable[Claim], indicator_values: pd.DataFrame, lang: str = "en", missing: str = "raise"
) -> pd.DataFrame:
    """Recompute every claim from a tidy indicator table (``compute_indicators`` output, plus the
    rows of any :data:`SERIES` a claim names).

    Returns one row per claim: stated, recomputed, difference (stated − recomputed), tolerance,
    ok, status (``consistent`` / ``inconsistent`` / ``not_checkable``), the levels used, the trend
    test's p-value and a sentence explaining the result in ``lang``. ``missing="raise"`` stops at a
    claim the data cannot check (a year or indicator absent); ``"report"`` lists it as not checkable.

    * value/yoy/cagr/change: ok when |stated − recomputed| ≤ tolerance.
    * streak: recomputed = the number of years start…end whose value exceeds ``above`` (default 0),
      stated = the number of years in the period; ok when every year does.
    * trend: recomputed = Sen's slope per year; ok when the Mann–Kendall test (p < 0.05) finds the
      stated direction (:func:`toolkit.indicators.trend.mann_kendall`).
    """
    from toolkit.indicators.trend import ALPHA, mann_kendall

    if missing not in ("raise", "report"):
        raise ValueError("missing must be 'raise' or 'report'")
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
        ind = indicator_info(c.indicator)
        name = partial(localized, ind, "name")
        period = str(c.year) if c.kind in ("value", "yoy") else f"{c.start}–{c.end}"
        nan = float("nan")
        row = {
            "claim": what,
            "county_id": county,
            "indicator": c.indicator,
            "kind": c.kind,
            "period": period,
            "stated": nan,
            "recomputed": nan,
            "difference": nan,
            "tolerance": nan,
            "ok": False,
            "start_value": nan,
            "end_value": nan,
            "status": "not_checkable",
            "p_value": nan,
            "explanation": "",
        }
        try:
            if c.kind in ("value", "yoy", "cagr", "change"):
                stated = parse_stated(c.stated)
                tol = float(c.tolerance) if c.tolerance is not None else stated.half_unit
                if c.kind == "value":
                    s = e = _level(indicator_values, county, c.indicator, c.year, what)
                    recomputed = e
                    how = partial(_sentence, "claim_how_value", year=c.year, name=name)
                else:
                    if c.kind == "yoy":
                        g = yoy(
                            _level(indicator_values, county, c.indicator, c.year - 1, what),
                            _level(indicator_values, county, c.indicator, c.year, what),
                            c.year,
                            c.indicator,
                        )
                        s, e, recomputed, period = g.start_value, g.end_value, g.rate, g.period
                        years = (c.year - 1, c.year)
                    else:
                        s = _level(indicator_values, county, c.indicator, c.start, what)
                        e = _level(indicator_values, county, c.indicator, c.end, what)
                        g = cagr(s, e, c.start, c.end, c.indicator)
                        recomputed = g.rate if c.kind == "cagr" else e / s - 1.0
                        years = (c.start, c.end)
                    how = partial(
                        _sentence,
                        f"claim_how_{c.kind}",
                        name=name,
                        start=partial(_display, s, ind.unit, "value"),
                        end=partial(_display, e, ind.unit, "value"),
                        start_year=years[0],
                        end_year=years[1],
                        years=getattr(g, "years", None),
                    )
                diff = stated.value - recomputed
                ok = bool(abs(diff) <= tol + 1e-12)  # 1e-12 absorbs binary floating point, not a real difference
                explanation = _say(
                    "claim_explain_figure",
                    lang,
                    stated=partial(_display, stated.value, ind.unit, c.kind),
                    recomputed=partial(_display, recomputed, ind.unit, c.kind),
                    how=how,
                    verdict=partial(_verdict, ok),
                )
                row.update(stated=stated.value, recomputed=recomputed, difference=diff, tolerance=tol)
                row.update(start_value=s, end_value=e)
            elif c.kind == "streak":
                series = _period(indicator_values, county, c.indicator, c.start, c.end, what)
                above = float(c.above) if c.above is not None else 0.0
                met = series > above
                n_years = c.end - c.start + 1
                ok = bool(met.all())
                failing = [int(y) for y in series.index[~met.to_numpy()]]
                explanation = _say(
                    "claim_explain_streak" if ok else "claim_explain_streak_broken",
                    lang,
                    start=c.start,
                    end=c.end,
                    n_years=n_years,
                    name=name,
                    limit=partial(_display, above, ind.unit, "value"),
                    met=int(met.sum()),
                    failing=partial(_years, failing),
                    verdict=partial(_verdict, ok),
                )
                row.update(
                    stated=float(n_years),
                    recomputed=float(met.sum()),
                    difference=float(n_years - met.sum()),
                    tolerance=0.0,
                    start_value=float(series.iloc[0]),
                    end_value=float(series.iloc[-1]),
                )
            else:  # trend
                want = trend_direction(c.stated)
                series = _period(indicator_values, county, c.indicator, c.start, c.end, what)
                t = mann_kendall(series.index.to_numpy(), series.to_numpy())
                ok = t.direction == want
                if t.reason:  # no test possible: the estimator's reason (too few years, constant series)
                    why = "claim_trend_too_few_years" if "fewer" in t.reason else "claim_trend_constant"
                    detail = partial(catalogue_text, why, text=t.reason)
                else:
                    slope = partial(fmt_slope, t.slope, ind.unit)
                    detail = partial(_sentence, "claim_trend_test", s=t.s, p_value=t.p_value, slope=slope)
                explanation = _say(
                    "claim_explain_trend",
                    lang,
                    start=c.start,
                    end=c.end,
                    name=name,
                    found=partial(catalogue_text, f"claim_trend_{t.direction}"),
                    detail=detail,
                    alpha=ALPHA,
                    verdict=partial(_verdict, ok),
                )
                row.update(
                    stated=-1.0 if want == "decreasing" else 1.0,
                    recomputed=t.slope,
                    p_value=t.p_value,
                    start_value=float(series.iloc[0]),
                    end_value=float(series.iloc[-1]),
                )
            row.update(ok=ok, status="consistent" if ok else "inconsistent", explanation=explanation)
        except _NotCheckable as err:
            if missing == "raise":
                raise ToolkitError(str(err)) from None
            because = catalogue_text("claim_cannot_be_checked", "en", text=str(err))  # the English reason
            row["explanation"] = catalogue_text("claim_not_checkable", lang, period=period, text=because)
        rows.append(row)
    out = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    out["ok"] = out["ok"].astype(bool)
    return out


def fmt_slope(slope: float, unit: str, lang: str = "en") -> str:
    """Sen's slope in the indicator's unit: fractions as percentage points."""
    if unit in ("fraction", "probability"):
        return catalogue_text("claim_slope_points", lang, slope=f"{slope * 100:+.2f}")
    if unit == "yuan":
        return catalogue_text("claim_slope_yuan", lang, slope=f"{slope:+,.0f}")
    return f"{slope:+.4g}"
