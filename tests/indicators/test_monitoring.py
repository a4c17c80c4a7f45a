"""County-year monitoring indicators, hand-worked (seed 004 附2; seed 000 §3.2, §4.1)."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.indicators import compute_indicators
from toolkit.indicators.monitoring import monitoring_indicators


def county_year(**over):
    base = {
        "county_id": ["C01", "C01"],
        "year": [2022, 2023],
        "county_name": ["濉溪县", "濉溪县"],
        "population": [900_000, 900_000],
        "insured_pop": [50_000, 40_000],
        "admissions": [1_000, 1_200],
        "admissions_in_county": [850, 1_080],
        "visits": [20_000, 25_000],
        "visits_in_county": [18_000, 22_500],
        "visits_primary": [12_000, 15_000],
        "fund_spending": [50_000_000.0, 60_000_000.0],
        "fund_in_county": [40_000_000.0, 48_000_000.0],
        "fund_primary": [10_000_000.0, 12_000_000.0],
        "township_staff": [300, 250],
        "township_pay": [30_000_000.0, 24_790_000.0],
        "lead_hospital_staff": [1_000, 1_000],
        "lead_hospital_pay": [101_000_000.0, 100_000_000.0],
        "village_doctors": [100, 100],
        "village_doctor_subsidy": [4_100_000.0, 6_600_000.0],
        "reform_year": [2017, 2017],
    }
    base.update(over)
    return pd.DataFrame(base)


def value(out, indicator, year):
    row = out.loc[(out["indicator"] == indicator) & (out["year"] == year)]
    assert len(row) == 1, (indicator, year)
    return row.iloc[0]


def test_hand_worked_2022():
    out = monitoring_indicators(county_year())
    assert value(out, "in_county_inpatient_share", 2022)["value"] == pytest.approx(850 / 1000)  # 0.85
    assert value(out, "in_county_visit_rate", 2022)["value"] == pytest.approx(0.90)  # 18,000 / 20,000
    assert value(out, "fund_in_county_rate", 2022)["value"] == pytest.approx(0.80)  # 40 M / 50 M
    # primary share of in-county visits: 12,000 / 18,000 = 0.6667 (denominator: in-county visits)
    assert value(out, "primary_visit_share", 2022)["value"] == pytest.approx(2 / 3)
    assert value(out, "primary_fund_share", 2022)["value"] == pytest.approx(0.25)  # 10 M / 40 M
    # hospitalisation rate: 1,000 admissions / 50,000 insured × 100 = 2.0 per 100 insured
    row = value(out, "hospitalisation_rate", 2022)
    assert (row["value"], row["numerator"], row["denominator"]) == (pytest.approx(2.0), 1000.0, 50000.0)
    # income ratio: (30,000,000 / 300 = 100,000) / (101,000,000 / 1,000 = 101,000) = 0.990099
    row = value(out, "income_ratio", 2022)
    assert row["numerator"] == pytest.approx(100_000) and row["denominator"] == pytest.approx(101_000)
    assert row["value"] == pytest.approx(0.990099, abs=1e-6)
    assert value(out, "village_doctor_subsidy_per_doctor", 2022)["value"] == pytest.approx(41_000)


def test_income_ratio_of_the_seed_and_subsidy_growth_2023():
    out = monitoring_indicators(county_year())
    # seed 000 §4.1: 99.16 % in 2023 — township 24,790,000 / 250 = 99,160; lead 100,000,000 / 1,000 = 100,000
    assert value(out, "income_ratio", 2023)["value"] == pytest.approx(0.9916)
    # 6,600,000 / 100 = 66,000; growth 66,000 / 41,000 − 1 = 0.609756 (one year, 2022→2023)
    row = value(out, "village_doctor_subsidy_growth", 2023)
    assert row["value"] == pytest.approx(66_000 / 41_000 - 1) and row["denominator"] == pytest.approx(41_000)
    assert out.loc[out["indicator"] == "village_doctor_subsidy_growth", "year"].tolist() == [2023]  # no 2021


def test_tidy_columns_and_sorting():
    out = monitoring_indicators(county_year().iloc[::-1])
    assert list(out.columns) == [
        "county_id",
        "year",
        "indicator",
        "value",
        "numerator",
        "denominator",
        "lower",
        "upper",
    ]
    assert out["year"].is_monotonic_increasing
    assert out.loc[out["year"] == 2022, "indicator"].iloc[0] == "in_county_inpatient_share"  # registry order
    assert out["lower"].isna().all()  # no interval for exact administrative counts


@pytest.mark.parametrize(
    "column,indicator",
    [
        ("admissions", "in_county_inpatient_share"),
        ("insured_pop", "hospitalisation_rate"),
        ("village_doctors", "village_doctor_subsidy_per_doctor"),
        ("lead_hospital_staff", "income_ratio"),
    ],
)
def test_zero_denominator_is_a_clear_error(column, indicator):
    frame = county_year(**{column: [0, 5] if column != "admissions" else [0, 0]})
    if column == "admissions":
        frame["admissions_in_county"] = [0, 0]
    with pytest.raises(ToolkitError) as err:
        monitoring_indicators(frame)
    text = err.value.render()
    assert (
        "county_year" in text and "row 1" in text and f"column '{column}'" in text and "C01" in text and "2022" in text
    )
    assert indicator in text


def test_missing_column_is_a_not_computable_row_naming_it():
    out = monitoring_indicators(county_year().drop(columns="fund_primary"), include_not_computable=True)
    row = value(out, "primary_fund_share", 2022)
    assert pd.isna(row["value"]) and row["note"] == "not computable: needs county_year.fund_primary"
    assert "primary_fund_share" not in set(
        monitoring_indicators(county_year().drop(columns="fund_primary"))["indicator"]
    )


def test_ph_village_share_sums_units_before_dividing():
    cy = county_year(ph_subsidy_total=[1_000_000.0, None])
    units = pd.DataFrame(
        {
            "unit_id": ["U1", "U2"],
            "county_id": ["C01", "C01"],
            "township_id": ["T1", "T1"],
            "community_id": ["M1", "M1"],
        }
    )
    uy = pd.DataFrame({"unit_id": ["U1", "U2"], "year": [2022, 2022], "ph_lump_sum": [300_000.0, 200_000.0]})
    out = monitoring_indicators(cy, units, uy)
    # (300,000 + 200,000) / 1,000,000 = 0.50 ≥ the 48 % floor of seed 000 §3.2; 2023 has no total → no row
    share = out.loc[out["indicator"] == "ph_village_share"]
    assert share["year"].tolist() == [2022] and share["value"].tolist() == pytest.approx([0.5])


def test_compute_indicators_filters_county_and_years_but_keeps_growth():
    cy = pd.concat([county_year(), county_year(county_id=["C02", "C02"])], ignore_index=True)
    out = compute_indicators({"county_year": cy}, counties="C02", years="2023-2023")
    assert set(out["county_id"]) == {"C02"} and set(out["year"]) == {2023}
    assert "village_doctor_subsidy_growth" in set(out["indicator"])  # 2022 read for the change
    with pytest.raises(ToolkitError, match="unknown county C99"):
        compute_indicators({"county_year": cy}, counties=["C99"])
    with pytest.raises(ToolkitError, match="--years"):
        compute_indicators({"county_year": cy}, years="2023-2020")


@settings(max_examples=30, deadline=None)
@given(st.permutations(range(6)))
def test_results_independent_of_row_order(perm):
    cy = pd.concat([county_year(county_id=[c, c]) for c in ("A", "B", "C")], ignore_index=True)
    expected = monitoring_indicators(cy)
    shuffled = monitoring_indicators(cy.iloc[list(perm)])
    pd.testing.assert_frame_equal(expected, shuffled)


def test_compare_with_targets():
    from toolkit.indicators import compare_with_targets

    # 2023 in-county visits lowered to 21,000: 21,000 / 25,000 = 0.84 < 0.90 (seed 001 target)
    out = compare_with_targets(monitoring_indicators(county_year(visits_in_county=[18_000, 21_000])))
    visit = out.loc[out["indicator"] == "in_county_visit_rate"].set_index("year")
    assert visit.loc[2022, "met"] and not visit.loc[2023, "met"]  # 0.90 ≥ 0.90 is met
    assert visit.loc[2023, "value"] == pytest.approx(0.84) and visit.loc[2023, "target"] == 0.90
    # primary share 2023: 15,000 / 21,000 = 0.714 ≥ 0.65
    assert out.loc[(out["indicator"] == "primary_visit_share") & (out["year"] == 2023), "met"].item()
    assert set(out["indicator"]) == {"in_county_visit_rate", "primary_visit_share"}
