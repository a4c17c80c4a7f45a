"""The synthetic province (toolkit.data.synth) satisfies the contract: it loads with no problem."""

from __future__ import annotations

import pytest

from toolkit.data import synth
from toolkit.data.load import load_dataset


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "province"
    synth.generate_province(out, n_counties=2, years=(2021, 2022), claims=True, claims_rows=2000)
    return out


def test_synthetic_province_loads_without_problems(province):
    ds = load_dataset(province)
    assert {"units", "unit_year", "county_year", "ph_process", "ph_targets", "deaths"} <= set(ds.tables)
    assert ds.tables["unit_year"]["year"].between(2021, 2022).all()
    summary = ds.validate_claims()  # values checked against the units and counties loaded
    assert summary.rows > 0 and summary.years == (2021, 2022)


def test_data_hash_is_stable_and_tracks_content(province, tmp_path):
    first = load_dataset(province, tables="units,unit_year,county_year")
    second = load_dataset(province, tables=["county_year", "unit_year", "units"])
    assert first.data_hash == second.data_hash and len(first.data_hash) == 64
    subset = load_dataset(province, tables="units,county_year")
    assert subset.data_hash != first.data_hash  # the hash covers exactly the tables loaded
