"""Targets as dated, scoped parameters (``params/targets.yaml``).

A target is a policy number with an owner: Zhejiang's pilot counties are to reach a 90% in-county
visit rate (seed 001, 浙卫发〔2018〕9号); the nation wants ≥ 90% of counties to have a close
medical community by the end of 2025 (seed 004, 国卫基层发〔2023〕41号). A report may show a target
only for a county and year it applies to, and names whose target it is. The file::

    province: 浙江省            # the province this params folder describes
    targets:
      - indicator: in_county_visit_rate
        value: 0.90
        comparison: at_least     # at_least | at_most
        scope: {province: 浙江省, counties: [C01, C02]}   # or {province: 浙江省} or {national: true}
        start_year: 2018         # first year the target is in force
        target_year: 2022        # the year it is to be reached; not shown after it (omit: a standing rule)
        label_zh: 浙江省试点县目标
        label_en: Zhejiang pilot-county target
        source: "seed 001 (浙卫发〔2018〕9号): 县域内就诊率90%"
        source_zh: 浙卫发〔2018〕9号       # optional: the citation Chinese outputs show

``value`` may instead be ``from_param: KEY``: the value of that parameter in force for the
county and year (``params/province.yaml`` and county overrides), so a number lives in one place.
A target applies to county *c* in year *y* when ``start_year ≤ y ≤ target_year`` (no end without
a target year) and the scope
is national, or names this folder's province (and, when it lists counties, *c* among them).
Every problem in the file is reported at once, naming the entry and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from toolkit.catalogue import choose, localized
from toolkit.errors import Problem, ToolkitError, ValidationError
from toolkit.paths import PARAMS_DIR

TARGETS_FILE = "targets.yaml"
COMPARISONS = ("at_least", "at_most")
FIELDS = (
    "indicator",
    "value",
    "from_param",
    "comparison",
    "scope",
    "start_year",
    "target_year",
    "label_zh",
    "label_en",
    "source",
    "source_zh",
)
REQUIRED = ("indicator", "comparison", "scope", "start_year", "label_zh", "label_en", "source")
#: province-level measures a target may name besides the registry's indicators
PROVINCE_MEASURES = ("close_community_county_share",)


@dataclass(frozen=True)
class Target:
    indicator: str
    comparison: str
    start_year: int
    target_year: int | None  # None: a standing rule (a minimum with no end year)
    label_zh: str
    label_en: str
    source: str
    national: bool = False
    province: str | None = None
    counties: tuple[str, ...] | None = None  # None: every county of the province
    source_zh: str | None = None  # the document as a Chinese reader cites it (zh outputs)
    value: float | None = None
    from_param: str | None = None

    def label(self, lang: str) -> str:
        return localized(self, "label", lang)

    def cite(self, lang: str) -> str:
        """The source for a reader: in Chinese outputs the Chinese citation (no English mixed in, none
        when the entry has no ``source_zh``), in English outputs ``source``; ``both`` joins the two."""
        return choose((self.source_zh or "", self.source), lang).removeprefix(" / ")

    def met(self, value: float, target_value: float) -> bool:
        return value >= target_value if self.comparison == "at_least" else value <= target_value


@dataclass(frozen=True)
class TargetSet:
    province: str | None
    targets: tuple[Target, ...]
    file: str | None = None

    def applicable(self, indicator: str, year: int, county_id: str | None = None) -> list[Target]:
        """Targets for ``indicator`` in force in ``year`` for ``county_id`` (None: the province as a
        whole — targets scoped to a county set are then left out)."""
        out = []
        for t in self.targets:
            if t.indicator != indicator or int(year) < t.start_year:
                continue
            if t.target_year is not None and int(year) > t.target_year:
                continue
            if not t.national:
                if t.province != self.province:
                    continue
                if t.counties is not None and (county_id is None or county_id not in t.counties):
                    continue
            out.append(t)
        return out


def _problem(file: str, entry: int | None, field: str, value: Any, expected: str) -> Problem:
    return Problem("targets", expected, column=field, rows=(entry,) if entry else (), value=value, source=file)


def load_targets(params_dir: str | Path | None = None) -> TargetSet:
    """The folder's ``targets.yaml`` (an empty set when the folder has none)."""
    root = Path(params_dir) if params_dir else PARAMS_DIR
    path = root / TARGETS_FILE
    if not path.is_file():
        return TargetSet(None, ())
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ToolkitError(f"targets file {path}: not valid YAML: {err}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("targets", []), list):
        raise ToolkitError(f"targets file {path}: expected a mapping with 'province' and a list 'targets'")
    problems: list[Problem] = []
    province = raw.get("province")
    if province is not None and not isinstance(province, str):
        problems.append(_problem(name, None, "province", province, "the province's name as text"))
    from toolkit.params.schema import SPECS

    targets = []
    for i, e in enumerate(raw.get("targets") or [], start=1):
        if not isinstance(e, dict):
            problems.append(_problem(name, i, "(entry)", e, "a mapping with " + ", ".join(REQUIRED)))
            continue
        bad = [k for k in e if k not in FIELDS]
        miss = [k for k in REQUIRED if k not in e]
        for k in bad:
            problems.append(_problem(name, i, k, None, "only the fields " + ", ".join(FIELDS)))
        for k in miss:
            problems.append(_problem(name, i, k, None, "this field"))
        if ("value" in e) == ("from_param" in e):
            problems.append(_problem(name, i, "value", e.get("value"), "either value or from_param"))
        if miss:
            continue
        ok = True
        # the ids themselves are checked against the registry by the reports (a layer above params)
        if not isinstance(e["indicator"], str) or not e["indicator"].strip():
            problems.append(_problem(name, i, "indicator", e["indicator"], "an indicator id of the registry"))
            ok = False
        if e["comparison"] not in COMPARISONS:
            problems.append(_problem(name, i, "comparison", e["comparison"], " or ".join(COMPARISONS)))
            ok = False
        value = e.get("value")
        if "value" in e and (isinstance(value, bool) or not isinstance(value, (int, float))):
            problems.append(_problem(name, i, "value", value, "a number (fractions for rates)"))
            ok = False
        if "from_param" in e and e["from_param"] not in SPECS:
            problems.append(_problem(name, i, "from_param", e["from_param"], "a parameter key of params/province.yaml"))
            ok = False
        sy, ty = e["start_year"], e.get("target_year")
        years = (sy,) if ty is None else (sy, ty)
        if not all(isinstance(y, int) and not isinstance(y, bool) for y in years) or (ty is not None and sy > ty):
            problems.append(_problem(name, i, "start_year/target_year", (sy, ty), "years with start ≤ target"))
            ok = False
        for k in ("label_zh", "label_en", "source", "source_zh"):
            if k in e and (not isinstance(e[k], str) or not e[k].strip()):
                problems.append(_problem(name, i, k, e[k], "non-empty text"))
                ok = False
        scope = e["scope"]
        national, prov, counties = False, None, None
        if isinstance(scope, dict) and scope.get("national") is True and set(scope) == {"national"}:
            national = True
        elif (
            isinstance(scope, dict)
            and isinstance(scope.get("province"), str)
            and set(scope) <= {"province", "counties"}
        ):
            prov = scope["province"]
            if "counties" in scope:
                c = scope["counties"]
                if not isinstance(c, list) or not c or not all(isinstance(x, str) for x in c):
                    problems.append(_problem(name, i, "scope.counties", c, "a list of county ids"))
                    ok = False
                else:
                    counties = tuple(c)
        else:
            problems.append(
                _problem(
                    name, i, "scope", scope, "{national: true}, {province: NAME} or {province: NAME, counties: [...]}"
                )
            )
            ok = False
        if ok:
            targets.append(
                Target(
                    indicator=e["indicator"],
                    comparison=e["comparison"],
                    start_year=sy,
                    target_year=ty,
                    label_zh=e["label_zh"],
                    label_en=e["label_en"],
                    source=e["source"],
                    national=national,
                    province=prov,
                    counties=counties,
                    value=float(value) if value is not None else None,
                    from_param=e.get("from_param"),
                    source_zh=e.get("source_zh"),
                )
            )
    if problems:
        raise ValidationError.from_problems(problems, what=f"targets file {path}")
    return TargetSet(province, tuple(targets), file=str(path))


def target_value(target: Target, county_id: str | None, year: int, params_dir: str | Path | None = None) -> float:
    """The target's number for the county-year (its ``value``, or its parameter's value then)."""
    if target.value is not None:
        return target.value
    from toolkit.params.snapshot import snapshot

    return float(snapshot(county_id or "", int(year), params_dir)[target.from_param])
