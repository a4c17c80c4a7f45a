"""One default province per test session (60 counties, seed 20240901): generating takes seconds."""

import json

import pandas as pd
import pytest

from toolkit.data.synth import generate_province


@pytest.fixture(scope="session")
def province(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "province"
    summary = generate_province(out)
    return out, summary


@pytest.fixture(scope="session")
def tables(province):
    out, _ = province
    names = ["units", "unit_year", "ph_process", "ph_targets", "county_year", "deaths"]
    return {n: pd.read_csv(out / f"{n}.csv", keep_default_na=True) for n in names}


@pytest.fixture(scope="session")
def truth(province):
    out, _ = province
    return json.loads((out / "truth.json").read_text(encoding="utf-8"))
