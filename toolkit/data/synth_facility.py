"""The synthetic province's contract extension: ``facility_year``, the optional ``county_year``
columns and ``criteria_year`` (data.md "Contract extension"; seed 004 附1–附2, rules.md §9–10).

Each medical community has one lead hospital (牵头医院); each township of the units table has one
township health centre in the township's community; each county has one community health service
centre (in its first community) and one county maternal-and-child hospital outside any community.
Village clinics are not written (their finances are not in the county financial annual report).

Magnitudes (orders of magnitude, not estimates; China Health Statistics Yearbook 2013–2023 and
the national health financial annual report, county level):

* county hospitals: about 1.3 beds per 1,000 residents at the lead hospitals, occupancy 85–100%,
  average length of stay about 8.5 days falling slowly; surgeries about 30% of discharges, grade
  III–IV about 35–55% of them; medical revenue ≈ 12,000 yuan per discharge (2012) growing ~5% a
  year; drugs ≈ 32% of medical revenue falling after the 2017 zero-markup reform, consumables
  17%, examinations 10%, laboratory 9% (so the service share is about 30%); insurance about 60%
  of medical revenue; fiscal subsidy about 8% of total revenue; staff spending 33–40% of business
  spending.
* township health centres: about 1.1 beds per 1,000 residents, occupancy 50–70%, drugs ≈ 45% of
  medical revenue, fiscal subsidy about 35% of total revenue.
* general practitioners: 1.5 per 10,000 residents (2012) rising to ≈ 3.5 (2023; national 3.28 in
  2021, target 3.93 for 2025), most at township centres.
* "优质服务基层行" (from 2019): basic and recommended standard reached by a growing share.
* county_year: registered chronic (hypertension + diabetes) patients ≈ 9–11% of residents, 60–80%
  of them managed at primary level; public-health performance score 78–98; family-doctor
  contracting 12% (2012) rising to ≈ 45% (seed 001's 50% target), key population ≈ 36% of
  residents; renewal 75–92% of contracts due; rural per-capita disposable income 8,389 yuan (2012)
  → 21,691 yuan (2023, National Bureau of Statistics), ≈ 9% a year; medical price index change
  0.5–3% a year.
* criteria_year: criteria 1–8 of seed 004 附1, met more often after the reform; criteria 9–10
  are left to the toolkit to derive from the settlement, except county C01, which gives criterion
  10 with its evidence (a given row overrides the derived one).

Reformed counties get better values after their reform (the same treated flag as every other
table); every draw comes from its own random stream, so the older tables are unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.data.synth_model import Province, rng_for
from toolkit.data.synth_tables import fen, fixed

#: rural residents' per-capita disposable income, yuan (National Bureau of Statistics)
RURAL_INCOME_2012 = 8_389.0
RURAL_INCOME_GROWTH = (21_691.0 / 8_389.0) ** (1 / 11)

#: criteria the synthetic commissions report themselves (9 and 10 are derived from the settlement)
GIVEN_CRITERIA = (
    "government_led",
    "community_decides",
    "effective_assessment",
    "staff_mobility",
    "unified_finance",
    "unified_drugs",
    "orderly_referral",
    "information_sharing",
)

FACILITY_MONEY = [
    "medical_revenue",
    "drug_revenue",
    "consumables_revenue",
    "exam_revenue",
    "lab_revenue",
    "total_revenue",
    "business_revenue",
    "insurance_revenue",
    "fiscal_revenue",
    "staff_spending",
    "business_spending",
]


def _town_names(prov: Province) -> dict[str, tuple[str, str]]:
    """township_id -> (town name, community_id), read off the units table's names."""
    out: dict[str, tuple[str, str]] = {}
    county_name = dict(zip(prov.county_ids, prov.county_names))
    for name, cid, tid, mid in zip(
        prov.units["unit_name"], prov.units["county_id"], prov.units["township_id"], prov.units["community_id"]
    ):
        if tid not in out:
            town = name[len(county_name[cid]) :].split("第")[0]
            out[tid] = (town, mid)
    return out


def _facilities(prov: Province) -> list[dict]:
    """Facility rows: id, name, county index, community, level, size weight within its tier."""
    towns = _town_names(prov)
    rows = []
    for c, (cid, cname) in enumerate(zip(prov.county_ids, prov.county_names)):
        comms = sorted({m for m, k in zip(prov.units["community_id"], prov.units["county_id"]) if k == cid})
        for i, m in enumerate(comms):
            name = f"{cname}人民医院" if i == 0 else f"{cname}中医医院"
            rows.append(dict(id=f"{cid}-H{i + 1}", name=name, c=c, comm=m, level="lead_hospital"))
        rows.append(dict(id=f"{cid}-K1", name=f"{cname}妇幼保健院", c=c, comm=None, level="county_other"))
        rows.append(
            dict(id=f"{cid}-S1", name=f"{cname}城关社区卫生服务中心", c=c, comm=comms[0], level="community_centre")
        )
        for tid in sorted(t for t in towns if t.startswith(f"{cid}-")):
            town, m = towns[tid]
            rows.append(dict(id=f"{cid}-W{tid.rsplit('T', 1)[1]}", name=f"{town}卫生院", c=c, comm=m, level="township"))
    return rows


def _share(rng: np.random.Generator, n: int) -> np.ndarray:
    w = rng.uniform(0.6, 1.4, n)
    return w / w.sum()


def facility_year_table(prov: Province) -> pd.DataFrame:
    """One row per facility and year (data.md facility_year); money in fen, written with 2 decimals."""
    rng = rng_for(prov.seed, 20)
    fac = _facilities(prov)
    years = prov.years
    n_t = len(years)
    t0 = (years - years[0]).astype(float)
    treated = prov.treated
    pop = prov.population.astype(float)
    # size of each facility within its county and tier (lead: the first community's is larger)
    weight = np.ones(len(fac))
    for c in range(len(prov.county_ids)):
        for level in ("lead_hospital", "township"):
            idx = [i for i, f in enumerate(fac) if f["c"] == c and f["level"] == level]
            weight[idx] = _share(rng, len(idx)) if level == "township" else np.linspace(1.5, 1.0, len(idx))
            weight[idx] /= weight[idx].sum()
    cols: dict[str, list] = {k: [] for k in ["facility_id", "year", "facility_name", "county_id", "community_id"]}
    values: dict[str, list] = {}

    def put(name, v):
        values.setdefault(name, []).append(v)

    for i, f in enumerate(fac):
        c, level = f["c"], f["level"]
        post = treated[c]
        hospital = level in ("lead_hospital", "county_other")
        per_1000 = {"lead_hospital": 1.3, "county_other": 0.25, "township": 1.1, "community_centre": 0.12}[level]
        w = weight[i] if level in ("lead_hospital", "township") else 1.0
        beds = np.maximum(np.rint(pop[c] / 1000 * per_1000 * w * 1.02**t0 * rng.uniform(0.9, 1.1)), 10).astype(int)
        occupancy = rng.uniform(0.86, 1.0, n_t) if hospital else rng.uniform(0.5, 0.65, n_t) + np.where(post, 0.06, 0.0)
        available = beds * 365
        occupied = np.rint(available * occupancy).astype(int)
        alos = (8.6 - 0.08 * t0 - np.where(post, 0.3, 0.0)) if hospital else (6.6 - 0.03 * t0)
        alos = alos * rng.uniform(0.95, 1.05, n_t)
        discharges = np.maximum(np.rint(occupied / alos).astype(int), 1)
        discharge_days = np.rint(occupied * rng.uniform(0.96, 1.0, n_t)).astype(int)
        surg_share = 0.30 if hospital else 0.05
        surgeries = rng.binomial(discharges, surg_share)
        g34 = (0.36 + 0.008 * t0 + np.where(post, 0.06, 0.0)) if level == "lead_hospital" else np.full(n_t, 0.03)
        grade34 = rng.binomial(surgeries, np.clip(g34, 0, 0.9))
        down = (0.010 + np.where(post, 0.015, 0.0)) if level == "lead_hospital" else np.full(n_t, 0.001)
        referrals = rng.binomial(discharges, down)
        per_discharge = (12_000.0 if hospital else 2_600.0) * 1.05**t0 / (0.62 if hospital else 0.45)
        medical = fen(discharges * per_discharge * rng.uniform(0.95, 1.05, n_t))
        after_2017 = (years >= 2017).astype(float)
        drug = 0.34 - 0.04 * after_2017 - 0.003 * t0 if hospital else 0.47 - 0.003 * t0
        shares = {
            "drug_revenue": drug - np.where(post, 0.02, 0.0),
            "consumables_revenue": np.full(n_t, 0.17 if hospital else 0.08),
            "exam_revenue": np.full(n_t, 0.10 if hospital else 0.06),
            "lab_revenue": np.full(n_t, 0.09 if hospital else 0.06),
        }
        parts = {k: np.floor(medical * s * rng.uniform(0.95, 1.05, n_t)).astype(np.int64) for k, s in shares.items()}
        business = np.rint(medical * rng.uniform(1.01, 1.04, n_t)).astype(np.int64)
        fiscal_share = rng.uniform(0.06, 0.10, n_t) if hospital else rng.uniform(0.30, 0.40, n_t)
        total = np.rint(business / (1 - fiscal_share - 0.01)).astype(np.int64)
        fiscal = np.rint(total * fiscal_share).astype(np.int64)
        insurance = np.rint(medical * (rng.uniform(0.55, 0.65, n_t) + np.where(post, 0.03, 0.0))).astype(np.int64)
        spending = np.rint(total * rng.uniform(0.93, 0.99, n_t)).astype(np.int64)
        staff_share = 0.33 + 0.004 * t0 + np.where(post, 0.02, 0.0) + rng.uniform(-0.01, 0.01, n_t)
        staff = np.rint(spending * staff_share).astype(np.int64)
        gp_per_10k = 1.5 + 0.18 * t0 + np.where(post, 0.3, 0.0)
        gp_part = {"lead_hospital": 0.08, "county_other": 0.02, "township": 0.82, "community_centre": 0.08}[level]
        gps = rng.poisson(pop[c] / 10_000 * gp_per_10k * gp_part * w)
        for j in range(n_t):
            cols["facility_id"].append(f["id"])
            cols["year"].append(int(years[j]))
            cols["facility_name"].append(f["name"])
            cols["county_id"].append(prov.county_ids[c])
            cols["community_id"].append(f["comm"] or "")
            put("level", level)
            put("beds", int(beds[j]))
            put("bed_days_available", int(available[j]))
            put("bed_days_occupied", int(occupied[j]))
            put("discharges", int(discharges[j]))
            put("discharge_bed_days", int(discharge_days[j]))
            put("surgeries", int(surgeries[j]))
            put("surgeries_grade34", int(grade34[j]))
            put("referrals_down", int(referrals[j]))
            put("medical_revenue", int(medical[j]))
            for k in shares:
                put(k, int(parts[k][j]))
            put("total_revenue", int(total[j]))
            put("business_revenue", int(business[j]))
            put("insurance_revenue", int(insurance[j]))
            put("fiscal_revenue", int(fiscal[j]))
            put("staff_spending", int(staff[j]))
            put("business_spending", int(spending[j]))
            put("general_practitioners", int(gps[j]))
            if level == "lead_hospital":
                put("new_techniques", str(int(rng.poisson(6 + (10 if post[j] else 0)))))
                p_meets = min(0.95, 0.2 + 0.05 * t0[j] + (0.35 if post[j] else 0.0))
                put("meets_capability_standard", "true" if rng.random() < p_meets else "false")
            else:
                put("new_techniques", "")
                put("meets_capability_standard", "")
            if level in ("township", "community_centre"):
                put("quality_service_level", _quality_level(rng, int(years[j]), bool(post[j])))
            else:
                put("quality_service_level", "")
    frame = pd.DataFrame({**cols, **values})
    for name in FACILITY_MONEY:
        frame[name] = fixed(frame[name].to_numpy(dtype=np.int64), 2)
    return frame


def _quality_level(rng: np.random.Generator, year: int, post: bool) -> str:
    """ "优质服务基层行" ran from 2019 (国卫基层函〔2019〕); the reached share grows each year."""
    if year < 2019:
        return "none"
    k = year - 2018
    recommended = min(0.5, 0.05 * k + (0.05 if post else 0.0))
    basic = min(0.9, 0.25 + 0.08 * k + (0.1 if post else 0.0))
    u = rng.random()
    return "recommended" if u < recommended else ("basic" if u < basic else "none")


def county_year_extension(prov: Province) -> dict[str, np.ndarray]:
    """The optional county_year columns [county, year] (data.md "Contract extension")."""
    rng = rng_for(prov.seed, 21)
    n_c, n_t = prov.population.shape
    t0 = (prov.years - prov.years[0])[None, :].astype(float)
    post = prov.treated
    pop = prov.population
    chronic = np.rint(pop * (rng.uniform(0.085, 0.10, (n_c, 1)) + 0.0015 * t0)).astype(np.int64)
    managed = rng.binomial(chronic, np.clip(0.60 + 0.012 * t0 + np.where(post, 0.05, 0.0), 0, 0.9))
    score = np.clip(rng.uniform(78, 86, (n_c, 1)) + 0.6 * t0 + np.where(post, 2.0, 0.0), 0, 98)
    score = np.rint((score + rng.normal(0, 0.8, (n_c, n_t))) * 10).astype(np.int64)  # one decimal
    rate = np.clip(0.12 + 0.028 * t0 + np.where(post, 0.05, 0.0) + rng.normal(0, 0.01, (n_c, n_t)), 0.05, 0.6)
    contracted = rng.binomial(pop, rate)
    key = np.rint(pop * (0.34 + 0.003 * t0 + rng.uniform(-0.01, 0.01, (n_c, 1)))).astype(np.int64)
    key_contracted = rng.binomial(key, np.clip(0.40 + 0.03 * t0 + np.where(post, 0.05, 0.0), 0, 0.85))
    due = np.concatenate([np.rint(contracted[:, :1] * 0.9), contracted[:, :-1]], axis=1).astype(np.int64)
    renewed = rng.binomial(due, np.clip(0.75 + 0.012 * t0 + np.where(post, 0.03, 0.0), 0, 0.92))
    income = RURAL_INCOME_2012 * RURAL_INCOME_GROWTH**t0 * rng.uniform(0.85, 1.15, (n_c, 1))
    price = rng.uniform(0.005, 0.03, (n_c, n_t))
    return {
        "chronic_patients": chronic,
        "chronic_managed_primary": managed,
        "ph_performance_score": fixed(score.ravel(), 1).to_numpy().reshape(n_c, n_t),
        "residents_contracted": contracted,
        "key_population": key,
        "key_population_contracted": key_contracted,
        "contracts_renewed": renewed,
        "contracts_due": due,
        "disposable_income_pc": fixed(fen(income).ravel(), 2).to_numpy().reshape(n_c, n_t),
        "price_index": fixed(np.rint(price * 10_000).astype(np.int64).ravel(), 4).to_numpy().reshape(n_c, n_t),
    }


def criteria_year_table(prov: Province) -> pd.DataFrame:
    """The 评判标准 rows a commission reports (seed 004 附1): criteria 1–8 for every county-year;
    criterion 10 for C01 with its evidence (9–10 are otherwise derived by the toolkit)."""
    rng = rng_for(prov.seed, 22)
    rows = []
    e = np.nan_to_num(prov.event_time, nan=-99)
    for c, cid in enumerate(prov.county_ids):
        for j, year in enumerate(prov.years):
            if e[c, j] >= 0:
                p = min(0.97, 0.7 + 0.05 * e[c, j])
            else:
                p = 0.15 + 0.01 * j
            for k, crit in enumerate(GIVEN_CRITERIA):
                met = bool(rng.random() < p)
                evidence = f"{prov.county_names[c]}医共体建设文件 {int(year)}-{k + 1:02d}" if met else ""
                rows.append((cid, int(year), crit, "true" if met else "false", evidence))
            if c == 0:
                met = bool(e[c, j] >= 0)
                rows.append(
                    (
                        cid,
                        int(year),
                        "unified_fiscal_funding",
                        "true" if met else "false",
                        "濉溪县公卫包干实施方案" if met else "",
                    )
                )
    return pd.DataFrame(rows, columns=["county_id", "year", "criterion", "met", "evidence"])
