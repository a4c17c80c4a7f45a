"""The data contract as data: the tables a county health commission brings, column by column.

Source: ``shared/domain/data.md`` beside the checkout (the contract) and rules.md §1 (units, townships),
§5 (public-health sub-projects and the 16 objective indicators, seed 000 §3.2); the contract
extension (``facility_year``, the optional ``county_year`` columns, ``criteria_year``; seed 004
附1–附2, rules.md §9–10) is optional throughout: a dataset without it loads as before. The loader
(:mod:`toolkit.data.load`) validates every table against the :data:`TABLES` defined here; the
documentation page ``docs/data_contract.md`` is generated from them (:func:`contract_markdown`)
so the page and the code cannot drift apart.

Kinds of columns and their dtype after loading (docs/architecture.md):

========  ==========================================  ===========
kind      meaning                                      dtype
========  ==========================================  ===========
``id``    identifier (unit, county, township, …)      ``str``
``text``  free text (display names, age bands)         ``str``
``enum``  one of a fixed list of codes                 ``str``
``int``   whole number (year, quarter, counts)         ``int64`` (``Int64`` when it may be empty)
``money`` yuan                                         ``float64``
``rate``  fraction in [0, 1] (0.64, not 64)            ``float64``
``number`` other real number (credits, scores)        ``float64``
``bool``  true/false (1/0, yes/no, 是/否)              ``bool`` (``boolean`` when it may be empty)
========  ==========================================  ===========
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property

#: identifier cells of the input template's example rows start with this; the loader rejects such rows
EXAMPLE_MARK = "示例"

#: calendar years the toolkit accepts (a typo such as 20233 is caught, not a policy number)
YEAR_MIN, YEAR_MAX = 1949, 2100

#: Plausibility bounds. Every money and count column has an upper bound, so that a pasted 18-digit
#: id number, a value in fen or in 分 instead of yuan, or an exponent typo (1e17) is an error naming
#: the cell instead of a silent budget of −92 trillion yuan.
#:
#: * ``MONEY_MAX``: 10^11 yuan (千亿元) in one cell. China's whole basic medical insurance fund spends
#:   about 3·10^12 yuan a year; one county's total medical spending is below 10^10. In fen one cell
#:   is at most 10^13, so a sum of up to 900,000 cells stays below 2^63 ≈ 9.2·10^18: int64 fen
#:   (toolkit.settlement.money) cannot overflow for any county (a county has hundreds of units).
#: * ``COUNT_MAX``: 10^9 in one cell (people, visits, admissions, staff): above China's population
#:   of residents insured in one county many times over, yet exact in float64 and int64.
#: * ``CREDITS_MAX``: 10^9 work credits (工分) of one unit's sub-project in a year; credits are
#:   turned into money (yuan_per_credit) and must stay inside ``MONEY_MAX`` as well.
MONEY_MAX = 1e11
COUNT_MAX = 1e9
CREDITS_MAX = 1e9

#: characters no text cell may hold: C0 control characters except tab, line feed and carriage
#: return, and DEL. They come from broken exports, are invisible on a statement and cannot be stored
#: in an .xlsx cell (toolkit.report.safe_cells); a cell holding one is an error naming it.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"

#: the 15 public-health process sub-projects (docs/architecture.md; rules.md §5, seed 000 §3.2)
PH_PROJECTS: tuple[str, ...] = (
    "ehr",
    "elderly_health",
    "hypertension",
    "diabetes",
    "smd",
    "tb",
    "tcm",
    "family_doctor",
    "health_education",
    "vaccination",
    "child_health",
    "maternal_health",
    "health_supervision",
    "emergency_reporting",
    "health_literacy",
)

#: the 16 objective-evaluation indicators (rules.md §5 table, seed 000 §3.2)
PH_INDICATORS: tuple[str, ...] = (
    "ehr_coverage",
    "health_education_credits",
    "vaccination_rate",
    "newborn_visit_rate",
    "child_management_rate",
    "postpartum_visit_rate",
    "maternal_management_rate",
    "elderly_management_rate",
    "hypertension_management_rate",
    "diabetes_management_rate",
    "smd_management_rate",
    "tb_management_rate",
    "tcm_elderly_rate",
    "tcm_child_rate",
    "supervision_report_rate",
    "emergency_report_rate",
)

#: indicators whose value is not a fraction (health education is measured in credits)
NON_RATE_INDICATORS: tuple[str, ...] = ("health_education_credits",)

#: the ten 评判标准 criteria of seed 004 附1, in the seed's order (texts and dimensions:
#: toolkit/indicators/criteria.yaml, which must list exactly these ids)
CRITERIA: tuple[str, ...] = (
    "government_led",
    "community_decides",
    "effective_assessment",
    "staff_mobility",
    "unified_finance",
    "unified_drugs",
    "orderly_referral",
    "information_sharing",
    "insurance_reform",
    "unified_fiscal_funding",
)

#: facility tiers of facility_year (data.md "Contract extension"); ``lead_hospital`` is the 牵头医院
FACILITY_LEVELS: tuple[str, ...] = ("lead_hospital", "county_other", "township", "community_centre", "village")

#: "优质服务基层行" standard a township or community centre reached (seed 004 附2 二.12)
QUALITY_SERVICE_LEVELS: tuple[str, ...] = ("none", "basic", "recommended")

#: number of outpatient chronic-disease groups (seed 000 §3.1: "41 common chronic diseases")
CHRONIC_GROUPS = 41

KINDS = ("id", "text", "enum", "int", "money", "rate", "number", "bool")


@dataclass(frozen=True)
class Column:
    """One column of the contract.

    ``required``: the column must be present in the file. ``nullable``: a cell may be empty
    (for ``int`` columns the dtype is then the nullable ``Int64``).
    """

    name: str
    kind: str
    label_zh: str
    label_en: str
    required: bool = True
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    note: str = ""
    #: the note in Chinese, for the input template's instructions (toolkit.report.template)
    note_zh: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r} for {self.name}")

    @property
    def dtype(self) -> str:
        if self.kind in ("id", "text", "enum"):
            return "str"
        if self.kind == "int":
            return "Int64" if self.nullable else "int64"
        if self.kind == "bool":
            return "boolean" if self.nullable else "bool"
        return "float64"

    @property
    def label(self) -> str:
        """``中文 / English`` — for report and Excel headers."""
        return f"{self.label_zh} / {self.label_en}"

    def range_text(self) -> str:
        """The allowed values in words (used in error messages and the docs)."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.min is not None and self.max is not None:
            return f"between {_num(self.min)} and {_num(self.max)}"
        if self.min is not None:
            return f"≥ {_num(self.min)}"
        if self.max is not None:
            return f"≤ {_num(self.max)}"
        return ""


def _num(x: float) -> str:
    if abs(x) >= 1e6 and float(x).is_integer():
        return f"{int(x):,}"  # plausibility bounds: 100,000,000,000 reads better than 100000000000
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class Reference:
    """``table.column`` values must appear in ``target.target_column`` (checked when both load)."""

    column: str
    target: str
    target_column: str


@dataclass(frozen=True)
class Ordered:
    """``smaller ≤ larger`` on every row (a numerator never exceeds its denominator)."""

    smaller: str
    larger: str


@dataclass(frozen=True)
class SumAtMost:
    """``Σ parts ≤ total`` on every row (parts of an amount never add up to more than it)."""

    parts: tuple[str, ...]
    total: str
    why: str


@dataclass(frozen=True)
class GroupHas:
    """Every group of ``by`` (rows with all of ``by`` given) has a row whose ``column`` is ``value``."""

    by: tuple[str, ...]
    column: str
    value: str
    why: str


@dataclass(frozen=True)
class RangeException:
    """Rows where ``when_column`` is one of ``when_values`` use ``min``/``max`` for ``column``."""

    column: str
    when_column: str
    when_values: tuple[str, ...]
    min: float | None
    max: float | None
    why: str


@dataclass(frozen=True)
class SameWithin:
    """``column`` must take one value within each group of ``by`` (e.g. population per band)."""

    column: str
    by: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class PositiveWhen:
    """``column`` must be > 0 on every row where any of ``when`` is > 0 (spending needs people)."""

    column: str
    when: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class ShareAtMost:
    """Σ ``part_column`` of the units of a county-year ≤ ``at_most`` × the county-year's ``whole_column``.

    A share above its ceiling is arithmetically impossible: one of the two tables is in the wrong
    unit (万元 instead of 元). Checked by :mod:`toolkit.data.plausibility` on every load.
    """

    name: str
    part_table: str
    part_column: str
    whole_table: str
    whole_column: str
    at_most: float
    why: str


@dataclass(frozen=True)
class PerCapitaBand:
    """``numerator / denominator`` of a row should lie in [``low``, ``high``]; outside is a *warning*.

    The band is far wider than any real county (yuan per insured resident per year), so a value
    outside it is almost always a unit mistake (万元, 分) that is not impossible arithmetic. The
    band is configurable with ``$TOOLKIT_PER_CAPITA_BAND`` (``LOW-HIGH`` yuan).
    """

    table: str
    numerator: str
    denominator: str
    low: float
    high: float
    why: str


@dataclass(frozen=True)
class KeyConflict:
    """Rows repeating a key that disagree on ``column`` break a rule stronger than "one row per key"
    (a unit in two townships); reported as ``expected``, the value as "<entity> K in <plural> A, B"."""

    column: str
    expected: str
    entity: str
    plural: str


@dataclass(frozen=True)
class Table:
    name: str
    label_zh: str
    label_en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    ordered: tuple[Ordered, ...] = ()
    #: entity column of a yearly panel: every year between an entity's first and last must exist
    panel: str | None = None
    range_exceptions: tuple[RangeException, ...] = ()
    same_within: tuple[SameWithin, ...] = ()
    sums: tuple[SumAtMost, ...] = ()
    group_has: tuple[GroupHas, ...] = ()
    positive_when: tuple[PositiveWhen, ...] = ()
    key_conflicts: tuple[KeyConflict, ...] = ()
    #: too large for pandas: only its schema is checked on load (values: load.validate_claims)
    large: bool = False
    #: what the toolkit uses the table for, in Chinese (the input template's instructions)
    use_zh: str = ""

    @cached_property  # the loader asks for these on every column of every table
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @cached_property
    def _by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    def column(self, name: str) -> Column:
        return self._by_name[name]

    def labels(self, language: str = "both") -> dict[str, str]:
        """Column name -> label, ``language`` one of ``zh``, ``en``, ``both``."""
        pick = {"zh": lambda c: c.label_zh, "en": lambda c: c.label_en, "both": lambda c: c.label}[language]
        return {c.name: pick(c) for c in self.columns}


# --------------------------------------------------------------------------- column helpers
def _id(name: str, zh: str, en: str, **kw) -> Column:
    return Column(name, "id", zh, en, **kw)


def _year(zh: str = "年度", en: str = "Year") -> Column:
    return Column("year", "int", zh, en, min=YEAR_MIN, max=YEAR_MAX)


def _count(name: str, zh: str, en: str, **kw) -> Column:
    return Column(name, "int", zh, en, min=0, max=COUNT_MAX, **kw)


def _money(name: str, zh: str, en: str, **kw) -> Column:
    return Column(name, "money", zh, en, min=0, max=MONEY_MAX, **kw)


UNIT_ID = _id("unit_id", "单元编码", "Unit ID")
COUNTY_ID = _id("county_id", "县编码", "County ID")

UNITS = Table(
    "units",
    "健康管理单元",
    "Health management units",
    columns=(
        UNIT_ID,
        Column("unit_name", "text", "单元名称", "Unit name", nullable=True),
        COUNTY_ID,
        _id("township_id", "乡镇编码", "Township ID"),
        Column(
            "township_name",
            "text",
            "乡镇名称",
            "Township name",
            required=False,
            nullable=True,
            note="optional; statements and roll-ups show it instead of the code",
            note_zh="可选；结算单和汇总表显示名称而不是编码",
        ),
        _id("community_id", "医共体编码", "Medical community ID"),
        Column(
            "community_name",
            "text",
            "医共体名称",
            "Medical community name",
            required=False,
            nullable=True,
            note="optional; statements and roll-ups show it instead of the code",
            note_zh="可选；结算单和汇总表显示名称而不是编码",
        ),
    ),
    key=("unit_id",),
    references=(Reference("county_id", "county_year", "county_id"),),
    key_conflicts=(
        KeyConflict(
            "township_id", "one township per unit (rules.md §1: each unit belongs to one township)", "unit", "townships"
        ),
    ),
    same_within=(
        SameWithin("township_name", ("township_id",), "a township has one name"),
        SameWithin("community_name", ("community_id",), "a medical community has one name"),
    ),
    use_zh="健康管理单元名册：按单元结算医保包干和公卫经费",
)

UNIT_YEAR = Table(
    "unit_year",
    "单元年度数据",
    "Unit by year",
    columns=(
        UNIT_ID,
        _year(),
        _count("insured_pop", "参保人数", "Insured residents"),
        _count("chronic_pop", "慢病人群人数", "Chronic-disease population"),
        _money(
            "fund_general",
            "基本医保基金支出（普通）",
            "General insurance fund spending",
            note="outpatient + inpatient, excluding the chronic outpatient package and critical-illness insurance",
            note_zh="门诊和住院，不含门诊慢病包干和大病保险",
        ),
        _money("fund_chronic_outpatient", "门诊慢病基金支出", "Chronic outpatient fund spending"),
        _money(
            "total_medical_spending", "医疗总费用", "Total medical spending", note="all payers", note_zh="各支付方合计"
        ),
        _money("ph_lump_sum", "村级公卫包干经费", "Public-health lump sum"),
    ),
    key=("unit_id", "year"),
    references=(Reference("unit_id", "units", "unit_id"),),
    ordered=(Ordered("chronic_pop", "insured_pop"),),
    panel="unit_id",
    use_zh="医保大包干、慢病小包干结算和单元核心医保指标",
    positive_when=(
        PositiveWhen(
            "insured_pop",
            ("fund_general", "fund_chronic_outpatient", "total_medical_spending"),
            "a unit with spending has insured residents; its per-capita budget cannot be set from 0 residents",
        ),
    ),
)

PH_PROCESS = Table(
    "ph_process",
    "公卫过程考核",
    "Public-health process evaluation",
    columns=(
        UNIT_ID,
        _year(),
        Column("project", "enum", "子项目", "Sub-project", choices=PH_PROJECTS),
        Column("quarter", "int", "季度", "Quarter", min=1, max=4),
        Column(
            "credits",
            "number",
            "工分",
            "Work credits",
            nullable=True,
            min=0,
            max=CREDITS_MAX,
            note="two-card (两卡制) projects",
            note_zh="两卡制项目填写",
        ),
        Column("score", "number", "考核得分", "Assessment score", min=0, max=100),
        _money(
            "planned_amount",
            "过程考核计划金额",
            "Planned process amount",
            nullable=True,
            note="projects outside the two-card system; same on every quarter row",
            note_zh="非两卡制项目填写全年过程考核金额，各季度行相同",
        ),
    ),
    key=("unit_id", "year", "project", "quarter"),
    references=(Reference("unit_id", "units", "unit_id"),),
    same_within=(
        SameWithin(
            "planned_amount",
            ("unit_id", "year", "project"),
            "the sub-project's amount for the year, the same on every quarter row",
        ),
    ),
    use_zh="公卫经费过程评价（70%）：工分和季度考核得分",
)

PH_TARGETS = Table(
    "ph_targets",
    "公卫目标考核",
    "Public-health objective evaluation",
    columns=(
        UNIT_ID,
        _year(),
        Column("indicator", "enum", "指标", "Indicator", choices=PH_INDICATORS),
        Column(
            "value",
            "rate",
            "指标值",
            "Attained value",
            min=0,
            max=1,
            note="a fraction (0.64, not 64); credits for health_education_credits",
            note_zh="填比例（0.64 或 64%）；健康教育填工分",
        ),
        Column("veto", "bool", "一票否决", "Veto event"),
    ),
    key=("unit_id", "year", "indicator"),
    references=(Reference("unit_id", "units", "unit_id"),),
    range_exceptions=(
        RangeException(
            "value", "indicator", NON_RATE_INDICATORS, 0, None, "health education is measured in credits, not as a rate"
        ),
    ),
    use_zh="公卫经费目标评价（20%）：16项指标的完成值和一票否决",
)


def _optional(column: Column) -> Column:
    """A column of the contract extension: may be absent, and a cell may be empty (data.md)."""
    return replace(column, required=False, nullable=True)


#: county_year columns of the contract extension (data.md "Contract extension"; seed 004 附2 一.6,
#: 二.13; seed 001 and seed 004 family-doctor contracting; seed 001/002 budget growth inputs)
COUNTY_YEAR_EXTENSION: tuple[Column, ...] = tuple(
    _optional(c)
    for c in (
        _count(
            "chronic_patients", "登记慢病患者数", "Registered chronic-disease patients", note="hypertension, diabetes…"
        ),
        _count("chronic_managed_primary", "基层机构管理的慢病患者数", "Chronic patients managed at primary facilities"),
        Column(
            "ph_performance_score",
            "number",
            "基本公卫绩效评价得分",
            "Basic public-health performance score",
            min=0,
            max=100,
            note="national basic public-health project performance evaluation",
        ),
        _count("residents_contracted", "家庭医生签约居民数", "Residents with a family-doctor contract"),
        _count(
            "key_population",
            "重点人群数",
            "Key population",
            note="elderly, chronic, maternal, children, disabled",
        ),
        _count("key_population_contracted", "重点人群签约数", "Key population contracted"),
        _count("contracts_renewed", "续签约数", "Contracts renewed"),
        _count("contracts_due", "到期签约数", "Contracts due for renewal"),
        _money("disposable_income_pc", "居民人均可支配收入", "Per-capita disposable income"),
        Column(
            "price_index",
            "number",
            "医疗价格指数变动",
            "Medical price index change",
            min=-1,
            max=1,
            note="a fraction: 0.02 = prices up 2%",
        ),
    )
)

COUNTY_YEAR = Table(
    "county_year",
    "县年度数据",
    "County by year",
    columns=(
        COUNTY_ID,
        _year(),
        Column("county_name", "text", "县名", "County name", nullable=True),
        _count("population", "常住人口", "Resident population"),
        _count("insured_pop", "城乡居民医保参保人数", "Insured residents"),
        _count("admissions", "住院人次", "Inpatient admissions"),
        _count("admissions_in_county", "县域内住院人次", "In-county admissions"),
        _count("visits", "门急诊人次", "Outpatient and emergency visits"),
        _count("visits_in_county", "县域内门急诊人次", "In-county visits"),
        _count("visits_primary", "基层门急诊人次", "Primary-care visits"),
        _money("fund_spending", "医保基金支出", "Insurance fund spending"),
        _money("fund_in_county", "县域内医保基金支出", "In-county fund spending"),
        _money("fund_primary", "基层医保基金支出", "Primary-care fund spending"),
        _count("township_staff", "乡镇卫生院人员数", "Township health-centre staff"),
        _money("township_pay", "乡镇卫生院人员薪酬总额", "Township staff total pay"),
        _count("lead_hospital_staff", "牵头医院人员数", "Lead hospital staff"),
        _money("lead_hospital_pay", "牵头医院人员薪酬总额", "Lead hospital total pay"),
        _count("village_doctors", "村医人数", "Village doctors"),
        _money("village_doctor_subsidy", "村医补助收入总额", "Village doctors' total subsidy"),
        _money(
            "ph_subsidy_total",
            "基本公卫补助总额",
            "Approved public-health subsidy",
            required=False,
            nullable=True,
            note="central + provincial + county",
            note_zh="中央、省、县三级补助合计",
        ),
        *COUNTY_YEAR_EXTENSION,
        Column(
            "reform_year",
            "int",
            "改革起始年",
            "First reform year",
            nullable=True,
            min=YEAR_MIN,
            max=YEAR_MAX,
            note="empty = never reformed",
            note_zh="未改革的县留空",
        ),
    ),
    key=("county_id", "year"),
    ordered=(
        Ordered("insured_pop", "population"),
        Ordered("admissions_in_county", "admissions"),
        Ordered("visits_primary", "visits_in_county"),
        Ordered("visits_in_county", "visits"),
        Ordered("fund_primary", "fund_in_county"),
        Ordered("fund_in_county", "fund_spending"),
        Ordered("chronic_managed_primary", "chronic_patients"),
        Ordered("residents_contracted", "population"),
        Ordered("key_population", "population"),
        Ordered("key_population_contracted", "key_population"),
        Ordered("contracts_renewed", "contracts_due"),
    ),
    panel="county_id",
    same_within=(SameWithin("reform_year", ("county_id",), "a county's first reform year is one year"),),
    use_zh="县域监测指标（县域就诊率、医保基金县域内支出率等）和改革评估",
)

DEATHS = Table(
    "deaths",
    "分死因死亡数据",
    "Deaths by cause",
    columns=(
        COUNTY_ID,
        _year(),
        Column("sex", "enum", "性别", "Sex", choices=("male", "female", "all")),
        Column(
            "age_band",
            "text",
            "年龄组",
            "Age band",
            note="five-year bands 30-34 … 65-69; others allowed",
            note_zh="五岁年龄组 30-34 … 65-69",
        ),
        Column("cause", "enum", "死因", "Cause", choices=("cvd", "cancer", "diabetes", "crd", "other")),
        _count("deaths", "死亡人数", "Deaths"),
        _count(
            "population",
            "人口数",
            "Population",
            note="mid-year population of the band",
            note_zh="该年龄组年中人口，各死因行相同",
        ),
    ),
    key=("county_id", "year", "sex", "age_band", "cause"),
    references=(Reference("county_id", "county_year", "county_id"),),
    ordered=(Ordered("deaths", "population"),),
    same_within=(
        SameWithin(
            "population", ("county_id", "year", "sex", "age_band"), "the band's population, the same on each cause row"
        ),
    ),
    use_zh="重大慢性病过早死亡率（SDG 3.4.1）",
)

FACILITY_ID = _id("facility_id", "机构编码", "Facility ID")

#: revenue parts the service-revenue indicators take out of medical revenue (seed 004 附2 三.16, 三.18)
REVENUE_PARTS: tuple[str, ...] = ("drug_revenue", "consumables_revenue", "exam_revenue", "lab_revenue")

FACILITY_YEAR = Table(
    "facility_year",
    "机构年度数据",
    "Facility by year",
    columns=(
        FACILITY_ID,
        _year(),
        Column("facility_name", "text", "机构名称", "Facility name", required=False, nullable=True),
        COUNTY_ID,
        _id("community_id", "医共体编码", "Medical community ID", required=False, nullable=True),
        Column(
            "level",
            "enum",
            "机构层级",
            "Tier",
            choices=FACILITY_LEVELS,
            note="the lead hospital (牵头医院) of each community is lead_hospital",
        ),
        _count("beds", "实有床位", "Open beds", required=False),
        _count("bed_days_available", "实际开放总床日数", "Bed-days available", required=False),
        _count("bed_days_occupied", "实际占用总床日数", "Bed-days occupied", required=False),
        _count("discharges", "出院人次", "Discharges", required=False),
        _count("discharge_bed_days", "出院者占用总床日数", "Bed-days of discharged patients", required=False),
        _count("surgeries", "出院患者手术台次", "Surgeries of discharged patients", required=False),
        _count("surgeries_grade34", "三、四级手术台次", "Grade III and IV surgeries", required=False),
        _count(
            "referrals_down",
            "下转康复护理患者数",
            "Patients referred down for rehabilitation or nursing",
            required=False,
        ),
        _money("medical_revenue", "医疗收入", "Medical revenue", required=False),
        _money("drug_revenue", "药品收入", "Drug revenue", required=False),
        _money("consumables_revenue", "卫生材料收入", "Medical consumables revenue", required=False),
        _money("exam_revenue", "检查收入", "Examination revenue", required=False),
        _money("lab_revenue", "化验收入", "Laboratory revenue", required=False),
        _money("total_revenue", "总收入", "Total revenue", required=False),
        _money("business_revenue", "业务收入", "Business revenue", required=False),
        _money("insurance_revenue", "医保基金收入", "Insurance fund revenue", required=False),
        _money("fiscal_revenue", "财政补助收入", "Fiscal subsidy revenue", required=False),
        _money("staff_spending", "人员经费", "Staff spending", required=False),
        _money("business_spending", "业务活动费用", "Business spending", note="业务支出", required=False),
        _count("general_practitioners", "全科医生数", "General practitioners", note="registered GPs", required=False),
        _count(
            "new_techniques",
            "帮助基层开展新技术新项目数",
            "New techniques introduced at primary level",
            required=False,
            nullable=True,
            note="lead hospital rows",
        ),
        Column(
            "meets_capability_standard",
            "bool",
            "达到县医院综合能力推荐标准",
            "Meets the county-hospital capability standard",
            required=False,
            nullable=True,
            note="lead hospital rows",
        ),
        Column(
            "quality_service_level",
            "enum",
            "优质服务基层行达标",
            "Quality service at the grassroots",
            required=False,
            nullable=True,
            choices=QUALITY_SERVICE_LEVELS,
            note="township and community-centre rows",
        ),
    ),
    key=("facility_id", "year"),
    references=(Reference("county_id", "county_year", "county_id"),),
    ordered=(
        Ordered("surgeries_grade34", "surgeries"),
        Ordered("referrals_down", "discharges"),
        Ordered("medical_revenue", "business_revenue"),
        Ordered("insurance_revenue", "business_revenue"),
        Ordered("business_revenue", "total_revenue"),
        Ordered("fiscal_revenue", "total_revenue"),
        Ordered("staff_spending", "business_spending"),
    ),
    panel="facility_id",
    same_within=(SameWithin("county_id", ("facility_id",), "a facility lies in one county"),),
    sums=(
        SumAtMost(
            REVENUE_PARTS,
            "medical_revenue",
            "drug, consumables, examination and laboratory revenue are parts of medical revenue",
        ),
    ),
    group_has=(
        GroupHas(
            ("community_id", "year"),
            "level",
            "lead_hospital",
            "every medical community has a lead hospital (牵头医院) in each year it appears",
        ),
    ),
)

CRITERIA_YEAR = Table(
    "criteria_year",
    "评判标准",
    "Assessment criteria",
    columns=(
        COUNTY_ID,
        _year(),
        Column("criterion", "enum", "评判标准", "Criterion", choices=CRITERIA, note="seed 004 附1"),
        Column("met", "bool", "是否达到", "Met"),
        Column("evidence", "text", "佐证材料", "Evidence", required=False, nullable=True, note="document or note"),
    ),
    key=("county_id", "year", "criterion"),
    references=(Reference("county_id", "county_year", "county_id"),),
)

CLAIMS = Table(
    "claims",
    "医保结算明细",
    "Insurance claims",
    columns=(
        _id("claim_id", "结算单号", "Claim ID", note="never shown in any output"),
        _id("person_id", "人员编码", "Person ID", note="pseudonymous; never shown in any output"),
        UNIT_ID,
        COUNTY_ID,
        _year(),
        Column("month", "int", "月份", "Month", min=1, max=12),
        Column("setting", "enum", "就诊类型", "Setting", choices=("inpatient", "outpatient")),
        Column(
            "provider_level", "enum", "机构级别", "Provider level", choices=("county", "township", "village", "outside")
        ),
        Column("chronic_group", "int", "慢病病种组", "Chronic group", nullable=True, min=1, max=CHRONIC_GROUPS),
        _money("total_cost", "医疗总费用", "Total cost", note="all payers"),
        _money("fund_paid", "基金支付", "Fund paid"),
        _money("critical_illness_paid", "大病保险支付", "Critical-illness insurance paid"),
        Column(
            "disease_group",
            "text",
            "病组",
            "Disease group",
            required=False,
            nullable=True,
            note="inpatient disease group (病组 / DIP code) for points-based payment",
        ),
        _count(
            "bed_days", "住院床日数", "Bed days", required=False, nullable=True, note="length of stay (bed-day payment)"
        ),
    ),
    key=("claim_id",),
    references=(Reference("unit_id", "units", "unit_id"), Reference("county_id", "county_year", "county_id")),
    ordered=(Ordered("fund_paid", "total_cost"), Ordered("critical_illness_paid", "total_cost")),
    large=True,
    use_zh="可替代单元和县的费用、人次汇总列（仅 Parquet）",
)

#: every table of the contract, in load order (targets of references first)
TABLES: dict[str, Table] = {
    t.name: t
    for t in (UNITS, COUNTY_YEAR, UNIT_YEAR, PH_PROCESS, PH_TARGETS, DEATHS, FACILITY_YEAR, CRITERIA_YEAR, CLAIMS)
}

#: aggregate columns a commission may leave out when it brings claims instead (data.md, "claims";
#: toolkit.data.claims derives them). Without a claims table they are required.
DERIVED_FROM_CLAIMS: dict[str, tuple[str, ...]] = {
    "unit_year": ("fund_general", "fund_chronic_outpatient", "total_medical_spending"),
    "county_year": (
        "admissions",
        "admissions_in_county",
        "visits",
        "visits_in_county",
        "visits_primary",
        "fund_spending",
        "fund_in_county",
        "fund_primary",
    ),
}

#: shares that cannot exceed their ceiling (errors) and per-capita bands (warnings), checked on every
#: load by toolkit.data.plausibility, so settle and indicators apply the same rules to the same data
SHARES: tuple[ShareAtMost, ...] = (
    ShareAtMost(
        "village share of the public-health subsidy (seed 000 §3.2)",
        "unit_year",
        "ph_lump_sum",
        "county_year",
        "ph_subsidy_total",
        1.0,
        "the units' lump sums are part of the county's approved subsidy; a share above 100% means one of the "
        "two tables is in another unit (万元 vs 元)",
    ),
)
#: yuan per insured resident per year; China's per-capita medical spending is a few thousand yuan
PER_CAPITA_BANDS: tuple[PerCapitaBand, ...] = (
    PerCapitaBand(
        "unit_year",
        "total_medical_spending",
        "insured_pop",
        50.0,
        50000.0,
        "per-capita medical spending of a unit (yuan per insured resident per year)",
    ),
)

#: columns whose values must never appear in any message, log or report
IDENTIFIER_COLUMNS = frozenset({"claim_id", "person_id"})


def get_table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        from toolkit.errors import ToolkitError

        raise ToolkitError(f"unknown table {name!r}; the data contract has: {', '.join(TABLES)}") from None


def column_labels(table: str, language: str = "both") -> dict[str, str]:
    """Column name -> label (``zh``, ``en`` or ``both`` = ``中文 / English``) for one table."""
    return get_table(table).labels(language)


def contract_markdown(tables: Iterable[Table] | None = None) -> str:
    """The contract as a Markdown page (``docs/data_contract.md`` is this text)."""
    kinds = {
        "id": "text (id)",
        "text": "text",
        "enum": "code",
        "int": "integer",
        "money": "yuan",
        "rate": "fraction",
        "number": "number",
        "bool": "true/false",
    }
    out = [
        "# Data contract (generated from `toolkit/data/contract.py`; do not edit by hand)",
        "",
        'Regenerate with `python -c "from toolkit.data.contract import contract_markdown; '
        "print(contract_markdown(), end='')\" > docs/data_contract.md`. Source: "
        "`shared/domain/data.md`; how files are read and checked: see the end of this page.",
        "",
    ]
    for t in tables or TABLES.values():
        out += [f"## {t.name} — {t.label_zh} / {t.label_en}", ""]
        out.append(
            f"Key: ({', '.join(t.key)})"
            + (" — schema checked on load; values by `validate_claims` (DuckDB, streaming)" if t.large else "")
        )
        out += [
            "",
            "| column | 中文 | English | type | dtype | required | empty allowed | allowed values |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for c in t.columns:
            rng = c.range_text() + (f" ({c.note})" if c.note else "")
            out.append(
                f"| {c.name} | {c.label_zh} | {c.label_en} | {kinds[c.kind]} | {c.dtype} | "
                f"{'yes' if c.required else 'no'} | {'yes' if c.nullable else 'no'} | {rng} |"
            )
        rules = []
        rules += [f"`{r.column}` must appear in `{r.target}.{r.target_column}`" for r in t.references]
        rules += [f"`{o.smaller}` ≤ `{o.larger}`" for o in t.ordered]
        rules += [
            f"`{e.column}` when `{e.when_column}` is {', '.join(e.when_values)}: "
            f"{'≥ ' + _num(e.min) if e.max is None else f'between {_num(e.min)} and {_num(e.max)}'} ({e.why})"
            for e in t.range_exceptions
        ]
        rules += [f"`{s.column}` the same within each ({', '.join(s.by)}): {s.why}" for s in t.same_within]
        rules += [f"{' + '.join(f'`{p}`' for p in r.parts)} ≤ `{r.total}` ({r.why})" for r in t.sums]
        rules += [f"each ({', '.join(g.by)}) has a row with `{g.column}` = `{g.value}` ({g.why})" for g in t.group_has]
        rules += [f"`{p.column}` > 0 where any of {', '.join(p.when)} > 0: {p.why}" for p in t.positive_when]
        rules += [
            f"Σ `{s.part_column}` of a county-year's units ≤ {_num(s.at_most * 100)}% of "
            f"`{s.whole_table}.{s.whole_column}` ({s.name}; {s.why})"
            for s in SHARES
            if s.part_table == t.name
        ]
        rules += [
            f"warning when `{b.numerator}` / `{b.denominator}` is outside {_num(b.low)}–{_num(b.high)} ({b.why})"
            for b in PER_CAPITA_BANDS
            if b.table == t.name
        ]
        if t.panel:
            rules.append(f"no missing year between a `{t.panel}`'s first and last year")
        rules += [k.expected for k in t.key_conflicts]
        if t.name in DERIVED_FROM_CLAIMS:
            rules.append(
                "when the dataset has a claims table, these columns may be left out (derived from "
                "claims): " + ", ".join(f"`{c}`" for c in DERIVED_FROM_CLAIMS[t.name])
            )
        if rules:
            out += ["", "Rules: " + "; ".join(rules) + "."]
        out.append("")
    out += [
        "## Files and checks",
        "",
        "* A dataset is a folder. Each table is `<table>.csv`, `<table>.xlsx` (first sheet, or a sheet "
        "named after the table), `<table>.parquet`, or a sheet named after the table in any other "
        "`.xlsx` workbook of the folder. `claims` may also be a folder `claims/` of Parquet files.",
        "* CSV: UTF-8, UTF-8 with BOM, or GB18030/GBK (detected). Numbers may carry thousands "
        "separators (`1,234`). Empty cells and `NA`, `N/A`, `NaN`, `null`, `None`, `#N/A`, `-` are empty.",
        "* Excel: a title row above the header is skipped (the header is the first row holding the "
        "table's column names); merged header cells are an error. Headers may use the Chinese labels.",
        "* Extra columns are kept. Every violation of a table is reported at once: table, data row "
        "numbers (1-based, header excluded), column, value and what was expected.",
        '* `claim_id` and `person_id` values never appear in any message ("value withheld (identifier)").',
        "* Rows are counted as a spreadsheet shows the file: row 1 is the first row under the header; a "
        "quoted value spanning two lines is one row; blank rows are skipped but counted.",
        "* At most 50 problems are listed per check; the rows of the rest are gathered in one more problem.",
        f"* Plausibility bounds: every money cell ≤ {MONEY_MAX:.0e} yuan, every count ≤ {COUNT_MAX:.0e} "
        "(so int64 fen sums cannot overflow); text cells hold no control characters; a table file "
        "must be a regular readable file (not a link to nothing, a folder, a FIFO or a device).",
        "",
        "## Use",
        "",
        "```",
        "python -m toolkit validate data/sample                 # every table present; exit 0, or 2 with the problems",
        "python -m toolkit validate DIR --tables units,unit_year --require county_year",
        "python -m toolkit validate DIR --schema-only-claims    # skip the claims value scan",
        "```",
        "",
        "```python",
        "from toolkit.data.load import load_dataset, load_table, validate_claims",
        'ds = load_dataset("data/sample", tables=None, require=())  # raises ValidationError',
        'ds.tables["unit_year"]; ds.files["claims"]; ds.data_hash; ds.validate_claims()',
        'frame = load_table("unit_year.xlsx", "unit_year")     # one table, no cross-table checks',
        "```",
        "",
    ]
    return "\n".join(out)
