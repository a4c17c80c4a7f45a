"""On the synthetic province (toolkit.data.synth): the claims aggregate exactly to the unit_year and
county_year columns written beside them, and every indicator computes without error."""

import pandas as pd
import pytest

from toolkit.data import synth
from toolkit.data.claims import COUNTY_YEAR_COLUMNS, UNIT_YEAR_COLUMNS, aggregate_claims
from toolkit.data.load import load_dataset
from toolkit.indicators import compute_indicators, compute_unit_indicators


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    out = tmp_path_factory.mktemp("province")
    synth.generate_province(out, seed=20240901, n_counties=3, claims=True)
    return load_dataset(out)


def _fen(series: pd.Series) -> pd.Series:
    return (series.astype("float64") * 100).round().astype("int64")


@pytest.mark.slow
def test_claims_aggregate_exactly_to_the_written_tables(province):
    agg = aggregate_claims(province.files["claims"], keep_fen=True)
    uy = province.tables["unit_year"].merge(
        agg["unit_year"], on=["unit_id", "year"], how="left", suffixes=("", "_claims")
    )
    for col in UNIT_YEAR_COLUMNS:
        got = uy[f"{col}_claims"].fillna(0).astype("int64")
        assert (got == _fen(uy[col])).all(), col
    cy = province.tables["county_year"].merge(
        agg["county_year"], on=["county_id", "year"], how="left", suffixes=("", "_claims")
    )
    for col in COUNTY_YEAR_COLUMNS:
        got = cy[f"{col}_claims"].fillna(0).astype("int64")
        want = _fen(cy[col]) if col.startswith("fund") else cy[col].astype("int64")
        assert (got == want).all(), col
    for frame in agg.values():
        assert not {"person_id", "claim_id"} & set(frame.columns)


@pytest.mark.slow
def test_indicators_compute_on_the_province(province):
    out = compute_indicators(province.tables)
    assert set(out["county_id"]) == set(province.tables["county_year"]["county_id"])
    rates = out.loc[
        out["indicator"].isin(
            [
                "in_county_inpatient_share",
                "in_county_visit_rate",
                "fund_in_county_rate",
                "primary_visit_share",
                "primary_fund_share",
            ]
        ),
        "value",
    ]
    assert rates.between(0, 1).all()
    mort = out.loc[out["indicator"] == "premature_ncd_mortality"]
    assert len(mort) and (mort["lower"] <= mort["value"]).all() and (mort["value"] <= mort["upper"]).all()
    units = compute_unit_indicators(province.tables)
    assert len(units) and units["unit_id"].nunique() == province.tables["units"]["unit_id"].nunique()


@pytest.fixture(scope="module")
def province60(tmp_path_factory):
    """The default 60-county province without claims, and its truth.json."""
    import json

    out = tmp_path_factory.mktemp("province60")
    synth.generate_province(out, seed=20240901, n_counties=60)
    return load_dataset(out), json.loads((out / "truth.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_mortality_interval_covers_the_generators_true_probability(province60):
    # truth.json holds each county-year's expected SDG 3.4.1 probability (percent) under its
    # observed reform status; the 95% interval must cover it in about 95% of the 780 county-years
    ds, truth = province60
    out = compute_indicators(ds.tables)
    cells = pd.DataFrame(truth["outcomes"]["premature_mortality"]["cells"])
    m = out.loc[out["indicator"] == "premature_ncd_mortality"].merge(
        cells, on=["county_id", "year"], validate="one_to_one"
    )
    assert len(m) == 60 * 13
    p = m["expected_treated"] / 100
    coverage = ((m["lower"] <= p) & (p <= m["upper"])).mean()
    assert 0.92 <= coverage <= 0.99, coverage


@pytest.mark.slow
def test_village_share_below_48_percent_exactly_where_the_generator_put_it(province60):
    # seed 000 §3.2: at least 48% to the village level; truth.json lists the county-years built to break it
    ds, truth = province60
    out = compute_indicators(ds.tables)
    share = out.loc[out["indicator"] == "ph_village_share"]
    low = {(c, int(y)) for c, y in share.loc[share["value"] < 0.48, ["county_id", "year"]].itertuples(index=False)}
    violations = pd.DataFrame(truth["ph_village_share_violations"])
    assert low == {(c, int(y)) for c, y in violations[["county_id", "year"]].itertuples(index=False)}
    merged = violations.merge(share, on=["county_id", "year"])
    assert (merged["village_share"] - merged["value"]).abs().max() < 5e-7  # truth.json rounds to 6 decimals
