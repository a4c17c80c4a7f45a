"""Premature mortality from the four major chronic diseases, WHO SDG indicator 3.4.1.

Seed 000 §4.1 claims "premature mortality from major chronic diseases declining steadily"
(重大慢性病过早死亡率呈稳步下降趋势); rules.md §6. Method (WHO SDG 3.4.1 metadata): for each
five-year age band 30–34 … 65–69,

    M   = deaths from cardiovascular disease, cancer, diabetes and chronic respiratory disease
          / mid-year population of the band
    5q  = 5M / (1 + 2.5M)
    P   = 1 − Π (1 − 5q)        (probability of dying between exact ages 30 and 70)

Uncertainty: a 95% gamma interval (Fay & Feuer 1997, Statistics in Medicine 16:791) for the
cumulative hazard. H = −log Π(1 − 5q) ≈ Σ 5 M_i = Σ w_i D_i with w_i = 5 / N_i, a weighted sum of
Poisson counts; the interval for that sum is scaled by H / Σ w_i D_i (1 when there are no deaths)
and mapped back with P = 1 − exp(−H). With one band it is the exact (Garwood) Poisson interval;
with zero deaths it is [0, positive] rather than the degenerate [0, 0] of a delta method, which
matters in small counties with few deaths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.errors import Problem, ToolkitError
from toolkit.indicators import tidy

BANDS = ("30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64", "65-69")
CAUSES = ("cvd", "cancer", "diabetes", "crd")
SEX_INDICATOR = {
    "all": "premature_ncd_mortality",
    "male": "premature_ncd_mortality_male",
    "female": "premature_ncd_mortality_female",
}


@dataclass(frozen=True)
class PrematureMortality:
    probability: float
    lower: float
    upper: float
    deaths: int
    population: int


def band_probability(rate: np.ndarray) -> np.ndarray:
    """5q = 5M / (1 + 2.5M) for death rates M of five-year bands."""
    rate = np.asarray(rate, dtype="float64")
    return 5.0 * rate / (1.0 + 2.5 * rate)


def fay_feuer_bounds(
    counts: np.ndarray, weights: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Gamma interval of Fay & Feuer (1997) for Y = Σ w_i D_i with D_i ~ Poisson, row by row.

    lower = v/(2Y) χ²⁻¹(α/2; 2Y²/v); upper = (v+w²)/(2(Y+w)) χ²⁻¹(1−α/2; 2(Y+w)²/(v+w²)),
    with v = Σ w_i² D_i and w = max w_i (sums over the last axis). Written with the gamma
    distribution (χ²_k / 2 = Gamma(k/2)); lower = 0 when Y = 0.
    """
    counts = np.atleast_2d(np.asarray(counts, dtype="float64"))
    weights = np.atleast_2d(np.asarray(weights, dtype="float64"))
    alpha = 1.0 - confidence
    y = np.sum(weights * counts, axis=-1)
    v = np.sum(weights**2 * counts, axis=-1)
    w = np.max(weights, axis=-1)
    some = y > 0
    y_safe, v_safe = np.where(some, y, 1.0), np.where(some, v, 1.0)
    lower = np.where(some, stats.gamma.ppf(alpha / 2, a=y_safe**2 / v_safe, scale=v_safe / y_safe), 0.0)
    upper = stats.gamma.ppf(1 - alpha / 2, a=(y + w) ** 2 / (v + w * w), scale=(v + w * w) / (y + w))
    return lower, upper


def fay_feuer_interval(counts: np.ndarray, weights: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """:func:`fay_feuer_bounds` for one set of counts."""
    lower, upper = fay_feuer_bounds(counts, weights, confidence)
    return float(lower[0]), float(upper[0])


def sdg_3_4_1_arrays(deaths: np.ndarray, population: np.ndarray, confidence: float = 0.95) -> dict[str, np.ndarray]:
    """Vectorised SDG 3.4.1: rows are populations, the last axis the eight bands (30–34 first).

    Returns probability, lower, upper (see the module docstring). Populations must be positive
    (:func:`premature_mortality` raises otherwise).
    """
    deaths = np.atleast_2d(np.asarray(deaths, dtype="float64"))
    population = np.atleast_2d(np.asarray(population, dtype="float64"))
    q = band_probability(deaths / population)
    hazard = -np.sum(np.log1p(-q), axis=-1)
    weights = 5.0 / population
    linear = np.sum(weights * deaths, axis=-1)
    lo, hi = fay_feuer_bounds(deaths, weights, confidence)
    factor = np.where(linear > 0, hazard / np.where(linear > 0, linear, 1.0), 1.0)
    return {
        "probability": 1.0 - np.prod(1.0 - q, axis=-1),
        "lower": -np.expm1(-lo * factor),
        "upper": -np.expm1(-hi * factor),
    }


def sdg_3_4_1(deaths: np.ndarray, population: np.ndarray, confidence: float = 0.95) -> PrematureMortality:
    """P = 1 − Π(1 − 5q) over the eight bands of one population, with its interval."""
    res = sdg_3_4_1_arrays(deaths, population, confidence)
    return PrematureMortality(
        probability=float(res["probability"][0]),
        lower=float(res["lower"][0]),
        upper=float(res["upper"][0]),
        deaths=int(round(float(np.sum(deaths)))),
        population=int(round(float(np.sum(population)))),
    )


def _band_table(deaths: pd.DataFrame) -> pd.DataFrame:
    """Per county, year, sex and band: deaths of the four causes and the band's population."""
    rows = deaths.reset_index(drop=True).assign(_row=lambda f: f.index + 1)
    rows = rows.loc[rows["age_band"].astype(str).isin(BANDS)]
    keys = ["county_id", "year", "sex", "age_band"]
    pops = rows.groupby(keys, sort=True)["population"].agg(["min", "max", "first"])
    uneven = pops.loc[pops["min"] != pops["max"]]
    if not uneven.empty:
        problems = [
            Problem(
                "deaths",
                "the same population on every cause row of a band",
                column="population",
                value=f"{k[0]} {k[1]} {k[2]} {k[3]}: {int(r['min'])}…{int(r['max'])}",
            )
            for k, r in uneven.iterrows()
        ]
        raise ToolkitError("deaths: a band's population differs between cause rows", problems)
    ncd = rows.loc[rows["cause"].astype(str).isin(CAUSES)].groupby(keys, sort=True)["deaths"].sum()
    table = pops[["first"]].rename(columns={"first": "population"}).join(ncd.rename("deaths"), how="left")
    table["deaths"] = table["deaths"].fillna(0).astype("int64")  # a band with no NCD rows has zero NCD deaths
    bad = table.loc[~(table["population"] > 0)]
    if not bad.empty:
        problems = []
        for k, r in bad.iterrows():
            hit = rows.loc[
                (rows["county_id"] == k[0])
                & (rows["year"] == k[1])
                & (rows["sex"] == k[2])
                & (rows["age_band"] == k[3]),
                "_row",
            ]
            problems.append(
                Problem(
                    "deaths",
                    f"a positive mid-year population of band {k[3]} ({k[0]}, {k[1]}, {k[2]})",
                    column="population",
                    rows=tuple(int(x) for x in hit),
                    value=int(r["population"]),
                )
            )
        raise ToolkitError("cannot compute premature mortality: zero population in an age band", problems)
    return table.reset_index()


def premature_mortality(deaths: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """SDG 3.4.1 premature NCD mortality per county, year and sex (male, female, all), tidy.

    Both sexes use the ``all`` rows when the table has them for that county-year, otherwise male +
    female summed band by band (a county-year with only one sex and no ``all`` rows gets no
    both-sexes value). Every one of the eight bands must be present with a positive
    population; a band with zero deaths contributes 5q = 0. Numerator = NCD deaths aged 30–69,
    denominator = population aged 30–69 (the value is not their ratio); lower/upper = the interval.
    """
    tidy.require_columns(deaths, "deaths", ["county_id", "year", "sex", "age_band", "cause", "deaths", "population"])
    bands = _band_table(deaths)
    have_all = set(map(tuple, bands.loc[bands["sex"] == "all", ["county_id", "year"]].drop_duplicates().to_numpy()))
    sexed = bands.loc[bands["sex"].isin(["male", "female"])]
    summed = sexed.groupby(["county_id", "year", "age_band"], as_index=False, sort=True).agg(
        deaths=("deaths", "sum"), population=("population", "sum"), n_sex=("sex", "nunique")
    )
    summed = summed.loc[summed["n_sex"] == 2].drop(columns="n_sex")
    summed = summed.loc[[(c, y) not in have_all for c, y in zip(summed["county_id"], summed["year"])]].assign(sex="all")
    bands = pd.concat([bands.loc[bands["sex"].isin(list(SEX_INDICATOR))], summed], ignore_index=True)
    if bands.empty:
        return tidy.empty()
    keys = ["county_id", "year", "sex"]
    deaths_w = bands.pivot_table(index=keys, columns="age_band", values="deaths", aggfunc="sum").reindex(
        columns=list(BANDS)
    )
    pop_w = bands.pivot_table(index=keys, columns="age_band", values="population", aggfunc="sum").reindex(
        columns=list(BANDS)
    )
    missing = pop_w.isna()
    if missing.any(axis=None):
        problems = [
            Problem(
                "deaths",
                "rows for all eight bands 30-34 … 65-69",
                column="age_band",
                value=f"{c} {y} {sx}: missing {', '.join(b for b in BANDS if missing.loc[(c, y, sx), b])}",
            )
            for (c, y, sx) in pop_w.index[missing.any(axis=1)]
        ]
        raise ToolkitError("cannot compute premature mortality: age bands missing", problems)
    d, n = deaths_w.fillna(0).to_numpy(dtype="float64"), pop_w.to_numpy(dtype="float64")
    rate = d / n
    if (rate >= 0.4).any():  # 5q = 5M/(1+2.5M) reaches 1 at M = 0.4: the counts cannot be right
        problems = [
            Problem(
                "deaths",
                "fewer than 0.4 deaths per person-year in a band",
                column="deaths",
                value=f"{c} {y} {sx} {BANDS[int(np.argmax(r >= 0.4))]}: rate {r.max():.3f}",
            )
            for (c, y, sx), r in zip(pop_w.index, rate)
            if (r >= 0.4).any()
        ]
        raise ToolkitError("deaths: implausible death rate", problems)
    res = sdg_3_4_1_arrays(d, n, confidence)
    idx = pop_w.index.to_frame(index=False)
    out = pd.DataFrame(
        {
            "county_id": idx["county_id"],
            "year": idx["year"].astype("int64"),
            "indicator": idx["sex"].map(SEX_INDICATOR),
            "value": res["probability"],
            "numerator": d.sum(axis=1),
            "denominator": n.sum(axis=1),
            "lower": res["lower"],
            "upper": res["upper"],
        }
    )
    return tidy.finish(out)
