"""Synthetic insurance claims, streamed to Parquet one county-year at a time.

With claims the claims ARE the truth: the unit_year spending columns and the county_year
admissions, visits and fund columns are computed from the generated claims in integer fen, so an
aggregator must reproduce them exactly (data.md, "claims"). Claims are drawn so that their
expected totals equal the expected-value model of :mod:`toolkit.data.synth_model`: expected
admissions = insured × rate / 100, expected general fund = the unit's expected ``fund_general``
(62% inpatient, 38% outpatient), expected chronic fund = the unit's expected
``fund_chronic_outpatient`` (8 chronic outpatient visits per chronic person a year).

Never more than one county-year plus one row group's buffer is held in memory; the writer emits
row groups of at most ``chunk_rows`` rows. ``person_id`` is a keyed 64-bit bijective hash of
(unit, person number): pseudonymous, stable across years, unique by construction.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toolkit.data.synth_model import Province, rng_for

SCHEMA = pa.schema(
    [
        ("claim_id", pa.string()),
        ("person_id", pa.string()),
        ("unit_id", pa.string()),
        ("county_id", pa.string()),
        ("year", pa.int32()),
        ("month", pa.int32()),
        ("setting", pa.string()),
        ("provider_level", pa.string()),
        ("chronic_group", pa.int32()),
        ("total_cost", pa.float64()),
        ("fund_paid", pa.float64()),
        ("critical_illness_paid", pa.float64()),
        ("disease_group", pa.string()),
        ("bed_days", pa.int32()),
    ]
)

LEVELS = np.array(["county", "township", "village", "outside"], dtype=object)
INPATIENT_FUND_SHARE = 0.62
CHRONIC_VISITS_PER_PERSON = 8.0
#: relative fund per claim by level (county, township, village, outside)
INPATIENT_COST = np.array([1.0, 0.45, 0.45, 1.6])
OUTPATIENT_COST = np.array([1.6, 0.7, 0.45, 2.5])
#: fund share of the total cost by level
INPATIENT_REIMBURSEMENT = np.array([0.62, 0.75, 0.75, 0.50])
OUTPATIENT_REIMBURSEMENT = np.array([0.55, 0.60, 0.60, 0.45])
CHRONIC_REIMBURSEMENT = 0.65
CRITICAL_DEDUCTIBLE_FEN = 1_500_000  # 15,000 yuan of out-of-fund cost before critical-illness pays
CRITICAL_RATE = 0.6
N_CHRONIC_GROUPS = 41
#: inpatient disease groups for points-based payment (seed 001 病组): G01…G20, commoner first
DISEASE_GROUPS = np.array([f"G{g:02d}" for g in range(1, 21)], dtype=object)
#: share of admissions paid by bed days (long stays without a group, seed 001 床日)
BED_DAY_SHARE = 0.05


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijection of uint64 (distinct inputs give distinct outputs)."""
    z = x.astype(np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return z


def person_keys(seed: int, unit_index: np.ndarray, person: np.ndarray) -> np.ndarray:
    key = _mix64(np.array([seed], dtype=np.uint64))[0]
    return _mix64(((unit_index.astype(np.uint64) + np.uint64(1)) << np.uint64(32) | person.astype(np.uint64)) ^ key)


def _pad_digits(values: np.ndarray, width: int, prefix: str) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


def _levels(rng: np.random.Generator, n: int, p: np.ndarray) -> np.ndarray:
    """Draw level codes 0..3 with per-row probabilities p [n, 4]."""
    u = rng.random(n)
    cum = np.cumsum(p, axis=1)
    return np.minimum((u[:, None] > cum).sum(axis=1), 3)


def county_year_claims(prov: Province, c: int, j: int, unit_ids: np.ndarray) -> tuple[pa.Table, dict]:
    """Claims of one county-year and their aggregates (fen and counts)."""
    rng = rng_for(prov.seed, 99, c, int(prov.years[j]))
    ex = prov.expected
    units = np.flatnonzero(prov.unit_county == c)
    ins = prov.unit_insured[units, j].astype(float)
    chr_pop = prov.unit_chronic[units, j].astype(float)
    mult = ex["fund_multiplier"][c, j]
    gen_fund = ins * ex["pc_general_cf"][c, j] * mult * prov.unit_general_factor[units, j] * 100  # fen
    chr_fund = chr_pop * ex["pc_chronic_cf"][c, j] * mult * prov.unit_chronic_factor[units, j] * 100
    hosp = (ex["hosp_rate_cf"][c, j] + ex["hosp_rate_effect"][c, j]) / 100
    e_adm = ins * hosp
    e_cv = chr_pop * CHRONIC_VISITS_PER_PERSON
    e_gv = np.maximum(ins * ex["visits_pc"][c, j] - e_cv, 0)
    n_adm, n_gv, n_cv = rng.poisson(e_adm), rng.poisson(e_gv), rng.poisson(e_cv)

    a_in, v_in, v_pr = ex["adm_in_share"][c, j], ex["vis_in_share"][c, j], ex["vis_primary_share"][c, j]
    p_ip = np.array([a_in * 0.78, a_in * 0.22, 0.0, 1 - a_in])
    p_op = np.array([v_in - v_pr, v_pr * 0.45, v_pr * 0.55, 1 - v_in])
    kinds = []  # (unit local index, setting code 0 inpatient / 1 outpatient, chronic flag, mean fen, p, cost, k)
    for counts, mean, setting, chronic, p, cost, shape in [
        (n_adm, INPATIENT_FUND_SHARE * gen_fund / np.maximum(e_adm, 1e-12), 0, False, p_ip, INPATIENT_COST, 1.5),
        (n_gv, (1 - INPATIENT_FUND_SHARE) * gen_fund / np.maximum(e_gv, 1e-12), 1, False, p_op, OUTPATIENT_COST, 2.0),
        (n_cv, chr_fund / np.maximum(e_cv, 1e-12), 1, True, p_op, OUTPATIENT_COST, 2.0),
    ]:
        local = np.repeat(np.arange(len(units)), counts)
        n = len(local)
        level = _levels(rng, n, np.broadcast_to(p, (n, 4)))
        norm = float(p @ cost)
        fund_paid = np.rint(mean[local] * cost[level] / norm * rng.gamma(shape, 1 / shape, n)).astype(np.int64)
        if setting == 0:
            total = np.rint(fund_paid / INPATIENT_REIMBURSEMENT[level]).astype(np.int64)
        elif chronic:
            total = np.rint(fund_paid / CHRONIC_REIMBURSEMENT).astype(np.int64)
        else:
            total = np.rint(fund_paid / OUTPATIENT_REIMBURSEMENT[level]).astype(np.int64)
        critical = np.zeros(n, dtype=np.int64)
        if setting == 0:
            critical = np.rint(CRITICAL_RATE * np.maximum(total - fund_paid - CRITICAL_DEDUCTIBLE_FEN, 0)).astype(
                np.int64
            )
        pool = chr_pop if chronic else ins
        person = np.floor(rng.random(n) * pool[local]).astype(np.int64)
        month = rng.integers(1, 13, n)
        kinds.append(
            (local, np.full(n, setting), np.full(n, chronic), level, fund_paid, total, critical, person, month)
        )

    local, setting, chronic, level, fund_paid, total, critical, person, month = (np.concatenate(x) for x in zip(*kinds))
    order = np.lexsort((setting, month, local))
    local, setting, chronic, level, fund_paid, total, critical, person, month = (
        x[order] for x in (local, setting, chronic, level, fund_paid, total, critical, person, month)
    )
    # disease group and length of stay of each admission, from their own stream so the other
    # columns stay as they were
    rng_pts = rng_for(prov.seed, 98, c, int(prov.years[j]))
    n_all = len(local)
    weights = 1.0 / np.arange(1, len(DISEASE_GROUPS) + 1)
    group_code = rng_pts.choice(len(DISEASE_GROUPS), n_all, p=weights / weights.sum())
    bed_day_stay = rng_pts.random(n_all) < BED_DAY_SHARE
    stay = 1 + rng_pts.poisson(np.where(bed_day_stay, 25.0, 7.0))
    inpatient_row = setting == 0
    keys = person_keys(prov.seed, units[local], person)
    group = np.where(chronic, (keys % np.uint64(N_CHRONIC_GROUPS)).astype(np.int64) + 1, 0)
    n = len(local)
    year = int(prov.years[j])
    cid = prov.county_ids[c]
    table = pa.table(
        {
            "claim_id": _pad_digits(np.arange(1, n + 1), 8, f"{cid}-{year}-"),
            "person_id": _pad_digits(keys, 20, "P"),
            # strings by take() from small arrays: built in C, not from Python objects per row
            "unit_id": pa.array(unit_ids[units], pa.string()).take(pa.array(local)),
            "county_id": pa.array([cid], pa.string()).take(pa.array(np.zeros(n, dtype=np.int64))),
            "year": pa.array(np.full(n, year, dtype=np.int32)),
            "month": pa.array(month.astype(np.int32)),
            "setting": pa.array(["inpatient", "outpatient"], pa.string()).take(pa.array(setting)),
            "provider_level": pa.array(list(LEVELS), pa.string()).take(pa.array(level)),
            "chronic_group": pa.array(group.astype(np.int32), mask=~chronic),
            "total_cost": pa.array(total / 100),
            "fund_paid": pa.array(fund_paid / 100),
            "critical_illness_paid": pa.array(critical / 100),
            "disease_group": pa.array(list(DISEASE_GROUPS), pa.string()).take(
                pa.array(group_code, mask=~inpatient_row | bed_day_stay)
            ),
            "bed_days": pa.array(stay.astype(np.int32), mask=~inpatient_row),
        },
        schema=SCHEMA,
    )

    chronic_op = chronic & (setting == 1)

    def by_unit(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(local[mask], weights=values[mask].astype(np.float64), minlength=len(units)).astype(np.int64)

    # exact integer sums (fen); float64 bincount is exact below 2**53 fen (~90 trillion yuan)
    inpatient, outpatient = setting == 0, setting == 1
    inside, primary = level != 3, (level == 1) | (level == 2)
    agg = {
        "units": units,
        "fund_general": by_unit(fund_paid, ~chronic_op),
        "fund_chronic_outpatient": by_unit(fund_paid, chronic_op),
        "total_medical_spending": by_unit(total, np.ones(n, dtype=bool)),
        "admissions": int(inpatient.sum()),
        "admissions_in_county": int((inpatient & inside).sum()),
        "visits": int(outpatient.sum()),
        "visits_in_county": int((outpatient & inside).sum()),
        "visits_primary": int((outpatient & primary).sum()),
        "fund_spending": int(fund_paid.sum()),
        "fund_in_county": int(fund_paid[inside].sum()),
        "fund_primary": int(fund_paid[primary].sum()),
    }
    return table, agg


def expected_claims(prov: Province) -> float:
    """Expected number of claims of the whole province (admissions + all visits)."""
    ex = prov.expected
    return float((prov.insured * ((ex["hosp_rate_cf"] + ex["hosp_rate_effect"]) / 100 + ex["visits_pc"])).sum())


def write_claims(prov: Province, path: Path, chunk_rows: int = 500_000) -> dict:
    """Stream every county-year's claims into one Parquet file; return aggregates and counts."""
    n_c, n_t = prov.population.shape
    n_u = prov.unit_insured.shape[0]
    unit_ids = np.array(prov.units["unit_id"], dtype=object)
    unit_money = {
        k: np.zeros((n_u, n_t), dtype=np.int64)
        for k in ["fund_general", "fund_chronic_outpatient", "total_medical_spending"]
    }
    county = {
        k: np.zeros((n_c, n_t), dtype=np.int64)
        for k in [
            "admissions",
            "admissions_in_county",
            "visits",
            "visits_in_county",
            "visits_primary",
            "fund_spending",
            "fund_in_county",
            "fund_primary",
        ]
    }
    rows = 0
    peak = 0
    buffer: list[pa.Table] = []
    buffered = 0
    with pq.ParquetWriter(path, SCHEMA, compression="zstd") as writer:

        def flush(final: bool) -> None:
            nonlocal buffer, buffered
            if not buffer:
                return
            table = pa.concat_tables(buffer)
            cut = len(table) if final else (len(table) // chunk_rows) * chunk_rows
            if cut:
                writer.write_table(table.slice(0, cut), row_group_size=chunk_rows)
            rest = table.slice(cut)
            buffer, buffered = ([rest], len(rest)) if len(rest) else ([], 0)

        for c in range(n_c):
            for j in range(n_t):
                table, agg = county_year_claims(prov, c, j, unit_ids)
                for k in unit_money:
                    unit_money[k][agg["units"], j] = agg[k]
                for k in county:
                    county[k][c, j] = agg[k]
                rows += len(table)
                buffer.append(table)
                buffered += len(table)
                peak = max(peak, buffered)
                if buffered >= chunk_rows:
                    flush(final=False)
        flush(final=True)
    return {"unit_money": unit_money, "county": county, "rows": rows, "max_rows_in_memory": peak}
