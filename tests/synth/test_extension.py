"""The synthetic province writes the contract extension with plausible magnitudes
(toolkit.data.synth_facility documents the sources): facility_year, the optional county_year
columns and criteria_year, valid against the contract."""

import pandas as pd
import pytest

from toolkit.data.contract import CRITERIA, TABLES
from toolkit.data.load import load_dataset


@pytest.fixture(scope="module")
def ext(province):
    out, _ = province
    ds = load_dataset(out, tables=["county_year", "facility_year", "criteria_year", "units"], cache=False)
    return ds.tables


def test_extension_tables_are_written_and_valid(ext):
    assert {"facility_year", "criteria_year"} <= set(ext)
    extension = [c.name for c in TABLES["county_year"].columns if not c.required and c.name != "ph_subsidy_total"]
    assert set(extension) <= set(ext["county_year"].columns)
    assert ext["county_year"][extension].notna().all().all()


def test_every_community_has_one_lead_hospital_every_year(ext):
    fy, units = ext["facility_year"], ext["units"]
    lead = fy[fy["level"] == "lead_hospital"].groupby(["community_id", "year"]).size()
    assert (lead == 1).all()
    assert set(lead.index.get_level_values(0)) == set(units["community_id"])


def test_facility_magnitudes_are_plausible(ext):
    fy = ext["facility_year"]
    lead = fy[fy["level"] == "lead_hospital"]
    alos = lead["discharge_bed_days"] / lead["discharges"]
    assert alos.between(6, 10).all()  # county hospitals: about 8 days
    occ = fy["bed_days_occupied"] / fy["bed_days_available"]
    assert occ[fy["level"] == "lead_hospital"].between(0.8, 1.05).all()
    assert occ[fy["level"] == "township"].between(0.4, 0.8).all()
    parts = fy[["drug_revenue", "consumables_revenue", "exam_revenue", "lab_revenue"]].sum(axis=1)
    service = 1 - parts / fy["medical_revenue"]
    assert service.between(0.2, 0.5).all()
    fiscal = fy["fiscal_revenue"] / fy["total_revenue"]
    assert fiscal[fy["level"] == "township"].between(0.25, 0.45).all()
    cy = ext["county_year"].set_index(["county_id", "year"])
    gp = fy.groupby(["county_id", "year"])["general_practitioners"].sum() / cy["population"] * 10_000
    assert gp.groupby(level="year").mean().between(1.0, 5.0).all()  # national ≈ 3.3 per 10,000 in 2021
    assert (gp.groupby(level="year").mean().diff().dropna() > 0).all()


def test_county_extension_magnitudes(ext):
    cy = ext["county_year"]
    rate = (cy["residents_contracted"] / cy["population"]).groupby(cy["year"]).mean()
    assert 0.08 < rate.iloc[0] < 0.2 and 0.35 < rate.loc[2023] < 0.55  # seed 001: target 50%
    assert cy["ph_performance_score"].between(0, 100).all()
    assert (cy["contracts_renewed"] <= cy["contracts_due"]).all()
    income = cy.groupby("year")["disposable_income_pc"].mean()
    assert 7_000 < income.loc[2012] < 10_000 and 18_000 < income.loc[2023] < 26_000


def test_criteria_rows_leave_9_and_10_to_the_settlement_except_c01(ext):
    cr = ext["criteria_year"]
    assert set(cr["criterion"]) <= set(CRITERIA)
    derived = cr[cr["criterion"].isin(CRITERIA[8:])]
    assert set(derived["county_id"]) == {"C01"} and set(derived["criterion"]) == {"unified_fiscal_funding"}
    reformed = cr[(cr["county_id"] == "C01") & (cr["year"] >= 2020)]
    early = cr[(cr["county_id"] == "C01") & (cr["year"] <= 2014)]
    assert reformed["met"].mean() > early["met"].mean()
    assert isinstance(cr["evidence"].iloc[0], str) or pd.isna(cr["evidence"].iloc[0])
