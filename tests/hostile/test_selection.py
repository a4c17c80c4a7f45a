"""An empty selection of years or counties is an error, not exit 0 with empty tables."""

import pytest

from tests.hostile.base import YEAR


@pytest.mark.parametrize("years", ["2030-2031", "1990", "2010-2019"])
def test_years_outside_the_data_are_an_error(dataset, tmp_path, run, years):
    r = run("indicators", dataset, "--years", years, "--out", tmp_path / "ind")
    assert r.code == 2 and f"--years {years} selects no year" in r.err and "2020–2023" in r.err
    assert list(tmp_path.glob("ind*")) == []


def test_a_partly_overlapping_window_is_fine(dataset, tmp_path, run):
    assert run("indicators", dataset, "--years", "2022-2030", "--out", tmp_path / "ind").code == 0


@pytest.mark.parametrize("county", ["C99", "c01", "C01,C77"])
def test_unknown_counties_are_an_error(dataset, tmp_path, run, county):
    r = run("indicators", dataset, "--county", county, "--out", tmp_path / "ind")
    assert r.code == 2 and "--county: unknown county" in r.err and "the dataset has C01" in r.err
    assert list(tmp_path.glob("ind*")) == []


def test_settle_unknown_county_and_year_without_data(dataset, tmp_path, run):
    r = run("settle", dataset, "--year", YEAR, "--county", "C99", "--out", tmp_path / "o")
    assert r.code == 2 and "C99" in r.err and not (tmp_path / "o").exists()
    r = run("settle", dataset, "--year", 2031, "--out", tmp_path / "o")
    assert r.code == 2 and "2031" in r.err and not (tmp_path / "o").exists()
