"""One small valid dataset every hostile case starts from: county C01, units U1–U4, 2020–2023.

It is valid for ``validate``, ``settle --year 2023`` and ``indicators``; each case changes one thing
and asserts the exit code, the message parts and that nothing was written or changed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from tests.settlement.builders import make_tables

YEAR = 2023
YEARS = (2020, 2021, 2022, 2023)


def base_tables() -> dict[str, pd.DataFrame]:
    t = make_tables(n_units=4, county="C01", year=YEAR, lump=10000.0)
    t["county_year"] = pd.DataFrame(
        {
            "county_id": "C01",
            "year": list(YEARS),
            "county_name": "示例县",
            "population": 800000,
            "insured_pop": 700000,
            "admissions": 60000,
            "admissions_in_county": 50000,
            "visits": 900000,
            "visits_in_county": 800000,
            "visits_primary": 500000,
            "fund_spending": 5.0e8,
            "fund_in_county": 4.0e8,
            "fund_primary": 1.5e8,
            "township_staff": 900,
            "township_pay": 9.0e7,
            "lead_hospital_staff": 1200,
            "lead_hospital_pay": 1.4e8,
            "village_doctors": 700,
            "village_doctor_subsidy": 3.5e7,
            "ph_subsidy_total": 60000.0,
            "reform_year": 2021,
        }
    )
    t["deaths"] = pd.DataFrame(
        [
            ("C01", y, "all", f"{a}-{a + 4}", cause, d, 50000)
            for y in YEARS
            for a in range(30, 70, 5)
            for cause, d in (("cvd", 12), ("cancer", 9), ("other", 30))
        ],
        columns=["county_id", "year", "sex", "age_band", "cause", "deaths", "population"],
    )
    return {name: frame.astype(object) for name, frame in t.items()}


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        (folder / f"{name}.csv").write_bytes(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    return folder


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path -> sha256 (or the link target / kind) of everything under ``folder``."""
    out = {}
    if not folder.exists() and not folder.is_symlink():
        return out
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = "link:" + str(p.readlink())
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif p.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = "special"
    return out
