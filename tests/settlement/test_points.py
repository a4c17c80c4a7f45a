"""Points-based inpatient settlement (seed 001 按分值付费; rules.md §12), hand-worked and by property.

County C99, units U1 (township T1, community M1) and U2 (T2, M1). Points: group A 100, B 250,
C 40.5; 10 points a bed day. Inpatient admissions of 2023:

* the county hospital of M1 (``M1/county``): A, A, B and one bed-day stay of 12 days
  → 100 + 100 + 250 + 12 × 10 = 570 points; fund paid 3 000 + 3 000 + 8 000 + 5 000 = 19 000;
* the township health centre of T1 (``T1/township``): C, C, A → 40.5 + 40.5 + 100 = 181 points;
  fund paid 1 000 + 1 000 + 2 500 = 4 500.

Not paid from the pool: an admission outside the county, an outpatient visit, a 2022 admission.
Σ points = 751; budget 30 000 yuan → point value 30 000 / 751 = 39.946737… yuan.
County hospital: 570 × 3 000 000 / 751 = 2 276 964.048 fen, township 723 035.952 fen; the floors
add up to 2 999 999, the fen left goes to the larger remainder (township .952) → 22 769.64 and
7 230.36 yuan. Pool surplus 30 000 − 23 500 = 6 500 shared by points: 493 342.21 and 156 657.79
fen → 4 933.42 and 1 566.58 (the fen again to the township).
"""

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.settlement.test_capitation import _params
from toolkit.errors import ToolkitError
from toolkit.params.snapshot import snapshot
from toolkit.settlement.points import settle_points, settle_points_from_claims

POINTS = (
    "inpatient_budget:\n  source: county plan\n  values:\n    2023: 30000\n"
    "points_per_group:\n  source: county plan\n  values:\n    2023: {A: 100, B: 250, C: 40.5}\n"
    "points_per_bed_day:\n  source: county plan\n  values:\n    2023: 10\n"
)
UNITS = pd.DataFrame(
    {"unit_id": ["U1", "U2"], "county_id": "C99", "township_id": ["T1", "T2"], "community_id": ["M1", "M1"]}
)


def _claims(path):
    rows = [
        # unit, year, setting, level, group, bed days, fund paid
        ("U1", 2023, "inpatient", "county", "A", 5, 3000.0),
        ("U2", 2023, "inpatient", "county", "A", 6, 3000.0),
        ("U1", 2023, "inpatient", "county", "B", 9, 8000.0),
        ("U2", 2023, "inpatient", "county", None, 12, 5000.0),
        ("U1", 2023, "inpatient", "township", "C", 3, 1000.0),
        ("U1", 2023, "inpatient", "township", "C", 4, 1000.0),
        ("U1", 2023, "inpatient", "township", "A", 5, 2500.0),
        ("U1", 2023, "inpatient", "outside", "A", 8, 9000.0),
        ("U1", 2023, "outpatient", "township", None, None, 50.0),
        ("U1", 2022, "inpatient", "county", "A", 5, 3000.0),
    ]
    cols = list(zip(*rows))
    table = pa.table(
        {
            "claim_id": [f"K{i}" for i in range(len(rows))],
            "person_id": [f"P{i}" for i in range(len(rows))],
            "unit_id": list(cols[0]),
            "county_id": ["C99"] * len(rows),
            "year": pa.array(cols[1], pa.int32()),
            "month": pa.array([1] * len(rows), pa.int32()),
            "setting": list(cols[2]),
            "provider_level": list(cols[3]),
            "disease_group": pa.array(cols[4], pa.string()),
            "bed_days": pa.array(cols[5], pa.int32()),
            "total_cost": [v * 1.5 for v in cols[6]],
            "fund_paid": list(cols[6]),
            "critical_illness_paid": [0.0] * len(rows),
        }
    )
    pq.write_table(table, path)
    return path


def test_two_facilities_three_groups_and_a_bed_day_stay(tmp_path):
    snap = snapshot("C99", 2023, _params(tmp_path, POINTS))
    res = settle_points_from_claims(_claims(tmp_path / "claims.parquet"), UNITS, 2023, {"C99": snap})["C99"]
    f = res.facilities.set_index("facility_id")
    assert list(f.index) == ["M1/county", "T1/township"]
    assert f.loc["M1/county", "points"] == 570 and f.loc["T1/township", "points"] == 181
    assert res.total_points == 751 and res.point_value == pytest.approx(30_000 / 751, rel=1e-15)
    assert (f.loc["M1/county", "admissions"], f.loc["M1/county", "admissions_by_bed_day"]) == (4, 1)
    assert f["payment"].to_dict() == {"M1/county": 22_769.64, "T1/township": 7_230.36}
    assert f["fund_paid"].to_dict() == {"M1/county": 19_000.0, "T1/township": 4_500.0}
    assert f["balance"].to_dict() == {"M1/county": 3_769.64, "T1/township": 2_730.36}
    assert f["pool_balance_share"].to_dict() == {"M1/county": 4_933.42, "T1/township": 1_566.58}
    recon = res.reconciliation.set_index("line")["amount"]
    assert recon["payments"] == 30_000.0 and recon["payments_difference"] == 0.0
    assert recon["pool_balance"] == 6_500.0 and recon["pool_balance_difference"] == 0.0
    detail = res.detail.set_index(["facility_id", "basis", "disease_group"], drop=False)
    assert detail.loc[("T1/township", "group", "C"), "points"].item() == 81.0


def test_group_without_points_is_an_error_naming_the_group(tmp_path):
    snap = snapshot("C99", 2023, _params(tmp_path, POINTS.replace("B: 250, ", "")))
    with pytest.raises(ToolkitError) as err:
        settle_points_from_claims(_claims(tmp_path / "claims.parquet"), UNITS, 2023, {"C99": snap})
    text = err.value.render()
    assert "1 admissions have a disease group without points" in text and "'B'" in text
    assert "P0" not in text and "K0" not in text  # no identifier in a message


def test_no_budget_is_not_computable(tmp_path):
    snap = snapshot("C99", 2023)
    with pytest.raises(ToolkitError, match="no inpatient budget"):
        settle_points_from_claims(_claims(tmp_path / "claims.parquet"), UNITS, 2023, {"C99": snap})


@settings(max_examples=60, deadline=None)
@given(
    budget_fen=st.integers(1, 10**12),
    facilities=st.lists(
        st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(0, 300)), min_size=1, max_size=12
    ),
    points=st.tuples(st.integers(1, 10_000), st.integers(0, 10_000), st.integers(0, 500)),
)
def test_payments_add_up_to_the_budget_to_the_fen(tmp_path_factory, budget_fen, facilities, points):
    """Any budget, any admissions: Σ payments = budget and Σ pool shares = budget − Σ fund, in fen."""
    a, b, per_day = points
    rows = []
    for i, (n_a, n_b, days) in enumerate(facilities):
        fac = f"F{i:02d}/township"
        rows.append(("C99", fac, "township", "A", "group", n_a, n_a * 5, n_a * 123_456))
        rows.append(("C99", fac, "township", "B", "group", n_b, n_b * 7, n_b * 654_321))
        rows.append(("C99", fac, "township", None, "bed_day", 1, days, 99_999))
    grouped = pd.DataFrame(
        rows,
        columns=["county_id", "facility_id", "level", "disease_group", "basis", "admissions", "bed_days", "fund_fen"],
    )
    total_points = sum(n_a * a + n_b * b / 10 + days * per_day / 100 for n_a, n_b, days in facilities)
    root = tmp_path_factory.mktemp("p")
    text = (
        f"inpatient_budget:\n  source: p\n  values:\n    2023: {budget_fen / 100}\n"
        f"points_per_group:\n  source: p\n  values:\n    2023: {{A: {a}, B: {b / 10}}}\n"
        f"points_per_bed_day:\n  source: p\n  values:\n    2023: {per_day / 100}\n"
    )
    snap = snapshot("C99", 2023, _params(root, text))
    if total_points == 0:
        with pytest.raises(ToolkitError, match="earn no points"):
            settle_points(grouped, "C99", 2023, snap)
        return
    res = settle_points(grouped, "C99", 2023, snap)
    pay = [round(v * 100) for v in res.facilities["payment"]]
    assert sum(pay) == budget_fen
    fund = int(grouped["fund_fen"].sum())
    assert sum(round(v * 100) for v in res.facilities["pool_balance_share"]) == budget_fen - fund
    # each payment is within one fen of its exact share points × point value
    for p, pts in zip(pay, res.facilities["points"]):
        assert abs(p - budget_fen * pts / total_points) < 1.0 + 1e-6 * budget_fen / 1e6
