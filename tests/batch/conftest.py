"""Shared fixtures: a tiny dataset folder and the fixture notebooks (see fixtures/make_fixtures.py)."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
OK = FIXTURES / "ok_report.ipynb"
FAILING = FIXTURES / "failing_report.ipynb"
SLOW = FIXTURES / "slow_report.ipynb"

# a contract-valid county_year table (the batch CLI validates the dataset before planning)
COUNTY_YEAR = (
    "county_id,year,county_name,population,insured_pop,admissions,admissions_in_county,visits,visits_in_county,visits_primary,fund_spending,fund_in_county,fund_primary,township_staff,township_pay,lead_hospital_staff,lead_hospital_pay,village_doctors,village_doctor_subsidy,reform_year\n"
    "C01,2023,甲县,100,90,10,8,300,250,200,100000,90000,30000,10,800000,20,2400000,5,150000,2021\n"
    "C01,2024,甲县,110,99,11,9,330,275,220,110000,99000,33000,10,800000,20,2400000,5,150000,2021\n"
    "C02,2023,乙县,200,180,20,16,600,500,400,200000,180000,60000,10,800000,20,2400000,5,150000,2023\n"
    "C02,2024,乙县,210,189,21,17,630,525,420,210000,189000,63000,10,800000,20,2400000,5,150000,2023\n"
    "C03,2023,丙县,300,270,30,25,900,750,600,300000,270000,90000,10,800000,20,2400000,5,150000,\n"
    "C03,2024,丙县,310,279,31,25,930,775,620,310000,279000,93000,10,800000,20,2400000,5,150000,\n"
)


@pytest.fixture
def dataset(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "county_year.csv").write_text(COUNTY_YEAR, encoding="utf-8")
    return data
