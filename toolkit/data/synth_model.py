"""The synthetic province's structure and its noise-free (expected-value) outcome model.

Everything the synthetic tables are drawn from lives here as arrays over (county, year) or
(unit, year): populations, the untreated ("counterfactual") expected outcomes, and the reform
effects. :mod:`toolkit.data.synth_truth` reads the same arrays to write the true effects, so the
truth is exact by construction (no noise enters it).

Where the magnitudes come from (orders of magnitude, not estimates):

* Suixi (seed 000 §1 / "county profile"): 918,000 permanent residents, 11 townships, 232 health
  management units, 2 medical communities; reform from 2017 (seed 000 §4.1: "savings for 7
  consecutive years since 2017").
* Seed 000 §4.1: township/county-hospital pay ratio 99.16% in 2023; village doctors' average
  subsidy 41,000 yuan (2017) → 66,000 yuan (2023). C01 reproduces these three figures exactly.
* China Health Statistics Yearbook (national orders of magnitude, 2012–2023): inpatient admission
  rate of residents ~15–20 per 100; outpatient visits ~5–8 per person a year; resident-insurance
  fund spending roughly doubling over 2012–2024 (≈6% a year); SDG 3.4.1 premature NCD mortality
  (four causes, ages 30–69) falling from ~18.5% (2015) toward ~15% (2023).
* Basic public-health subsidy per resident: the national standard (25 yuan in 2012 rising to 94
  in 2024, annual MOF/NHC notices); rules.md §5: at least 48% goes to the village level.
* rules.md §7 / seed 004: in-county admission share, in-county visit share, primary visit share
  (Zhejiang targets 90% / 65%, seed 001).

Parallel trends hold exactly at the cohort level: every county has its own linear trend, but the
deviations are demeaned within each adoption cohort, so the cohort-average untreated paths differ
only by a constant. Effects grow with time since adoption and differ by cohort (the pilot cohort's
are largest), which is what biases a static two-way fixed-effects estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# --- fixed lists ---------------------------------------------------------------------------------

#: Suixi's 11 towns (seed 000: "濉溪县下辖11个乡镇").
SUIXI_TOWNSHIPS = [
    "濉溪镇",
    "韩村镇",
    "刘桥镇",
    "五沟镇",
    "临涣镇",
    "孙疃镇",
    "铁佛镇",
    "南坪镇",
    "百善镇",
    "四铺镇",
    "双堆集镇",
]
SUIXI_UNITS = 232
SUIXI_COMMUNITIES = 2
SUIXI_POPULATION_2023 = 918_000
SUIXI_INSURED_SHARE = 0.85
SUIXI_PAY_RATIO_2023 = 0.9916
SUIXI_VILLAGE_SUBSIDY = {2017: 41_000.0, 2023: 66_000.0}

#: the ten heavenly stems and twelve earthly branches: their 60-year cycle (甲子, 乙丑, …) names the
#: synthetic counties — clearly fictional, never a real county's name
HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
CHINESE_NUMERALS = "一二三四五六七八九十"
#: the county the synthetic C01 is modelled on (its size, townships, units and rules: seed 000)
MODELLED_ON = {"C01": "濉溪县"}

#: syllables for generated place names ("X县", "X镇")
SYLLABLES = list("安平宁和丰阳泰兴华昌东西南北山河青石林川长永定广德福庆嘉云秀明清远新城义乐寿")

#: adoption cohorts as shares of a 60-county province: pilot 2017, main 2019, late 2023, never
COHORT_SHARES = [(2017, 8), (2019, 20), (2023, 12), (0, 20)]

#: national basic public-health subsidy standard, yuan per resident and year
PH_SUBSIDY_PER_RESIDENT = {
    2012: 25,
    2013: 30,
    2014: 35,
    2015: 40,
    2016: 45,
    2017: 50,
    2018: 55,
    2019: 69,
    2020: 74,
    2021: 79,
    2022: 84,
    2023: 89,
    2024: 94,
}

#: age bands of the deaths table; the eight 30–69 bands enter SDG 3.4.1
AGE_BANDS = ["0-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64", "65-69", "70+"]
PREMATURE_BANDS = AGE_BANDS[1:9]
AGE_SHARES = np.array([0.36, 0.07, 0.065, 0.07, 0.08, 0.08, 0.07, 0.06, 0.05, 0.095])
MALE_SHARE = 0.51
CAUSES = ["cvd", "cancer", "diabetes", "crd", "other"]
NCD_CAUSES = CAUSES[:4]
NCD_CAUSE_SPLIT = np.array([0.45, 0.42, 0.05, 0.08])
#: four-cause death rate per person-year by band (both sexes, before calibration)
NCD_RATE_SHAPE = np.array([0.00008, 0.0004, 0.0006, 0.0011, 0.0019, 0.0033, 0.0055, 0.0090, 0.0150, 0.035])
OTHER_RATE = np.array([0.0005, 0.0006, 0.0006, 0.0007, 0.0008, 0.0010, 0.0013, 0.0018, 0.0026, 0.012])
SEX_RATE_RATIO = {"male": 1.35, "female": 0.64}
#: target SDG 3.4.1 probability (both sexes) of an average county in the first year
PREMATURE_TARGET_FIRST_YEAR = 0.183

#: effect scale by cohort (pilot counties gain most)
EFFECT_SCALE = {2017: 1.5, 2019: 1.0, 2023: 0.8}
#: fund effect: log reduction alpha + beta * event_time, by cohort
FUND_EFFECT = {2017: (0.15, 0.075), 2019: (0.13, 0.07), 2023: (0.12, 0.07)}
FUND_GROWTH = np.log(1.06)


def premature_probability(rates: np.ndarray) -> np.ndarray:
    """SDG 3.4.1: 1 − Π(1 − 5q_x) over the eight bands (last axis), 5q_x = 5m/(1 + 2.5m)."""
    q = 5 * rates / (1 + 2.5 * rates)
    return 1 - np.prod(1 - q, axis=-1)


def _ncd_calibration() -> float:
    """Factor on NCD_RATE_SHAPE so the both-sex probability of an average county hits the target."""

    def prob(f: float) -> float:
        both = (
            (MALE_SHARE * SEX_RATE_RATIO["male"] + (1 - MALE_SHARE) * SEX_RATE_RATIO["female"])
            * f
            * NCD_RATE_SHAPE[1:9]
        )
        return float(premature_probability(both))

    lo, hi = 0.1, 10.0
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if prob(mid) < PREMATURE_TARGET_FIRST_YEAR else (lo, mid)
    return (lo + hi) / 2


NCD_CALIBRATION = _ncd_calibration()


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    """One independent random stream per component, so components do not shift each other."""
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights; parts add up to the total exactly."""
    weights = np.asarray(weights, dtype=float)
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    short = int(total - base.sum())
    if short:
        order = np.lexsort((np.arange(len(raw)), -(raw - base)))
        base[order[:short]] += 1
    return base


def cohort_sizes(n_counties: int) -> list[tuple[int, int]]:
    """How many counties adopt in each cohort: 8/20/12/20 of 60 scaled, ≥2 per group when n ≥ 8."""
    years = [g for g, _ in COHORT_SHARES]
    counts = largest_remainder(n_counties, np.array([s for _, s in COHORT_SHARES], dtype=float))
    minimum = 2 if n_counties >= 8 else (1 if n_counties >= 4 else 0)
    counts[0] = max(counts[0], 1)  # C01 is in the pilot cohort
    for i in range(len(counts)):
        while counts[i] < minimum:
            donor = int(np.argmax(counts))
            counts[donor] -= 1
            counts[i] += 1
    while counts.sum() > n_counties:  # only when n is tiny
        counts[int(np.argmax(counts[1:])) + 1] -= 1
    return list(zip(years, counts.tolist()))


@dataclass
class Province:
    """Structure plus expected values. Arrays are indexed [county, year] or [unit, year]."""

    seed: int
    years: np.ndarray
    county_ids: list[str]
    county_names: list[str]
    reform_year: np.ndarray  # 0 = never
    scale: float  # population scale (1 unless claims shrink the province)
    population: np.ndarray  # [c, t] resident population
    insured: np.ndarray  # [c, t]
    units: dict = field(default_factory=dict)  # column -> list/array for the units table
    unit_county: np.ndarray = None  # [u] county index
    unit_insured: np.ndarray = None  # [u, t]
    unit_chronic: np.ndarray = None  # [u, t]
    unit_general_factor: np.ndarray = None  # [u, t] normalised within county-year (insured weights)
    unit_chronic_factor: np.ndarray = None  # [u, t] normalised within county-year (chronic weights)
    expected: dict = field(default_factory=dict)  # name -> [c, t]

    @property
    def event_time(self) -> np.ndarray:
        """t − g for reformed counties, NaN where never reformed."""
        g = self.reform_year.astype(float)
        g[g == 0] = np.nan
        return self.years[None, :] - g[:, None]

    @property
    def treated(self) -> np.ndarray:
        e = self.event_time
        return np.nan_to_num(e, nan=-1) >= 0


def _numeral(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一 (n < 100)."""
    tens, ones = divmod(n, 10)
    return (
        (CHINESE_NUMERALS[tens - 1] if tens > 1 else "")
        + ("十" if tens else "")
        + (CHINESE_NUMERALS[ones - 1] if ones else "")
    )


def fictional_county_stems(n: int) -> list[str]:
    """``n`` fictional county name stems: the sexagenary cycle 甲子, 乙丑, …, 癸亥, then 甲子二, … ."""
    stems = []
    for i in range(n):
        cycle = HEAVENLY_STEMS[i % 10] + EARTHLY_BRANCHES[i % 12]
        stems.append(cycle + (_numeral(i // 60 + 1) if i >= 60 else ""))
    return stems


def fictional_town_names(county_stem: str, n: int) -> list[str]:
    """``n`` fictional township names of a county: 甲子一镇, 甲子二镇, … ."""
    return [f"{county_stem}{_numeral(k + 1)}镇" for k in range(n)]


def community_name(county_name: str, k: int) -> str:
    """The name of a county's ``k``-th medical community (0-based), after its lead hospital, as the
    facility table names them: 甲子县人民医院医共体, 甲子县中医医院医共体, then 甲子县第3医共体, … ."""
    lead = ("人民医院", "中医医院")
    return f"{county_name}{lead[k]}医共体" if k < len(lead) else f"{county_name}第{k + 1}医共体"


def _place_names(rng: np.random.Generator, n: int, suffix: str, taken: set[str]) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        a, b = rng.choice(len(SYLLABLES), size=2, replace=False)
        name = SYLLABLES[a] + SYLLABLES[b] + suffix
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _demean_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    out = values.copy()
    for g in np.unique(groups):
        mask = groups == g
        out[mask] -= out[mask].mean()
    return out


def build_province(
    seed: int, n_counties: int, years: tuple[int, int], units_per_county: tuple[int, int], scale: float = 1.0
) -> Province:
    """Draw the structure and the expected-value paths of every outcome."""
    if n_counties < 1:
        raise ValueError("n_counties must be at least 1")
    yrs = np.arange(years[0], years[1] + 1)
    n_t = len(yrs)
    t0 = yrs - yrs[0]
    width = max(2, len(str(n_counties)))
    county_ids = [f"C{i + 1:0{width}d}" for i in range(n_counties)]

    # --- names and cohorts
    rng = rng_for(seed, 1)
    # drawn and discarded: the random stream behind every later number of the province stays fixed
    _place_names(rng, n_counties - 1, "县", {"濉溪县"})
    stems = fictional_county_stems(n_counties)
    county_names = [f"{stem}县" for stem in stems]
    sizes = cohort_sizes(n_counties)
    labels = np.concatenate([[g] * k for g, k in sizes]).astype(np.int64)
    # C01 takes a pilot slot; the other counties are shuffled over the remaining slots
    rest = labels[1:].copy()
    rng.shuffle(rest)
    reform_year = np.concatenate([[labels[0]], rest]).astype(np.int64)
    # drop cohorts outside the year range (a pilot in 2017 needs years to include 2017)
    reform_year[(reform_year != 0) & ((reform_year <= yrs[0]) | (reform_year > yrs[-1]))] = 0

    # --- populations
    rng = rng_for(seed, 2)
    pop_base = rng.uniform(200_000, 1_200_000, n_counties)
    pop_growth = rng.uniform(-0.008, 0.004, n_counties)
    ins_share = rng.uniform(0.82, 0.92, n_counties)
    ins_drift = rng.uniform(-0.002, 0.003, n_counties)
    pop_growth[0] = -0.003
    ref = 2023 if yrs[0] <= 2023 <= yrs[-1] else yrs[-1]
    pop_base[0] = SUIXI_POPULATION_2023 / (1 + pop_growth[0]) ** (ref - yrs[0])
    ins_share[0] = SUIXI_INSURED_SHARE
    ins_drift[0] = 0.0
    population = np.rint(scale * pop_base[:, None] * (1 + pop_growth[:, None]) ** t0[None, :]).astype(np.int64)
    share = np.clip(
        ins_share[:, None] + ins_drift[:, None] * (t0[None, :] - (ref - yrs[0])) * (np.arange(n_counties) > 0)[:, None],
        0.7,
        0.97,
    )
    insured_target = np.rint(population * share).astype(np.int64)

    # --- units
    rng = rng_for(seed, 3)
    columns = ["unit_id", "unit_name", "county_id", "township_id", "township_name", "community_id", "community_name"]
    unit_rows: dict[str, list] = {k: [] for k in columns}
    unit_county: list[int] = []
    weights: list[float] = []
    for c, cid in enumerate(county_ids):
        if c == 0:
            n_units, n_town, n_comm = SUIXI_UNITS, len(SUIXI_TOWNSHIPS), SUIXI_COMMUNITIES
        else:
            n_units = int(rng.integers(units_per_county[0], units_per_county[1] + 1))
            n_town = int(min(n_units, rng.integers(1, 4)))
            n_comm = 1
            _place_names(rng, n_town, "镇", set(SUIXI_TOWNSHIPS))  # drawn and discarded, as above
        town_names = fictional_town_names(stems[c], n_town)
        # every township gets ≥1 unit; townships are nested in communities
        per_town = largest_remainder(n_units - n_town, rng.uniform(0.7, 1.3, n_town)) + 1
        town_comm = np.minimum(np.arange(n_town) * n_comm // n_town, n_comm - 1)
        k = 0
        for tw in range(n_town):
            for j in range(per_town[tw]):
                k += 1
                unit_rows["unit_id"].append(f"{cid}-U{k:03d}")
                unit_rows["unit_name"].append(f"{county_names[c]}{town_names[tw]}第{j + 1}健康管理单元")
                unit_rows["county_id"].append(cid)
                unit_rows["township_id"].append(f"{cid}-T{tw + 1:02d}")
                unit_rows["township_name"].append(town_names[tw])
                unit_rows["community_id"].append(f"{cid}-M{town_comm[tw] + 1}")
                unit_rows["community_name"].append(community_name(county_names[c], int(town_comm[tw])))
                unit_county.append(c)
                weights.append(rng.gamma(20.0, 1 / 20.0))
    unit_county_arr = np.array(unit_county)
    n_u = len(unit_county_arr)
    weights_arr = np.array(weights)
    # insured by unit: county total split by slowly drifting weights, exact sums
    drift = rng.normal(0, 0.004, n_u)
    unit_insured = np.zeros((n_u, n_t), dtype=np.int64)
    min_unit = 2  # a scaled-down claims province keeps at least two people per unit
    for c in range(n_counties):
        idx = np.flatnonzero(unit_county_arr == c)
        for j in range(n_t):
            w = weights_arr[idx] * np.exp(drift[idx] * t0[j])
            total = max(int(insured_target[c, j]), min_unit * len(idx))
            unit_insured[idx, j] = largest_remainder(total - min_unit * len(idx), w) + min_unit
    insured = np.zeros((n_counties, n_t), dtype=np.int64)
    np.add.at(insured, unit_county_arr, unit_insured)
    population = np.maximum(population, np.ceil(insured / 0.97).astype(np.int64))
    chronic_share = rng.uniform(0.10, 0.13, n_u)[:, None] + rng.uniform(0.0, 0.0015, n_u)[:, None] * t0[None, :]
    unit_chronic = np.rint(unit_insured * chronic_share).astype(np.int64)
    gen_factor = rng.lognormal(0, 0.10, n_u)
    chr_factor = rng.lognormal(0, 0.08, n_u)

    def normalise(factor: np.ndarray, weight: np.ndarray) -> np.ndarray:
        num = np.zeros((n_counties, n_t))
        den = np.zeros((n_counties, n_t))
        np.add.at(num, unit_county_arr, factor[:, None] * weight)
        np.add.at(den, unit_county_arr, weight.astype(float))
        return factor[:, None] / np.where(den > 0, num / np.where(den > 0, den, 1), 1)[unit_county_arr]

    prov = Province(
        seed=seed,
        years=yrs,
        county_ids=county_ids,
        county_names=county_names,
        reform_year=reform_year,
        scale=scale,
        population=population,
        insured=insured,
    )
    prov.units = unit_rows
    prov.unit_county = unit_county_arr
    prov.unit_insured = unit_insured
    prov.unit_chronic = unit_chronic
    prov.unit_general_factor = normalise(gen_factor, unit_insured)
    prov.unit_chronic_factor = normalise(chr_factor, unit_chronic)

    _expected_outcomes(prov, rng_for(seed, 4))
    return prov


def _effect_scale(prov: Province) -> np.ndarray:
    return np.array([EFFECT_SCALE.get(int(g), 0.0) for g in prov.reform_year])


def _expected_outcomes(prov: Province, rng: np.random.Generator) -> None:
    n_c, n_t = prov.population.shape
    t0 = (prov.years - prov.years[0])[None, :].astype(float)
    e = prov.event_time
    post = prov.treated
    e0 = np.where(post, e, 0.0)
    scale = _effect_scale(prov)[:, None]
    g = prov.reform_year
    ex = prov.expected

    def trend_dev(sd: float) -> np.ndarray:
        return _demean_within(rng.normal(0, sd, n_c), g)[:, None]

    # hospitalisation: admissions per 100 insured
    base = rng.uniform(15.5, 18.0, n_c)[:, None]
    ex["hosp_rate_cf"] = base + (0.10 + trend_dev(0.06)) * t0
    ex["hosp_rate_effect"] = np.where(post, -scale * (0.8 + 0.3 * e0), 0.0)
    ex["adm_in_share"] = np.clip(
        rng.uniform(0.76, 0.86, n_c)[:, None] + rng.uniform(0.0, 0.004, n_c)[:, None] * t0, 0.75, 0.92
    )
    # visits per insured, shares
    ex["visits_pc"] = rng.uniform(5.2, 6.8, n_c)[:, None] + rng.uniform(0.0, 0.06, n_c)[:, None] * t0
    ex["vis_in_share"] = np.clip(
        rng.uniform(0.86, 0.91, n_c)[:, None] + rng.uniform(0.0, 0.003, n_c)[:, None] * t0, 0.85, 0.95
    )
    ex["vis_primary_share"] = np.clip(
        rng.uniform(0.52, 0.62, n_c)[:, None] + rng.uniform(0.0, 0.005, n_c)[:, None] * t0, 0.5, 0.7
    )
    ex["fund_in_share"] = np.clip(
        rng.uniform(0.68, 0.80, n_c)[:, None] + rng.uniform(0.0, 0.004, n_c)[:, None] * t0, 0.6, 0.9
    )
    ex["fund_primary_share"] = np.clip(
        rng.uniform(0.16, 0.24, n_c)[:, None] + rng.uniform(0.0, 0.003, n_c)[:, None] * t0, 0.1, 0.35
    )
    ex["total_to_fund"] = rng.uniform(1.5, 1.7, n_c)[:, None] + 0 * t0

    # fund per insured: general and chronic outpatient, growing ~6%/yr untreated
    growth = np.exp((FUND_GROWTH + trend_dev(0.004)) * t0)
    ex["pc_general_cf"] = rng.uniform(560, 700, n_c)[:, None] * growth
    ex["pc_chronic_cf"] = rng.uniform(650, 800, n_c)[:, None] * growth  # per chronic person
    alpha = np.array([FUND_EFFECT.get(int(x), (0.0, 0.0))[0] for x in g])[:, None]
    beta = np.array([FUND_EFFECT.get(int(x), (0.0, 0.0))[1] for x in g])[:, None]
    ex["fund_multiplier"] = np.where(post, np.exp(-(alpha + beta * e0)), 1.0)

    # pay ratio township / lead hospital (per staff)
    dev = trend_dev(0.0012)
    ratio_base = rng.uniform(0.62, 0.72, n_c)[:, None]
    ex["pay_ratio_effect"] = np.where(post, scale * (0.02 + 0.02 * np.minimum(e0, 5)), 0.0)
    years = prov.years
    if 2023 in years and g[0] == 2017:
        j = int(np.flatnonzero(years == 2023)[0])
        # C01 hits the seed's 99.16% in 2023 exactly in expectation (seed 000 §4.1)
        ratio_base[0] = SUIXI_PAY_RATIO_2023 - ex["pay_ratio_effect"][0, j] - (0.004 + dev[0, 0]) * t0[0, j]
    ex["pay_ratio_cf"] = ratio_base + (0.004 + dev) * t0
    ex["lead_pay"] = rng.uniform(55_000, 70_000, n_c)[:, None] * 1.07**t0
    ex["lead_staff_per_1000"] = rng.uniform(1.2, 1.8, n_c)[:, None] * 1.02**t0
    ex["township_staff_per_1000"] = rng.uniform(0.9, 1.4, n_c)[:, None] * 1.01**t0
    ex["village_doctors_per_1000"] = rng.uniform(0.8, 1.1, n_c)[:, None] * 0.99**t0
    subsidy = rng.uniform(36_000, 42_000, n_c)[:, None] * (1 + rng.uniform(0.03, 0.042, n_c)[:, None]) ** t0
    if g[0] == 2017 and 2017 in years:
        # C01: 3%/yr up to 41,000 in 2017, then geometric to 66,000 in 2023 (seed 000 §4.1)
        growth_after = (SUIXI_VILLAGE_SUBSIDY[2023] / SUIXI_VILLAGE_SUBSIDY[2017]) ** (1 / 6)
        subsidy[0] = np.where(
            years < 2017,
            SUIXI_VILLAGE_SUBSIDY[2017] * 1.03 ** (years - 2017),
            SUIXI_VILLAGE_SUBSIDY[2017]
            * growth_after ** (np.minimum(years, 2023) - 2017)
            * 1.03 ** np.maximum(years - 2023, 0),
        )
    ex["village_subsidy_per_doctor"] = subsidy

    # public-health subsidy and the village share of it (rules.md §5: ≥ 48%)
    per_res = np.array([PH_SUBSIDY_PER_RESIDENT.get(int(y), 94 + 5 * (int(y) - 2024)) for y in years], dtype=float)
    ex["ph_subsidy_per_resident"] = np.broadcast_to(per_res[None, :], (n_c, n_t)).copy()
    village_share = rng.uniform(0.50, 0.56, (n_c, n_t))
    n_cells = n_c * n_t
    n_bad = max(1, round(0.02 * n_cells)) if n_cells >= 10 else 0
    bad = rng.choice(n_cells, size=n_bad, replace=False) if n_bad else np.array([], dtype=int)
    village_share.flat[bad] = rng.uniform(0.43, 0.47, n_bad)
    ex["ph_village_share"] = village_share

    # premature mortality: NCD rate multiplier (untreated) and proportional reduction
    level = rng.uniform(0.93, 1.07, n_c)[:, None]
    ex["ncd_multiplier_cf"] = level * np.exp((-0.016 + trend_dev(0.003)) * t0)
    ex["ncd_reduction"] = np.where(post, scale * (0.015 + 0.008 * e0), 0.0)
    ex["other_multiplier"] = rng.uniform(0.9, 1.1, n_c)[:, None] * np.exp(-0.01 * t0)


def band_population(prov: Province) -> np.ndarray:
    """Mid-year population [c, t, sex(male, female), band]; bands add up to the county population."""
    n_c, n_t = prov.population.shape
    out = np.zeros((n_c, n_t, 2, len(AGE_BANDS)), dtype=np.int64)
    sex_band = np.concatenate([MALE_SHARE * AGE_SHARES, (1 - MALE_SHARE) * AGE_SHARES])
    for c in range(n_c):
        for j in range(n_t):
            # the population ages slowly: older bands gain 0.4% a year relative to the young
            w = sex_band * np.tile(1.004 ** (np.arange(len(AGE_BANDS)) * (prov.years[j] - prov.years[0])), 2)
            out[c, j] = largest_remainder(int(prov.population[c, j]), w).reshape(2, len(AGE_BANDS))
    return out


def death_rates(prov: Province, treated: bool) -> np.ndarray:
    """Expected death rates [c, t, sex, band, cause] with or without the reform effect."""
    ncd = NCD_CALIBRATION * NCD_RATE_SHAPE
    mult = prov.expected["ncd_multiplier_cf"]
    if treated:
        mult = mult * (1 - prov.expected["ncd_reduction"])
    sex = np.array([SEX_RATE_RATIO["male"], SEX_RATE_RATIO["female"]])
    ncd_rates = (
        mult[:, :, None, None, None] * sex[None, None, :, None, None] * ncd[None, None, None, :, None] * NCD_CAUSE_SPLIT
    )
    other = (
        prov.expected["other_multiplier"][:, :, None, None, None]
        * sex[None, None, :, None, None]
        * OTHER_RATE[None, None, None, :, None]
    )
    return np.concatenate([ncd_rates, other], axis=-1)


def expected_premature(prov: Province, pops: np.ndarray, treated: bool) -> np.ndarray:
    """Expected SDG 3.4.1 probability [c, t] (both sexes) from expected deaths over band populations."""
    rates = death_rates(prov, treated)
    deaths = (rates[..., :4].sum(axis=-1) * pops).sum(axis=2)  # [c, t, band]
    pop_all = pops.sum(axis=2)
    m = deaths / np.maximum(pop_all, 1)
    return premature_probability(m[..., 1:9])
