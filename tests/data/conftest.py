"""A tiny valid dataset (2 counties, 5 units, 3 years) written by the tests themselves.

Every broken case starts from these tables, changes one thing and checks the exact message parts.
Row numbers in messages are 1-based data rows: row 1 is the first row under the header.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

YEARS = (2020, 2021, 2022)
UNITS = [  # unit_id, unit_name, county_id, township_id, community_id
    ("U01", "城关单元", "C01", "T01", "M1"),
    ("U02", "南坪单元", "C01", "T01", "M1"),
    ("U03", "临涣单元", "C01", "T02", "M2"),
    ("U04", "五沟单元", "C02", "T03", "M3"),
    ("U05", "百善单元", "C02", "T04", "M3"),
]


def valid_tables() -> dict[str, pd.DataFrame]:
    """Object-dtype tables so a test can put any wrong value into any cell."""
    units = pd.DataFrame(UNITS, columns=["unit_id", "unit_name", "county_id", "township_id", "community_id"])
    unit_year = pd.DataFrame(
        [
            (u, y, 1000 + 10 * i + (y - 2020), 100 + i, 250000.5 + i, 30000.0, 400000.25, 60000.0)
            for i, (u, *_) in enumerate(UNITS)
            for y in YEARS
        ],
        columns=[
            "unit_id",
            "year",
            "insured_pop",
            "chronic_pop",
            "fund_general",
            "fund_chronic_outpatient",
            "total_medical_spending",
            "ph_lump_sum",
        ],
    )
    process = []
    for u, *_ in UNITS[:2]:
        for y in YEARS[-1:]:
            for project, credits, planned in (("ehr", 120.5, None), ("vaccination", None, 5000.0)):
                for q in (1, 2, 3, 4):
                    process.append((u, y, project, q, credits, 80 + q, planned))
    ph_process = pd.DataFrame(
        process, columns=["unit_id", "year", "project", "quarter", "credits", "score", "planned_amount"]
    )
    ph_targets = pd.DataFrame(
        [
            (u, 2022, ind, val, veto)
            for u, *_ in UNITS[:3]
            for ind, val, veto in (
                ("ehr_coverage", 0.7, False),
                ("health_education_credits", 120.0, False),
                ("newborn_visit_rate", 0.95, True),
            )
        ],
        columns=["unit_id", "year", "indicator", "value", "veto"],
    )
    county_year = pd.DataFrame(
        [
            (
                c,
                y,
                name,
                800000,
                700000,
                60000,
                50000,
                900000,
                800000,
                500000,
                5.0e8,
                4.0e8,
                1.5e8,
                900,
                9.0e7,
                1200,
                1.4e8,
                700,
                3.5e7,
                2.0e7,
                2021 if c == "C01" else None,
            )
            for c, name in (("C01", "濉溪县"), ("C02", "示例县"))
            for y in YEARS
        ],
        columns=[
            "county_id",
            "year",
            "county_name",
            "population",
            "insured_pop",
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
            "reform_year",
        ],
    )
    deaths = pd.DataFrame(
        [
            (c, y, "all", "30-34", cause, d, 50000)
            for c in ("C01", "C02")
            for y in YEARS
            for cause, d in (("cvd", 12), ("cancer", 9), ("other", 30))
        ],
        columns=["county_id", "year", "sex", "age_band", "cause", "deaths", "population"],
    )
    tables = {
        "units": units,
        "unit_year": unit_year,
        "ph_process": ph_process,
        "ph_targets": ph_targets,
        "county_year": county_year,
        "deaths": deaths,
    }
    return {name: frame.astype(object) for name, frame in tables.items()}


def write_csv(path: Path, frame: pd.DataFrame, encoding: str = "utf-8") -> Path:
    path.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode(encoding))
    return path


def write_dataset(folder: Path, tables: dict[str, pd.DataFrame] | None = None, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in (tables or valid_tables()).items():
        write_csv(folder / f"{name}.csv", frame, encoding)
    return folder


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    return valid_tables()


@pytest.fixture
def dataset_dir(tmp_path) -> Path:
    return write_dataset(tmp_path / "dataset")
