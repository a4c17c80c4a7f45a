"""Public-health evaluation tables of the synthetic province: ph_process and ph_targets.

Seed 000 §3.2 / rules.md §5: a unit's lump sum splits 70% process : 20% objective : 10% effect.
The process amounts are drawn so that, with the default parameters (yuan_per_credit = 2.0, the
default two-card projects of docs/architecture.md), the nominal two-card amount (credits × 2.0)
is 55–65% of the unit's 70% share and the planned amounts of the other projects 35–45% of it.
After the quality coefficients (scores of mostly 70–98) most units land a little below the 70%
share; units drawing both shares high land above it and exercise the cap.

Objective indicators follow the 16 ids and benchmarks of rules.md §5; about 85% of values are at
or above the benchmark, and vetoes (≈2%) occur only on indicators that have a veto.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.data.synth_model import Province, rng_for
from toolkit.data.synth_tables import fixed

TWO_CARD_PROJECTS = ["ehr", "elderly_health", "hypertension", "diabetes", "smd", "tb", "tcm", "family_doctor"]
PLANNED_PROJECTS = [
    "health_education",
    "vaccination",
    "child_health",
    "maternal_health",
    "health_supervision",
    "emergency_reporting",
    "health_literacy",
]
PROJECTS = TWO_CARD_PROJECTS + PLANNED_PROJECTS
#: the default yuan per credit the credits are generated for (params default, rules.md §5)
YUAN_PER_CREDIT = 2.0
PROCESS_SHARE = 0.70
TWO_CARD_WEIGHTS = np.array([0.18, 0.16, 0.16, 0.12, 0.06, 0.04, 0.10, 0.18])
PLANNED_WEIGHTS = np.array([0.16, 0.22, 0.16, 0.14, 0.12, 0.08, 0.12])

#: indicator id -> (benchmark, veto service or None); rules.md §5 table
INDICATORS: dict[str, tuple[float, str | None]] = {
    "ehr_coverage": (0.64, None),
    "health_education_credits": (100.0, None),  # benchmark "set each year"; values are credits
    "vaccination_rate": (0.90, None),
    "newborn_visit_rate": (0.90, "child"),
    "child_management_rate": (0.90, "child"),
    "postpartum_visit_rate": (0.90, "maternal"),
    "maternal_management_rate": (0.90, "maternal"),
    "elderly_management_rate": (0.64, None),
    "hypertension_management_rate": (0.64, None),
    "diabetes_management_rate": (0.64, None),
    "smd_management_rate": (0.80, "smd"),
    "tb_management_rate": (0.90, "tb"),
    "tcm_elderly_rate": (0.74, None),
    "tcm_child_rate": (0.84, None),
    "supervision_report_rate": (0.90, None),
    "emergency_report_rate": (0.95, None),
}
VETO_SERVICES = ["child", "maternal", "smd", "tb"]
VETO_PROBABILITY = 0.02


def ph_process_table(prov: Province, lump_fen: np.ndarray) -> pd.DataFrame:
    """One row per unit, year, project (15) and quarter (1–4)."""
    rng = rng_for(prov.seed, 10)
    n_u, n_t = lump_fen.shape
    share70 = lump_fen / 100 * PROCESS_SHARE  # yuan [u, t]
    tc_share = rng.uniform(0.55, 0.65, (n_u, n_t))
    pl_share = rng.uniform(0.35, 0.45, (n_u, n_t))
    strong_share = rng.random((n_u, n_t))
    n_tc, n_pl = len(TWO_CARD_PROJECTS), len(PLANNED_PROJECTS)
    tc_share = np.where(strong_share < 0.08, rng.uniform(0.62, 0.65, (n_u, n_t)), tc_share)
    pl_share = np.where(strong_share < 0.08, rng.uniform(0.42, 0.45, (n_u, n_t)), pl_share)
    # two-card credits: split the nominal amount over projects and quarters, whole credits
    w_tc = TWO_CARD_WEIGHTS * rng.uniform(0.85, 1.15, (n_u, n_t, n_tc))
    w_tc /= w_tc.sum(axis=-1, keepdims=True)
    w_q = rng.uniform(0.85, 1.15, (n_u, n_t, n_tc, 4))
    w_q /= w_q.sum(axis=-1, keepdims=True)
    credits = np.rint((share70 * tc_share / YUAN_PER_CREDIT)[..., None, None] * w_tc[..., None] * w_q).astype(np.int64)
    # planned amounts of the other projects (fen), same on every quarter row
    w_pl = PLANNED_WEIGHTS * rng.uniform(0.85, 1.15, (n_u, n_t, n_pl))
    w_pl /= w_pl.sum(axis=-1, keepdims=True)
    planned = np.rint((share70 * pl_share * 100)[..., None] * w_pl).astype(np.int64)
    # scores: mostly 70–98, a few weak quarters; tenths of a point
    n_p = n_tc + n_pl
    score = 70 + 28 * rng.beta(4.0, 2.0, (n_u, n_t, n_p, 4))
    weak = rng.random((n_u, n_t, n_p, 4)) < 0.03
    score = np.where(weak, rng.uniform(40, 70, (n_u, n_t, n_p, 4)), score)
    # strong unit-years (≈8%): high shares and scores of 92–99.9, so their process amount passes the cap
    strong = strong_share < 0.08
    score = np.where(strong[..., None, None], rng.uniform(92, 99.9, (n_u, n_t, n_p, 4)), score)
    score_tenths = np.rint(score * 10).astype(np.int64)

    shape = (n_u, n_t, n_p, 4)
    idx = np.indices(shape).reshape(4, -1)
    is_tc = idx[2] < n_tc
    credits_full = np.zeros(shape, dtype=np.int64)
    credits_full[:, :, :n_tc, :] = credits
    planned_full = np.zeros(shape, dtype=np.int64)
    planned_full[:, :, n_tc:, :] = planned[..., None]
    credits_text = np.where(is_tc, pd.Series(credits_full.ravel()).astype(str).to_numpy(), "")
    planned_text = np.where(is_tc, "", fixed(planned_full.ravel(), 2).to_numpy())
    return pd.DataFrame(
        {
            "unit_id": np.array(prov.units["unit_id"], dtype=object)[idx[0]],
            "year": prov.years[idx[1]],
            "project": np.array(PROJECTS, dtype=object)[idx[2]],
            "quarter": idx[3] + 1,
            "credits": credits_text,
            "score": fixed(score_tenths.ravel(), 1).to_numpy(),
            "planned_amount": planned_text,
        }
    )


def ph_targets_table(prov: Province) -> pd.DataFrame:
    """One row per unit, year and indicator (16)."""
    rng = rng_for(prov.seed, 11)
    n_u, n_t = prov.unit_insured.shape
    ids = list(INDICATORS)
    n_i = len(ids)
    bench = np.array([INDICATORS[i][0] for i in ids])
    above = rng.random((n_u, n_t, n_i)) < 0.85
    is_credit = np.array([i == "health_education_credits" for i in ids])
    # rates: above → benchmark + up to 0.08 (capped below 1); below → 0.02–0.15 under
    rate_up = np.minimum(bench + rng.uniform(0.0, 0.08, (n_u, n_t, n_i)), 0.9995)
    rate_down = bench - rng.uniform(0.02, 0.15, (n_u, n_t, n_i))
    rate = np.where(above, rate_up, rate_down)
    credit_value = np.where(above, rng.uniform(100, 140, (n_u, n_t, n_i)), rng.uniform(80, 99, (n_u, n_t, n_i)))
    # rates to 4 decimals, credits to 1 decimal
    text_rate = fixed(np.rint(rate * 10_000).astype(np.int64).ravel(), 4).to_numpy()
    text_credit = fixed(np.rint(credit_value * 10).astype(np.int64).ravel(), 1).to_numpy()
    value = np.where(np.broadcast_to(is_credit, (n_u, n_t, n_i)).ravel(), text_credit, text_rate)
    # vetoes: one event per unit, year and service marks both indicators of that service
    events = rng.random((n_u, n_t, len(VETO_SERVICES))) < VETO_PROBABILITY
    service_of = [INDICATORS[i][1] for i in ids]
    veto = np.zeros((n_u, n_t, n_i), dtype=bool)
    for k, service in enumerate(service_of):
        if service is not None:
            veto[:, :, k] = events[:, :, VETO_SERVICES.index(service)]
    idx = np.indices((n_u, n_t, n_i)).reshape(3, -1)
    return pd.DataFrame(
        {
            "unit_id": np.array(prov.units["unit_id"], dtype=object)[idx[0]],
            "year": prov.years[idx[1]],
            "indicator": np.array(ids, dtype=object)[idx[2]],
            "value": value,
            "veto": np.where(veto.ravel(), "true", "false"),
        }
    )
