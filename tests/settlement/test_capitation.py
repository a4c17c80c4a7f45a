"""Big package and chronic small package, hand-worked (seed 000 §3.1; rules.md §2–3)."""

import shutil

import pandas as pd
import pytest

from tests.params.helpers import params_with_dated_change
from toolkit.errors import ToolkitError
from toolkit.params.snapshot import snapshot
from toolkit.paths import PARAMS_DIR
from toolkit.settlement.capitation import BIG, CHRONIC, settle_package


def _units(n=2):
    return pd.DataFrame(
        {"unit_id": [f"A{i}" for i in range(1, n + 1)], "county_id": "C99", "township_id": "T1", "community_id": "M1"}
    )


def _unit_year():
    # unit A1: insured 1000, 1000, 2000 in 2020–2022 spending 500 000, 600 000, 1 000 000
    #          → per capita 500, 600, 500; settlement year 2023: insured 1250, actual 600 000
    # unit A2: 400 per head every year, 1000 insured; 2023 actual 450 000 (an overspend)
    rows = []
    for y, pop, fund in [
        (2020, 1000, 500_000.0),
        (2021, 1000, 600_000.0),
        (2022, 2000, 1_000_000.0),
        (2023, 1250, 600_000.0),
    ]:
        rows.append(
            {
                "unit_id": "A1",
                "year": y,
                "insured_pop": pop,
                "fund_general": fund,
                "chronic_pop": 100,
                "fund_chronic_outpatient": 30_000.0 + y - 2020,
            }
        )
    for y in range(2020, 2024):
        rows.append(
            {
                "unit_id": "A2",
                "year": y,
                "insured_pop": 1000,
                "fund_general": 450_000.0 if y == 2023 else 400_000.0,
                "chronic_pop": 0 if y == 2021 else 50,
                "fund_chronic_outpatient": 0.0 if y == 2021 else 10_000.0,
            }
        )
    return pd.DataFrame(rows)


def _params(tmp_path, text):
    root = tmp_path / "params"
    (root / "counties").mkdir(parents=True)
    shutil.copy(PARAMS_DIR / "province.yaml", root / "province.yaml")
    (root / "counties" / "C99.yaml").write_text(text, encoding="utf-8")
    return root


def _row(frame, unit):
    return frame.set_index("unit_id").loc[unit]


def test_big_package_savings_hand_worked():
    out = settle_package(_unit_year(), _units(), "C99", 2023, snapshot("C99", 2023), BIG)
    a1 = _row(out, "A1")
    # baseline = mean(500, 600, 500) = 533.333… yuan per head
    assert a1["baseline_pc_lag3"] == 500 and a1["baseline_pc_lag2"] == 600 and a1["baseline_pc_lag1"] == 500
    assert a1["baseline_per_capita"] == pytest.approx(1600 / 3)
    # budget = 533.333… × 1250 = 666 666.666… → 666 666.67 yuan
    assert a1["budget_fen"] == 66_666_667
    # savings = 666 666.67 − 600 000 = 66 666.67 yuan = 6 666 667 fen
    assert a1["savings_fen"] == 6_666_667
    # 4:4:2 → 2 666 666.8, 2 666 666.8, 1 333 333.4 → floors sum to 6 666 665; the 2 fen left go to
    # the two largest remainders (.8, .8) → 26 666.67 / 26 666.67 / 13 333.33 yuan
    assert (a1["savings_county_fen"], a1["savings_township_fen"], a1["savings_village_fen"]) == (
        2_666_667,
        2_666_667,
        1_333_333,
    )
    assert a1["overspend_fen"] == 0
    # advance: whole budget in 12 instalments: 6 666 666 667/12 … 5 555 555.58 fen → 7 months of 5 555 556 and 5 of 5 555 555
    months = [a1[f"advance_m{m:02d}_fen"] for m in range(1, 13)]
    assert sum(months) == a1["advance_total_fen"] == 66_666_667
    assert months == [5_555_556] * 7 + [5_555_555] * 5
    assert a1["year_end_payment_fen"] == 0 and a1["insurer_paid_fen"] == 66_666_667


def test_overspend_carried_by_the_community_by_default():
    a2 = _row(settle_package(_unit_year(), _units(), "C99", 2023, snapshot("C99", 2023), BIG), "A2")
    # budget 400 × 1000 = 400 000; actual 450 000 → savings −50 000, overspend 50 000 all to the community
    assert a2["budget_fen"] == 40_000_000 and a2["savings_fen"] == -5_000_000
    assert (
        a2["overspend_fen"] == 5_000_000
        and a2["overspend_insurer_fen"] == 0
        and a2["overspend_community_fen"] == 5_000_000
    )
    assert a2["savings_county_fen"] == a2["savings_township_fen"] == a2["savings_village_fen"] == 0


def test_growth_and_overspend_sharing(tmp_path):
    root = _params(
        tmp_path,
        "budget_growth:\n  source: seed 001\n  values:\n    2023: 0.03\n"
        "overspend_share:\n  source: seed 001\n  values:\n    2023: 0.5\n",
    )
    a2 = _row(settle_package(_unit_year(), _units(), "C99", 2023, snapshot("C99", 2023, root), BIG), "A2")
    # budget = 400 × 1000 × 1.03 = 412 000; overspend = 450 000 − 412 000 = 38 000, halved: 19 000 each
    assert a2["budget_fen"] == 41_200_000
    assert a2["overspend_insurer_fen"] == 1_900_000 and a2["overspend_community_fen"] == 1_900_000
    # the insurer pays the budget plus its share: 431 000; all but the advances at year end
    assert a2["insurer_paid_fen"] == 43_100_000 and a2["year_end_payment_fen"] == 1_900_000


def test_pooled_baseline(tmp_path):
    root = _params(tmp_path, "baseline_method:\n  source: local decision\n  values:\n    2023: pooled\n")
    a1 = _row(settle_package(_unit_year(), _units(), "C99", 2023, snapshot("C99", 2023, root), BIG), "A1")
    # pooled: (500 000 + 600 000 + 1 000 000) / (1000 + 1000 + 2000) = 525 per head; × 1250 = 656 250
    assert a1["baseline_per_capita"] == 525 and a1["budget_fen"] == 65_625_000


def test_dated_advance_rate_of_c01(tmp_path):
    uy = _unit_year()
    units = _units().assign(county_id="C01")
    root = params_with_dated_change(tmp_path / "params")  # C01 advances 90% from 2023
    a1 = _row(settle_package(uy, units, "C01", 2023, snapshot("C01", 2023, root), BIG), "A1")
    # 90% of 666 666.67 = 600 000.003 → 600 000.00 advanced, 50 000 a month; 66 666.67 paid at year end
    assert a1["advance_total_fen"] == 60_000_000
    assert all(a1[f"advance_m{m:02d}_fen"] == 5_000_000 for m in range(1, 13))
    assert a1["year_end_payment_fen"] == 6_666_667


def test_chronic_small_package():
    out = settle_package(_unit_year(), _units(), "C99", 2023, snapshot("C99", 2023), CHRONIC)
    a1, a2 = _row(out, "A1"), _row(out, "A2")
    # A1 chronic per head: 30 000/100, 30 001/100, 30 002/100 → mean 300.01; × 100 = 30 001; actual 30 003 → −2 yuan
    assert a1["chronic_budget_fen"] == 3_000_100 and a1["chronic_savings_fen"] == -200
    assert a1["chronic_overspend_community_fen"] == 200
    # A2: 2021 has no chronic population, left out of the mean: (200 + 200)/2 = 200 per head × 50 = 10 000;
    # actual 10 000 → no savings
    assert (
        a2["chronic_baseline_per_capita"] == 200
        and a2["chronic_budget_fen"] == 1_000_000
        and a2["chronic_savings_fen"] == 0
    )


def test_chronic_split_4_4_2():
    uy = _unit_year()
    uy.loc[(uy["unit_id"] == "A2") & (uy["year"] == 2023), "fund_chronic_outpatient"] = 9_000.0
    a2 = _row(settle_package(uy, _units(), "C99", 2023, snapshot("C99", 2023), CHRONIC), "A2")
    # savings 10 000 − 9 000 = 1 000 yuan → 400 / 400 / 200
    assert (
        a2["chronic_savings_county_fen"],
        a2["chronic_savings_township_fen"],
        a2["chronic_savings_village_fen"],
    ) == (40_000, 40_000, 20_000)


def test_missing_baseline_year_is_a_clear_error():
    uy = _unit_year()
    uy = uy.loc[~((uy["unit_id"] == "A2") & (uy["year"] == 2021))]
    with pytest.raises(ToolkitError, match=r"(?s)1 unit-year rows are missing \(years 2021\).*A2 2021"):
        settle_package(uy, _units(), "C99", 2023, snapshot("C99", 2023), BIG)


def test_unknown_county_is_a_clear_error():
    with pytest.raises(ToolkitError, match="county C77 has no units"):
        settle_package(_unit_year(), _units(), "C77", 2023, snapshot("C77", 2023), BIG)
