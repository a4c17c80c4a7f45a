"""The true reform effects of the synthetic province (truth.json).

Every number here is computed from the generator's expected values with the noise switched off:
the effect of a (county, year) cell is the expected outcome with the reform minus the expected
outcome without it, in the outcome's own units. ATT(g,t) averages the cells of the counties of
cohort g (first reformed year g) in year t ≥ g, unweighted (the county is the unit). The
aggregates follow Callaway & Sant'Anna (2021) §3.3 as R ``did::aggte`` computes them:

* ``simple``: the average of ATT(g,t) over post-treatment cells, each cell weighted by the
  number of counties of its cohort;
* ``dynamic``: θ(e) = Σ_g n_g ATT(g, g+e) / Σ_g n_g over cohorts observed at event time e;
  its overall value is the mean of θ(e) over e ≥ 0;
* ``group``: θ(g) = mean of ATT(g,t) over t ≥ g; overall = Σ n_g θ(g) / Σ n_g;
* ``calendar``: θ(t) = Σ_{g ≤ t} n_g ATT(g,t) / Σ n_g; overall = mean of θ(t).

Pre-treatment ATT(g,t) are zero by construction and not listed.
"""

from __future__ import annotations

import numpy as np

from toolkit.data.synth_model import (
    EFFECT_SCALE,
    FUND_EFFECT,
    PREMATURE_BANDS,
    Province,
    band_population,
    expected_premature,
)

OUTCOME_DEFINITIONS = {
    "hospitalisation_rate": {
        "definition": "county_year: admissions / insured_pop * 100",
        "unit": "admissions per 100 insured residents and year",
        "effect_model": "untreated: county level + (0.10 + county trend) * (year - first year); "
        "effect at event time e >= 0: -s_g * (0.8 + 0.3 * e) points, s_g = pilot 1.5, 2019 1.0, 2023 0.8",
    },
    "premature_mortality": {
        "definition": "deaths, sex = all: 100 * (1 - prod over age bands 30-34..65-69 of (1 - 5q_x)), "
        "5q_x = 5 m_x / (1 + 2.5 m_x), m_x = deaths from cvd + cancer + diabetes + crd in the band / population of the band (SDG 3.4.1)",
        "unit": "percent (probability of dying between 30 and 70 from the four causes, x 100); effects in percentage points",
        "effect_model": "the four-cause death rates are multiplied by 1 - s_g * (0.015 + 0.008 * e); "
        "the effect is the resulting change of the expected probability",
    },
    "income_ratio": {
        "definition": "county_year: (township_pay / township_staff) / (lead_hospital_pay / lead_hospital_staff)",
        "unit": "ratio (fraction)",
        "effect_model": "+ s_g * (0.02 + 0.02 * min(e, 5))",
    },
    "fund_per_insured": {
        "definition": "county_year: fund_spending / insured_pop (fund_spending = sum over units of fund_general + fund_chronic_outpatient)",
        "unit": "yuan per insured resident and year",
        "effect_model": "untreated spending grows ~6% a year; the reform multiplies it by exp(-(a_g + b_g * e)), "
        "(a, b) = pilot (0.15, 0.075), 2019 (0.13, 0.07), 2023 (0.12, 0.07); the effect is the yuan difference",
    },
}


def outcome_surfaces(prov: Province) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """outcome -> (expected untreated [c, t], expected under the reform [c, t])."""
    ex = prov.expected
    out = {}
    out["hospitalisation_rate"] = (ex["hosp_rate_cf"], ex["hosp_rate_cf"] + ex["hosp_rate_effect"])
    pops = band_population(prov)
    out["premature_mortality"] = (
        100 * expected_premature(prov, pops, treated=False),
        100 * expected_premature(prov, pops, treated=True),
    )
    out["income_ratio"] = (ex["pay_ratio_cf"], ex["pay_ratio_cf"] + ex["pay_ratio_effect"])
    # county expected fund per insured = sum of expected unit spending / insured
    uc = prov.unit_county
    unit_cf = (
        prov.unit_insured * ex["pc_general_cf"][uc] * prov.unit_general_factor
        + prov.unit_chronic * ex["pc_chronic_cf"][uc] * prov.unit_chronic_factor
    )
    county_cf = np.zeros(prov.population.shape)
    np.add.at(county_cf, uc, unit_cf)
    fund_cf = county_cf / prov.insured
    out["fund_per_insured"] = (fund_cf, fund_cf * ex["fund_multiplier"])
    return out


def _r(x: float) -> float:
    return float(round(float(x), 10))


def aggregate_att(att: dict[tuple[int, int], float], sizes: dict[int, int]) -> dict:
    """Callaway–Sant'Anna aggregations of post-treatment ATT(g,t) (see module docstring)."""
    post = {(g, t): v for (g, t), v in att.items() if t >= g}
    if not post:
        return {
            "simple": None,
            "dynamic": [],
            "dynamic_overall": None,
            "group": [],
            "group_overall": None,
            "calendar": [],
            "calendar_overall": None,
        }
    w = sum(sizes[g] for g, _ in post)
    simple = sum(sizes[g] * v for (g, _), v in post.items()) / w
    events = sorted({t - g for g, t in post})
    dynamic = []
    for e in events:
        cells = [(g, v) for (g, t), v in post.items() if t - g == e]
        dynamic.append(
            {
                "event_time": e,
                "att": _r(sum(sizes[g] * v for g, v in cells) / sum(sizes[g] for g, _ in cells)),
                "cohorts": sorted(g for g, _ in cells),
            }
        )
    groups = []
    for g in sorted({g for g, _ in post}):
        vals = [v for (gg, _), v in post.items() if gg == g]
        groups.append({"group": g, "att": _r(np.mean(vals)), "n_counties": sizes[g]})
    calendar = []
    for t in sorted({t for _, t in post}):
        cells = [(g, v) for (g, tt), v in post.items() if tt == t]
        calendar.append({"year": t, "att": _r(sum(sizes[g] * v for g, v in cells) / sum(sizes[g] for g, _ in cells))})
    return {
        "simple": _r(simple),
        "dynamic": dynamic,
        "dynamic_overall": _r(np.mean([d["att"] for d in dynamic])),
        "group": groups,
        "group_overall": _r(sum(x["att"] * x["n_counties"] for x in groups) / sum(x["n_counties"] for x in groups)),
        "calendar": calendar,
        "calendar_overall": _r(np.mean([c["att"] for c in calendar])),
    }


def build_truth(prov: Province, violations: list[dict]) -> dict:
    years = [int(y) for y in prov.years]
    g = prov.reform_year
    cohorts = {
        str(int(x)): [prov.county_ids[c] for c in np.flatnonzero(g == x)] for x in sorted(set(g.tolist())) if x != 0
    }
    sizes = {int(k): len(v) for k, v in cohorts.items()}
    truth = {
        "generator": "toolkit.data.synth",
        "seed": prov.seed,
        "years": [years[0], years[-1]],
        "unit_of_analysis": "county (county_id); time: year; cohort g = county_year.reform_year (first year under the reform)",
        "cohorts": cohorts,
        "never_reformed": [prov.county_ids[c] for c in np.flatnonzero(g == 0)],
        "effect_scale_by_cohort": {str(k): v for k, v in EFFECT_SCALE.items()},
        "fund_effect_by_cohort": {str(k): list(v) for k, v in FUND_EFFECT.items()},
        "parallel_trends": "county-specific linear trends are demeaned within each cohort, so cohort-average untreated "
        "paths are parallel exactly; individual counties are not",
        "premature_bands": PREMATURE_BANDS,
        "population_scale": prov.scale,
        "outcomes": {},
        "ph_village_share_violations": violations,
        "note": "ATT(g,t) for t < g are zero by construction and not listed; effect cells of never-reformed counties "
        "and of pre-reform years are zero and listed with effect 0.",
    }
    for name, (cf, tr) in outcome_surfaces(prov).items():
        effect = tr - cf
        cells = []
        for c, cid in enumerate(prov.county_ids):
            for j, y in enumerate(years):
                cells.append(
                    {
                        "county_id": cid,
                        "year": y,
                        "reform_year": int(g[c]) or None,
                        "event_time": (y - int(g[c])) if g[c] else None,
                        "expected_untreated": _r(cf[c, j]),
                        "expected_treated": _r(tr[c, j]) if g[c] and y >= g[c] else _r(cf[c, j]),
                        "effect": _r(effect[c, j]),
                    }
                )
        att = {}
        for gg in sizes:
            idx = np.flatnonzero(g == gg)
            for j, y in enumerate(years):
                if y >= gg:
                    att[(gg, y)] = float(effect[idx, j].mean())
        truth["outcomes"][name] = {
            **OUTCOME_DEFINITIONS[name],
            "cells": cells,
            "att_gt": [
                {"group": gg, "year": t, "event_time": t - gg, "att": _r(v), "n_counties": sizes[gg]}
                for (gg, t), v in sorted(att.items())
            ],
            "aggregates": aggregate_att(att, sizes),
        }
    return truth
