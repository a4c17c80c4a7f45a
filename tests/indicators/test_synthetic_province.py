"""On the synthetic province (toolkit.data.synth): the claims aggregate exactly to the unit_year and
county_year columns written beside them, and every indicator computes without error."""

import pandas as pd
import pytest

synth = pytest.importorskip("toolkit.data.synth", reason="synthetic province generator not built yet")

from toolkit.data.claims import COUNTY_YEAR_COLUMNS, UNIT_YEAR_COLUMNS, aggregate_claims  # noqa: E402
from toolkit.data.load import load_dataset  # noqa: E402
from toolkit.indicators import compute_indicators, compute_unit_indicators  # noqa: E402


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    out = tmp_path_factory.mktemp("province")
    synth.generate_province(out, seed=20240901, n_counties=3, claims=True)
    return load_dataset(out)


def _fen(series: pd.Series) -> pd.Series:
    return (series.astype("float64") * 100).round().astype("int64")


def test_claims_aggregate_exactly_to_the_written_tables(province):
    agg = aggregate_claims(province.files["claims"], keep_fen=True)
    uy = province.tables["unit_year"].merge(agg["unit_year"], on=["unit_id", "year"], how="left", suffixes=("", "_claims"))
    for col in UNIT_YEAR_COLUMNS:
        got = uy[f"{col}_claims"].fillna(0).astype("int64")
        assert (got == _fen(uy[col])).all(), col
    cy = province.tables["county_year"].merge(agg["county_year"], on=["county_id", "year"], how="left", suffixes=("", "_claims"))
    for col in COUNTY_YEAR_COLUMNS:
        got = cy[f"{col}_claims"].fillna(0).astype("int64")
        want = _fen(cy[col]) if col.startswith("fund") else cy[col].astype("int64")
        assert (got == want).all(), col
    for frame in agg.values():
        assert not {"person_id", "claim_id"} & set(frame.columns)


def test_indicators_compute_on_the_province(province):
    out = compute_indicators(province.tables)
    assert set(out["county_id"]) == set(province.tables["county_year"]["county_id"])
    rates = out.loc[out["indicator"].isin(["in_county_inpatient_share", "in_county_visit_rate", "fund_in_county_rate",
                                           "primary_visit_share", "primary_fund_share"]), "value"]
    assert rates.between(0, 1).all()
    mort = out.loc[out["indicator"] == "premature_ncd_mortality"]
    assert len(mort) and (mort["lower"] <= mort["value"]).all() and (mort["value"] <= mort["upper"]).all()
    units = compute_unit_indicators(province.tables)
    assert len(units) and units["unit_id"].nunique() == province.tables["units"]["unit_id"].nunique()
