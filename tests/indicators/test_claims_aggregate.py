"""Claims → aggregates with DuckDB: hand-worked, equal to a pandas groupby, exact to the fen,
no identifiers in the results (toolkit.data.claims)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.data.claims import aggregate_claims, fill_from_claims
from toolkit.errors import ToolkitError

COLUMNS = [
    "claim_id",
    "person_id",
    "unit_id",
    "county_id",
    "year",
    "month",
    "setting",
    "provider_level",
    "chronic_group",
    "total_cost",
    "fund_paid",
    "critical_illness_paid",
]


def hand_claims() -> pd.DataFrame:
    rows = [
        # claim  person   unit  county year m  setting       level       chronic total    fund     critical
        ("K1", "P-secret-1", "U1", "C01", 2023, 1, "inpatient", "county", None, 10_000.00, 7_000.00, 1_500.00),
        ("K2", "P-secret-1", "U1", "C01", 2023, 2, "outpatient", "village", 3, 120.50, 80.25, 0.0),
        ("K3", "P-secret-2", "U1", "C01", 2023, 3, "outpatient", "township", None, 60.10, 30.05, 0.0),
        ("K4", "P-secret-2", "U2", "C01", 2023, 4, "inpatient", "outside", None, 20_000.00, 12_000.00, 4_000.00),
        ("K5", "P-secret-3", "U2", "C01", 2023, 5, "outpatient", "outside", 7, 300.00, 200.00, 0.0),
        ("K6", "P-secret-3", "U2", "C01", 2022, 6, "inpatient", "township", None, 3_000.00, 2_400.00, 0.0),
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["chronic_group"] = frame["chronic_group"].astype("Int64")
    return frame


def write(frame: pd.DataFrame, path):
    frame.to_parquet(path, index=False)
    return path


def test_hand_worked_mapping(tmp_path):
    agg = aggregate_claims(write(hand_claims(), tmp_path / "claims.parquet"))
    unit = agg["unit_year"].set_index(["unit_id", "year"])
    # U1 2023: general = K1 7,000.00 + K3 30.05 = 7,030.05 (K2 is chronic outpatient: 80.25)
    assert unit.loc[("U1", 2023), "fund_general"] == 7_030.05
    assert unit.loc[("U1", 2023), "fund_chronic_outpatient"] == 80.25
    assert unit.loc[("U1", 2023), "total_medical_spending"] == 10_180.60  # 10,000 + 120.50 + 60.10
    # U2 2023: general = K4 12,000 (critical illness 4,000 never added); chronic = K5 200
    assert unit.loc[("U2", 2023), ["fund_general", "fund_chronic_outpatient"]].tolist() == [12_000.0, 200.0]
    county = agg["county_year"].set_index(["county_id", "year"]).loc[("C01", 2023)]
    assert county[["admissions", "admissions_in_county"]].tolist() == [2, 1]  # K1 in county, K4 outside
    assert county[["visits", "visits_in_county", "visits_primary"]].tolist() == [3, 2, 2]  # K2, K3 in; K5 outside
    # fund: all 7,000 + 80.25 + 30.05 + 12,000 + 200 = 19,310.30; in county 7,110.30; primary 110.30
    assert county[["fund_spending", "fund_in_county", "fund_primary"]].tolist() == [19_310.30, 7_110.30, 110.30]
    assert list(agg["county_year"]["year"]) == [2022, 2023]


def test_no_identifier_leaves_the_aggregation(tmp_path):
    agg = aggregate_claims(write(hand_claims(), tmp_path / "claims.parquet"))
    for frame in agg.values():
        assert not {"person_id", "claim_id"} & set(frame.columns)
        text = frame.to_csv()
        assert "P-secret" not in text and "K1" not in text


def test_folder_of_files_equals_one_file(tmp_path):
    claims = hand_claims()
    one = aggregate_claims(write(claims, tmp_path / "all.parquet"))
    (tmp_path / "parts").mkdir()
    write(claims.iloc[:3], tmp_path / "parts" / "a.parquet")
    write(claims.iloc[3:], tmp_path / "parts" / "b.parquet")
    many = aggregate_claims(tmp_path / "parts")
    for name in one:
        pd.testing.assert_frame_equal(one[name], many[name])
    glob = aggregate_claims(str(tmp_path / "parts" / "*.parquet"))
    pd.testing.assert_frame_equal(one["county_year"], glob["county_year"])
    with pytest.raises(ToolkitError, match="no such file"):
        aggregate_claims(tmp_path / "missing.parquet")


def random_claims(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    setting = rng.choice(["inpatient", "outpatient"], n, p=[0.1, 0.9])
    chronic = pd.array(np.where(rng.random(n) < 0.3, rng.integers(1, 42, n), -1), dtype="Int64")
    chronic[chronic == -1] = pd.NA
    total = rng.integers(100, 2_000_000, n) / 100  # whole fen, yuan
    return pd.DataFrame(
        {
            "claim_id": [f"K{i}" for i in range(n)],
            "person_id": [f"P{i % 97}" for i in range(n)],
            "unit_id": rng.choice(["U1", "U2", "U3", "U4"], n),
            "county_id": "C01",
            "year": rng.integers(2020, 2024, n),
            "month": rng.integers(1, 13, n),
            "setting": setting,
            "provider_level": rng.choice(["county", "township", "village", "outside"], n),
            "chronic_group": chronic,
            "total_cost": total,
            "fund_paid": np.floor(total * rng.uniform(0, 0.9, n) * 100) / 100,
            "critical_illness_paid": 0.0,
        }
    )


def pandas_reference(c: pd.DataFrame) -> pd.DataFrame:
    """The same mapping as a plain pandas groupby in integer fen (the benchmark's peer)."""
    fen = (c["fund_paid"] * 100).round().astype("int64")
    chronic_op = (c["setting"] == "outpatient") & c["chronic_group"].notna()
    f = c.assign(
        general=fen.where(~chronic_op, 0),
        chronic=fen.where(chronic_op, 0),
        total=(c["total_cost"] * 100).round().astype("int64"),
    )
    return f.groupby(["unit_id", "year"], as_index=False)[["general", "chronic", "total"]].sum()


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 300))
def test_equal_to_pandas_in_fen_and_independent_of_row_order(tmp_path_factory, seed, n):
    claims = random_claims(seed, n)
    path = tmp_path_factory.mktemp("c")
    a = aggregate_claims(write(claims, path / "a.parquet"), keep_fen=True)
    b = aggregate_claims(write(claims.sample(frac=1, random_state=seed), path / "b.parquet"), keep_fen=True)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    ref = pandas_reference(claims).sort_values(["unit_id", "year"]).reset_index(drop=True)
    got = a["unit_year"]
    assert got["fund_general"].tolist() == ref["general"].tolist()
    assert got["fund_chronic_outpatient"].tolist() == ref["chronic"].tolist()
    assert got["total_medical_spending"].tolist() == ref["total"].tolist()
    # money conserved to the fen: units add up to the county's fund spending
    county_fund = a["county_year"]["fund_spending"].sum()
    assert got["fund_general"].sum() + got["fund_chronic_outpatient"].sum() == county_fund
    assert a["county_year"]["admissions"].sum() + a["county_year"]["visits"].sum() == n


def test_fill_from_claims_zero_fills_and_rejects_orphans(tmp_path):
    agg = aggregate_claims(write(hand_claims(), tmp_path / "claims.parquet"))
    unit_year = pd.DataFrame(
        {
            "unit_id": ["U1", "U2", "U3", "U1", "U2", "U3"],
            "year": [2022, 2022, 2022, 2023, 2023, 2023],
            "insured_pop": [10] * 6,
            "fund_general": [1.0] * 6,
        }
    )
    out = fill_from_claims({"unit_year": unit_year}, agg)["unit_year"].set_index(["unit_id", "year"])
    assert out.loc[("U3", 2023), "fund_general"] == 0.0 and out.loc[("U1", 2023), "fund_general"] == 7_030.05
    assert out.loc[("U2", 2022), "fund_general"] == 2_400.0
    with pytest.raises(ToolkitError, match="claims fall in unit_year rows"):
        fill_from_claims({"unit_year": unit_year.iloc[:2]}, agg)
