"""Small hand-made tables of the data contract for settlement tests."""

from __future__ import annotations

import pandas as pd

from toolkit.params.snapshot import snapshot

PROJECTS = [
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
]
TWO_CARD = PROJECTS[:8]
INDICATORS = list(snapshot("C99", 2023).objective_benchmarks)


def make_tables(
    n_units: int = 4,
    county: str = "C99",
    year: int = 2023,
    lump: float = 10000.0,
    credits: float = 50.0,
    planned: float = 100.0,
    score: float = 100.0,
    value: float = 1.0,
    spending=None,
    subsidy: float | None = None,
) -> dict[str, pd.DataFrame]:
    """Units U1..Un in one county, years year-3..year; every unit identical unless changed after."""
    units = pd.DataFrame(
        {
            "unit_id": [f"U{i}" for i in range(1, n_units + 1)],
            "unit_name": [f"单元{i}" for i in range(1, n_units + 1)],
            "county_id": county,
            "township_id": [f"T{(i - 1) // 2 + 1}" for i in range(1, n_units + 1)],
            "community_id": [f"M{(i - 1) % 2 + 1}" for i in range(1, n_units + 1)],
        }
    )
    rows = []
    for u in units["unit_id"]:
        for y in range(year - 3, year + 1):
            total = 1000.0 * 1000 if spending is None else spending(u, y)
            rows.append(
                {
                    "unit_id": u,
                    "year": y,
                    "insured_pop": 1000,
                    "chronic_pop": 100,
                    "fund_general": 500000.0,
                    "fund_chronic_outpatient": 50000.0,
                    "total_medical_spending": total,
                    "ph_lump_sum": lump,
                }
            )
    unit_year = pd.DataFrame(rows)
    proc = []
    for u in units["unit_id"]:
        for p in PROJECTS:
            for q in (1, 2, 3, 4):
                two = p in TWO_CARD
                proc.append(
                    {
                        "unit_id": u,
                        "year": year,
                        "project": p,
                        "quarter": q,
                        "credits": credits if two else float("nan"),
                        "score": score,
                        "planned_amount": float("nan") if two else planned,
                    }
                )
    ph_process = pd.DataFrame(proc)
    targets = pd.DataFrame(
        [
            {"unit_id": u, "year": year, "indicator": i, "value": value, "veto": False}
            for u in units["unit_id"]
            for i in INDICATORS
        ]
    )
    tables = {"units": units, "unit_year": unit_year, "ph_process": ph_process, "ph_targets": targets}
    if subsidy is not None:
        tables["county_year"] = pd.DataFrame({"county_id": [county], "year": [year], "ph_subsidy_total": [subsidy]})
    return tables
