"""Points-based assessment of medical communities (or any unit level): a scheme is data.

Seed 004 (四川省紧密型县域医共体医保管理改革考核暂行办法) assesses each medical community once a
year on 100 points in six dimensions, "与上年同期相比、横向比较" (against the same period of
last year and across units), and pays money on the result (rules.md §11). The seed gives the
dimensions and their points, not each indicator's scoring function, so a scheme
(``params/schemes/<name>.yaml``) names for each indicator its points, direction, method
(``yoy`` | ``rank`` | ``threshold``), cut-offs and what happens when data is missing; this engine
scores any scheme at any level of the hierarchy (:mod:`toolkit.indicators.evaluate`) from the
registry's indicators. A scheme whose points do not add up is an error naming the scheme,
dimension and the sums.

Scoring (share of an indicator's points):

* ``threshold``: the first cut-off ``[value, share]`` the value meets (≥ when higher is better,
  ≤ when lower is better) gives its share; none met gives 0.
* ``yoy``: the same with the change ``v(t) / v(t−1) − 1`` against the unit's previous year.
* ``rank``: units of the level with a value in the year ranked best first, ties sharing the
  better rank; share = (n − rank) / (n − 1), a single unit gets the full points.

Missing data (``missing``): ``zero`` gives no points; ``exclude`` leaves the indicator out and
scales the unit's score to the total over the points it had data for; ``error`` stops.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from toolkit.errors import Problem, ToolkitError
from toolkit.indicators.evaluate import LEVELS, evaluate
from toolkit.indicators.registry import DIRECTIONS, registry_by_id
from toolkit.paths import PROJECT_ROOT

SCHEMES_DIR = PROJECT_ROOT / "params" / "schemes"
DEFAULT_SCHEME = "sichuan_one_total"
METHODS = ("yoy", "rank", "threshold")
MISSING = ("zero", "exclude", "error")
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Item:
    dimension: str
    indicator: str
    points: float
    method: str
    direction: str
    cutoffs: tuple[tuple[float, float], ...] = ()
    missing: str = "zero"


@dataclass(frozen=True)
class Dimension:
    id: str
    name_zh: str
    name_en: str
    points: float
    note: str = ""


@dataclass(frozen=True)
class Scheme:
    id: str
    name_zh: str
    name_en: str
    source: str
    level: str
    total_points: float
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]
    digest: str
    path: str


def _bad(path: str, problems: list[Problem]) -> ToolkitError:
    return ToolkitError(f"assessment scheme {path}: {len(problems)} problem(s); nothing was scored", problems)


def scheme_path(name: str | Path) -> Path:
    """``NAME`` (a file in params/schemes/) or a path to a scheme YAML."""
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return p
    candidate = SCHEMES_DIR / f"{name}.yaml"
    if candidate.exists():
        return candidate
    known = sorted(f.stem for f in SCHEMES_DIR.glob("*.yaml"))
    raise ToolkitError(f"--scheme {name!r}: no such scheme; known: {', '.join(known)} (or a path to a .yaml file)")


def parse_scheme(raw: Mapping, where: str = "scheme") -> Scheme:
    """Check a scheme's structure and that its points add up (dimension points = total, item points
    = dimension points); every problem is reported at once."""
    reg = registry_by_id()
    problems: list[Problem] = []

    def problem(expected, column=None, value=None):
        problems.append(Problem(where, expected, column=column, value=value))

    if not isinstance(raw, Mapping):
        raise _bad(where, [Problem(where, "a mapping with id, level, total_points, dimensions")])
    for key in ("id", "name_zh", "name_en", "source", "level", "total_points", "dimensions"):
        if key not in raw:
            problem("this key", column=key, value="missing")
    if problems:
        raise _bad(where, problems)
    if raw["level"] not in LEVELS:
        problem(f"one of {', '.join(LEVELS)}", column="level", value=raw["level"])
    dims, items = [], []
    total = float(raw["total_points"])
    for d in raw["dimensions"] or ():
        did = str(d.get("id", "?"))
        dims.append(
            Dimension(
                did,
                str(d.get("name_zh", did)),
                str(d.get("name_en", did)),
                float(d.get("points", 0)),
                str(d.get("note", "")),
            )
        )
        item_sum = 0.0
        for k, it in enumerate(d.get("indicators") or ()):
            col = f"dimensions.{did}.indicators[{k + 1}]"
            iid = str(it.get("indicator", ""))
            if iid not in reg or not reg[iid].evaluated:
                problem("an evaluated indicator id of the registry (docs/indicators.md)", column=col, value=iid)
                continue
            method = it.get("method")
            if method not in METHODS:
                problem(f"method one of {', '.join(METHODS)}", column=col, value=method)
                continue
            direction = it.get("direction", reg[iid].direction)
            if direction not in DIRECTIONS:
                problem(f"direction one of {', '.join(DIRECTIONS)}", column=col, value=direction)
            missing = it.get("missing", "zero")
            if missing not in MISSING:
                problem(f"missing one of {', '.join(MISSING)}", column=col, value=missing)
            cutoffs = tuple((float(a), float(b)) for a, b in (it.get("cutoffs") or ()))
            if method in ("yoy", "threshold") and not cutoffs:
                problem(f"cut-offs [[value, share], …] for method {method}", column=col, value="none")
            if any(not 0 <= s <= 1 for _, s in cutoffs):
                problem("cut-off shares between 0 and 1", column=col, value=[s for _, s in cutoffs])
            points = float(it.get("points", 0))
            if points < 0:
                problem("points ≥ 0", column=col, value=points)
            item_sum += points
            items.append(Item(did, iid, points, method, direction, cutoffs, missing))
        if abs(item_sum - dims[-1].points) > TOLERANCE:
            problem(
                f"the indicators' points of dimension {did} add up to its {dims[-1].points:g} points",
                column=f"dimensions.{did}",
                value=f"indicators add up to {item_sum:g}",
            )
    dim_sum = sum(d.points for d in dims)
    if abs(dim_sum - total) > TOLERANCE:
        problem(
            f"the dimensions' points add up to total_points {total:g}",
            column="dimensions",
            value=f"{' + '.join(f'{d.points:g}' for d in dims)} = {dim_sum:g}",
        )
    if problems:
        raise _bad(where, problems)
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return Scheme(
        str(raw["id"]),
        str(raw["name_zh"]),
        str(raw["name_en"]),
        str(raw["source"]),
        str(raw["level"]),
        total,
        tuple(dims),
        tuple(items),
        digest,
        where,
    )


def load_scheme(name: str | Path = DEFAULT_SCHEME) -> Scheme:
    path = scheme_path(name)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ToolkitError(f"assessment scheme {path.name}: not valid YAML ({err})") from None
    shown = path.relative_to(PROJECT_ROOT).as_posix() if path.is_relative_to(PROJECT_ROOT) else path.name
    return parse_scheme(raw, shown)


def _meets(value: float, cut: float, direction: str) -> bool:
    return value >= cut if direction == "higher_is_better" else value <= cut


def cutoff_share(value: float, cutoffs, direction: str) -> float:
    """The share of the first cut-off ``value`` meets (cut-offs in the order given), else 0."""
    for cut, share in cutoffs:
        if _meets(value, cut, direction):
            return share
    return 0.0


def rank_shares(values: pd.Series, direction: str) -> tuple[pd.Series, pd.Series]:
    """(rank, share) per unit: rank 1 = best, ties share the better rank; share = (n − rank)/(n − 1)."""
    ascending = direction == "lower_is_better"
    rank = values.rank(method="min", ascending=ascending)
    n = len(values)
    share = (n - rank) / (n - 1) if n > 1 else pd.Series(1.0, index=values.index)
    return rank.astype("int64"), share


def score(
    tables: Mapping[str, pd.DataFrame], scheme: Scheme, year: int, level: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(points, totals): one row per unit × indicator with its value, basis, share and points, and
    one row per unit with the points by dimension and the total (out of ``scheme.total_points``)."""
    level = level or scheme.level
    if level not in LEVELS:
        raise ToolkitError(f"--level {level!r}: expected one of {', '.join(LEVELS)}")
    ids = sorted({i.indicator for i in scheme.items})
    values = evaluate(tables, level, ids)
    years = set(values["year"])
    if year not in years:
        raise ToolkitError(
            f"--year {year}: no data for that year; the dataset has {min(years) if years else '—'}–{max(years) if years else '—'}"
        )
    this = values.loc[values["year"] == year]
    prev = values.loc[values["year"] == year - 1].set_index(["entity_id", "indicator"])
    units = this[["entity_id", "county_id"]].drop_duplicates("entity_id").sort_values("entity_id", kind="mergesort")
    rows = []
    for item in scheme.items:
        mine = this.loc[this["indicator"] == item.indicator].set_index("entity_id")
        ok = mine.loc[mine["note"] == "", "value"]
        ranks = rank_shares(ok, item.direction) if item.method == "rank" and len(ok) else None
        for uid, cid in units.itertuples(index=False):
            value = float(mine.loc[uid, "value"]) if uid in mine.index else np.nan
            note = str(mine.loc[uid, "note"]) if uid in mine.index else "not computable: no data for this unit"
            basis, share = "", np.nan
            if note == "":
                if item.method == "threshold":
                    share = cutoff_share(value, item.cutoffs, item.direction)
                    basis = f"value {value:.6g}"
                elif item.method == "yoy":
                    key = (uid, item.indicator)
                    if key in prev.index and prev.loc[key, "note"] == "" and prev.loc[key, "value"] > 0:
                        before = float(prev.loc[key, "value"])
                        change = value / before - 1
                        share = cutoff_share(change, item.cutoffs, item.direction)
                        basis = f"change {change:+.4%} against {year - 1} ({before:.6g})"
                    else:
                        note = f"not computable: needs {item.indicator} for {year - 1} (yoy)"
                else:
                    r, s = ranks
                    share = float(s[uid])
                    basis = f"rank {int(r[uid])} of {len(ok)}"
            if note and item.missing == "error":
                raise ToolkitError(
                    f"assessment {scheme.id}: {item.indicator} is missing for {level} {uid} in {year}",
                    [Problem(scheme.path, "data for every unit (missing: error)", column=item.indicator, value=note)],
                )
            rows.append(
                {
                    "level": level,
                    "entity_id": uid,
                    "county_id": cid,
                    "year": year,
                    "dimension": item.dimension,
                    "indicator": item.indicator,
                    "method": item.method,
                    "direction": item.direction,
                    "value": value if note == "" else np.nan,
                    "basis": basis,
                    "share": share,
                    "points_possible": item.points,
                    "points": item.points * share if note == "" else 0.0,
                    "missing_rule": item.missing if note else "",
                    "note": note,
                }
            )
    points = pd.DataFrame(rows)
    return points, _totals(points, scheme)


def _totals(points: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    out = []
    for (uid, cid), g in points.groupby(["entity_id", "county_id"], sort=True):
        counted = g.loc[g["missing_rule"] != "exclude"]
        possible = float(counted["points_possible"].sum())
        earned = float(g["points"].sum())
        scaled = earned * scheme.total_points / possible if possible > 0 else np.nan
        row = {"level": g["level"].iloc[0], "entity_id": uid, "county_id": cid, "year": int(g["year"].iloc[0])}
        for d in scheme.dimensions:
            row[d.id] = float(g.loc[g["dimension"] == d.id, "points"].sum())
        row.update(
            {
                "points": earned,
                "points_possible": possible,
                "total": scaled,
                "out_of": scheme.total_points,
                "indicators_missing": int((g["note"] != "").sum()),
            }
        )
        out.append(row)
    return pd.DataFrame(out)
