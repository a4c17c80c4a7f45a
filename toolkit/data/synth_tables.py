"""Draw the contract's tables (data.md) from the synthetic province's expected values.

Money is drawn and summed in integer fen and only formatted as yuan with two decimals when the
CSV text is made, so county totals equal the sums of unit rows exactly and the files are the same
bytes on every run. Rates are written with a fixed number of decimals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.data.synth_model import (
    AGE_BANDS,
    CAUSES,
    SUIXI_PAY_RATIO_2023,
    SUIXI_VILLAGE_SUBSIDY,
    Province,
    band_population,
    death_rates,
    rng_for,
)

# --- fixed-format text ---------------------------------------------------------------------------


def fixed(values: np.ndarray, decimals: int) -> pd.Series:
    """Format non-negative integers in units of 10**-decimals as fixed-point text (fen → '12.30')."""
    v = np.asarray(values, dtype=np.int64)
    if (v < 0).any():
        raise ValueError("fixed() formats non-negative amounts only")
    if decimals == 0:
        return pd.Series(v).astype(str)
    unit = 10**decimals
    whole = pd.Series(v // unit).astype(str)
    frac = pd.Series(v % unit).astype(str).str.zfill(decimals)
    return whole + "." + frac


def fen(yuan: np.ndarray) -> np.ndarray:
    """Yuan (float) → integer fen, rounded half away from zero is irrelevant here: amounts are ≥ 0."""
    return np.rint(np.asarray(yuan, dtype=float) * 100).astype(np.int64)


def csv_text(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


# --- tables --------------------------------------------------------------------------------------


def units_table(prov: Province) -> pd.DataFrame:
    return pd.DataFrame(prov.units)


def _noise(rng: np.random.Generator, shape, sd: float) -> np.ndarray:
    """Mean-one multiplicative noise, clipped so amounts stay positive."""
    return np.clip(1 + rng.normal(0, sd, shape), 0.5, 1.5)


def unit_spending(prov: Province) -> dict[str, np.ndarray]:
    """Noisy unit-year spending in fen (the aggregates when no claims are generated)."""
    rng = rng_for(prov.seed, 5)
    ex = prov.expected
    uc = prov.unit_county
    mult = ex["fund_multiplier"][uc]
    sd = np.where(uc == 0, 0.02, 0.012)[:, None]
    shape = prov.unit_insured.shape
    general = fen(
        prov.unit_insured
        * ex["pc_general_cf"][uc]
        * mult
        * prov.unit_general_factor
        * np.clip(1 + rng.normal(0, 1, shape) * sd, 0.5, 1.5)
    )
    chronic = fen(
        prov.unit_chronic
        * ex["pc_chronic_cf"][uc]
        * mult
        * prov.unit_chronic_factor
        * np.clip(1 + rng.normal(0, 1, shape) * sd, 0.5, 1.5)
    )
    total = fen((general + chronic) / 100 * ex["total_to_fund"][uc] * _noise(rng, shape, 0.01))
    return {"fund_general": general, "fund_chronic_outpatient": chronic, "total_medical_spending": total}


def county_activity(prov: Province, unit_money: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Noisy county-year admissions, visits and fund columns (when no claims are generated)."""
    rng = rng_for(prov.seed, 6)
    ex = prov.expected
    ins = prov.insured
    rate = ex["hosp_rate_cf"] + ex["hosp_rate_effect"]
    admissions = rng.poisson(ins * rate / 100)
    adm_in = rng.binomial(admissions, ex["adm_in_share"])
    visits = rng.poisson(ins * ex["visits_pc"])
    vis_in = rng.binomial(visits, ex["vis_in_share"])
    vis_primary = rng.binomial(vis_in, np.minimum(ex["vis_primary_share"] / ex["vis_in_share"], 1.0))
    fund = np.zeros_like(ins)
    np.add.at(fund, prov.unit_county, unit_money["fund_general"] + unit_money["fund_chronic_outpatient"])
    fund_in = np.minimum(fen(fund / 100 * ex["fund_in_share"] * _noise(rng, fund.shape, 0.01)), fund)
    fund_primary = np.minimum(fen(fund / 100 * ex["fund_primary_share"] * _noise(rng, fund.shape, 0.01)), fund_in)
    return {
        "admissions": admissions,
        "admissions_in_county": adm_in,
        "visits": visits,
        "visits_in_county": vis_in,
        "visits_primary": vis_primary,
        "fund_spending": fund,
        "fund_in_county": fund_in,
        "fund_primary": fund_primary,
    }


def ph_lump_sums(prov: Province) -> tuple[np.ndarray, np.ndarray]:
    """(unit lump sums [u, t] in fen, county ph_subsidy_total [c, t] in fen)."""
    rng = rng_for(prov.seed, 7)
    ex = prov.expected
    subsidy_total = fen(np.rint(ex["ph_subsidy_per_resident"] * prov.population))
    per_insured = ex["ph_subsidy_per_resident"] * prov.population / np.maximum(prov.insured, 1) * ex["ph_village_share"]
    lump = fen(prov.unit_insured * per_insured[prov.unit_county] * _noise(rng, prov.unit_insured.shape, 0.01))
    return lump, subsidy_total


def workforce(prov: Province) -> dict[str, np.ndarray]:
    """Staff counts and pay (fen): lead hospital, township centres, village doctors."""
    rng = rng_for(prov.seed, 8)
    ex = prov.expected
    pop = prov.population / 1000
    shape = pop.shape
    lead_staff = np.maximum(np.rint(pop * ex["lead_staff_per_1000"]).astype(np.int64), 2)
    town_staff = np.maximum(np.rint(pop * ex["township_staff_per_1000"]).astype(np.int64), 2)
    doctors = np.maximum(np.rint(pop * ex["village_doctors_per_1000"]).astype(np.int64), 1)
    lead_pay = fen(lead_staff * ex["lead_pay"] * _noise(rng, shape, 0.005))
    ratio = np.clip((ex["pay_ratio_cf"] + ex["pay_ratio_effect"]) * _noise(rng, shape, 0.004), 0.55, 0.998)
    per_doctor = ex["village_subsidy_per_doctor"] * _noise(rng, shape, 0.01)
    years = list(prov.years)
    if prov.reform_year[0] == 2017:
        # C01 reproduces seed 000 §4.1 exactly: 99.16% in 2023, 41,000 → 66,000 yuan per doctor
        if 2023 in years:
            j = years.index(2023)
            ratio[0, j] = SUIXI_PAY_RATIO_2023
        for y, v in SUIXI_VILLAGE_SUBSIDY.items():
            if y in years:
                per_doctor[0, years.index(y)] = v
    town_pay = np.rint(ratio * (lead_pay / lead_staff) * town_staff).astype(np.int64)
    subsidy = fen(doctors * per_doctor)
    return {
        "township_staff": town_staff,
        "township_pay": town_pay,
        "lead_hospital_staff": lead_staff,
        "lead_hospital_pay": lead_pay,
        "village_doctors": doctors,
        "village_doctor_subsidy": subsidy,
    }


def unit_year_table(prov: Province, money: dict[str, np.ndarray], lump: np.ndarray) -> pd.DataFrame:
    n_u, n_t = prov.unit_insured.shape
    return pd.DataFrame(
        {
            "unit_id": np.repeat(np.array(prov.units["unit_id"], dtype=object), n_t),
            "year": np.tile(prov.years, n_u),
            "insured_pop": prov.unit_insured.ravel(),
            "chronic_pop": prov.unit_chronic.ravel(),
            "fund_general": fixed(money["fund_general"].ravel(), 2),
            "fund_chronic_outpatient": fixed(money["fund_chronic_outpatient"].ravel(), 2),
            "total_medical_spending": fixed(money["total_medical_spending"].ravel(), 2),
            "ph_lump_sum": fixed(lump.ravel(), 2),
        }
    )


COUNTY_MONEY = [
    "fund_spending",
    "fund_in_county",
    "fund_primary",
    "township_pay",
    "lead_hospital_pay",
    "village_doctor_subsidy",
    "ph_subsidy_total",
]


def county_year_table(
    prov: Province,
    activity: dict[str, np.ndarray],
    work: dict[str, np.ndarray],
    subsidy_total: np.ndarray,
    extension: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The county_year table; ``extension``: the optional columns of the contract extension
    ([county, year] arrays, already formatted where they are money or decimals)."""
    n_c, n_t = prov.population.shape
    cols: dict[str, object] = {
        "county_id": np.repeat(np.array(prov.county_ids, dtype=object), n_t),
        "year": np.tile(prov.years, n_c),
        "county_name": np.repeat(np.array(prov.county_names, dtype=object), n_t),
        "population": prov.population.ravel(),
        "insured_pop": prov.insured.ravel(),
    }
    merged = {**activity, **work, "ph_subsidy_total": subsidy_total}
    for name in [
        "admissions",
        "admissions_in_county",
        "visits",
        "visits_in_county",
        "visits_primary",
        "fund_spending",
        "fund_in_county",
        "fund_primary",
        "township_staff",
        "township_pay",
        "lead_hospital_staff",
        "lead_hospital_pay",
        "village_doctors",
        "village_doctor_subsidy",
        "ph_subsidy_total",
    ]:
        values = np.asarray(merged[name]).ravel()
        cols[name] = fixed(values, 2) if name in COUNTY_MONEY else values
    for name, values in (extension or {}).items():
        cols[name] = np.asarray(values).ravel()
    reform = np.repeat(prov.reform_year, n_t)
    cols["reform_year"] = np.where(reform > 0, reform.astype(str), "")
    return pd.DataFrame(cols)


def deaths_table(prov: Province) -> pd.DataFrame:
    """Deaths by county, year, sex (male/female/all), age band and cause; Poisson draws."""
    rng = rng_for(prov.seed, 9)
    pops = band_population(prov)  # [c, t, sex, band]
    rates = death_rates(prov, treated=True)  # [c, t, sex, band, cause]; the reduction is 0 where untreated
    deaths = rng.poisson(rates * pops[..., None])
    deaths = np.concatenate([deaths, deaths.sum(axis=2, keepdims=True)], axis=2)  # add sex "all"
    pops = np.concatenate([pops, pops.sum(axis=2, keepdims=True)], axis=2)
    n_c, n_t, n_s, n_b, n_k = deaths.shape
    idx = np.indices(deaths.shape).reshape(5, -1)
    return pd.DataFrame(
        {
            "county_id": np.array(prov.county_ids, dtype=object)[idx[0]],
            "year": prov.years[idx[1]],
            "sex": np.array(["male", "female", "all"], dtype=object)[idx[2]],
            "age_band": np.array(AGE_BANDS, dtype=object)[idx[3]],
            "cause": np.array(CAUSES, dtype=object)[idx[4]],
            "deaths": deaths.ravel(),
            "population": np.broadcast_to(pops[..., None], deaths.shape).ravel(),
        }
    )
