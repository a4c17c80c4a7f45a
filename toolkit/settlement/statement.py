"""The settlement of one county-year: all three packages, the core indicators, roll-ups.

:func:`settle_county` is a pure function over the data contract's tables (rules.md §2–5, seed 000
§3.1–3.2). It returns a :class:`CountySettlement` whose ``units`` table is the per-unit statement
(``settlement_units.csv``): every intermediate amount in yuan with two decimals, so a commission
clerk can follow each number from the inputs to the final amount. Column names are stable and
documented in docs/settlement.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from toolkit.errors import Problem, ValidationError
from toolkit.params.snapshot import ParamSnapshot
from toolkit.settlement.award import with_awards
from toolkit.settlement.capitation import BIG, CHRONIC, package_columns
from toolkit.settlement.money import allocate_rows
from toolkit.settlement.names import county_name, name_map, unit_place_names
from toolkit.settlement.public_health import settle_public_health, village_share_check
from toolkit.settlement.rows import UnitYearIndex

TIERS = ("county", "township", "village")
#: columns every per-unit statement has, in this order, ahead of the rest (docs/settlement.md)
STABLE_COLUMNS = [
    "unit_id",
    "county_id",
    "year",
    "budget",
    "actual",
    "savings",
    "savings_county",
    "savings_township",
    "savings_village",
    "chronic_budget",
    "chronic_actual",
    "chronic_savings",
    "ph_lump_sum",
    "ph_process",
    "ph_objective",
    "ph_effect",
    "ph_final",
]
REQUIRED_TABLES = ("units", "unit_year", "ph_process", "ph_targets")
#: who a unit is and where it sits, by code and by name (toolkit.settlement.names)
PLACE_COLUMNS = ("unit_id", "unit_name", "county_id", "township_id", "township_name", "community_id", "community_name")


@dataclass
class CountySettlement:
    county_id: str
    year: int
    units: pd.DataFrame  # the per-unit statement, money in yuan
    ph_process: pd.DataFrame  # unit × project detail
    ph_objective: pd.DataFrame  # unit × indicator detail
    by_township: pd.DataFrame
    by_community: pd.DataFrame
    by_county: pd.DataFrame
    by_tier: pd.DataFrame
    checks: pd.DataFrame  # conservation, 48% village share, effect pool
    params: pd.DataFrame  # the parameter snapshot used
    params_digest: str
    money: frozenset = frozenset()  # columns (any table) holding yuan to the fen
    county_name: str = ""
    effect_pool: dict | None = None  # the effect pool's parts in fen (public_health.settle_public_health)
    village: dict | None = None  # the ≥48% village-share check's inputs (public_health.village_share_check)
    snapshot: ParamSnapshot | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every output table by its file stem (``settlement_<name>.csv``)."""
        return {
            "units": self.units,
            "ph_process": self.ph_process,
            "ph_objective": self.ph_objective,
            "by_township": self.by_township,
            "by_community": self.by_community,
            "by_county": self.by_county,
            "by_tier": self.by_tier,
            "checks": self.checks,
            "params": self.params,
        }


def to_yuan(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename every ``*_fen`` column to its name without the suffix, in yuan (fen / 100)."""
    money = [c for c in frame.columns if c.endswith("_fen")]
    if not money:
        return frame.copy()
    yuan = pd.DataFrame(
        frame[money].to_numpy(dtype="int64") / 100.0, columns=[c[:-4] for c in money], index=frame.index
    )
    out = pd.concat([frame.drop(columns=money), yuan], axis=1)
    return out[[c[:-4] if c.endswith("_fen") else c for c in frame.columns]]


def _sum_fen(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    money = [c for c in frame.columns if c.endswith("_fen")]
    g = frame.groupby(keys, sort=True)
    out = g[money].sum()
    out.insert(0, "units", g.size())
    return out.reset_index()


def _money_cols(frame) -> list[str]:
    names = frame.columns if isinstance(frame, pd.DataFrame) else list(frame)
    return [c for c in names if c.endswith("_fen")]


@dataclass
class SettlementMoney:
    """The money of one county-year's settlement, before any statement is laid out.

    ``columns`` maps a column name to one array in unit_id order (money in integer fen, names
    ending ``_fen``); ``checks`` are the conservation checks (each a dict, as in
    :attr:`CountySettlement.checks`). :func:`settle_county` builds every statement table from it;
    a caller that needs only the amounts (a policy scenario) stops here.
    """

    county_id: str
    year: int
    unit_ids: list
    columns: dict
    ph: object  # toolkit.settlement.public_health.PublicHealthResult
    checks: list
    village: dict


def settle_money(
    tables: dict[str, pd.DataFrame],
    county_id: str,
    year: int,
    snap: ParamSnapshot,
    check_units: bool = True,
    public_health=None,
    ph_params=None,
) -> SettlementMoney:
    """Settle the big package, the chronic small package and public health for one county-year
    (rules.md §2–5, seed 000 §3.1–3.2): the amounts per unit in fen and the conservation checks.
    Raises if a check of money adding up fails.

    ``public_health``: the public-health settlement of the same data, county and year under
    parameters equal in every key it reads (a policy scenario's baseline), used instead of settling
    it again. ``ph_params``: what the public-health rules read the parameters through (default
    ``snap``; a scenario passes a recorder of the keys read)."""
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise ValidationError.from_problems(
            [Problem(t, "this table in the dataset (settlement needs it)") for t in missing], what="the dataset"
        )
    if snap.county_id != county_id or snap.year != year:
        raise ValueError(f"parameter snapshot is for {snap.county_id} {snap.year}, not {county_id} {year}")
    units = tables["units"]
    unit_year = tables["unit_year"]
    ids = sorted(units.loc[units["county_id"] == county_id, "unit_id"].tolist())
    index = UnitYearIndex(unit_year, ids)  # built once, shared by the three packages
    cy = tables.get("county_year")  # the Zhejiang and Huangzhong budget methods read it
    big = package_columns(unit_year, units, county_id, year, snap, BIG, index, county_year=cy)
    chronic = package_columns(unit_year, units, county_id, year, snap, CHRONIC, index, county_year=cy)
    ph = public_health
    if ph is None:
        ph = settle_public_health(
            unit_year,
            units,
            tables["ph_process"],
            tables["ph_targets"],
            county_id,
            year,
            snap if ph_params is None else ph_params,
            index,
            check_units=check_units,
        )
    unit_ids = np.asarray(ids, dtype=object)
    # every rule returns its rows in unit_id order, so the parts sit side by side
    for part in (big, chronic, ph.columns):
        if not np.array_equal(np.asarray(part["unit_id"], dtype=object), unit_ids):
            raise RuntimeError("settlement parts are not in unit_id order")
    columns: dict = {"year": np.full(len(ids), year, dtype="int64")}
    for part in (big, chronic, ph.columns):
        for c, v in part.items():
            if c != "unit_id":
                columns[c] = v

    _gate_savings(columns, ph.process_columns, unit_ids, snap)

    # the three core insurance indicators (seed 000 §3.1, rules.md §4)
    columns["fund_savings_fen"] = columns["savings_fen"] + columns["chronic_savings_fen"]
    pcs = []
    for y in (year - 1, year):
        pop = index.column("insured_pop", y)
        fund = index.column("fund_general", y) + index.column("fund_chronic_outpatient", y)
        with np.errstate(divide="ignore", invalid="ignore"):
            pcs.append(np.where(pop > 0, fund / pop, np.nan))
    columns["fund_pc"], columns["fund_pc_prev"] = pcs[1], pcs[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        columns["fund_pc_change"] = np.where(pcs[0] > 0, pcs[1] / pcs[0] - 1.0, np.nan)
        now, before = columns["ph_spending_pc"], columns["ph_spending_pc_prev"]
        columns["total_pc_change"] = np.where(before > 0, now / before - 1.0, np.nan)

    # checks a clerk (and a test) can read: every pool against its parts, each with a sentence
    lump_total = int(columns["ph_lump_sum_fen"].sum())
    village = village_share_check(cy, lump_total, county_id, year, snap)
    checks = _package_checks(columns, "", snap) + _package_checks(columns, "chronic_", snap)
    checks += _public_health_checks(columns, ph.effect_pool, lump_total)
    checks.append(_village_check(village))
    checks.append(_ranking_check(ph.effect_pool))
    broken = [c for c in checks if c["ok"] is False and c["check_id"] != "village_share"]
    if broken:
        raise RuntimeError(f"settlement of {county_id} {year} does not add up: {broken}")
    return SettlementMoney(county_id, year, ids, columns, ph, checks, village)


def settle_county(
    tables: dict[str, pd.DataFrame], county_id: str, year: int, snap: ParamSnapshot, check_units: bool = True
) -> CountySettlement:
    """Settle the big package, the chronic small package and public health for one county-year."""
    core = settle_money(tables, county_id, year, snap, check_units=check_units)
    ph, village = core.ph, core.village
    units = tables["units"]
    name_of_county = county_name(tables.get("county_year"), county_id)
    info = unit_place_names(
        units.loc[units["county_id"] == county_id].sort_values("unit_id").reset_index(drop=True), name_of_county
    )
    wanted = [c for c in PLACE_COLUMNS if c in info.columns]
    info = info[wanted]
    if not np.array_equal(info["unit_id"].to_numpy(dtype=object), np.asarray(core.unit_ids, dtype=object)):
        raise RuntimeError("settlement parts are not in unit_id order")
    columns = {c: info[c].to_numpy(dtype=object) for c in wanted}
    columns.update(core.columns)
    money_cols = [c for c in columns if c.endswith("_fen")]
    fen = columns  # name → array; money in fen
    # roll-ups sum the money columns except the twelve monthly instalments (their total is kept)
    rollup_cols = [c for c in money_cols if "advance_m" not in c]

    by_township = _rollup(fen, "township_id", rollup_cols, county_id, year)
    by_township.insert(
        3, "township_name", by_township["township_id"].map(name_map(info, "township_id", "township_name"))
    )
    by_community = _rollup(fen, "community_id", rollup_cols, county_id, year)
    by_community.insert(
        3, "community_name", by_community["community_id"].map(name_map(info, "community_id", "community_name"))
    )
    by_community = with_awards(by_community, snap)  # seed 002 Zhenghe: a separate payment per community
    by_county = _rollup(fen, "county_id", rollup_cols, county_id, year)
    by_county.insert(2, "county_name", name_of_county)
    by_county["ph_effect_retained"] = ph.effect_pool["effect_retained_fen"] / 100.0

    tier_rows = []
    for tier in TIERS:
        a = int(fen[f"savings_{tier}_fen"].sum())
        b = int(fen[f"chronic_savings_{tier}_fen"].sum())
        tier_rows.append(
            {
                "county_id": county_id,
                "year": year,
                "tier": tier,
                "savings_fen": a,
                "chronic_savings_fen": b,
                "total_fen": a + b,
            }
        )
    by_tier_fen = pd.DataFrame(tier_rows)
    by_tier = pd.DataFrame(
        {
            "county_id": [county_id] * 3,
            "year": [year] * 3,
            "tier": list(TIERS),
            **{c[:-4]: [r[c] / 100.0 for r in tier_rows] for c in ("savings_fen", "chronic_savings_fen", "total_fen")},
        }
    )

    check_frame = pd.DataFrame([{"county_id": county_id, "year": year, **c} for c in core.checks])

    digest = snap.digest()
    yuan = {(c[:-4] if c.endswith("_fen") else c): (v / 100.0 if c.endswith("_fen") else v) for c, v in fen.items()}
    yuan["params_digest"] = np.full(len(info), digest, dtype=object)
    order = STABLE_COLUMNS + [c for c in yuan if c not in STABLE_COLUMNS]
    statement = pd.DataFrame({c: yuan[c] for c in order})
    money = (
        frozenset(c[:-4] for c in money_cols)
        | frozenset(c[:-4] for f in (ph.process_columns, ph.objective_columns, by_tier_fen) for c in _money_cols(f))
        | {"ph_effect_retained"}
    )
    process = _detail_in_yuan(ph.process_columns, county_id)
    objective = _detail_in_yuan(ph.objective_columns, county_id)
    return CountySettlement(
        county_id=county_id,
        year=year,
        units=statement,
        ph_process=process,
        ph_objective=objective,
        by_township=by_township,
        by_community=by_community,
        by_county=by_county,
        by_tier=by_tier,
        checks=check_frame,
        params=snap.to_frame(),
        params_digest=digest,
        money=money,
        county_name=name_of_county,
        effect_pool=dict(ph.effect_pool),
        village=village,
        snapshot=snap,
    )


def _rollup(fen: dict[str, np.ndarray], by: str, money: list[str], county_id: str, year: int) -> pd.DataFrame:
    """Sums of the money columns (exact, integer fen → yuan) and unit counts per value of ``by``."""
    keys = np.asarray(fen[by], dtype=object).astype(str)
    groups, inverse = np.unique(keys, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    starts = np.r_[0, np.flatnonzero(np.diff(inverse[order])) + 1]
    matrix = np.column_stack([np.asarray(fen[c], dtype="int64") for c in money])[order]
    sums = np.add.reduceat(matrix, starts, axis=0) if len(order) else np.zeros((0, len(money)), dtype="int64")
    out: dict[str, object] = {
        "county_id": np.full(len(groups), county_id, dtype=object),
        "year": np.full(len(groups), year, dtype="int64"),
    }
    if by != "county_id":
        out[by] = groups.astype(object)
    out["units"] = np.bincount(inverse, minlength=len(groups))
    for j, c in enumerate(money):
        out[c[:-4]] = sums[:, j] / 100.0
    return pd.DataFrame(out)


def _detail_in_yuan(frame: dict, county_id: str) -> pd.DataFrame:
    """A detail table (name → array) with county_id, year, unit_id first and ``*_fen`` columns in yuan."""
    cols: dict[str, object] = {"county_id": np.full(len(frame["year"]), county_id, dtype=object)}
    for c in ["year", "unit_id"] + [c for c in frame if c not in ("year", "unit_id")]:
        v = np.asarray(frame[c])
        if c.endswith("_fen"):
            cols[c[:-4]] = v.astype("int64") / 100.0
        else:
            cols[c] = v
    return pd.DataFrame(cols)


def _lead(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    return frame[first + [c for c in frame.columns if c not in first]]


def assessment_score(process: dict, unit_ids: np.ndarray) -> np.ndarray:
    """Each unit's assessment score (0–100): the mean quality coefficient of its public-health
    sub-projects × 100 (seed 000 §3.2: the 20/20/20/40 quarterly score is the coefficient)."""
    frame = pd.DataFrame(
        {"unit_id": np.asarray(process["unit_id"], dtype=object), "q": np.asarray(process["quality_coefficient"])}
    )
    mean = frame.groupby("unit_id", sort=False)["q"].mean()
    return mean.reindex(pd.Index(unit_ids, dtype=object)).to_numpy(dtype="float64") * 100.0


def _gate_savings(columns: dict, process: dict, unit_ids: np.ndarray, snap: ParamSnapshot) -> None:
    """Savings are split "after assessment" (seed 000 §3.1 结余…进行考核分配; rules.md §12).

    ``savings_gate``: ``none`` splits every saving; ``pass_mark`` splits a unit's savings only when
    its score reaches ``savings_gate_pass_mark``; ``scale_by_score`` splits savings × score / 100.
    What is not split returns to the insurance fund at the year-end settlement, so the insurer's
    payment falls by it. Columns changed in place (fen): the tier splits, ``*_savings_withheld``,
    ``*_insurer_paid``, ``*_year_end_payment``; ``savings_gate_score`` is added."""
    gate = str(snap["savings_gate"]) if "savings_gate" in snap else "none"
    score = assessment_score(process, unit_ids)
    columns["savings_gate_score"] = score
    known = np.nan_to_num(score, nan=0.0)
    for package in (BIG, CHRONIC):
        p = package.prefix
        retained = np.maximum(np.asarray(columns[f"{p}savings_fen"], dtype="int64"), 0)
        if gate == "pass_mark":
            split_fen = np.where(known >= float(snap["savings_gate_pass_mark"]) - 1e-9, retained, 0)
        elif gate == "scale_by_score":
            scaled = np.floor(retained * np.clip(known, 0.0, 100.0) / 100.0 + 0.5).astype("int64")
            split_fen = np.minimum(scaled, retained)
        else:
            split_fen = retained
        withheld = retained - split_fen
        columns[f"{p}savings_withheld_fen"] = withheld
        if withheld.any():
            split = snap[package.split_key]
            parts = allocate_rows(split_fen, list(split.values()))
            for i, tier in enumerate(split):
                columns[f"{p}savings_{tier}_fen"] = parts[:, i]
            columns[f"{p}insurer_paid_fen"] = columns[f"{p}insurer_paid_fen"] - withheld
            columns[f"{p}year_end_payment_fen"] = columns[f"{p}year_end_payment_fen"] - withheld


def yuan_text(fen: int) -> str:
    """Integer fen as yuan with thousands separators and two decimals (``1,234.56``)."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def _row(check_id, zh, en, expected, found, ok, sentence_zh, sentence_en, unit="元") -> dict:
    return {
        "check_id": check_id,
        "check": en,
        "check_zh": zh,
        "expected": expected,
        "found": found,
        "unit": unit,
        "ok": ok,
        "note_zh": sentence_zh,
        "note": sentence_en,
    }


_PACKAGE_NAMES = {"": ("大包干", "big package"), "chronic_": ("门诊慢病小包干", "chronic package")}


def _package_checks(fen: dict, p: str, snap: ParamSnapshot) -> list[dict]:
    """Savings split, overspend shared, and the package's balance (rules.md §2–3)."""
    zh, en = _PACKAGE_NAMES[p]
    key = "savings" if p == "" else "chronic_savings"
    savings = np.asarray(fen[f"{p}savings_fen"], dtype="int64")
    retained = int(np.maximum(savings, 0).sum())
    tiers = [int(fen[f"{p}savings_{t}_fen"].sum()) for t in TIERS]
    withheld = int(np.asarray(fen.get(f"{p}savings_withheld_fen", np.zeros(1)), dtype="int64").sum())
    n_saving, n_over = int((savings > 0).sum()), int((savings < 0).sum())
    over = int(fen[f"{p}overspend_fen"].sum())
    insurer, community = int(fen[f"{p}overspend_insurer_fen"].sum()), int(fen[f"{p}overspend_community_fen"].sum())
    budget, actual = int(fen[f"{p}budget_fen"].sum()), int(fen[f"{p}actual_fen"].sum())
    share = float(snap["overspend_share" if p == "" else "chronic_overspend_share"])
    t = [yuan_text(v) for v in tiers]
    out = [
        _row(
            f"{key}_split",
            f"{zh}结余分配",
            f"{en} savings split",
            retained / 100.0,
            (sum(tiers) + withheld) / 100.0,
            retained == sum(tiers) + withheld,
            f"{n_saving}个单元有结余，合计{yuan_text(retained)}元，按县镇村比例分配："
            f"县级{t[0]}元、乡镇{t[1]}元、村级{t[2]}元"
            + (f"，考核未通过部分{yuan_text(withheld)}元退回医保基金" if withheld else "")
            + "，合计与结余相符到分。",
            f"{n_saving} units saved {yuan_text(retained)} yuan in total, split county {t[0]}, "
            f"township {t[1]}, village {t[2]} yuan"
            + (f", {yuan_text(withheld)} returned to the fund after assessment" if withheld else "")
            + "; the parts add up to the savings to the fen.",
        ),
        _row(
            f"{key}_overspend",
            f"{zh}超支分担",
            f"{en} overspend shared",
            over / 100.0,
            (insurer + community) / 100.0,
            over == insurer + community,
            (
                f"{n_over}个单元超支，合计{yuan_text(over)}元：医保基金分担{yuan_text(insurer)}元"
                f"（分担比例{share:.0%}），医共体承担{yuan_text(community)}元。"
                if n_over
                else "本年度没有单元超支，医共体和医保基金均无需分担超支。"
            ),
            (
                f"{n_over} units overspent {yuan_text(over)} yuan in total: the insurer carries "
                f"{yuan_text(insurer)} yuan (share {share:.0%}), the medical community {yuan_text(community)} yuan."
                if n_over
                else "No unit overspent this year; neither the community nor the insurer carries an overspend."
            ),
        ),
        _row(
            f"{key}_balance",
            f"{zh}收支平衡",
            f"{en} balance",
            budget / 100.0,
            (actual + retained - over) / 100.0,
            budget == actual + retained - over,
            f"预算合计{yuan_text(budget)}元 = 实际支出{yuan_text(actual)}元 + 结余{yuan_text(retained)}元"
            f" − 超支{yuan_text(over)}元，收支平衡到分。",
            f"budget {yuan_text(budget)} = spending {yuan_text(actual)} + savings {yuan_text(retained)}"
            f" − overspend {yuan_text(over)} yuan, balanced to the fen.",
        ),
    ]
    return out


def _public_health_checks(fen: dict, pool: dict, lump_total: int) -> list[dict]:
    """Lump sums against the amounts paid, and the effect pool against its parts (rules.md §5)."""
    final = int(fen["ph_final_fen"].sum())
    retained = pool["effect_retained_fen"]
    effect = int(fen["ph_effect_fen"].sum())
    parts = [pool["effect_share_fen"], pool["process_deductions_fen"], pool["objective_deductions_fen"]]
    p = [yuan_text(v) for v in parts]
    return [
        _row(
            "ph_conservation",
            "公卫包干资金守恒",
            "public health: final amounts + retained = lump sums",
            lump_total / 100.0,
            (final + retained) / 100.0,
            lump_total == final + retained,
            f"各单元公卫包干额度合计{yuan_text(lump_total)}元 = 结算给单元{yuan_text(final)}元"
            f" + 县级留存{yuan_text(retained)}元，相符到分。",
            f"lump sums {yuan_text(lump_total)} = paid to units {yuan_text(final)} + retained "
            f"{yuan_text(retained)} yuan, to the fen.",
        ),
        _row(
            "ph_effect_pool",
            "效果评价资金池",
            "public health: effect pool = 10% shares + deductions",
            pool["effect_pool_fen"] / 100.0,
            (effect + retained) / 100.0,
            pool["effect_pool_fen"] == effect + retained,
            f"效果评价资金池{yuan_text(pool['effect_pool_fen'])}元 = 10%额度{p[0]}元 + 过程评价扣减{p[1]}元"
            f" + 目标评价扣减{p[2]}元；已分配{yuan_text(effect)}元，留存{yuan_text(retained)}元。",
            f"effect pool {yuan_text(pool['effect_pool_fen'])} = 10% shares {p[0]} + process deductions {p[1]}"
            f" + objective deductions {p[2]} yuan; allocated {yuan_text(effect)}, retained {yuan_text(retained)}.",
        ),
    ]


def _village_check(v: dict) -> dict:
    """Seed 000 §3.2: at least 48% of the approved public-health subsidy goes to the village level."""
    minimum = v["village_share_min"]
    lump = to_fen_text(v["ph_lump_sum_total"])
    if v["village_share"] is None:
        zh = (
            f"数据中没有本县核定的基本公卫补助总额，无法核对村级占比不低于{minimum:.0%}的规定"
            f"（村级包干资金合计{lump}元）。"
        )
        en = (
            f"the approved public-health subsidy total is not in the data (county_year.ph_subsidy_total): "
            f"the ≥{minimum:.0%} village share cannot be checked (village lump sums {lump} yuan)."
        )
        return _row(
            "village_share",
            "村级公卫资金占比",
            "village share of the public-health subsidy ≥ minimum",
            minimum,
            None,
            None,
            zh,
            en,
            unit="比例",
        )
    share, total = v["village_share"], to_fen_text(v["ph_subsidy_total"])
    verdict_zh = "符合" if v["meets_minimum"] else "低于"
    zh = (
        f"村级公卫包干资金合计{lump}元 ÷ 核定基本公卫补助总额{total}元 = {share:.2%}，"
        f"{verdict_zh}不低于{minimum:.0%}的规定。"
    )
    en = (
        f"village lump sums {lump} ÷ approved subsidy {total} yuan = {share:.2%}, "
        f"{'meets' if v['meets_minimum'] else 'is below'} the minimum of {minimum:.0%}."
    )
    return _row(
        "village_share",
        "村级公卫资金占比",
        "village share of the public-health subsidy ≥ minimum",
        minimum,
        share,
        v["meets_minimum"],
        zh,
        en,
        unit="比例",
    )


def _ranking_check(pool: dict) -> dict:
    n, ranked = pool["units"], pool["ranked_units"]
    return _row(
        "effect_ranking",
        "效果评价排名",
        "effect ranking",
        n,
        ranked,
        None,
        f"{n}个单元中{ranked}个参加效果评价排名（其余单元缺少上年或本年人均医疗总支出）。"
        if ranked < n
        else f"全部{n}个单元参加效果评价排名。",
        f"{ranked} of {n} units ranked"
        + (" (the rest lack per-capita spending this or last year)." if ranked < n else "."),
        unit="个",
    )


def to_fen_text(yuan: float) -> str:
    return yuan_text(int(round(float(yuan) * 100)))


def split_by_county(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, pd.DataFrame]]:
    """The settlement tables of each county (rows of units not in ``units`` stay with no county,
    so each county's settlement still sees—and reports—strangers in its own year via the full
    unit list: strangers are checked once here instead)."""
    units = tables["units"]
    county_of = pd.Series(units["county_id"].to_numpy(), index=units["unit_id"].to_numpy())
    out: dict[str, dict[str, pd.DataFrame]] = {c: {"units": g} for c, g in units.groupby("county_id", sort=True)}
    counties = pd.Index(np.asarray(sorted(out), dtype=object), dtype=object)
    unit_county = counties.get_indexer(county_of.to_numpy())  # position of each unit's county
    known = pd.Index(np.asarray(units["unit_id"].to_numpy(), dtype=object), dtype=object)
    for name in ("unit_year", "ph_process", "ph_targets"):
        frame = tables[name]
        # one stable sort by county code, then each county is a contiguous slice (rows keep their
        # order and index labels, as a groupby would give them); strangers (-1) sort first
        pos = known.get_indexer(frame["unit_id"])
        code = np.where(pos >= 0, unit_county[np.maximum(pos, 0)], -1) if len(known) else np.full(len(frame), -1)
        order = np.argsort(code, kind="stable")
        bounds = np.searchsorted(code[order], np.arange(len(counties) + 1) - 0.5)
        ordered = frame.take(order)
        for k, c in enumerate(counties):
            out[c][name] = ordered.iloc[bounds[k] : bounds[k + 1]] if bounds[k + 1] > bounds[k] else frame.iloc[0:0]
    if "county_year" in tables:
        cy = tables["county_year"]
        for c in out:
            out[c]["county_year"] = cy.loc[cy["county_id"] == c]
    return out


ID_COLUMNS = ("unit_id", "county_id", "township_id", "community_id", "project", "indicator")


def ids_as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame.astype({id column: object})``, built from each distinct id once: the rows share one
    Python string per id (whose hash Python keeps), which makes the copy and every later lookup cheaper."""
    wanted = [c for c in ID_COLUMNS if c in frame.columns]
    if not wanted:
        return frame.astype({})
    out = frame.astype({c: object for c in wanted if not isinstance(frame[c].dtype, pd.StringDtype)})
    for c in wanted:
        col = frame[c]
        if isinstance(col.dtype, pd.StringDtype):
            codes, uniques = pd.factorize(col)
            pool = np.append(
                np.asarray(uniques, dtype=object), col.dtype.na_value
            )  # code -1 (missing) → the dtype's NA
            out[c] = pd.Series(pool[codes], index=col.index, dtype=object)
    return out


def settle_province(
    tables: dict[str, pd.DataFrame], year: int, snapshots: dict[str, ParamSnapshot]
) -> dict[str, CountySettlement]:
    """Settle every county of ``snapshots`` (county id → its parameters) in ``year``.

    Units named in ph_process / ph_targets but missing from ``units`` are an error, as in
    :func:`settle_county`; the tables are split by county once so each county reads only its rows.
    """
    from toolkit.settlement.public_health import check_known_units

    # ids as plain Python strings: hashing them is several times faster than Arrow-backed text
    # when every county looks its units up again and again
    tables = {name: ids_as_objects(frame) for name, frame in tables.items()}
    check_known_units(tables["units"], tables["ph_process"], tables["ph_targets"], year)
    parts = split_by_county(tables)
    results = {}
    for county_id in sorted(snapshots):
        own = parts.get(county_id, {"units": tables["units"].iloc[0:0]})
        for name in REQUIRED_TABLES:
            own.setdefault(name, tables[name].iloc[0:0])
        results[county_id] = settle_county(
            own, county_id, year, snapshots[county_id], check_units=False
        )  # checked above
    return results
