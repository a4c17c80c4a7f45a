"""The county reconciliation (结算汇总与平衡表): every package's pool against what it paid.

For each package of one county-year (rules.md §2 big package, §3 chronic package, §5 public
health and its effect pool; seed 000 §3.1–3.2) the table lists the pool, every amount it is
accounted for by (spending, savings by tier, overspend borne by the insurer and by the medical
community; or the amounts paid to units and retained), and a line ``difference`` = pool minus
everything accounted for, which is 0.00 when the settlement balances to the fen. Memo lines (the
monthly advances, the year-end payment, the 48% village-share inputs) explain without entering
the balance.

Columns: ``package, line, amount`` (yuan, two decimals), then ``role`` (``pool`` | ``accounted``
| ``difference`` | ``memo``), the Chinese and English label, the unit of the amount and the
county and year. For every package, ``amount(pool) − Σ amount(accounted) = amount(difference)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.settlement.money import yuan_to_fen

COLUMNS = ["package", "line", "amount", "role", "label_zh", "label_en", "unit", "county_id", "year"]

PACKAGES = {
    "big": ("大包干（城乡居民医保基金按人头包干）", "big package (insurance capitation)"),
    "chronic": ("门诊慢病小包干", "chronic outpatient package"),
    "public_health": ("公卫经费包干", "public-health lump sums"),
    "effect_pool": ("公卫效果评价资金池", "public-health effect pool"),
    "village_share": ("村级公卫资金占比（不低于48%）", "village share of the public-health subsidy"),
}


def _fen(units: pd.DataFrame, column: str) -> int:
    return int(yuan_to_fen(units[column].to_numpy(dtype="float64")).sum())


def _capitation_lines(units: pd.DataFrame, p: str) -> list[tuple]:
    budget = _fen(units, f"{p}budget")
    actual = _fen(units, f"{p}actual")
    tiers = [_fen(units, f"{p}savings_{t}") for t in ("county", "township", "village")]
    withheld = _fen(units, f"{p}savings_withheld") if f"{p}savings_withheld" in units.columns else 0
    insurer = _fen(units, f"{p}overspend_insurer")
    community = _fen(units, f"{p}overspend_community")
    # the pool is spent, retained as savings, or exceeded: an overspend is money beyond the pool,
    # carried by the insurer or the community, so it enters with a minus sign
    accounted = actual + sum(tiers) + withheld - insurer - community
    return [
        ("budget", budget, "pool", "包干预算合计", "budget, total"),
        ("actual", actual, "accounted", "实际支出", "actual spending"),
        ("savings_county", tiers[0], "accounted", "结余分配：县级", "savings to the county tier"),
        ("savings_township", tiers[1], "accounted", "结余分配：乡镇", "savings to the township tier"),
        ("savings_village", tiers[2], "accounted", "结余分配：村级", "savings to the village tier"),
        (
            "savings_withheld",
            withheld,
            "accounted",
            "结余考核未通过，退回医保基金",
            "savings returned to the fund after assessment",
        ),
        ("overspend_insurer", -insurer, "accounted", "减：医保基金分担的超支", "less: overspend borne by the insurer"),
        (
            "overspend_community",
            -community,
            "accounted",
            "减：医共体承担的超支",
            "less: overspend borne by the medical community",
        ),
        ("difference", budget - accounted, "difference", "差额（应为0.00）", "difference (0.00 when balanced)"),
        ("advance_total", _fen(units, f"{p}advance_total"), "memo", "按月预拨合计", "monthly advances, total"),
        ("year_end_payment", _fen(units, f"{p}year_end_payment"), "memo", "年终决算拨付", "year-end payment"),
        ("insurer_paid", _fen(units, f"{p}insurer_paid"), "memo", "医保基金拨付合计", "paid by the insurer, total"),
    ]


def reconcile(cs) -> pd.DataFrame:
    """The reconciliation of one :class:`~toolkit.settlement.statement.CountySettlement`."""
    u = cs.units
    pool = cs.effect_pool or {}
    rows: list[tuple] = []
    for package, p in (("big", ""), ("chronic", "chronic_")):
        rows += [(package, *line) for line in _capitation_lines(u, p)]

    lump = _fen(u, "ph_lump_sum")
    process, objective, effect = _fen(u, "ph_process"), _fen(u, "ph_objective"), _fen(u, "ph_effect")
    retained = int(pool.get("effect_retained_fen", 0))
    ph = [
        ("ph_lump_sum", lump, "pool", "公卫包干额度合计", "public-health lump sums, total"),
        ("ph_process", process, "accounted", "过程评价结算", "process evaluation paid"),
        ("ph_objective", objective, "accounted", "目标评价结算", "objective evaluation paid"),
        ("ph_effect", effect, "accounted", "效果评价分配", "effect allocation paid"),
        ("ph_effect_retained", retained, "accounted", "效果资金县级留存", "effect money retained by the county"),
        (
            "difference",
            lump - process - objective - effect - retained,
            "difference",
            "差额（应为0.00）",
            "difference (0.00 when balanced)",
        ),
        ("ph_process_share", _fen(u, "ph_process_share"), "memo", "过程评价额度（70%）", "process share (70%)"),
        ("ph_objective_share", _fen(u, "ph_objective_share"), "memo", "目标评价额度（20%）", "objective share (20%)"),
        ("ph_effect_share", _fen(u, "ph_effect_share"), "memo", "效果评价额度（10%）", "effect share (10%)"),
    ]
    rows += [("public_health", *line) for line in ph]

    share = int(pool.get("effect_share_fen", _fen(u, "ph_effect_share")))
    pd_fen = int(pool.get("process_deductions_fen", _fen(u, "ph_process_deduction")))
    od_fen = int(pool.get("objective_deductions_fen", _fen(u, "ph_objective_deduction")))
    effect_pool = share + pd_fen + od_fen
    rows += [
        ("effect_pool", "effect_share", share, "pool", "效果评价额度（10%）", "effect shares (10%)"),
        ("effect_pool", "process_deductions", pd_fen, "pool", "过程评价扣减转入", "process deductions moved in"),
        ("effect_pool", "objective_deductions", od_fen, "pool", "目标评价扣减转入", "objective deductions moved in"),
        ("effect_pool", "ph_effect", effect, "accounted", "分配给排名前50%的单元", "allocated to the top-ranked units"),
        ("effect_pool", "ph_effect_retained", retained, "accounted", "县级留存", "retained by the county"),
        (
            "effect_pool",
            "difference",
            effect_pool - effect - retained,
            "difference",
            "差额（应为0.00）",
            "difference (0.00 when balanced)",
        ),
    ]
    frame = pd.DataFrame(rows, columns=["package", "line", "fen", "role", "label_zh", "label_en"])
    frame["amount"] = frame["fen"].astype("int64") / 100.0
    frame["unit"] = "元"
    village = cs.village or {}
    memo = [
        (
            "ph_subsidy_total",
            village.get("ph_subsidy_total"),
            "元",
            "核定基本公卫补助总额",
            "approved public-health subsidy",
        ),
        ("ph_lump_sum_total", lump / 100.0, "元", "村级公卫包干资金合计", "village lump sums, total"),
        ("village_share", village.get("village_share"), "比例", "村级占比", "village share"),
        ("village_share_min", village.get("village_share_min"), "比例", "规定最低占比", "minimum share"),
    ]
    extra = pd.DataFrame(
        {
            "package": "village_share",
            "line": [m[0] for m in memo],
            "amount": [np.nan if m[1] is None else float(m[1]) for m in memo],
            "role": "memo",
            "label_zh": [m[3] for m in memo],
            "label_en": [m[4] for m in memo],
            "unit": [m[2] for m in memo],
        }
    )
    frame = pd.concat([frame.drop(columns="fen"), extra], ignore_index=True)
    frame["county_id"] = cs.county_id
    frame["year"] = int(cs.year)
    return frame[COLUMNS]


def differences(reconciliation: pd.DataFrame) -> dict[str, float]:
    """Each package's ``difference`` line (0.0 when the settlement balances)."""
    d = reconciliation.loc[reconciliation["line"] == "difference"]
    return dict(zip(d["package"], d["amount"]))
