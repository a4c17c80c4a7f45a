"""The parameter values in force for one county and one year.

A value holds from its start year until a later entry replaces it. The timeline of a parameter
for a county is the province's dated entries together with the county's; the latest entry whose
start year is not after the settlement year wins, and on the same start year the county's entry
wins over the province's. So a county change dated 2023 leaves 2019's settlement untouched, and
a later province-wide change applies to the county too unless the county overrides it again.

Every settlement prints the snapshot it used (:meth:`ParamSnapshot.to_frame`), and
:meth:`ParamSnapshot.digest` identifies it for provenance.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.errors import Problem, ToolkitError, ValidationError
from toolkit.params.load import ParamSet, load_params
from toolkit.params.schema import SPECS, cross_check


@dataclass(frozen=True)
class ResolvedParam:
    key: str
    value: Any
    since: int
    label_zh: str
    label_en: str
    unit: str
    source: str
    file: str


def format_value(value: Any) -> str:
    """A parameter value as a clerk reads it: ``county 0.4 · township 0.4 · village 0.2``."""
    if isinstance(value, dict):
        return " · ".join(f"{k} {format_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        if value and isinstance(value[0], dict) and "upper" in value[0]:
            lo, parts = 0.0, []
            for b in value:
                parts.append(f"{lo:.1%}–{b['upper']:.1%}: {b['share']:.0%}")
                lo = b["upper"]
            return " · ".join(parts)
        return ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class ParamSnapshot:
    """Flat, typed view of the parameters of one county-year; read as ``snap["savings_split"]``
    or ``snap.savings_split``. Immutable; equal (and hashing equal) when the digests are equal."""

    __slots__ = ("county_id", "year", "_params")

    def __init__(self, county_id: str, year: int, params: tuple[ResolvedParam, ...]):
        object.__setattr__(self, "county_id", county_id)
        object.__setattr__(self, "year", int(year))
        object.__setattr__(self, "_params", {p.key: p for p in params})

    def __setattr__(self, name, value):  # pragma: no cover - immutability guard
        raise AttributeError("ParamSnapshot is immutable")

    def __getitem__(self, key: str) -> Any:
        return copy.deepcopy(self._params[key].value)

    def __getattr__(self, key: str) -> Any:
        params = object.__getattribute__(self, "_params")
        if key in params:
            return copy.deepcopy(params[key].value)
        raise AttributeError(key)

    def __contains__(self, key: str) -> bool:
        return key in self._params

    def keys(self) -> list[str]:
        return list(self._params)

    def resolved(self, key: str) -> ResolvedParam:
        return self._params[key]

    def as_dict(self) -> dict[str, Any]:
        """Parameter key → value (deep copies), in the order of the schema."""
        return {k: copy.deepcopy(p.value) for k, p in self._params.items()}

    def digest(self) -> str:
        """sha256 over county, year and every value (canonical JSON): same values → same digest."""
        payload = {"county_id": self.county_id, "year": self.year, "values": self.as_dict()}
        text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def __hash__(self) -> int:
        return hash(self.digest())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ParamSnapshot) and self.digest() == other.digest()

    def to_frame(self) -> pd.DataFrame:
        """One row per parameter: key, labels, value as text, unit, start year, source, file."""
        params = list(self._params.values())
        n = len(params)
        return pd.DataFrame(
            {
                "county_id": [self.county_id] * n,
                "year": [self.year] * n,
                "key": [p.key for p in params],
                "label_zh": [p.label_zh for p in params],
                "label_en": [p.label_en for p in params],
                "value": [format_value(p.value) for p in params],
                "unit": [p.unit for p in params],
                "since": [p.since for p in params],
                "source": [p.source for p in params],
                "file": [p.file for p in params],
            }
        )

    def __repr__(self) -> str:
        return f"ParamSnapshot(county_id={self.county_id!r}, year={self.year}, digest={self.digest()[:12]})"

    def __str__(self) -> str:
        frame = self.to_frame()
        lines = [f"Parameters for county {self.county_id}, year {self.year} (digest {self.digest()[:12]})"]
        width = max(len(k) for k in frame["key"])
        for r in frame.itertuples():
            lines.append(
                f"  {r.key:<{width}}  {r.value}  [{r.unit}; since {r.since}; {r.source}; {r.file}]  {r.label_zh} / {r.label_en}"
            )
        return "\n".join(lines)


def resolve(paramset: ParamSet, county_id: str, year: int) -> ParamSnapshot:
    """The snapshot of ``county_id`` in ``year`` from an already loaded :class:`ParamSet`."""
    if county_id not in paramset.counties:
        near = sorted(c for c in paramset.counties if c.casefold() == str(county_id).casefold())
        if near:  # c02.yaml for county C02: ids are case-exact, a silent fall-back to the province would mislead
            raise ToolkitError(
                f"parameter file {near[0]}.yaml does not match county {county_id} (ids are case-exact) — "
                f"rename it to {county_id}.yaml"
            )
    county = paramset.counties.get(county_id, {})
    problems: list[Problem] = []
    params: list[ResolvedParam] = []
    for key in SPECS:
        base = paramset.province[key]
        timeline = [(y, 0, v, base) for y, v in base.values.items()]
        if key in county:
            timeline += [(y, 1, v, county[key]) for y, v in county[key].values.items()]
        usable = [t for t in timeline if t[0] <= year]
        if not usable:
            first = min(t[0] for t in timeline)
            problems.append(
                Problem(
                    "parameters",
                    f"a value in force in {year} (the first entry starts in {first})",
                    column=key,
                    source=base.file,
                )
            )
            continue
        since, _, value, entry = max(usable, key=lambda t: (t[0], t[1]))
        params.append(
            ResolvedParam(
                key,
                copy.deepcopy(value),
                since,
                base.label_zh,
                base.label_en,
                base.unit,
                entry.references[since],
                entry.file,
            )
        )
    if not problems:
        values = {p.key: p.value for p in params}
        for key, value, expected in cross_check(values):
            problems.append(Problem("parameters", expected, column=key, value=value, source=f"{county_id} {year}"))
    if problems:
        raise ValidationError.from_problems(problems, what=f"parameters for county {county_id}, year {year}")
    return ParamSnapshot(county_id, year, tuple(params))


def snapshot(county_id: str, year: int, params_dir: str | Path | None = None) -> ParamSnapshot:
    """Load the parameter files and return the values in force for ``county_id`` in ``year``."""
    return resolve(load_params(params_dir), county_id, int(year))
