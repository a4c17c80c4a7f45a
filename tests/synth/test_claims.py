"""Claims province: aggregates are exactly the claims' sums, claims stream in row groups, ids stay private."""

import hashlib
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from toolkit.data.synth import generate_province


@pytest.fixture(scope="module")
def claims_province(tmp_path_factory):
    out = tmp_path_factory.mktemp("claims") / "p"
    summary = generate_province(out, n_counties=3, claims=True, claims_rows=100_000, claims_chunk_rows=4_000)
    return out, summary


def fen(s):
    return np.rint(s.to_numpy(float) * 100).astype(np.int64)


def test_aggregates_equal_claims_sums(claims_province):
    out, _ = claims_province
    claims = pd.read_parquet(out / "claims.parquet")
    for col in ["total_cost", "fund_paid", "critical_illness_paid"]:
        claims[col + "_fen"] = fen(claims[col])
    chronic_op = claims.chronic_group.notna() & (claims.setting == "outpatient")
    uy = pd.read_csv(out / "unit_year.csv").set_index(["unit_id", "year"])
    claims["general"] = np.where(chronic_op, 0, claims.fund_paid_fen)
    claims["chronic"] = np.where(chronic_op, claims.fund_paid_fen, 0)
    by_unit = (
        claims.groupby(["unit_id", "year"])[["general", "chronic", "total_cost_fen"]]
        .sum()
        .reindex(uy.index, fill_value=0)
    )
    assert (by_unit.general.to_numpy() == fen(uy.fund_general)).all()
    assert (by_unit.chronic.to_numpy() == fen(uy.fund_chronic_outpatient)).all()
    assert (by_unit.total_cost_fen.to_numpy() == fen(uy.total_medical_spending)).all()

    cy = pd.read_csv(out / "county_year.csv").set_index(["county_id", "year"])
    ip, op = claims.setting == "inpatient", claims.setting == "outpatient"
    inside = claims.provider_level != "outside"
    primary = claims.provider_level.isin(["township", "village"])
    g = claims.assign(
        adm=ip,
        adm_in=ip & inside,
        vis=op,
        vis_in=op & inside,
        vis_pr=op & primary,
        f_in=np.where(inside, claims.fund_paid_fen, 0),
        f_pr=np.where(primary, claims.fund_paid_fen, 0),
    )
    agg = (
        g.groupby(["county_id", "year"])[["adm", "adm_in", "vis", "vis_in", "vis_pr", "fund_paid_fen", "f_in", "f_pr"]]
        .sum()
        .reindex(cy.index, fill_value=0)
    )
    for ours, theirs in [
        ("adm", "admissions"),
        ("adm_in", "admissions_in_county"),
        ("vis", "visits"),
        ("vis_in", "visits_in_county"),
        ("vis_pr", "visits_primary"),
    ]:
        assert (agg[ours].to_numpy() == cy[theirs].to_numpy()).all(), theirs
    for ours, theirs in [("fund_paid_fen", "fund_spending"), ("f_in", "fund_in_county"), ("f_pr", "fund_primary")]:
        assert (agg[ours].to_numpy() == fen(cy[theirs])).all(), theirs
    # unit and county views agree: fund_spending = Σ (fund_general + fund_chronic_outpatient)
    units = pd.read_csv(out / "units.csv")[["unit_id", "county_id"]]
    u = uy.reset_index().merge(units)
    s = pd.Series(fen(u.fund_general) + fen(u.fund_chronic_outpatient)).groupby([u.county_id, u.year]).sum()
    assert (s.loc[cy.index].to_numpy() == fen(cy.fund_spending)).all()


def test_claims_columns_and_values(claims_province):
    out, summary = claims_province
    claims = pd.read_parquet(out / "claims.parquet")
    assert list(claims.columns) == [
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
        "disease_group",
        "bed_days",
    ]
    # points-based payment columns: inpatient only; a few stays paid by bed days have no group
    inpatient = claims.setting == "inpatient"
    assert claims.loc[~inpatient, ["disease_group", "bed_days"]].isna().all().all()
    assert (claims.loc[inpatient, "bed_days"] >= 1).all()
    assert 0.01 < claims.loc[inpatient, "disease_group"].isna().mean() < 0.10
    assert set(claims.loc[inpatient, "disease_group"].dropna()) <= {f"G{g:02d}" for g in range(1, 21)}
    assert claims.claim_id.is_unique
    assert claims.person_id.str.fullmatch(r"P\d{20}").all()
    assert set(claims.setting) == {"inpatient", "outpatient"}
    assert set(claims.provider_level) <= {"county", "township", "village", "outside"}
    assert claims.month.between(1, 12).all()
    groups = claims.chronic_group.dropna()
    assert groups.between(1, 41).all() and (claims.loc[claims.chronic_group.notna(), "setting"] == "outpatient").all()
    assert (claims.fund_paid <= claims.total_cost).all()
    assert (claims.fund_paid + claims.critical_illness_paid <= claims.total_cost + 1e-9).all()
    # a person keeps one chronic group
    assert (claims.dropna(subset=["chronic_group"]).groupby("person_id").chronic_group.nunique() == 1).all()
    # about the requested number of rows
    assert summary["rows"]["claims"] == pytest.approx(100_000, rel=0.05)
    # rates stay realistic after scaling: admissions per 100 insured
    cy = pd.read_csv(out / "county_year.csv")
    assert (cy.admissions.sum() / cy.insured_pop.sum() * 100) == pytest.approx(16.5, abs=2.5)


def test_claims_stream_in_row_groups(claims_province):
    out, summary = claims_province
    meta = pq.ParquetFile(out / "claims.parquet").metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert meta.num_rows == summary["rows"]["claims"]
    assert meta.num_row_groups >= meta.num_rows // 4_000 and max(sizes) <= 4_000
    # never more than one row group's buffer plus one county-year in memory
    assert summary["claims_max_rows_in_memory"] < meta.num_rows / 2


def test_person_and_claim_ids_stay_in_claims(claims_province):
    out, _ = claims_province
    claims = pd.read_parquet(out / "claims.parquet", columns=["claim_id", "person_id"])
    sample = set(claims.person_id.iloc[::997]) | set(claims.claim_id.iloc[::997])
    for path in out.iterdir():
        if path.suffix in {".csv", ".json"}:
            text = path.read_text(encoding="utf-8")
            assert "person_id" not in text or path.name == "manifest.json"
            assert not any(s in text for s in sample), path.name


def test_claims_are_deterministic(claims_province, tmp_path):
    out, _ = claims_province
    generate_province(tmp_path / "again", n_counties=3, claims=True, claims_rows=100_000, claims_chunk_rows=4_000)
    for name in ["claims.parquet", "unit_year.csv", "county_year.csv", "manifest.json"]:
        assert (
            hashlib.sha256((out / name).read_bytes()).digest()
            == hashlib.sha256((tmp_path / "again" / name).read_bytes()).digest()
        ), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["args"]["claims"] is True and manifest["population_scale"] < 1


def test_toolkit_aggregator_reproduces_the_written_aggregates(claims_province):
    """The project's DuckDB aggregator (toolkit.data.claims) gives the written columns to the fen."""
    from toolkit.data.claims import aggregate_claims
    from toolkit.data.load import load_dataset

    out, _ = claims_province
    ds = load_dataset(out)  # the whole province passes the contract
    ds.validate_claims()
    agg = aggregate_claims(out / "claims.parquet", keep_fen=True)
    uy = pd.read_csv(out / "unit_year.csv").set_index(["unit_id", "year"])
    got = agg["unit_year"].set_index(["unit_id", "year"])
    for col in ["fund_general", "fund_chronic_outpatient", "total_medical_spending"]:
        assert (got[col].to_numpy() == fen(uy.loc[got.index, col])).all(), col
    cy = pd.read_csv(out / "county_year.csv").set_index(["county_id", "year"])
    gc = agg["county_year"].set_index(["county_id", "year"])
    for col in ["admissions", "admissions_in_county", "visits", "visits_in_county", "visits_primary"]:
        assert (gc[col].to_numpy() == cy.loc[gc.index, col].to_numpy()).all(), col
    for col in ["fund_spending", "fund_in_county", "fund_primary"]:
        assert (gc[col].to_numpy() == fen(cy.loc[gc.index, col])).all(), col
