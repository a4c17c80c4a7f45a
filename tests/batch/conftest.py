"""Shared fixtures: a tiny dataset folder and the fixture notebooks (see fixtures/make_fixtures.py)."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
OK = FIXTURES / "ok_report.ipynb"
FAILING = FIXTURES / "failing_report.ipynb"
SLOW = FIXTURES / "slow_report.ipynb"

COUNTY_YEAR = "county_id,year,population\nC01,2023,100\nC01,2024,110\nC02,2023,200\nC02,2024,210\nC03,2023,300\nC03,2024,310\n"


@pytest.fixture
def dataset(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "county_year.csv").write_text(COUNTY_YEAR, encoding="utf-8")
    return data
