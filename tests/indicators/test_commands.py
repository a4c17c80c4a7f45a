"""The `indicators` and `check-claims` commands end to end on a small dataset folder."""

import pandas as pd
import pytest

from tests.indicators.test_monitoring import county_year
from tests.indicators.test_mortality import deaths_table
from toolkit.cli import main


@pytest.fixture()
def dataset(tmp_path):
    root = tmp_path / "ds"
    root.mkdir()
    county_year().to_csv(root / "county_year.csv", index=False)
    pd.concat([deaths_table("all", year=2022), deaths_table("all", year=2023)]).to_csv(root / "deaths.csv", index=False)
    return root


def test_indicators_writes_tidy_csv_and_excel_deterministically(dataset, tmp_path, capsys):
    assert main(["indicators", str(dataset), "--out", str(tmp_path / "a" / "ind")]) == 0
    assert main(["indicators", str(dataset), "--out", str(tmp_path / "b" / "ind.csv")]) == 0
    out = pd.read_csv(tmp_path / "a" / "ind.csv")
    assert list(out.columns) == [
        "county_id",
        "year",
        "indicator",
        "value",
        "numerator",
        "denominator",
        "lower",
        "upper",
        "note",
    ]
    # no facility_year in this dataset: its indicators are rows naming the table and column
    alos = out.loc[out["indicator"] == "lead_hospital_alos"]
    assert len(alos) == 2 and alos["value"].isna().all()
    assert alos["note"].str.contains("needs facility_year.discharge_bed_days").all()
    levels = pd.read_csv(tmp_path / "a" / "ind_levels.csv")
    assert {"county", "province"} <= set(levels["level"])
    row = out.loc[(out["indicator"] == "income_ratio") & (out["year"] == 2023)]
    assert row["value"].item() == pytest.approx(0.9916)
    mort = out.loc[out["indicator"] == "premature_ncd_mortality"]
    assert len(mort) == 2 and (mort["lower"] < mort["value"]).all()
    for name in ("ind.csv", "ind.xlsx", "ind_units.csv", "ind_levels.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_indicators_filters_and_user_errors(dataset, tmp_path, capsys):
    assert main(["indicators", str(dataset), "--years", "2023", "--county", "C01", "--out", str(tmp_path / "f")]) == 0
    assert set(pd.read_csv(tmp_path / "f.csv")["year"]) == {2023}
    assert main(["indicators", str(dataset), "--county", "C99", "--out", str(tmp_path / "g")]) == 2
    assert "unknown county C99" in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists() and not (tmp_path / "g.xlsx").exists()
    broken = county_year(admissions=[0, 0], admissions_in_county=[0, 0])
    broken.to_csv(dataset / "county_year.csv", index=False)
    assert main(["indicators", str(dataset), "--out", str(tmp_path / "h")]) == 2
    err = capsys.readouterr().err
    assert "zero denominator" in err and "column 'admissions'" in err and "Traceback" not in err
    assert not list(tmp_path.glob("h*"))


def test_check_claims_exit_status_and_table(dataset, tmp_path, capsys):
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        "- {indicator: income_ratio, kind: value, county: C01, year: 2023, stated: 99.16%}\n", encoding="utf-8"
    )
    assert main(["check-claims", str(dataset), "--claims", str(claims), "--out", str(tmp_path / "chk")]) == 0
    assert pd.read_csv(tmp_path / "chk.csv")["ok"].tolist() == [True]
    claims.write_text(
        "- {indicator: village_doctor_subsidy_per_doctor, kind: yoy, county: C01, year: 2023, stated: 17.20%}\n",
        encoding="utf-8",
    )
    assert main(["check-claims", str(dataset), "--claims", str(claims)]) == 1
    assert "不符" in capsys.readouterr().out  # Chinese by default (MISMATCH with --lang en)
    claims.write_text("- {indicator: nonsense, kind: value, year: 2023, stated: 1}\n", encoding="utf-8")
    assert main(["check-claims", str(dataset), "--claims", str(claims)]) == 2


def test_indicators_from_claims_uses_claims_and_leaks_no_identifier(dataset, tmp_path):
    from tests.indicators.test_claims_aggregate import hand_claims
    from tests.indicators.test_unit_insurance import UNITS, unit_year

    UNITS.to_csv(dataset / "units.csv", index=False)
    unit_year().to_csv(dataset / "unit_year.csv", index=False)
    claims = hand_claims()
    extra = claims.iloc[[2]].assign(claim_id="K7", year=2022)  # a 2022 visit, so 2022 has visits to divide by
    pd.concat([claims, extra], ignore_index=True).to_parquet(dataset / "claims.parquet", index=False)
    assert main(["indicators", str(dataset), "--from-claims", "--out", str(tmp_path / "c")]) == 0
    out = pd.read_csv(tmp_path / "c.csv")
    hosp = out.loc[(out["indicator"] == "hospitalisation_rate") & (out["year"] == 2023)].iloc[0]
    # claims 2023: two inpatient claims (K1, K4) over 40,000 insured × 100 = 0.005 per 100 insured
    assert (hosp["numerator"], hosp["value"]) == (2.0, pytest.approx(2 / 40_000 * 100))
    units = pd.read_csv(tmp_path / "c_units.csv")
    u1 = units.loc[
        (units["unit_id"] == "U1") & (units["year"] == 2023) & (units["indicator"] == "unit_fund_per_capita")
    ].iloc[0]
    assert u1["numerator"] == pytest.approx(7_030.05 + 80.25)  # general + chronic from the claims
    for path in tmp_path.glob("c*"):
        data = path.read_bytes()
        assert b"P-secret" not in data and b"K1," not in data, path.name


def test_left_out_aggregate_columns_are_derived_from_claims(dataset, tmp_path):
    from tests.indicators.test_claims_aggregate import hand_claims
    from tests.indicators.test_unit_insurance import UNITS, unit_year
    from toolkit.data.claims import COUNTY_YEAR_COLUMNS, UNIT_YEAR_COLUMNS

    UNITS.to_csv(dataset / "units.csv", index=False)
    unit_year().drop(columns=UNIT_YEAR_COLUMNS).to_csv(dataset / "unit_year.csv", index=False)
    county_year().drop(columns=COUNTY_YEAR_COLUMNS).to_csv(dataset / "county_year.csv", index=False)
    claims = hand_claims()
    extra = claims.iloc[[2]].assign(claim_id="K7", year=2022)
    pd.concat([claims, extra], ignore_index=True).to_parquet(dataset / "claims.parquet", index=False)
    assert main(["indicators", str(dataset), "--out", str(tmp_path / "d")]) == 0  # no --from-claims needed
    out = pd.read_csv(tmp_path / "d.csv")
    visits = out.loc[(out["indicator"] == "in_county_visit_rate") & (out["year"] == 2023)].iloc[0]
    assert (visits["numerator"], visits["denominator"]) == (2.0, 3.0)  # K2, K3 in county of K2, K3, K5
