"""Parquet tables (typed schema checked) and the claims table: schema on load, values by DuckDB
(validate_claims) with row numbers and counts but never a claim_id or person_id value."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from toolkit.data.load import claims_schema_problems, load_dataset, load_table, validate_claims

from .conftest import write_dataset
from .helpers import find_problem, raises_problems

CLAIM_IDS = [f"CLM-SECRET-{i:04d}" for i in range(8)]
PERSON_IDS = [f"PERSON-SECRET-{i:03d}" for i in range(8)]


def claims_frame() -> pd.DataFrame:
    """8 claims of units U01/U04 (conftest units) in 2022."""
    return pd.DataFrame(
        {
            "claim_id": CLAIM_IDS,
            "person_id": PERSON_IDS,
            "unit_id": ["U01", "U01", "U01", "U04", "U04", "U04", "U01", "U04"],
            "county_id": ["C01", "C01", "C01", "C02", "C02", "C02", "C01", "C02"],
            "year": pd.array([2022] * 8, dtype="int64"),
            "month": pd.array([1, 2, 3, 4, 5, 6, 7, 12], dtype="int64"),
            "setting": [
                "inpatient",
                "outpatient",
                "outpatient",
                "inpatient",
                "outpatient",
                "outpatient",
                "outpatient",
                "inpatient",
            ],
            "provider_level": ["county", "township", "village", "outside", "township", "village", "county", "county"],
            "chronic_group": pd.array([None, 3, None, None, 41, None, 1, None], dtype="Int64"),
            "total_cost": [5000.0, 120.5, 60.0, 9000.0, 300.0, 45.0, 210.0, 7000.0],
            "fund_paid": [3500.0, 80.0, 40.0, 5000.0, 210.0, 30.0, 150.0, 4500.0],
            "critical_illness_paid": [0.0, 0.0, 0.0, 1200.0, 0.0, 0.0, 0.0, 0.0],
        }
    )


def write_parquet(path, frame: pd.DataFrame):
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return path


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """conftest's object tables with real Parquet types (what a pipeline would write)."""
    from toolkit.data.contract import TABLES

    out = {}
    for name in frame.columns:
        dtype = TABLES[table].column(name).dtype
        out[name] = (
            frame[name].astype("float64").astype(dtype)
            if dtype in ("int64", "Int64")
            else frame[name].astype("float64" if dtype == "float64" else dtype)
        )
    return pd.DataFrame(out)


# ------------------------------------------------------------------ Parquet tables
def test_parquet_tables_load_with_contract_dtypes(tmp_path, tables):
    folder = tmp_path / "ds"
    folder.mkdir()
    for name, frame in tables.items():
        write_parquet(folder / f"{name}.parquet", _typed(frame, name))
    ds = load_dataset(folder)
    reference = load_dataset(write_dataset(tmp_path / "csv", tables))
    for name in tables:
        pd.testing.assert_frame_equal(ds.tables[name], reference.tables[name])


def test_parquet_with_wrong_types(tmp_path, tables):
    frame = _typed(tables["unit_year"], "unit_year")
    frame["insured_pop"] = frame["insured_pop"].astype(str)  # a number column written as text
    frame["year"] = pd.to_datetime(frame["year"].astype(str) + "-01-01")  # a year written as a date
    path = write_parquet(tmp_path / "unit_year.parquet", frame)
    problems = raises_problems(lambda: load_table(path, "unit_year"))
    find_problem(problems, table="unit_year", column="insured_pop", value="string", expected="integer")
    find_problem(problems, table="unit_year", column="year", value="type timestamp", expected="integer")


def test_parquet_values_are_checked_like_csv(tmp_path, tables):
    frame = _typed(tables["county_year"], "county_year")
    frame.loc[3, "fund_primary"] = 4.5e8  # above fund_in_county 4.0e8
    path = write_parquet(tmp_path / "county_year.parquet", frame)
    problems = raises_problems(lambda: load_table(path, "county_year"))
    find_problem(
        problems,
        table="county_year",
        column="fund_primary",
        rows=[4],
        value="fund_primary 450000000 > fund_in_county 400000000",
    )


def test_corrupt_parquet(tmp_path):
    path = tmp_path / "units.parquet"
    path.write_bytes(b"PAR1 not really parquet PAR1")
    problems = raises_problems(lambda: load_table(path, "units"))
    find_problem(problems, table="units", expected="a readable Parquet file")


# ------------------------------------------------------------------ claims
def test_claims_are_not_loaded_into_pandas_but_exposed_as_a_file(tmp_path, tables, dataset_dir):
    write_parquet(dataset_dir / "claims.parquet", claims_frame())
    ds = load_dataset(dataset_dir)
    assert "claims" not in ds.tables and ds.files["claims"].name == "claims.parquet"
    summary = ds.validate_claims()
    assert (summary.rows, summary.files, summary.years) == (8, 1, (2022, 2022))


def test_claims_folder_of_parquet_files(tmp_path):
    folder = tmp_path / "claims"
    folder.mkdir()
    frame = claims_frame()
    write_parquet(folder / "part-0.parquet", frame.iloc[:5])
    write_parquet(folder / "part-1.parquet", frame.iloc[5:])
    assert validate_claims(folder).rows == 8


def test_claims_with_claims_may_omit_derived_aggregates(tmp_path, tables, dataset_dir):
    tables["unit_year"] = tables["unit_year"].drop(columns=["fund_general", "total_medical_spending"])
    folder = write_dataset(tmp_path / "ds", tables)
    problems = raises_problems(lambda: load_dataset(folder))  # without claims: required
    find_problem(problems, table="unit_year", column="fund_general", value="column missing")
    write_parquet(folder / "claims.parquet", claims_frame())
    assert "fund_general" not in load_dataset(folder).tables["unit_year"]


def test_claims_schema_is_checked_on_load(dataset_dir):
    frame = claims_frame().drop(columns=["provider_level"])
    frame["total_cost"] = frame["total_cost"].astype(str)
    write_parquet(dataset_dir / "claims.parquet", frame)
    problems = raises_problems(lambda: load_dataset(dataset_dir))
    find_problem(problems, table="claims", column="provider_level", value="column missing")
    find_problem(problems, table="claims", column="total_cost", value="string")


def test_claims_as_csv_is_refused(dataset_dir):
    claims_frame().to_csv(dataset_dir / "claims.csv", index=False)
    problems = raises_problems(lambda: load_dataset(dataset_dir))
    find_problem(problems, table="claims", expected="claims as Parquet")


CLAIM_CASES = [
    (
        "negative_money",
        {("fund_paid", 2): -40.0},
        dict(column="fund_paid", rows=[3], value="'-40.0' (1 row)", expected="cannot be negative"),
    ),
    (
        "fund_above_total",
        {("fund_paid", 0): 6000.0},
        dict(column="fund_paid", rows=[1], expected="fund_paid ≤ total_cost"),
    ),
    (
        "bad_setting",
        {("setting", 4): "emergency", ("setting", 5): "emergency"},
        dict(column="setting", rows=[5, 6], value="'emergency' (2 rows)", expected="one of inpatient, outpatient"),
    ),
    (
        "bad_provider_level",
        {("provider_level", 1): "province"},
        dict(column="provider_level", rows=[2], value="province", expected="county, township, village, outside"),
    ),
    (
        "chronic_group_42",
        {("chronic_group", 4): 42},
        dict(column="chronic_group", rows=[5], value="42", expected="between 1 and 41"),
    ),
    ("month_13", {("month", 7): 13}, dict(column="month", rows=[8], value="13", expected="between 1 and 12")),
    (
        "missing_person",
        {("person_id", 6): None},
        dict(column="person_id", rows=[7], value="value withheld (identifier)", expected="empty not allowed"),
    ),
]


@pytest.mark.parametrize("changes, parts", [c[1:] for c in CLAIM_CASES], ids=[c[0] for c in CLAIM_CASES])
def test_broken_claims(tmp_path, changes, parts):
    frame = claims_frame()
    for (column, row), value in changes.items():
        frame.loc[row, column] = value
    path = write_parquet(tmp_path / "claims.parquet", frame)
    problems = raises_problems(lambda: validate_claims(path))
    find_problem(problems, table="claims", **parts)


def test_unknown_units_and_counties_in_claims(tmp_path, tables):
    frame = claims_frame()
    frame.loc[3, "unit_id"] = "U99"
    frame.loc[6, "county_id"] = "C02"  # U01 is in C01 according to units
    path = write_parquet(tmp_path / "claims.parquet", frame)
    units = pd.DataFrame({"unit_id": ["U01", "U04"], "county_id": ["C01", "C02"]})
    problems = raises_problems(lambda: validate_claims(path, units=units, counties=["C01", "C02"]))
    find_problem(problems, table="claims", column="unit_id", rows=[4], value="U99", expected="listed in units")
    find_problem(problems, table="claims", column="county_id", rows=[7], value="C02", expected="the county of the unit")
    assert len(problems) == 2


def test_duplicate_claim_ids_are_reported_without_the_id(tmp_path):
    frame = claims_frame()
    frame.loc[5, "claim_id"] = frame.loc[1, "claim_id"]
    frame.loc[5, "person_id"] = frame.loc[1, "person_id"]
    frame.loc[6, "person_id"] = None
    path = write_parquet(tmp_path / "claims.parquet", frame)
    with pytest.raises(Exception) as info:
        validate_claims(path)
    message = info.value.render()
    find_problem(
        info.value.problems,
        table="claims",
        column="claim_id",
        rows=[2, 6],
        value="value withheld (identifier); 1 claim ids on 2 rows",
        expected="duplicated key",
    )
    for secret in CLAIM_IDS + PERSON_IDS:
        assert secret not in message  # privacy: identifiers never reach a message
        assert all(secret not in str(p.value) for p in info.value.problems)


def test_claims_schema_reads_metadata_only(tmp_path):
    path = write_parquet(tmp_path / "claims.parquet", claims_frame())
    assert claims_schema_problems(path) == []


def test_integer_ids_in_claims_are_compared_as_text(tmp_path):
    frame = claims_frame()
    frame["unit_id"] = [101, 101, 101, 204, 204, 204, 101, 999]
    frame["county_id"] = [1, 1, 1, 2, 2, 2, 1, 2]
    path = write_parquet(tmp_path / "claims.parquet", frame)
    units = pd.DataFrame({"unit_id": ["101", "204"], "county_id": ["1", "2"]})
    problems = raises_problems(lambda: validate_claims(path, units=units, counties=["1", "2"]))
    find_problem(problems, table="claims", column="unit_id", rows=[8], value="999")
    assert len(problems) == 1


def test_claims_with_corrupt_data_pages(tmp_path):
    path = write_parquet(tmp_path / "claims.parquet", claims_frame())
    data = bytearray(path.read_bytes())
    data[8:200] = b"\xab" * 192  # the footer (schema) survives, the first column pages do not
    path.write_bytes(bytes(data))
    problems = raises_problems(lambda: validate_claims(path))
    find_problem(problems, table="claims", expected="a readable Parquet file")
