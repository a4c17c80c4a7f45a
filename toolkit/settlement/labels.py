"""Chinese and English labels of the settlement statement's columns (docs/settlement.md).

Columns made per baseline lag or month (``baseline_pc_lag3``, ``advance_m07``) are labelled by
pattern; the chronic package's columns reuse the big package's labels with 慢病 / chronic.
"""

from __future__ import annotations

import re

from toolkit.catalogue import text

COLUMN_LABELS: dict[str, tuple[str, str]] = {
    "unit_id": ("单元编码", "unit id"),
    "unit_name": ("单元名称", "unit name"),
    "county_id": ("县编码", "county id"),
    "township_id": ("乡镇编码", "township id"),
    "community_id": ("医共体编码", "medical community id"),
    "year": ("结算年度", "settlement year"),
    "units": ("单元数", "units"),
    "tier": ("层级", "tier"),
    "insured_pop": ("参保人数", "insured residents"),
    "chronic_pop": ("门诊慢病人数", "chronic-disease population"),
    "baseline_first_year": ("基数起始年", "first baseline year"),
    "baseline_last_year": ("基数截止年", "last baseline year"),
    "baseline_per_capita": ("基数人均年均支出(元)", "baseline spending per head (yuan)"),
    "budget_growth": ("增速调节系数", "budget growth coefficient"),
    "budget_method": ("预算确定方法", "budget method"),
    "community_type": ("医联体类型", "community type"),
    "assessment_passed": ("考核达标", "assessment passed"),
    "consortium_award": ("医联体补助(元)", "consortium award (yuan)"),
    "consortium_award_status": ("补助状态", "award status"),
    "budget_base": ("预算基数(元)", "budget base (yuan)"),
    "growth_volume": ("服务量增幅", "service volume growth"),
    "growth_quality": ("质量因素", "quality factor"),
    "growth_price": ("物价指数变化", "price index change"),
    "income_growth": ("上年人均可支配收入增幅", "last year's growth of disposable income per head"),
    "budget": ("包干预算(元)", "budget (yuan)"),
    "advance_rate": ("预拨比例", "advance rate"),
    "advance_total": ("按月预拨合计(元)", "monthly advances, total (yuan)"),
    "actual": ("实际支出(元)", "actual spending (yuan)"),
    "savings": ("结余(负数为超支)(元)", "savings, negative = overspend (yuan)"),
    "savings_county": ("结余分配-县级(元)", "savings to county tier (yuan)"),
    "savings_township": ("结余分配-乡镇(元)", "savings to township tier (yuan)"),
    "savings_village": ("结余分配-村级(元)", "savings to village tier (yuan)"),
    "savings_withheld": ("考核未通过退回医保基金的结余(元)", "savings returned to the fund after assessment (yuan)"),
    "savings_gate_score": ("结余分配考核得分", "assessment score for the savings split"),
    "overspend": ("超支(元)", "overspend (yuan)"),
    "overspend_share": ("医保分担超支比例", "insurer's share of an overspend"),
    "overspend_insurer": ("医保分担超支(元)", "overspend carried by the insurer (yuan)"),
    "overspend_community": ("医共体分担超支(元)", "overspend carried by the community (yuan)"),
    "insurer_paid": ("医保基金拨付合计(元)", "paid by the insurer in total (yuan)"),
    "year_end_payment": ("年终决算拨付(元)", "year-end settlement payment (yuan)"),
    "total": ("合计(元)", "total (yuan)"),
    "ph_lump_sum": ("公卫包干额度(元)", "public-health lump sum (yuan)"),
    "ph_process_share": ("过程评价额度70%(元)", "process share 70% (yuan)"),
    "ph_objective_share": ("目标评价额度20%(元)", "objective share 20% (yuan)"),
    "ph_effect_share": ("效果评价额度10%(元)", "effect share 10% (yuan)"),
    "ph_process_earned": ("过程评价核算金额(元)", "process amount earned (yuan)"),
    "ph_process": ("过程评价结算(元)", "process amount paid (yuan)"),
    "ph_process_deduction": ("过程评价扣减(元)", "process deduction (yuan)"),
    "ph_indicators_met": ("达标指标数", "indicators at benchmark"),
    "ph_indicators_vetoed": ("否决指标数", "indicators vetoed"),
    "ph_objective": ("目标评价结算(元)", "objective amount paid (yuan)"),
    "ph_objective_deduction": ("目标评价扣减(元)", "objective deduction (yuan)"),
    "ph_spending_pc": ("人均医疗总支出(元)", "total spending per insured (yuan)"),
    "ph_spending_pc_prev": ("上年人均医疗总支出(元)", "previous year's total spending per insured (yuan)"),
    "ph_effect_change": ("人均医疗总支出同比变化", "year-on-year change of total spending per insured"),
    "ph_effect_not_ranked": ("未参与排名原因", "why not ranked"),
    "ph_effect_rank": ("效果排名", "effect rank"),
    "ph_effect_bracket": ("效果分档", "effect bracket"),
    "ph_effect": ("效果评价分配(元)", "effect allocation (yuan)"),
    "ph_effect_retained": ("效果资金县级留存(元)", "effect money retained by the county (yuan)"),
    "ph_final": ("公卫包干结算金额(元)", "public-health settlement amount (yuan)"),
    "fund_savings": ("单元医保基金结余(元)", "unit insurance fund savings (yuan)"),
    "fund_pc": ("人均基本医保支出(元)", "insurance spending per insured (yuan)"),
    "fund_pc_prev": ("上年人均基本医保支出(元)", "previous year's insurance spending per insured (yuan)"),
    "fund_pc_change": ("人均基本医保支出同比变化", "year-on-year change of insurance spending per insured"),
    "total_pc_change": ("人均医疗总支出同比变化", "year-on-year change of total spending per insured"),
    "params_digest": ("参数指纹", "parameter digest"),
    # public-health detail sheets
    "project": ("子项目", "sub-project"),
    "quality_coefficient": ("质量系数", "quality coefficient"),
    "two_card": ("两卡制", "two-card"),
    "credits_year": ("年度工分", "credits of the year"),
    "calibrated_credits": ("校正后工分", "calibrated credits"),
    "yuan_per_credit": ("元/分", "yuan per credit"),
    "planned_amount": ("子项目过程评价总额(元)", "planned process amount (yuan)"),
    "amount": ("核算金额(元)", "amount (yuan)"),
    "indicator": ("指标", "indicator"),
    "value": ("完成值", "attained value"),
    "veto": ("否决事件", "veto event"),
    "benchmark": ("基准目标值", "benchmark"),
    "veto_applies": ("该指标适用否决", "veto applies to the indicator"),
    "met": ("达标", "at or above benchmark"),
    "vetoed": ("被否决", "vetoed"),
    "share": ("指标额度(元)", "indicator share (yuan)"),
    # points-based inpatient settlement (settle-points)
    "facility_id": ("医疗机构", "facility"),
    "level": ("机构层级", "facility level"),
    "facilities": ("机构数", "facilities"),
    "admissions": ("住院人次", "admissions"),
    "admissions_by_group": ("按病组计分人次", "admissions scored by disease group"),
    "admissions_by_bed_day": ("按床日计分人次", "admissions scored by bed days"),
    "admissions_without_points": ("无分值人次", "admissions without points"),
    "disease_group": ("病组", "disease group"),
    "basis": ("计分方式", "points basis"),
    "bed_days": ("床日数", "bed days"),
    "points": ("分值", "points"),
    "points_share": ("分值占比", "share of the points"),
    "point_value": ("每分值金额(元)", "yuan per point"),
    "inpatient_budget": ("住院医保基金预算(元)", "inpatient fund budget (yuan)"),
    "payment": ("按分值拨付(元)", "payment by points (yuan)"),
    "fund_paid": ("住院基金实际支付(元)", "fund paid on the admissions (yuan)"),
    "balance": ("拨付减实际支付(元)", "payment less fund paid (yuan)"),
    "pool_balance": ("基金结余(负数为亏损)(元)", "pool surplus, negative = deficit (yuan)"),
    "pool_balance_share": ("按分值分享结余/分担亏损(元)", "share of the pool surplus or deficit (yuan)"),
}

#: columns labelled by pattern: the regular expression and the catalogue entry, its field filled from the match
_PATTERNS = [
    (re.compile(r"^baseline_pc_lag(\d+)$"), "settle_col_baseline_lag", lambda m: {"n": m.group(1)}),
    (re.compile(r"^advance_m(\d\d)$"), "settle_col_advance_month", lambda m: {"month": int(m.group(1))}),
    (re.compile(r"^score_q(\d)$"), "settle_col_quarter_score", lambda m: {"q": m.group(1)}),
    (re.compile(r"^credits_q(\d)$"), "settle_col_quarter_credits", lambda m: {"q": m.group(1)}),
]


def pair(key: str, **fields) -> tuple[str, str]:
    """(zh, en) of a catalogue entry, its ``{fields}`` filled in."""
    return text(key, "zh", **fields), text(key, "en", **fields)


def _base_label(column: str) -> tuple[str, str] | None:
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    for pattern, key, fields in _PATTERNS:
        m = pattern.match(column)
        if m:
            return pair(key, **fields(m))
    return None


def column_label(column: str) -> tuple[str, str]:
    """(zh, en) label of a statement column; unknown columns fall back to their id."""
    chronic = column.startswith("chronic_") and column != "chronic_pop"
    found = _base_label(column[len("chronic_") :] if chronic else column)
    if found is None:
        return column, column
    if chronic:
        return text("settle_col_chronic", "zh", label=found[0]), text("settle_col_chronic", "en", label=found[1])
    return found
