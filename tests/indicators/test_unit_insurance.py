"""Unit-level insurance indicators (seed 000 §3.1; rules.md §4), hand-worked."""

import pandas as pd
import pytest

from toolkit.errors import ToolkitError
from toolkit.indicators import compute_unit_indicators
from toolkit.indicators.unit_insurance import unit_insurance_indicators

UNITS = pd.DataFrame(
    {
        "unit_id": ["U1", "U2"],
        "unit_name": ["甲", "乙"],
        "county_id": ["C01", "C01"],
        "township_id": ["T1", "T1"],
        "community_id": ["M1", "M1"],
    }
)


def unit_year(**over):
    base = {
        "unit_id": ["U1", "U1", "U2", "U2"],
        "year": [2022, 2023, 2022, 2023],
        "insured_pop": [1_000, 1_000, 2_000, 2_500],
        "chronic_pop": [100, 100, 200, 250],
        "fund_general": [400_000.0, 380_000.0, 900_000.0, 1_000_000.0],
        "fund_chronic_outpatient": [100_000.0, 100_000.0, 100_000.0, 125_000.0],
        "total_medical_spending": [800_000.0, 840_000.0, 1_600_000.0, 2_000_000.0],
        "ph_lump_sum": [1.0] * 4,
    }
    base.update(over)
    return pd.DataFrame(base)


def get(out, unit, year, indicator):
    hit = out.loc[(out["unit_id"] == unit) & (out["year"] == year) & (out["indicator"] == indicator)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_hand_worked_levels_and_changes():
    out = unit_insurance_indicators(unit_year(), UNITS)
    # U1 2022: (400,000 + 100,000) / 1,000 = 500 yuan; 2023: (380,000 + 100,000) / 1,000 = 480 → −4.0 %
    assert get(out, "U1", 2022, "unit_fund_per_capita")["value"] == pytest.approx(500)
    assert get(out, "U1", 2023, "unit_fund_per_capita_growth")["value"] == pytest.approx(480 / 500 - 1)
    # U2 total spending: 1,600,000 / 2,000 = 800 → 2,000,000 / 2,500 = 800 → 0 % (population grew with spending)
    assert get(out, "U2", 2023, "unit_total_spending_per_capita_growth")["value"] == pytest.approx(0.0)
    # U1 total: 800 → 840 = +5 %
    assert get(out, "U1", 2023, "unit_total_spending_per_capita_growth")["value"] == pytest.approx(0.05)
    assert list(out.columns)[:3] == ["county_id", "unit_id", "year"] and set(out["county_id"]) == {"C01"}
    assert "unit_fund_per_capita_growth" not in set(out.loc[out["year"] == 2022, "indicator"])


def test_savings_from_the_settlement_table():
    settlement = pd.DataFrame(
        {"unit_id": ["U1"], "year": [2023], "budget": [520_000.0], "actual_spending": [480_000.0]}
    )
    out = unit_insurance_indicators(unit_year(), UNITS, settlement)
    row = get(out, "U1", 2023, "unit_fund_savings")
    assert (row["value"], row["numerator"], row["denominator"]) == (40_000.0, 520_000.0, 480_000.0)  # 520,000 − 480,000


def test_zero_insured_and_unknown_unit_are_errors():
    with pytest.raises(ToolkitError) as err:
        unit_insurance_indicators(unit_year(insured_pop=[1_000, 0, 2_000, 2_500]), UNITS)
    assert "row 2" in err.value.render() and "insured_pop" in err.value.render() and "U1" in err.value.render()
    with pytest.raises(ToolkitError, match="missing from the units table"):
        unit_insurance_indicators(unit_year(), UNITS.iloc[:1])


def test_compute_unit_indicators_filters():
    out = compute_unit_indicators({"units": UNITS, "unit_year": unit_year()}, counties="C01", years="2023-2023")
    assert set(out["year"]) == {2023} and "unit_fund_per_capita_growth" in set(out["indicator"])


def test_settlement_totals_sum_both_packages_in_fen():
    from toolkit.indicators.unit_insurance import settlement_totals

    big = pd.DataFrame(
        {"unit_id": ["U2", "U1"], "budget_fen": [10_000_01, 5_000_00], "actual_fen": [9_000_00, 5_500_00]}
    )
    chronic = pd.DataFrame(
        {"unit_id": ["U1", "U2"], "chronic_budget_fen": [1_000_00, 2_000_00], "chronic_actual_fen": [900_00, 2_000_02]}
    )
    out = settlement_totals(2023, big, chronic)
    # U1: budget 5,000.00 + 1,000.00 = 6,000.00; actual 5,500.00 + 900.00 = 6,400.00 → savings −400.00
    # U2: budget 10,000.01 + 2,000.00 = 12,000.01; actual 9,000.00 + 2,000.02 = 11,000.02 → savings 999.99
    assert out["budget"].tolist() == [6_000.00, 12_000.01] and out["actual_spending"].tolist() == [6_400.00, 11_000.02]
    res = unit_insurance_indicators(unit_year(), UNITS, out)
    assert get(res, "U2", 2023, "unit_fund_savings")["value"] == pytest.approx(999.99)


def test_ratios_are_the_registrys_formulas_with_identical_values():
    frame = unit_year()
    out = unit_insurance_indicators(frame, UNITS).set_index(["unit_id", "year", "indicator"])["value"]
    # the formulas written out by hand: (fund_general + fund_chronic_outpatient) / insured_pop and
    # total_medical_spending / insured_pop, bit for bit
    by_hand = {
        "unit_fund_per_capita": (frame["fund_general"] + frame["fund_chronic_outpatient"]) / frame["insured_pop"],
        "unit_total_spending_per_capita": frame["total_medical_spending"] / frame["insured_pop"],
    }
    for iid, values in by_hand.items():
        got = [out[(u, y, iid)] for u, y in zip(frame["unit_id"], frame["year"])]
        assert got == values.tolist()


def test_a_changed_registry_definition_changes_the_indicator(monkeypatch):
    from dataclasses import replace

    from toolkit.indicators import registry

    original = registry.get

    def patched(iid):
        ind = original(iid)
        if iid == "unit_fund_per_capita":  # general fund only: U1 2022 = 400,000 / 1,000 = 400
            return replace(ind, numerator=replace(ind.numerator, expr="fund_general"))
        return ind

    monkeypatch.setattr(registry, "get", patched)
    out = unit_insurance_indicators(unit_year(), UNITS)
    assert get(out, "U1", 2022, "unit_fund_per_capita")["value"] == 400
