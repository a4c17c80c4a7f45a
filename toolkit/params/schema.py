"""What each policy parameter may hold: its kind and the checks a value must pass.

The numbers themselves live in ``params/*.yaml``; this module only knows their *shape* (a share
vector must add to 1, brackets must be ordered, rates lie in [0, 1]). Each check returns a
message describing what was expected, or ``None`` when the value is fine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: tolerance for "shares add up to 1" (values are written with a few decimals)
SUM_TOLERANCE = 1e-9

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _number_in(lo: float, hi: float) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if not _is_number(v):
            return f"a number in [{lo:g}, {hi:g}]"
        if not lo <= v <= hi:
            return f"a number in [{lo:g}, {hi:g}]"
        return None

    return check


def _positive_int(v: Any) -> str | None:
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        return "a whole number ≥ 1"
    return None


def _non_negative(v: Any) -> str | None:
    if not _is_number(v) or v < 0:
        return "a number ≥ 0"
    return None


def _choice(options: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(v: Any) -> str | None:
        if v not in options:
            return "one of " + " | ".join(options)
        return None

    return check


def _shares(keys: tuple[str, ...] | None) -> Callable[[Any], str | None]:
    """A mapping name → share in [0, 1] adding up to 1 (fixed names when ``keys`` is given)."""

    def check(v: Any) -> str | None:
        if not isinstance(v, dict) or not v:
            return "a mapping of shares adding up to 1" + (f" with keys {', '.join(keys)}" if keys else "")
        if keys is not None and tuple(v) != keys:
            return f"shares with exactly the keys {', '.join(keys)} in this order (got {', '.join(map(str, v))})"
        for name, share in v.items():
            if not isinstance(name, str) or not _ID.match(name):
                return f"snake_case names as keys (got {name!r})"
            if not _is_number(share) or not 0 <= share <= 1:
                return f"each share a number in [0, 1] (got {name}: {share!r})"
        total = math.fsum(v.values())
        if abs(total - 1) > SUM_TOLERANCE:
            return f"shares adding up to 1 (they add up to {total:.10g})"
        return None

    return check


def _id_list(v: Any) -> str | None:
    if not isinstance(v, list):
        return "a list of snake_case ids"
    for item in v:
        if not isinstance(item, str) or not _ID.match(item):
            return f"a list of snake_case ids (got {item!r})"
    if len(set(v)) != len(v):
        dup = sorted({x for x in v if v.count(x) > 1})
        return f"a list without repeats (repeated: {', '.join(dup)})"
    return None


def _benchmarks(v: Any) -> str | None:
    """indicator → benchmark; rates in [0, 1], counted credits (``*_credits``) any number ≥ 0."""
    if not isinstance(v, dict) or not v:
        return "a mapping indicator → benchmark"
    for name, bench in v.items():
        if not isinstance(name, str) or not _ID.match(name):
            return f"snake_case indicator ids as keys (got {name!r})"
        if name.endswith("_credits"):
            if not _is_number(bench) or bench < 0:
                return f"a number ≥ 0 for {name} (got {bench!r})"
        elif not _is_number(bench) or not 0 <= bench <= 1:
            return f"a rate in [0, 1] for {name} (got {bench!r})"
    return None


def _brackets(v: Any) -> str | None:
    """Ordered rank brackets: upper edges strictly increasing in (0, 1], shares adding up to 1."""
    if not isinstance(v, list) or not v:
        return "a list of {upper, share} brackets"
    previous = 0.0
    for i, b in enumerate(v, start=1):
        if not isinstance(b, dict) or set(b) != {"upper", "share"}:
            return f"bracket {i} as {{upper: fraction, share: fraction}} (got {b!r})"
        if not _is_number(b["upper"]) or not 0 < b["upper"] <= 1:
            return f"bracket {i} upper edge in (0, 1] (got {b['upper']!r})"
        if b["upper"] <= previous:
            return (
                f"brackets ordered by upper edge, strictly increasing (bracket {i}: {b['upper']!r} after {previous!r})"
            )
        if not _is_number(b["share"]) or not 0 <= b["share"] <= 1:
            return f"bracket {i} share in [0, 1] (got {b['share']!r})"
        previous = b["upper"]
    total = math.fsum(b["share"] for b in v)
    if abs(total - 1) > SUM_TOLERANCE:
        return f"bracket shares adding up to 1 (they add up to {total:.10g})"
    return None


def _points_table(v: Any) -> str | None:
    """Disease group code → points (a number ≥ 0); empty when no points scheme is set."""
    if not isinstance(v, dict):
        return "a mapping disease group code → points"
    for code, points in v.items():
        if not isinstance(code, str) or not code.strip():
            return f"disease group codes as text (got {code!r})"
        if not _is_number(points) or points < 0:
            return f"points ≥ 0 for group {code} (got {points!r})"
    return None


def _mapping_of(expected: str, ok: Callable[[Any], bool]) -> Callable[[Any], str | None]:
    """A mapping id (text) → value passing ``ok``; may be empty."""

    def check(v: Any) -> str | None:
        if not isinstance(v, dict):
            return f"a mapping community id → {expected}"
        for key, value in v.items():
            if not isinstance(key, str) or not key.strip():
                return f"community ids as text (got {key!r})"
            if not ok(value):
                return f"{expected} for {key} (got {value!r})"
        return None

    return check


@dataclass(frozen=True)
class Spec:
    kind: str
    check: Callable[[Any], str | None]


TIERS = ("county", "township", "village")

#: every parameter the toolkit knows; a key not listed here is an error in a parameter file.
SPECS: dict[str, Spec] = {
    "baseline_years": Spec("int", _positive_int),
    "baseline_method": Spec("choice", _choice(("mean_of_per_capita", "pooled"))),
    "budget_growth": Spec("rate", _number_in(-1.0, 1.0)),
    "budget_method": Spec("choice", _choice(("per_capita_average", "total_with_growth", "income_growth"))),
    "budget_growth_weights": Spec("shares", _shares(("volume", "quality", "price"))),
    "budget_quality_growth": Spec("rate", _number_in(-1.0, 1.0)),
    "inpatient_budget": Spec("number", _non_negative),
    "points_per_group": Spec("points", _points_table),
    "points_per_bed_day": Spec("number", _non_negative),
    "consortium_award": Spec("awards", _points_table),
    "community_types": Spec("types", _mapping_of("close | loose", lambda v: v in ("close", "loose"))),
    "consortium_assessment_passed": Spec("results", _mapping_of("true | false", lambda v: isinstance(v, bool))),
    "advance_rate": Spec("rate", _number_in(0.0, 1.0)),
    "savings_split": Spec("shares", _shares(TIERS)),
    "overspend_share": Spec("rate", _number_in(0.0, 1.0)),
    "savings_gate": Spec("choice", _choice(("none", "pass_mark", "scale_by_score"))),
    "savings_gate_pass_mark": Spec("number", _number_in(0.0, 100.0)),
    "chronic_groups": Spec("int", _positive_int),
    "chronic_savings_split": Spec("shares", _shares(TIERS)),
    "chronic_overspend_share": Spec("rate", _number_in(0.0, 1.0)),
    "ph_village_share_min": Spec("rate", _number_in(0.0, 1.0)),
    "evaluation_split": Spec("shares", _shares(("process", "objective", "effect"))),
    "quarter_weights": Spec("shares", _shares(("q1", "q2", "q3", "q4"))),
    "credit_calibration": Spec("choice", _choice(("annual", "quarterly"))),
    "ph_projects": Spec("ids", _id_list),
    "two_card_projects": Spec("ids", _id_list),
    "yuan_per_credit": Spec("number", _non_negative),
    "process_excess": Spec("choice", _choice(("cap", "pay_from_effect_pool"))),
    "objective_benchmarks": Spec("benchmarks", _benchmarks),
    "objective_vetoes": Spec("ids", _id_list),
    "objective_weights": Spec("shares", _shares(None)),
    "effect_brackets": Spec("brackets", _brackets),
    "effect_change": Spec("choice", _choice(("relative", "absolute"))),
    "effect_bracket_edges": Spec("choice", _choice(("round", "floor", "ceil"))),
    "effect_ties": Spec("choice", _choice(("average", "unit_id"))),
    "effect_bracket_sharing": Spec("choice", _choice(("equal", "lump_sum"))),
    "effect_empty_bracket": Spec("choice", _choice(("redistribute", "retain"))),
    "effect_no_ranked_units": Spec("choice", _choice(("equal_all_units", "retain"))),
}


def cross_check(values: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """Checks between parameters of one county-year: (key, value, expected) for each failure."""
    out: list[tuple[str, Any, str]] = []
    projects = set(values["ph_projects"])
    extra = [p for p in values["two_card_projects"] if p not in projects]
    if extra:
        out.append(("two_card_projects", extra, "projects listed in ph_projects"))
    bench = list(values["objective_benchmarks"])
    if sorted(values["objective_weights"]) != sorted(bench):
        out.append(
            (
                "objective_weights",
                sorted(values["objective_weights"]),
                f"the same indicators as objective_benchmarks ({', '.join(sorted(bench))})",
            )
        )
    unknown = [i for i in values["objective_vetoes"] if i not in bench]
    if unknown:
        out.append(("objective_vetoes", unknown, "indicators listed in objective_benchmarks"))
    return out
