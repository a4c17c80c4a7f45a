"""Words a commission clerk reads instead of codes: sub-projects, indicators, policy documents,
parameter values (rules.md §2–5; the seed documents in the project's ``seeds`` folder).

``source_words`` turns a parameter's source (``seed 000 §3.1 (近3年)``, ``local decision (…)``)
into the name of the policy document it comes from, or says that the county set it itself.
"""

from __future__ import annotations

import re

from toolkit.catalogue import choose, text

#: the policy documents behind the parameters (rules.md, "Policy rules the toolkit implements")
DOCUMENTS: dict[str, tuple[str, str]] = {
    "000": (
        "濉溪县卫健委《完善基层网格治理 创新绩效评价机制》（2024年9月）",
        "Suixi County Health Commission, grid governance and performance evaluation (Sept. 2024)",
    ),
    "001": (
        "浙江省卫计委《推进县域医共体建设提升基层服务能力》（2018年4月）",
        "Zhejiang Health and Family Planning Commission, county medical communities (Apr. 2018)",
    ),
    "002": (
        "政和县、湟中县医共体建设实施方案",
        "Zhenghe and Huangzhong county medical-consortium programmes",
    ),
    "003": ("安徽省2024年紧密型县域医共体建设政策解读", "Anhui 2024 county medical community upgrade policy"),
    "004": (
        "国家卫健委《紧密型县域医共体评判标准和监测指标体系》（国卫办基层发〔2020〕12号）",
        "NHC evaluation standard and monitoring indicators (2020 No. 12)",
    ),
}

PROJECTS: dict[str, tuple[str, str]] = {
    "ehr": ("居民健康档案管理", "health records"),
    "elderly_health": ("老年人健康管理", "elderly health management"),
    "hypertension": ("高血压患者健康管理", "hypertension management"),
    "diabetes": ("2型糖尿病患者健康管理", "type-2 diabetes management"),
    "smd": ("严重精神障碍患者管理", "severe mental disorder management"),
    "tb": ("肺结核患者健康管理", "tuberculosis management"),
    "tcm": ("中医药健康管理", "TCM health management"),
    "family_doctor": ("家庭医生签约服务", "family-doctor contracts"),
    "health_education": ("健康教育", "health education"),
    "vaccination": ("预防接种", "vaccination"),
    "child_health": ("0～6岁儿童健康管理", "child health 0–6"),
    "maternal_health": ("孕产妇健康管理", "maternal health"),
    "health_supervision": ("卫生计生监督协管", "health supervision"),
    "emergency_reporting": ("传染病及突发公共卫生事件报告和处理", "infectious disease and emergency reporting"),
    "health_literacy": ("健康素养促进", "health literacy"),
}

INDICATORS: dict[str, tuple[str, str]] = {
    "ehr_coverage": ("电子健康档案规范建档率", "standard e-record coverage"),
    "health_education_credits": ("健康教育工分", "health-education credits"),
    "vaccination_rate": ("免疫规划疫苗接种率", "immunisation coverage"),
    "newborn_visit_rate": ("新生儿访视率", "newborn visit rate"),
    "child_management_rate": ("0～6岁儿童健康管理率", "children 0–6 under management"),
    "postpartum_visit_rate": ("产后访视率", "postpartum visit rate"),
    "maternal_management_rate": ("孕产妇系统管理率", "maternal systematic management"),
    "elderly_management_rate": ("老年人健康管理率", "elderly health management"),
    "hypertension_management_rate": ("高血压患者规范管理率", "hypertension standard management"),
    "diabetes_management_rate": ("2型糖尿病患者规范管理率", "diabetes standard management"),
    "smd_management_rate": ("严重精神障碍患者管理率", "severe mental disorder management"),
    "tb_management_rate": ("肺结核患者管理率", "tuberculosis management"),
    "tcm_elderly_rate": ("老年人中医药健康管理率", "elderly TCM management"),
    "tcm_child_rate": ("0～36个月儿童中医药健康管理率", "children 0–36 months TCM management"),
    "supervision_report_rate": ("卫生监督协管信息报告率", "supervision event reporting"),
    "emergency_report_rate": ("传染病和突发公共卫生事件报告率", "infectious disease and emergency reporting"),
}

#: parameter choices in words (the values the params files hold → what they mean)
CHOICES: dict[str, tuple[str, str]] = {
    "mean_of_per_capita": ("各年人均支出的平均数", "mean of the yearly per-capita amounts"),
    "pooled": ("各年支出合计 ÷ 各年人数合计", "total spending over total person-years"),
    "annual": ("按全年", "annual"),
    "quarterly": ("按季度", "quarterly"),
    "cap": ("以70%额度为上限", "capped at the 70% share"),
    "pay_from_effect_pool": ("超出部分从效果资金池支付", "excess paid from the effect pool"),
    "relative": ("按同比变化率", "relative change"),
    "absolute": ("按同比变化额", "absolute change"),
    "round": ("四舍五入", "rounded"),
    "floor": ("向下取整", "rounded down"),
    "ceil": ("向上取整", "rounded up"),
    "average": ("并列单元平分所占名次的资金", "tied units share their positions' money"),
    "unit_id": ("按单元编码先后", "by unit code"),
    "equal": ("档内平均分配", "equal within a bracket"),
    "lump_sum": ("档内按包干额度分配", "by lump sum within a bracket"),
    "redistribute": ("按比例分给其他档", "redistributed to the other brackets"),
    "retain": ("县级留存", "retained by the county"),
    "equal_all_units": ("全部单元平均分配", "equal to every unit"),
    "per_capita_average": ("近N年人均年均支出 × 人数（濉溪）", "per-capita average of N years × population (Suixi)"),
    "total_with_growth": ("上年实际总额 × (1 + 增长系数)（浙江）", "last year's total × (1 + growth) (Zhejiang)"),
    "income_growth": ("按人均可支配收入增速（湟中）", "by per-capita disposable income growth (Huangzhong)"),
    "none": ("不设考核门槛", "no assessment gate"),
    "pass_mark": ("考核达到合格分才分配", "split only at or above the pass mark"),
    "scale_by_score": ("按考核得分比例分配", "split in proportion to the score"),
}

TIER_WORDS = {"county": ("县级", "county"), "township": ("乡镇", "township"), "village": ("村级", "village")}
PH_PARTS = {"process": ("过程", "process"), "objective": ("目标", "objective"), "effect": ("效果", "effect")}
GROWTH_PARTS = {
    "volume": ("服务量", "volume"),
    "quality": ("质量", "quality"),
    "price": ("价格指数", "price index"),
    "close": ("紧密型医共体", "close consortium"),
    "loose": ("松散型医共体", "loose consortium"),
}

#: short names for the parameter table (the full names are listed once below it)
SHORT: dict[str, tuple[str, str]] = {
    "000": ("濉溪县卫健委2024年文件", "Suixi 2024"),
    "001": ("浙江省卫计委2018年文件", "Zhejiang 2018"),
    "002": ("政和县、湟中县实施方案", "Zhenghe / Huangzhong"),
    "003": ("安徽省2024年政策解读", "Anhui 2024"),
    "004": ("国卫办基层发〔2020〕12号", "NHC 2020 No. 12"),
}

_SEED = re.compile(r"seeds? (\d{3})")
_SECTION = re.compile(r"§\s*([0-9.]+)")


def documents_cited(sources, lang: str = "zh") -> list[str]:
    """The full names of the documents the sources cite, once each, as "short name：full name"."""
    seen = []
    for source in sources:
        for s in _SEED.findall(str(source or "")):
            if s in DOCUMENTS and s not in seen:
                seen.append(s)
    return [
        text("settle_document_cited", lang, short=choose(SHORT[s], lang), full=choose(DOCUMENTS[s], lang)) for s in seen
    ]


def source_words(source: str, lang: str = "zh", short: bool = False) -> str:
    """Where a parameter comes from, in words: the document (and section), or the county's own choice."""
    written = str(source or "")
    local = written.strip().lower().startswith("local decision")
    seeds = list(dict.fromkeys(_SEED.findall(written)))
    sections = _SECTION.findall(written)
    names = SHORT if short else DOCUMENTS
    docs = [choose(names[s], lang) for s in seeds if s in names]
    where = text("settle_section", lang, section=sections[0].rstrip(".")) if docs and sections else ""
    if local:
        own = text("settle_source_local_short" if short else "settle_source_local", lang)
        return own + (text("settle_source_see", lang, document=docs[0], section=where).rstrip() if docs else "")
    if docs:
        joined = text("settle_documents_sep", lang).join(docs)
        return text("settle_source_documents_section", lang, documents=joined, section=where) if where else joined
    return text("settle_source_parameter_file", lang)


def value_words(value, lang: str = "zh") -> str:
    """A parameter value as a clerk reads it: shares as 4:4:2 with tier names, choices in words."""
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            name = TIER_WORDS.get(k) or PH_PARTS.get(k) or GROWTH_PARTS.get(k) or PROJECTS.get(k) or INDICATORS.get(k)
            if name:
                label = choose(name, lang)
            elif re.fullmatch(r"q\d", k):
                label = text("settle_value_quarter", lang, n=k[1:])
            else:
                label = k
            parts.append(f"{label} {_number(v)}")
        return text("settle_value_sep", lang).join(parts)
    if isinstance(value, list):
        if value and isinstance(value[0], dict) and "upper" in value[0]:
            lo, parts = 0.0, []
            for b in value:
                parts.append(
                    text(
                        "settle_value_bracket",
                        lang,
                        low=f"{lo:.1%}",
                        upper=f"{b['upper']:.1%}",
                        share=f"{b['share']:.0%}",
                    )
                )
                lo = b["upper"]
            return text("settle_value_sep", lang).join(parts)
        names = [choose(PROJECTS.get(v) or INDICATORS.get(v) or (str(v), str(v)), lang) for v in value]
        return text("settle_names_sep", lang).join(names)
    if isinstance(value, str):
        return choose(CHOICES[value], lang) if value in CHOICES else value
    return _number(value)


def _number(v) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def project_label(project: str, lang: str = "zh") -> str:
    return choose(PROJECTS.get(project, (project, project)), lang)


def indicator_label(indicator: str, lang: str = "zh") -> str:
    return choose(INDICATORS.get(indicator, (indicator, indicator)), lang)
