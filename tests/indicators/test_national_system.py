"""All 20 national monitoring indicators (seed 004 附2; rules.md §9) and family-doctor contracting,
hand-worked on a two-facility county; not-computable rows; every level of the hierarchy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import ToolkitError
from toolkit.indicators import compute_indicators
from toolkit.indicators.evaluate import evaluate, evaluate_levels
from toolkit.indicators.monitoring import monitoring_ids
from toolkit.indicators.registry import load_registry, registry_by_id

LEAD = dict(
    facility_id="F1", facility_name="县医院", county_id="C01", community_id="M1", level="lead_hospital",
    beds=800, bed_days_available=292_000, bed_days_occupied=280_000, discharges=10_000, discharge_bed_days=85_000,
    surgeries=3_000, surgeries_grade34=1_200, referrals_down=200, medical_revenue=500e6, drug_revenue=150e6,
    consumables_revenue=80e6, exam_revenue=50e6, lab_revenue=40e6, total_revenue=560e6, business_revenue=510e6,
    insurance_revenue=300e6, fiscal_revenue=45e6, staff_spending=180e6, business_spending=520e6,
    general_practitioners=10, new_techniques=12, meets_capability_standard=True, quality_service_level=None,
)  # fmt: skip
TOWNSHIP = dict(
    facility_id="F2", facility_name="临涣卫生院", county_id="C01", community_id="M1", level="township",
    beds=60, bed_days_available=21_900, bed_days_occupied=13_140, discharges=2_000, discharge_bed_days=13_000,
    surgeries=100, surgeries_grade34=0, referrals_down=0, medical_revenue=20e6, drug_revenue=9e6,
    consumables_revenue=1.6e6, exam_revenue=1.2e6, lab_revenue=1.2e6, total_revenue=32e6, business_revenue=20.4e6,
    insurance_revenue=12e6, fiscal_revenue=11e6, staff_spending=8e6, business_spending=30e6,
    general_practitioners=40, new_techniques=None, meets_capability_standard=None, quality_service_level="basic",
)  # fmt: skip


def facility_year(rows=(LEAD, TOWNSHIP), year=2023) -> pd.DataFrame:
    frame = pd.DataFrame([{**r, "year": year} for r in rows])
    frame["meets_capability_standard"] = frame["meets_capability_standard"].astype("boolean")
    frame["new_techniques"] = frame["new_techniques"].astype("Int64")
    return frame


def county_year(**over) -> pd.DataFrame:
    base = dict(
        county_id="C01", year=2023, county_name="濉溪县", population=500_000, insured_pop=450_000, admissions=80_000,
        admissions_in_county=68_000, visits=2_000_000, visits_in_county=1_800_000, visits_primary=1_100_000,
        fund_spending=9e8, fund_in_county=7e8, fund_primary=1.5e8, township_staff=900, township_pay=9e7,
        lead_hospital_staff=1_200, lead_hospital_pay=1.2e8, village_doctors=600, village_doctor_subsidy=3.6e7,
        chronic_patients=50_000, chronic_managed_primary=35_000, ph_performance_score=88.0,
        residents_contracted=200_000, key_population=180_000, key_population_contracted=117_000,
        contracts_renewed=150_000, contracts_due=180_000, reform_year=2017,
    )  # fmt: skip
    base.update(over)
    return pd.DataFrame([base])


def _values(out: pd.DataFrame) -> dict[str, float]:
    return dict(zip(out["indicator"], out["value"]))


def test_registry_holds_the_20_indicators_of_seed_004_in_order():
    mon = [i for i in load_registry() if i.set == "monitoring"]
    numbers = [i.number for i in mon]
    # 1, —, 2 … 20: the in-county visit rate only the 2020 list numbers; 10 and 18 are printed twice
    assert [n for n in dict.fromkeys(numbers) if n != "—"] == [str(k) for k in range(1, 21)]
    for ind in mon:
        assert ind.name_zh and ind.name_en and ind.unit and ind.direction and ind.source.seed == "004"
        assert ind.evaluated and ind.numerator.columns, ind.id
    assert registry_by_id()["gps_per_10000"].note and registry_by_id()["primary_service_revenue_share"].note


def test_hand_worked_two_facility_county():
    out = compute_indicators({"county_year": county_year(), "facility_year": facility_year()})
    v = _values(out)
    assert v["downward_referral_rehab_share"] == pytest.approx(200 / 10_000)  # 0.02, lead hospital only
    assert v["chronic_managed_primary_share"] == pytest.approx(35_000 / 50_000)  # 0.70
    assert v["income_ratio"] == pytest.approx((9e7 / 900) / (1.2e8 / 1_200))  # 100,000 / 100,000 = 1.0
    assert v["lead_capability_standard_share"] == pytest.approx(1.0)  # 1 of 1 lead hospital
    assert v["lead_surgery_grade34_share"] == pytest.approx(1_200 / 3_000)  # 0.40
    assert v["gps_per_10000"] == pytest.approx((10 + 40) / 500_000 * 10_000)  # 1.0
    assert v["gps_per_1000"] == pytest.approx(0.1)
    assert v["lead_new_techniques"] == 12
    assert v["quality_service_basic_share"] == 1.0 and v["quality_service_recommended_share"] == 0.0
    assert v["ph_performance_score"] == pytest.approx(88.0)
    assert v["lead_hospital_alos"] == pytest.approx(8.5)  # 85,000 / 10,000
    assert v["primary_bed_occupancy"] == pytest.approx(13_140 / 21_900)  # 0.60
    assert v["lead_hospital_service_revenue_share"] == pytest.approx((500 - 150 - 80 - 50 - 40) / 500)  # 0.36
    assert v["lead_hospital_staff_spending_share"] == pytest.approx(180 / 520)  # 0.346154
    assert v["primary_service_revenue_share"] == pytest.approx((20 - 9 - 1.6 - 1.2 - 1.2) / 32)  # 7 / 32
    assert v["primary_service_revenue_share_medical"] == pytest.approx(7 / 20)  # 0.35
    assert v["insurance_share_of_revenue"] == pytest.approx((300 + 12) / (510 + 20.4))  # 0.588235
    assert v["primary_fiscal_revenue_share"] == pytest.approx(11 / 32)  # 0.34375
    assert v["family_doctor_contract_rate"] == pytest.approx(0.4)  # 200,000 / 500,000
    assert v["key_population_contract_rate"] == pytest.approx(0.65)  # 117,000 / 180,000
    assert v["contract_renewal_rate"] == pytest.approx(150_000 / 180_000)
    row = out.loc[out["indicator"] == "lead_hospital_service_revenue_share"].iloc[0]
    assert (row["numerator"], row["denominator"]) == (pytest.approx(180e6), pytest.approx(500e6))


def test_without_facility_year_the_dependent_indicators_are_not_computable_rows():
    out = compute_indicators({"county_year": county_year()}, include_not_computable=True)
    rows = out.set_index("indicator")
    assert set(monitoring_ids()) <= set(rows.index)  # never dropped
    for iid in ("lead_hospital_alos", "primary_fiscal_revenue_share", "gps_per_10000"):
        assert pd.isna(rows.loc[iid, "value"]) and pd.isna(rows.loc[iid, "numerator"])  # never a zero
        assert rows.loc[iid, "note"].startswith("not computable: needs facility_year.")
    assert "facility_year.discharge_bed_days" in rows.loc["lead_hospital_alos", "note"]
    assert rows.loc["chronic_managed_primary_share", "note"] == ""  # county_year alone suffices


def test_a_missing_facility_column_or_empty_cell_names_it():
    fy = facility_year().drop(columns="general_practitioners")
    fy.loc[0, "meets_capability_standard"] = pd.NA
    out = compute_indicators({"county_year": county_year(), "facility_year": fy}, include_not_computable=True)
    rows = out.set_index("indicator")
    assert rows.loc["gps_per_10000", "note"] == "not computable: needs facility_year.general_practitioners"
    assert rows.loc["lead_capability_standard_share", "note"] == (
        "not computable: needs facility_year.meets_capability_standard (empty cells)"
    )
    cy = county_year(ph_performance_score=np.nan)
    out = compute_indicators({"county_year": cy, "facility_year": facility_year()}, include_not_computable=True)
    assert "county_year.ph_performance_score" in out.set_index("indicator").loc["ph_performance_score", "note"]


def test_zero_denominator_of_a_facility_term_names_table_rows_and_column():
    fy = facility_year()
    fy.loc[0, "surgeries"] = 0
    fy.loc[0, "surgeries_grade34"] = 0
    with pytest.raises(ToolkitError) as err:
        compute_indicators({"county_year": county_year(), "facility_year": fy})
    text = err.value.render()
    assert "facility_year" in text and "row 1" in text and "column 'surgeries'" in text and "C01" in text
    assert "lead_surgery_grade34_share" in text


def test_every_level_from_the_same_definition():
    # two communities: M1 (F1 lead + F2 township), M2 (F3 lead); one county
    f3 = {**LEAD, "facility_id": "F3", "community_id": "M2", "discharges": 5_000, "discharge_bed_days": 30_000}
    fy = facility_year((LEAD, TOWNSHIP, f3))
    tables = {"county_year": county_year(), "facility_year": fy}
    levels = evaluate_levels(tables, indicators=["lead_hospital_alos", "in_county_inpatient_share"])
    alos = levels.loc[levels["indicator"] == "lead_hospital_alos"].set_index(["level", "entity_id"])["value"]
    assert alos[("facility", "F1")] == pytest.approx(8.5) and alos[("facility", "F3")] == pytest.approx(6.0)
    assert ("facility", "F2") not in alos.index or pd.isna(alos[("facility", "F2")])  # not a lead hospital
    assert alos[("community", "M1")] == pytest.approx(8.5) and alos[("community", "M2")] == pytest.approx(6.0)
    # county and province: (85,000 + 30,000) / (10,000 + 5,000) = 7.6667, not the mean of 8.5 and 6.0
    assert alos[("county", "C01")] == pytest.approx(115_000 / 15_000)
    assert alos[("province", "province")] == pytest.approx(115_000 / 15_000)
    share = levels.loc[levels["indicator"] == "in_county_inpatient_share"].set_index(["level", "entity_id"])
    # county_year has no community breakdown: C01 has two communities, so neither gets the county's figure
    assert share.loc[("community", "M1"), "note"].startswith("not computable: county_year has no medical community")
    one = evaluate({"county_year": county_year(), "facility_year": facility_year()}, "community")
    one = one.set_index("indicator")
    assert one.loc["in_county_inpatient_share", "value"] == pytest.approx(68_000 / 80_000)  # the only community


@st.composite
def _province(draw):
    n_c = draw(st.integers(1, 4))
    counties, facilities = [], []
    for c in range(n_c):
        pop = draw(st.integers(1_000, 10**6))
        counties.append(
            county_year(
                county_id=f"C{c}",
                population=pop,
                chronic_patients=draw(st.integers(1, 10**5)),
                chronic_managed_primary=draw(st.integers(0, 10**5)),
                ph_performance_score=draw(st.floats(0, 100)),
            )
        )
        for k in range(draw(st.integers(1, 3))):
            for level in ("lead_hospital", "township"):
                facilities.append(
                    {
                        **(LEAD if level == "lead_hospital" else TOWNSHIP),
                        "facility_id": f"C{c}-{k}-{level}",
                        "county_id": f"C{c}",
                        "community_id": f"C{c}-M{k}",
                        "discharges": draw(st.integers(1, 10**5)),
                        "discharge_bed_days": draw(st.integers(0, 10**6)),
                        "medical_revenue": draw(st.floats(1, 1e9)),
                        "drug_revenue": draw(st.floats(0, 1e8)),
                        "total_revenue": draw(st.floats(1, 2e9)),
                        "fiscal_revenue": draw(st.floats(0, 1e8)),
                        "general_practitioners": draw(st.integers(0, 500)),
                    }
                )
    return pd.concat(counties, ignore_index=True), facility_year(facilities)


@settings(max_examples=25, deadline=None)
@given(_province())
def test_province_is_sum_of_numerators_over_sum_of_denominators(data):
    cy, fy = data
    tables = {"county_year": cy, "facility_year": fy}
    ratio_ids = [i.id for i in load_registry() if i.evaluated and i.kind == "ratio"]
    county = evaluate(tables, "county")
    province = evaluate(tables, "province").set_index("indicator")
    for iid in ratio_ids:
        rows = county.loc[(county["indicator"] == iid) & (county["note"] == "")]
        if rows.empty or province.loc[iid, "note"]:
            continue
        scale = registry_by_id()[iid].scale
        expected = rows["numerator"].sum() / rows["denominator"].sum() * scale
        assert province.loc[iid, "value"] == pytest.approx(expected, rel=1e-9), iid
    community = evaluate(tables, "community")
    for iid in ("lead_hospital_alos", "primary_fiscal_revenue_share"):
        comm = community.loc[community["indicator"] == iid]
        assert comm["numerator"].sum() == pytest.approx(county.loc[county["indicator"] == iid, "numerator"].sum())


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from toolkit.data.load import load_dataset
    from toolkit.data.synth import generate_province

    out = tmp_path_factory.mktemp("sample")
    generate_province(out, n_counties=3)
    return load_dataset(out, cache=False).tables


def test_the_synthetic_province_computes_all_20_for_every_county_year(sample):
    out = compute_indicators(sample, include_not_computable=True)
    mon = out.loc[out["indicator"].isin(monitoring_ids(("monitoring", "family_doctor")))]
    assert (mon["note"] == "").all(), mon.loc[mon["note"] != "", ["indicator", "note"]].drop_duplicates()
    county_years = sample["county_year"][["county_id", "year"]].drop_duplicates()
    per_cell = mon.groupby(["county_id", "year"])["indicator"].nunique()
    assert (
        len(per_cell) == len(county_years) and (per_cell == len(monitoring_ids(("monitoring", "family_doctor")))).all()
    )
    assert mon["numerator"].notna().all()
    ratio = mon.loc[mon["indicator"] != "lead_new_techniques"]
    assert ratio["denominator"].notna().all() and (ratio["denominator"] > 0).all()
    # without facility_year the facility indicators become not-computable rows naming the column
    rest = {k: v for k, v in sample.items() if k != "facility_year"}
    out = compute_indicators(rest, include_not_computable=True)
    alos = out.loc[out["indicator"] == "lead_hospital_alos"]
    assert len(alos) == len(county_years) and alos["value"].isna().all()
    assert alos["note"].str.contains("facility_year.discharge_bed_days").all()
