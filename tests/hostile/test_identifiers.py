"""No identifier value in any message: by the contract's identifier columns and by pattern."""

import pytest

from tests.data.conftest import write_dataset
from tests.data.test_parquet_and_claims import CLAIM_IDS, PERSON_IDS, claims_frame, write_parquet
from tests.hostile.base import write_tables
from toolkit.errors import Problem, ToolkitError, redact


def test_claims_with_person_id_and_unit_id_swapped_print_no_person_or_claim_id(tmp_path, run):
    ds = write_dataset(tmp_path / "ds")
    frame = claims_frame()
    frame["unit_id"], frame["person_id"] = frame["person_id"].copy(), frame["unit_id"].copy()
    write_parquet(ds / "claims.parquet", frame)
    r = run("validate", ds)
    assert r.code == 2
    assert "claims" in r.err and "unit_id" in r.err and "withheld" in r.err
    for secret in CLAIM_IDS + PERSON_IDS:
        assert secret not in r.err


@pytest.mark.parametrize(
    "secret",
    ["340322199001011234", "34032219900101123X", "340322900101123", "P00000000001234567890", "C01-2023-00001234"],
    ids=["id-card-18", "id-card-18X", "id-card-15", "person-number", "claim-number"],
)
def test_identifier_like_values_are_withheld_in_every_message(tmp_path, tables, run, secret):
    tables["units"].loc[2, "county_id"] = secret  # an unknown county: the message names the value
    ds = write_tables(tmp_path / "ds", tables)
    r = run("validate", ds)
    assert r.code == 2
    assert "units (units.csv) row 3 column 'county_id'" in r.err and "withheld" in r.err
    assert secret not in r.err


def test_an_id_number_pasted_into_money_is_named_but_withheld(tmp_path, tables, run):
    tables["unit_year"].loc[0, "fund_general"] = "340322199001011234"
    r = run("validate", write_tables(tmp_path / "ds", tables))
    assert r.code == 2 and "row 1 column 'fund_general'" in r.err and "plausibility bound" in r.err
    assert "340322199001011234" not in r.err


def test_redaction_keeps_what_a_user_needs():
    kept = "row 12 column 'fund_general': 100,000,000,000 yuan, hash ad439c68725f8eebf2f03851a95b7902, year 2023, U01"
    assert redact(kept) == kept
    err = ToolkitError("person P00000000001234567890 unknown", [Problem("t", "x", value="340322199001011234")])
    assert "P0000" not in err.render() and "3403" not in err.render() and str(err) == err.render()
