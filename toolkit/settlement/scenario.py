"""Policy scenarios: settle the baseline and one or more reforms, and compare them unit by unit.

A reform is data (:mod:`toolkit.params.reform`): the same settlement (rules.md §2–5, seed 000
§3.1–3.2) runs once with the baseline parameters and once per reform, and the difference is shown
per unit, township, medical community and county, with the money moved between the three tiers
(county : township : village, seed 000 §3.1 结余按县镇村比例分配) and who gains or loses.

Measures per unit (yuan; big package + chronic small package together):

* ``retained`` — what the unit's providers keep from the settlement: the savings shares of the
  three tiers, plus the public-health amount, less the overspend the medical community carries
  (超支由医共体分担). Winners and losers are judged on it, to the fen.
* ``savings_county``, ``savings_township``, ``savings_village`` — the savings shares by tier;
* ``ph_final`` — the public-health amount (7:2:1 evaluation, §5);
* ``overspend_community`` — the overspend the community carries;
* ``budget`` and ``insurer_paid`` — the capitation budget and what the insurer pays in total.

All arithmetic is in integer fen, so every level's difference is exactly the sum of its units'.
Both settlements keep their own conservation checks (each raises if money does not add up); the
checks of every settlement are returned with the comparison.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from toolkit.params.reform import Reform, apply_reform, changed_keys
from toolkit.params.snapshot import ParamSnapshot, format_value
from toolkit.settlement.statement import (
    REQUIRED_TABLES,
    TIERS,
    SettlementMoney,
    ids_as_objects,
    settle_money,
    split_by_county,
)
from toolkit.settlement.words import value_words

MEASURES = (
    "retained",
    "savings_county",
    "savings_township",
    "savings_village",
    "ph_final",
    "overspend_community",
    "budget",
    "insurer_paid",
)
HEADLINE = "retained"
LEVELS = {
    "units": ["unit_id"],
    "townships": ["township_id"],
    "communities": ["community_id"],
    "counties": [],
}
UNIT_INFO = ("unit_id", "unit_name", "township_id", "township_name", "community_id", "community_name")
#: a township or community is shown by its name where the units table gives one (data contract)
PLACE_NAMES = {"township_id": "township_name", "community_id": "community_name"}


@dataclass
class ScenarioResult:
    """Comparison tables (money in yuan to the fen) and what each reform changed."""

    year: int
    reforms: list[str]
    units: pd.DataFrame
    townships: pd.DataFrame
    communities: pd.DataFrame
    counties: pd.DataFrame
    tiers: pd.DataFrame
    comparison: pd.DataFrame
    changes: pd.DataFrame
    checks: pd.DataFrame
    digests: dict = field(default_factory=dict)  # (variant, county) → parameter digest

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every output table by its file stem (``scenario_<name>.csv``)."""
        return {
            "comparison": self.comparison,
            "tiers": self.tiers,
            "counties": self.counties,
            "communities": self.communities,
            "townships": self.townships,
            "units": self.units,
            "changes": self.changes,
            "checks": self.checks,
        }

    @cached_property
    def money(self) -> frozenset:
        """Columns (any table) holding yuan to the fen."""
        cols = set()
        for frame in self.tables().values():
            cols |= {c for c in list(frame.columns) if c.rsplit("_", 1)[0] in MEASURES or c in MONEY_EXTRA}
        return frozenset(cols)


MONEY_EXTRA = frozenset(
    {
        "baseline",
        "reform_value",
        "difference",
        "moved_to_county",
        "moved_to_township",
        "moved_to_village",
        "max_gain",
        "max_loss",
    }
)


def unit_measures(result: SettlementMoney) -> dict[str, np.ndarray]:
    """The measures of every unit of one settlement, integer fen, in unit_id order."""
    fen = result.columns

    def both(col: str) -> np.ndarray:
        return np.asarray(fen[f"{col}_fen"], dtype="int64") + np.asarray(fen[f"chronic_{col}_fen"], dtype="int64")

    out = {f"savings_{t}": both(f"savings_{t}") for t in TIERS}
    out["ph_final"] = np.asarray(fen["ph_final_fen"], dtype="int64")
    out["overspend_community"] = both("overspend_community")
    out["budget"] = both("budget")
    out["insurer_paid"] = both("insurer_paid")
    out["retained"] = sum(out[f"savings_{t}"] for t in TIERS) + out["ph_final"] - out["overspend_community"]
    return {m: out[m] for m in MEASURES}


def _prepare(tables: dict[str, pd.DataFrame], year: int) -> dict[str, dict[str, pd.DataFrame]]:
    from toolkit.settlement.public_health import check_known_units

    tables = {name: ids_as_objects(frame) for name, frame in tables.items()}
    check_known_units(tables["units"], tables["ph_process"], tables["ph_targets"], year)
    parts = split_by_county(tables)
    for own in parts.values():
        for name in REQUIRED_TABLES:
            own.setdefault(name, tables[name].iloc[0:0])
    return parts


class _KeysRead:
    """A parameter snapshot that notes which keys are read through it; any other use of it (its
    digest, every value) counts as reading every key."""

    EVERY = "*"

    def __init__(self, snap: ParamSnapshot):
        self._snap, self.read = snap, set()
        self.county_id, self.year = snap.county_id, snap.year

    def __getitem__(self, key: str):
        self.read.add(key)
        return self._snap[key]

    def __contains__(self, key: str) -> bool:
        self.read.add(key)
        return key in self._snap

    def __getattr__(self, name: str):
        self.read.add(self.EVERY)
        return getattr(self._snap, name)


def _same_values(a: ParamSnapshot, b: ParamSnapshot, keys: set[str]) -> bool:
    if _KeysRead.EVERY in keys:
        return False
    return all((k in a) == (k in b) and (k not in a or a.resolved(k).value == b.resolved(k).value) for k in keys)


def _settle_all(parts, year: int, snaps: dict[str, ParamSnapshot], reuse: dict | None = None) -> dict:
    """County id → :class:`SettlementMoney`: the amounts and checks only — a scenario compares
    money, so the statement tables (names, roll-ups, details in yuan) are never laid out.

    ``reuse``: county id → (baseline snapshot, its digest, its settlement, the keys its public-health
    rules read). Same parameters → the baseline's settlement, not recomputed; the same values of
    every key the public-health rules read (a savings-split reform) → the baseline's public-health
    settlement, and only the capitation packages settled again. Without ``reuse`` (the baseline)
    the keys the public-health rules read are noted: ``(settlements, keys read)`` is returned."""
    out, read = {}, {}
    for c in sorted(snaps):
        own = parts.get(c)
        if own is None:
            own = {"units": next(iter(parts.values()))["units"].iloc[0:0]} if parts else {}
        if reuse is None:
            recorder = _KeysRead(snaps[c])
            out[c] = settle_money(own, c, year, snaps[c], check_units=False, ph_params=recorder)
            read[c] = recorder.read
            continue
        base, digest, settled, keys = reuse[c]
        if digest == snaps[c].digest():
            out[c] = settled  # same parameters → the same settlement; not recomputed
        elif _same_values(base, snaps[c], keys):
            out[c] = settle_money(own, c, year, snaps[c], check_units=False, public_health=settled.ph)
        else:
            out[c] = settle_money(own, c, year, snaps[c], check_units=False)
    return (out, read) if reuse is None else out


def _unit_info(parts, counties) -> pd.DataFrame:
    """county_id and the UNIT_INFO columns of every unit, counties in order, units by unit_id."""
    frames = []
    for c in counties:
        units = parts[c]["units"] if c in parts else None
        if units is None or not len(units):
            continue
        cols = [k for k in UNIT_INFO if k in units.columns]
        frames.append(units[["county_id"] + cols].sort_values("unit_id", kind="stable"))
    if not frames:
        return pd.DataFrame(columns=["county_id", *UNIT_INFO])
    info = pd.concat(frames, ignore_index=True)
    out = pd.DataFrame({k: info[k].to_numpy(dtype=object) for k in info.columns})
    if "unit_name" in out.columns:  # a unit without a name is shown by its code, as on its statement
        out["unit_name"] = [n if isinstance(n, str) and n else u for n, u in zip(out["unit_name"], out["unit_id"])]
    for code, name in PLACE_NAMES.items():  # likewise a township or community without a name
        if name in out.columns:
            out[name] = [n if isinstance(n, str) and n else c for n, c in zip(out[name], out[code])]
    return out


def _measure_frame(info: pd.DataFrame, results: dict) -> pd.DataFrame:
    """One row per unit (the order of ``info``) with every measure in fen."""
    per = [unit_measures(results[c]) for c in sorted(results)]
    ids = np.concatenate([np.asarray(results[c].unit_ids, dtype=object) for c in sorted(results)]) if per else []
    if not np.array_equal(np.asarray(ids, dtype=object), info["unit_id"].to_numpy(dtype=object)):
        raise RuntimeError("the settlements list other units than the units table")
    measures = {m: np.concatenate([p[m] for p in per]) if per else np.zeros(0, "int64") for m in MEASURES}
    return pd.DataFrame({**{k: info[k].to_numpy(dtype=object) for k in info.columns}, **measures})


def _check_rows(result: SettlementMoney, variant: str) -> list[dict]:
    return [{"variant": variant, "county_id": result.county_id, "year": result.year, **c} for c in result.checks]


def _compare(base: pd.DataFrame, new: pd.DataFrame, keys: list[str], reform: str) -> pd.DataFrame:
    """Sum both variants' fen by ``keys`` and lay out baseline / reform / difference per measure."""
    group = ["county_id"] + keys
    b = base.groupby(group, sort=True)[list(MEASURES)].sum()
    r = new.groupby(group, sort=True)[list(MEASURES)].sum().reindex(b.index)
    diff_units = new[HEADLINE].to_numpy() - base[HEADLINE].to_numpy()
    flags = (
        pd.DataFrame(
            {
                **{k: base[k].to_numpy() for k in group},
                "winners": diff_units > 0,
                "losers": diff_units < 0,
                "unchanged": diff_units == 0,
            }
        )
        .groupby(group, sort=True)[["winners", "losers", "unchanged"]]
        .sum()
    )
    out = pd.DataFrame({"reform": reform}, index=b.index)
    if keys == ["unit_id"]:
        names = base.set_index(group)
        for c in ("unit_name", "township_id", "township_name", "community_id", "community_name"):
            if c in names.columns:
                out[c] = names[c].reindex(b.index).to_numpy()
    elif len(keys) == 1 and PLACE_NAMES.get(keys[0]) in base.columns:
        name = PLACE_NAMES[keys[0]]
        out[name] = base.groupby(group, sort=True)[name].first().reindex(b.index).to_numpy()
    for m in MEASURES:
        out[f"{m}_baseline"] = b[m].to_numpy() / 100.0
        out[f"{m}_reform"] = r[m].to_numpy() / 100.0
        out[f"{m}_difference"] = (r[m].to_numpy() - b[m].to_numpy()) / 100.0
    hb, hd = b[HEADLINE].to_numpy(), r[HEADLINE].to_numpy() - b[HEADLINE].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out[f"{HEADLINE}_change_pct"] = np.where(hb != 0, hd / np.abs(hb), np.nan)
    if keys == ["unit_id"]:
        out["outcome"] = np.where(hd > 0, "winner", np.where(hd < 0, "loser", "unchanged"))
    else:
        for c in ("winners", "losers", "unchanged"):
            out[c] = flags[c].to_numpy().astype("int64")
    return out.reset_index()


def run_scenario(
    tables: dict[str, pd.DataFrame], year: int, baseline: dict[str, ParamSnapshot], reforms: list[Reform]
) -> ScenarioResult:
    """Settle ``baseline`` (county id → snapshot) and each reform in ``year`` and compare them."""
    if not reforms:
        raise ValueError("a scenario needs at least one reform")
    reformed = {r.name: {c: apply_reform(s, r) for c, s in baseline.items()} for r in reforms}
    parts = _prepare(tables, year)
    base_results, ph_keys = _settle_all(parts, year, baseline)
    digests = {("baseline", c): s.digest() for c, s in baseline.items()}
    reuse = {c: (baseline[c], digests[("baseline", c)], base_results[c], ph_keys[c]) for c in baseline}
    info = _unit_info(parts, sorted(baseline))
    base_frame = _measure_frame(info, base_results)
    levels: dict[str, list[pd.DataFrame]] = {name: [] for name in LEVELS}
    tier_rows, comparison, changes, checks = [], [], [], []
    for c in sorted(base_results):
        checks += _check_rows(base_results[c], "baseline")
    for reform in reforms:
        snaps = reformed[reform.name]
        results = _settle_all(parts, year, snaps, reuse)
        frame = _measure_frame(info, results)
        for name, keys in LEVELS.items():
            levels[name].append(_compare(base_frame, frame, keys, reform.name))
        for c in sorted(results):
            digests[(reform.name, c)] = snaps[c].digest()
            checks += _check_rows(results[c], reform.name)
            for key in changed_keys(baseline[c], snaps[c]):
                p, q = baseline[c].resolved(key), snaps[c].resolved(key)
                changes.append(
                    {
                        "reform": reform.name,
                        "county_id": c,
                        "year": year,
                        "key": key,
                        "label_zh": p.label_zh,
                        "label_en": p.label_en,
                        "baseline_value": format_value(p.value),
                        "reform_value": format_value(q.value),
                        # the values as a clerk reads them (tier names, 5:3:2), in each language
                        "baseline_value_zh": value_words(p.value, "zh"),
                        "baseline_value_en": value_words(p.value, "en"),
                        "reform_value_zh": value_words(q.value, "zh"),
                        "reform_value_en": value_words(q.value, "en"),
                        "reform_since": q.since,
                        "reform_source": q.source,
                    }
                )
        moved = {}
        for t in TIERS:
            col = f"savings_{t}"
            per_county_b = base_frame.groupby("county_id", sort=True)[col].sum()
            per_county_r = frame.groupby("county_id", sort=True)[col].sum()
            for c in per_county_b.index:
                tier_rows.append(
                    {
                        "reform": reform.name,
                        "county_id": c,
                        "year": year,
                        "tier": t,
                        "baseline": per_county_b[c] / 100.0,
                        "reform_value": per_county_r[c] / 100.0,
                        "difference": (per_county_r[c] - per_county_b[c]) / 100.0,
                    }
                )
            moved[t] = int(per_county_r.sum() - per_county_b.sum())
        d = frame[HEADLINE].to_numpy() - base_frame[HEADLINE].to_numpy()
        hb, hr = int(base_frame[HEADLINE].sum()), int(frame[HEADLINE].sum())
        comparison.append(
            {
                "reform": reform.name,
                "year": year,
                "counties": len(results),
                "units": len(frame),
                "changed_parameters": ", ".join(sorted({ch["key"] for ch in changes if ch["reform"] == reform.name})),
                "retained_baseline": hb / 100.0,
                "retained_reform": hr / 100.0,
                "retained_difference": (hr - hb) / 100.0,
                "retained_change_pct": (hr - hb) / abs(hb) if hb else np.nan,
                **{f"moved_to_{t}": moved[t] / 100.0 for t in TIERS},
                "insurer_paid_difference": int(frame["insurer_paid"].sum() - base_frame["insurer_paid"].sum()) / 100.0,
                "budget_difference": int(frame["budget"].sum() - base_frame["budget"].sum()) / 100.0,
                "winners": int((d > 0).sum()),
                "losers": int((d < 0).sum()),
                "unchanged": int((d == 0).sum()),
                "max_gain": max(int(d.max()), 0) / 100.0 if len(d) else 0.0,
                "max_loss": min(int(d.min()), 0) / 100.0 if len(d) else 0.0,
            }
        )
    change_cols = [
        "reform",
        "county_id",
        "year",
        "key",
        "label_zh",
        "label_en",
        "baseline_value",
        "reform_value",
        "baseline_value_zh",
        "baseline_value_en",
        "reform_value_zh",
        "reform_value_en",
        "reform_since",
        "reform_source",
    ]
    check_frame = pd.DataFrame(checks)
    return ScenarioResult(
        year=year,
        reforms=[r.name for r in reforms],
        units=_with_year(pd.concat(levels["units"], ignore_index=True), year),
        townships=_with_year(pd.concat(levels["townships"], ignore_index=True), year),
        communities=_with_year(pd.concat(levels["communities"], ignore_index=True), year),
        counties=_with_year(pd.concat(levels["counties"], ignore_index=True), year),
        tiers=pd.DataFrame(tier_rows),
        comparison=pd.DataFrame(comparison),
        changes=pd.DataFrame(changes, columns=change_cols),
        checks=check_frame,
        digests=digests,
    )


def _with_year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    frame.insert(2, "year", year)
    return frame
