"""Bilingual (Chinese / English) labels for everything a report shows to people.

Lookup order for a key: the report's own vocabulary below (headings, column names used by the
report layer), then the indicator registry (:mod:`toolkit.indicators.registry`, when present),
then the data contract (:mod:`toolkit.data.contract`, when present). An unknown key falls back to
the key itself, so a new column never breaks a report — it only shows its snake_case id.

``lang`` is ``"zh"`` or ``"en"``; ``"both"`` gives ``"中文 / English"``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from toolkit.errors import ToolkitError

Lang = Literal["zh", "en", "both"]
LANGS = ("zh", "en", "both")

#: key -> (zh, en). Report vocabulary only; indicator and data-contract labels live with them.
REPORT_LABELS: dict[str, tuple[str, str]] = {
    # headings
    "county_annual_report": ("县域医共体年度报告", "County medical community annual report"),
    "unit_settlement": ("健康管理单元结算", "Health management unit settlement"),
    "reform_evaluation": ("改革效果评估", "Reform evaluation"),
    "province_overview": ("全省概览", "Province overview"),
    "indicators_and_targets": ("监测指标与目标", "Monitoring indicators and targets"),
    "settlement_results": ("年度结算结果", "Settlement results of the year"),
    "reconciliation": ("结算汇总与平衡表", "Reconciliation"),
    "by_township": ("按乡镇汇总", "By township"),
    "by_community": ("按医共体汇总", "By medical community"),
    "settlement_checks": ("结算核对", "Settlement checks"),
    "comparison_with_province": ("与全省比较", "Comparison with the province"),
    "county_profile": ("县情概况", "County profile"),
    "trends_tested": ("指标变化趋势", "Trends over the years"),
    "unit_indicators": ("健康管理单元核心指标与目标评价", "Units: core insurance indicators and objective evaluation"),
    "claims_checked": ("公开表述核对", "Published claims checked against the data"),
    "provenance": ("数据与计算来源", "Provenance: data, parameters, software"),
    "parameters_used": ("本次使用的政策参数", "Policy parameters used"),
    "no_policy_parameters": ("无（本报告只用数据，不涉及政策参数）", "none (this report uses the data only)"),
    "deaths_table": ("分病种死亡人数", "Deaths by cause"),
    "trends_by_cohort": ("按改革批次的趋势", "Trends by reform cohort"),
    "event_study": ("事件研究", "Event study"),
    "pre_trend_test": ("平行趋势检验", "Pre-trend test"),
    "pretest": ("检验", "Test"),
    "test_statistic": ("检验统计量", "Test statistic"),
    "reference_distribution": ("参照分布", "Reference distribution"),
    "pretest_cs_event_times": (
        "Callaway–Sant'Anna：改革前各年份效应（结论依据）",
        "Callaway–Sant'Anna: pre-reform event-time effects (used for the verdict)",
    ),
    "pretest_cs_all_cells": (
        "Callaway–Sant'Anna：全部改革前 ATT(g,t)（R did 的检验）",
        "Callaway–Sant'Anna: all pre-reform ATT(g,t) (R did's test)",
    ),
    "pretest_twfe_event": ("TWFE 事件研究：改革前各期系数", "TWFE event study: leads"),
    # names of the tests in the plain-language paragraph
    "pretest_name_cs_event_times": ("改革前各年份效应的联合检验", "joint test of the pre-reform event-time effects"),
    "pretest_name_cs_all_cells": ("全部改革前 ATT(g,t) 的 Wald 检验", "Wald test of all pre-reform ATT(g,t)"),
    "pretest_name_other": ("平行趋势检验", "pre-trend test"),
    "pretest_note": (
        "结论依据第一行：Callaway–Sant'Anna 改革前各年份效应的联合 Wald 检验，采用小样本校正（Hotelling T²，F 分布）。"
        "第二行是 R did 软件的检验（全部改革前 ATT(g,t)，χ² 分布），列出以便与 R 的结果对照；每批改革县只有几个到十几个时，"
        "它要估计的协方差矩阵太大、估计不稳，即使改革前趋势相同也常常显示“有差异”（见工具包的模拟基准），因此不作为结论依据。",
        "The verdict rests on the first row: a joint Wald test of the Callaway–Sant'Anna pre-reform event-time effects "
        "with a small-sample (Hotelling T², F) reference. The second row is R did's test (all pre-reform ATT(g,t), χ²), "
        "shown for comparison with R; with reform cohorts of a few to a dozen counties its large covariance matrix is "
        "poorly estimated and it often signals differing trends even when trends are parallel (see the toolkit's "
        "simulation benchmark), so the verdict does not use it.",
    ),
    "estimators_compared": ("估计方法比较", "Estimators compared"),
    "specification": ("估计设定", "What was run"),
    "plain_language": ("结论（通俗说明）", "What changed, how sure we are"),
    "ranking": ("排名", "Ranking"),
    "small_multiples": ("各县趋势", "Trends by county"),
    "big_package": ("医保基金按人头包干（大包干）", "Insurance capitation (big package)"),
    "small_package": ("门诊慢性病小包干", "Chronic outpatient package (small package)"),
    "public_health": ("公卫经费包干", "Public-health fund capitation"),
    "village_share_check": ("村级公卫经费占比核对", "Village share of public-health funds"),
    # axis and table words
    "year": ("年份", "Year"),
    "value": ("数值", "Value"),
    "target": ("目标", "Target"),
    "reform": ("改革", "Reform"),
    "county": ("县", "County"),
    "province": ("全省", "Province"),
    "province_median": ("全省中位数", "Province median"),
    "rank": ("名次", "Rank"),
    "event_time": ("相对改革年份", "Years relative to reform"),
    "estimate": ("估计值", "Estimate"),
    "se": ("标准误", "Std. error"),
    "ci": ("95%置信区间", "95% CI"),
    "ci_low": ("置信区间下限", "CI low"),
    "ci_high": ("置信区间上限", "CI high"),
    "p_value": ("P值", "p-value"),
    "estimator": ("估计方法", "Estimator"),
    "n_units": ("单位数", "Units"),
    "n_obs": ("观测数", "Observations"),
    "cohort": ("改革批次", "Reform cohort"),
    "never_reformed": ("未改革", "Never reformed"),
    "parameter": ("参数", "Parameter"),
    "source": ("来源", "Source"),
    "claim": ("表述", "Claim"),
    "stated": ("表述值", "Stated"),
    "recomputed": ("重算值", "Recomputed"),
    "verdict": ("结论", "Verdict"),
    "claim_verdict_consistent": ("与数据相符", "consistent with the data"),
    "claim_verdict_inconsistent": ("与数据不符", "not consistent with the data"),
    "budget": ("预算", "Budget"),
    "spending": ("实际支出", "Spending"),
    "savings": ("结余", "Savings"),
    "county_share": ("县级", "County tier"),
    "township_share": ("乡镇级", "Township tier"),
    "village_share": ("村级", "Village tier"),
    "amount_wan": ("金额（万元）", "Amount (10k yuan)"),
    "suppressed_note": (
        "注：小于{threshold}的单元格已隐去（“<{threshold}”），为防止由合计反推，部分其他单元格一并隐去（“—”）。",
        'Note: cells below {threshold} are suppressed ("<{threshold}"); some other cells are also suppressed ("—") so that they cannot be recovered from the totals.',
    ),
    "total": ("合计", "Total"),
    "cause": ("死因", "Cause"),
    "cvd": ("心脑血管疾病", "Cardiovascular"),
    "cancer": ("癌症", "Cancer"),
    "diabetes": ("糖尿病", "Diabetes"),
    "crd": ("慢性呼吸系统疾病", "Chronic respiratory"),
    "other": ("其他", "Other"),
    "county_id": ("县编码", "County id"),
    "county_name": ("县名", "County"),
    "unit_id": ("单元编码", "Unit id"),
    "unit_name": ("单元名称", "Unit"),
    "township_id": ("乡镇编码", "Township id"),
    "community_id": ("医共体编码", "Medical community id"),
    "data_hash": ("数据指纹（SHA-256）", "Data hash (SHA-256)"),
    "git_commit": ("工具包版本（git）", "Toolkit commit (git)"),
    "run_at": ("运行时间", "Run at"),
    "exec_mode": ("执行方式", "Execution mode"),
    "python": ("Python 版本", "Python version"),
    "packages": ("软件包版本", "Package versions"),
    "dataset_path": ("数据路径", "Dataset path"),
    # units of the indicator registry
    "unit_fraction": ("比例（%）", "share (%)"),
    "unit_probability": ("概率（%）", "probability (%)"),
    "unit_per_100_insured": ("人次/百名参保人", "per 100 insured"),
    "unit_yuan": ("元", "yuan"),
    "unit_days": ("天", "days"),
    "unit_per_1000": ("每千人", "per 1,000"),
    "unit_per_10000": ("每万人", "per 10,000"),
    "unit_count": ("个", "count"),
    "unit_score": ("分", "points"),
    # indicator presentation: unit, direction against the median, change on last year, rank
    "unit_short_fraction": ("%", "%"),
    "unit_short_probability": ("%", "%"),
    "percentage_points": ("个百分点", "percentage points"),
    "vs_median": ("与全省中位数比", "Against province median"),
    "vs_median_better": ("优于", "better"),
    "vs_median_worse": ("劣于", "worse"),
    "vs_median_equal": ("等于", "equal"),
    "median_sentence_better": ("优于全省中位数 {median}", "better than the province median of {median}"),
    "median_sentence_worse": ("劣于全省中位数 {median}", "worse than the province median of {median}"),
    "median_sentence_equal": ("与全省中位数 {median} 持平", "level with the province median of {median}"),
    "change_on_last_year": ("较上年", "Change on last year"),
    "change_better": ("改善", "better"),
    "change_worse": ("变差", "worse"),
    "change_cell": ("{change}（{verdict}）", "{change} ({verdict})"),
    "change_sentence_up": (
        "较上年（{previous}）上升 {change}（{verdict}）",
        "up {change} on last year ({previous}), {verdict}",
    ),
    "change_sentence_down": (
        "较上年（{previous}）下降 {change}（{verdict}）",
        "down {change} on last year ({previous}), {verdict}",
    ),
    "change_sentence_same": ("与上年（{previous}）持平", "unchanged on last year ({previous})"),
    "target_sentence_met": ("达到{whose} {target}", "meets the {whose} of {target}"),
    "target_sentence_missed": ("未达到{whose} {target}", "misses the {whose} of {target}"),
    "rank_best_first": ("名次（1 = 最优）", "Rank (1 = best)"),
    "indicator_year_head": ("{county} {year} 年：", "{county}, {year}:"),
    "no_indicator_this_year": ("本年度没有可计算的指标。", "No indicator could be computed for this year."),
    "indicator_column": ("指标", "Indicator"),
    "header_with_unit": ("{name}（{unit}，{direction}）", "{name} ({unit}, {direction})"),
    # the reform evaluation: the estimators' warnings (toolkit.did, English) in the report language
    "did_warning_one_treated_cluster": (
        "只有一个改革县（聚类）：聚类稳健标准误和野自助法此时都不可靠（MacKinnon & Webb 2017、2018），改用对照县之间的置换（安慰剂）推断。",
        "{text}",
    ),
    "did_warning_permutation_impossible": (
        "置换推断也无法进行（对照县太少），没有有效的 P 值和置信区间。",
        "{text}",
    ),
    "did_warning_few_clusters": (
        "只有 {n} 个改革（或对照）聚类：聚类这么少时野自助法可能过度或不足拒绝（MacKinnon & Webb 2017），其 P 值应谨慎解读。",
        "{text}",
    ),
    "did_warning_rademacher": (
        "只有 {n} 个聚类：Rademacher 权重只能给出 2^{n} 种不同的抽样，建议改用 Webb 权重。",
        "{text}",
    ),
    "did_warning_dropped_rows": ("删去 {n} 行结果或协变量缺失的数据（第一行为数据第 {row} 行）。", "{text}"),
    "did_warning_dropped_treated": (
        "删去 {n} 个在数据首年（{year}）已经改革的县：它们没有改革前的年份。",
        "{text}",
    ),
    "did_warning_late_cohort": ("有改革批次在数据末年（{year}）之后才改革：在数据期内按未改革处理。", "{text}"),
    "did_warning_unbalanced": (
        "面板不平衡（{total} 个县-年中缺 {n} 个）：每个 ATT(g,t) 比较两期各自观测到的县的均值。",
        "{text}",
    ),
    "did_warning_no_never": ("没有从未改革的县：{cohort} 年批次只作为尚未改革的对照组。", "{text}"),
    "did_warning_no_never_sa": ("没有从未改革的县：{cohort} 年批次作为对照批次，{cohort} 年起的年份不用。", "{text}"),
    "did_warning_no_comparison": ("{cohort} 年批次在 {year} 年没有对照县：该年的 ATT 未估计。", "{text}"),
    "did_warning_not_observed": ("{cohort} 年批次或其对照县在比较的年份未被观测：该年的 ATT 未估计。", "{text}"),
    "did_warning_singular": ("{cohort} 年批次在 {year} 年的协变量矩阵奇异：该单元格未估计。", "{text}"),
    "did_warning_separation": (
        "倾向得分把改革批次与对照县完全分开（协变量没有重叠），涉及 {n} 个单元格：其估计和标准误依赖外推，不可靠。",
        "{text}",
    ),
    "did_warning_pretrend_rejects": ("改革前趋势检验拒绝“趋势相同”（P = {p}）：改革前各期系数联合不为零。", "{text}"),
    "did_warning_bacon_late": (
        "TWFE 权重中有 {share} 来自以已改革县为对照的比较（晚改革对早改革）；效果随时间变化时 TWFE 有偏，应以稳健估计为准。",
        "{text}",
    ),
    "did_warning_sa_pretrend_zero": ("Sun–Abraham 平行趋势检验无法进行：改革前各单元格方差为零。", "{text}"),
    "did_warning_sa_pretrend_rank": (
        "Sun–Abraham 平行趋势检验：改革前单元格的协方差矩阵不满秩，按其伪逆检验。",
        "{text}",
    ),
    "did_warning_no_placebo": ("没有安慰剂重复：未计算标准误。", "{text}"),
    "did_warning_placebo_few": ("对照县不多于改革县，无法计算安慰剂标准误。", "{text}"),
    "did_warning_one_treated_unit": ("只有一个改革县：推断依靠在对照县之间重新分配改革的安慰剂检验。", "{text}"),
    "did_warning_unknown": ("估计程序另有一条技术提示，原文见英文版报告。", "{text}"),
    "did_note": ("注意：", "Note: "),
    "did_base_varying": ("逐期（每期与上一期比较）", "varying"),
    "did_base_universal": ("统一基期（改革前一年）", "universal"),
    "did_inference_cs": ("影响函数标准误；事件研究给出 sup-t 同时置信带", "{text}"),
    "did_inference_sa": ("交互加权回归，按县聚类稳健标准误（CR1），批次份额固定的 delta 方法", "{text}"),
    "did_inference_bjs": ("插补估计，按县整群自助法标准误", "{text}"),
    "did_inference_bjs_analytic": (
        "插补估计；Borusyak、Jaravel 与 Spiess（2024）定理 3 的保守解析方差，按县聚类，正态分布的置信区间",
        "{text}",
    ),
    "did_inference_twfe": ("按县聚类稳健标准误，t 分布的 P 值和置信区间", "{text}"),
    "did_inference_event": ("按县聚类稳健标准误，t 分布；总效应为改革后各期系数的平均", "{text}"),
    "did_inference_sdid": ("安慰剂标准误（在对照县之间重新分配改革）", "{text}"),
    "did_inference_other": ("见英文版报告", "{text}"),
    # the county profile (toolkit.report.county.profile_frame)
    "profile_item": ("项目", "Item"),
    "not_in_data": ("数据中无此项", "not available in the data"),
    "mu_people": ("人", "people"),
    "mu_persons": ("人", ""),
    "mu_count": ("个", ""),
    "mu_beds": ("张", ""),
    "profile_facilities": ("{tier}数", "Number of {tier}"),
    "tier_lead_hospital": ("牵头医院", "lead hospitals"),
    "tier_county_other": ("其他县级医疗机构", "other county facilities"),
    "tier_township": ("乡镇卫生院", "township health centres"),
    "tier_community_centre": ("社区卫生服务中心", "community health centres"),
    "tier_village": ("村卫生室", "village clinics"),
    "profile_open_beds": ("实有床位数", "Open beds"),
    "profile_beds_per_1000": ("每千常住人口床位数", "Beds per 1,000 residents"),
    "profile_gps_per_10000": ("每万常住人口全科医生数", "GPs per 10,000 residents"),
    "profile_practitioners_per_1000": ("每千常住人口执业（助理）医师数", "Practitioners per 1,000 residents"),
    "profile_nurses_per_1000": ("每千常住人口注册护士数", "Registered nurses per 1,000 residents"),
    "profile_units": ("健康管理单元数", "Health management units"),
    "profile_communities": ("医共体数", "Medical communities"),
    # the county report's unit sections (toolkit.report.county)
    "no_settlement_tables": (
        "数据中无此项（缺少单元结算所需的表）。",
        "Not available in the data (settlement tables missing).",
    ),
    "unit_core_col_0": ("排名", "Rank"),
    "unit_core_col_1": ("健康管理单元", "Unit"),
    "unit_core_col_2": ("乡镇", "Township"),
    "unit_core_col_3": ("医保基金结余（万元）", "Fund savings (10k yuan)"),
    "unit_core_col_4": ("人均基本医保基金支出同比", "Fund per capita, yoy"),
    "unit_core_col_5": ("人均医疗总费用同比", "Total per capita, yoy"),
    "unit_core_sentence": (
        "全县 {n} 个健康管理单元中 {saving} 个医保基金有结余；按人均医疗总费用同比变化排名（降幅最大者居首）。",
        "{saving} of the county's {n} health management units saved insurance funds; ranked by the change of "
        "per-capita total spending (largest decline first).",
    ),
    "unit_core_note": (
        "仅列前后各 {shown} 名，全部单元见 Excel 附表。",
        "First and last {shown} shown; all units in the Excel side file.",
    ),
    "unit_core_caption": ("单元核心医保指标", "Unit core insurance indicators"),
    "attainment_col_0": ("指标", "Indicator"),
    "attainment_col_1": ("基准", "Benchmark"),
    "attainment_col_2": ("达标单元数", "Units meeting it"),
    "attainment_col_3": ("一票否决", "Vetoed"),
    "attainment_col_4": ("达标比例", "Share meeting it"),
    "attainment_none": ("本年度没有目标评价数据。", "No objective evaluation this year."),
    "attainment_sentence": (
        "{n} 项目标评价指标中，达标比例最低的是{name}（{share}）。",
        "Of {n} objective indicators, the lowest share of units meeting the benchmark is {name} ({share}).",
    ),
    "attainment_caption": ("公卫目标评价达标情况", "Objective evaluation: units meeting each benchmark"),
    "in_wan": ("{name}（万元）", "{name} (10k yuan)"),
    "wan_unit": ("万元", "10k yuan"),
    "tier_column": ("层级", "Tier"),
    "county_rank_sentence": ("{county}在全省 {n} 个县中排第 {pos} 位。", "{county} ranks {pos} of {n} counties."),
    "sex_male": ("男", "Male"),
    "sex_female": ("女", "Female"),
    "tables_saved": ("表格已另存为 Excel：`{name}`", "Tables saved as Excel: `{name}`"),
    "province_best_sentence": ("{name}：{n} 个县中{best}最好。", "{name}: best of {n} counties is {best}."),
    "simultaneous_band": ("95% 同时置信带", "95% simultaneous band"),
    # columns of the settlement CSVs the settlement labels leave out (a zh or both CSV header)
    "package": ("项目", "Package"),
    "line": ("行", "Line"),
    "role": ("类别", "Role"),
    "check": ("核对项", "Check"),
    "expected": ("应为", "Expected"),
    "found": ("实为", "Found"),
    "ok": ("通过", "Passed"),
    "file": ("参数文件", "Parameter file"),
    "key": ("参数键", "Parameter key"),
    "since": ("起始年", "Since"),
    # the county report's Excel side file
    "side_target_whose": ("目标出处", "Whose target"),
    "side_n_counties": ("参与排名县数", "Counties ranked"),
    "side_units_evaluated": ("评价单元数", "Units evaluated"),
    "side_units_met": ("达标单元数", "Units meeting it"),
    "side_units_vetoed": ("一票否决单元数", "Units vetoed"),
    "side_share_met": ("达标比例", "Share meeting it"),
    "side_param_value": ("参数值", "Parameter value"),
    "side_since": ("起始年", "Since"),
    "side_param_key": ("参数键（参数文件中的名称）", "Key in the parameter files"),
    "township_name_col": ("乡镇", "Township"),
    "community_name_col": ("医共体", "Medical community"),
    # the source line under every table and figure
    "source_line": (
        "资料来源：{data}{definitions}。数据年份：{years}。",
        "Source: {data}{definitions}. Data year: {years}.",
    ),
    "source_dataset": ("报告所用数据集（数据指纹 {digest}）", "the report's dataset (data hash {digest})"),
    "source_definitions": ("；指标口径：{standards}", "; definitions: {standards}"),
    "source_settlement": ("；结算参数：参数指纹 {digest}", "; settlement parameters: digest {digest}"),
    "indicator": ("指标编码", "Indicator id"),
    "indicator_name": ("指标名称", "Indicator"),
    "name_zh": ("中文名称", "Chinese name"),
    "name_en": ("英文名称", "English name"),
    "direction": ("方向", "Direction"),
    "computable": ("可计算", "Computable"),
    "number": ("编号", "Number"),
    "direction_higher_is_better": ("越高越好", "higher is better"),
    "direction_lower_is_better": ("越低越好", "lower is better"),
    "direction_neutral": ("无优劣方向", "no better direction"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "note": ("说明", "Note"),
    "targets": ("目标", "Targets"),
    "unit": ("单位", "Unit"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "lower": ("区间下限", "Lower bound"),
    "upper": ("区间上限", "Upper bound"),
    "word_draft_saved": (
        "Word 草稿已另存为：`{name}`（可在 WPS/Word 中编辑成年度成效报告）",
        "Word draft saved: `{name}`",
    ),
    # provenance values
    "params_count_digest": ("{n} 项 · 摘要 {digest}", "{n} · digest {digest}"),
    "git_dirty": ("（含未提交的改动）", " (dirty)"),
    "exec_mode_reused_kernel": ("复用内核（批处理）", "reused kernel (batch)"),
    "exec_mode_isolated": ("独立内核（批处理）", "fresh kernel (batch)"),
    "exec_mode_interactive": ("交互运行", "interactive"),
    "indicators_saved": ("指标表已另存为 Excel：`{name}`", "Indicators saved as Excel: `{name}`"),
    # page furniture (toolkit.report.print_css, toolkit.report.text)
    "page_of": ("第 {page} 页 / 共 {pages} 页", "Page {page} of {pages}"),
    "synthetic_banner": (
        "示例数据 · synthetic data：本报告由合成的示例数据生成，县名和数字均为虚构，不代表任何真实地区。",
        "示例数据 · synthetic data: this report was made from the synthetic sample province; "
        "county names and numbers are fictional.",
    ),
    "modelled_on": ("（仿{place}）", " (modelled on {place})"),
    # the per-capita plausibility warning (toolkit.report.plausibility_notes)
    "per_capita_warning_county": (
        "提示：{n}个健康管理单元（{units}）{year}年的人均医疗总费用超出合理区间{low}–{high}元，"
        "可能把万元或分当作元填报，请核实数据（仅提示，不影响结算）。",
        "Warning: per-capita medical spending of {n} units ({units}) in {year} is outside the plausible band of "
        "{low}–{high} yuan — money in 万元 or 分 instead of yuan? Check the data (a warning only; the settlement "
        "is not changed).",
    ),
    # a county whose reform year is after the data (toolkit.report.evaluation.specification)
    "reform_after_data": (
        "{county}的改革年份{year}晚于数据末年{last}，本评估按窗口内未改革处理（作为对照县）",
        "{county}: reform year {year} is after the data's last year {last} — treated as not yet reformed within "
        "the window (a comparison county)",
    ),
    "per_capita_warning_unit": (
        "提示：本单元{year}年人均医疗总费用{value}元，超出合理区间{low}–{high}元，可能把万元或分当作元填报，"
        "请核实数据（不影响本结算单金额）。",
        "Warning: this unit's per-capita medical spending in {year} is {value} yuan, outside the plausible band of "
        "{low}–{high} yuan — money in 万元 or 分 instead of yuan? Check the data (the amounts of this statement "
        "are not changed).",
    ),
}


@lru_cache(maxsize=1)
def _peer_labels() -> dict[str, tuple[str, str]]:
    """key -> (zh, en) from the indicator registry and the data contract, read once.

    Indicators win over contract columns; the first contract table naming a column wins.
    """
    out: dict[str, tuple[str, str]] = {}
    from toolkit.data.contract import TABLES
    from toolkit.indicators.registry import load_registry

    for table in TABLES.values():
        for col in table.columns:
            out.setdefault(col.name, (col.label_zh, col.label_en))
    for table in TABLES.values():  # a column named like a table (deaths) keeps the column label
        out.setdefault(table.name, (table.label_zh, table.label_en))
    for ind in load_registry():
        out[ind.id] = (ind.name_zh, ind.name_en)
    return out


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ToolkitError(f"report language {lang!r} is not supported — expected one of {', '.join(LANGS)}")
    return lang


def label(key: str, lang: str = "zh") -> str:
    """The label of ``key`` for people, in ``lang`` (``zh``, ``en`` or ``both``)."""
    check_lang(lang)
    if lang == "both":
        zh, en = label(key, "zh"), label(key, "en")
        return zh if zh == en else f"{zh} / {en}"
    if key in REPORT_LABELS:
        zh, en = REPORT_LABELS[key]
        return zh if lang == "zh" else en
    peer = _peer_labels().get(key)
    if peer:
        return peer[0] if lang == "zh" else peer[1]
    return key


def message(key: str, lang: str = "zh", **fields) -> str:
    """A sentence of the catalogue in ``lang`` (``zh`` or ``en``), its ``{fields}`` filled in."""
    check_lang(lang)
    if key not in REPORT_LABELS:
        raise KeyError(f"no message {key!r} in the report catalogue (toolkit.report.labels.REPORT_LABELS)")
    zh, en = REPORT_LABELS[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text


def heading(key: str, lang: str = "zh", level: int = 2) -> str:
    """A Markdown heading for a report section (``## 监测指标与目标``)."""
    return f"{'#' * level} {label(key, lang)}"
