"""The unit payment statement (单元结算单): hand-worked 3-unit county (seed 000 §3.1–3.2, rules.md §2–5).

U1 saves, U2 overspends with the insurer carrying 30%, U3 ranks last and gets no effect money.
Every unit: insured 1 000, chronic 100, big-package fund 500 000 and chronic fund 50 000 in each
baseline year 2020–2022, lump sum 10 000, every process score 100, every indicator value 1.0.
"""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.settlement.builders import make_tables
from tests.settlement.test_properties import random_tables
from tests.statements.params_helper import snap_with
from toolkit.settlement.money import yuan_to_fen
from toolkit.settlement.statement import settle_county
from toolkit.settlement.unit_statement import county_statements, unit_statement

SPENDING_2023 = {"U1": 900_000.0, "U2": 950_000.0, "U3": 1_050_000.0}  # total medical spending


def three_units():
    t = make_tables(n_units=3, spending=lambda u, y: SPENDING_2023[u] if y == 2023 else 1_000_000.0)
    uy = t["unit_year"]
    this = uy["year"] == 2023
    uy.loc[this & (uy["unit_id"] == "U1"), "fund_general"] = 400_000.0
    uy.loc[this & (uy["unit_id"] == "U2"), "fund_general"] = 560_000.0
    return t


@pytest.fixture(scope="module")
def cs():
    return settle_county(three_units(), "C99", 2023, snap_with(overspend_share=0.3))


def amounts(st_):
    return {(s.key, line.key): line.amount_fen for s in st_.sections for line in s.lines if line.amount_fen is not None}


def test_u1_saves(cs):
    a = amounts(unit_statement(cs, "U1"))
    # baseline 500 000 / 1 000 = 500 per head for 2020–2022; budget 500 × 1 000 = 500 000
    assert a["big", "budget"] == 500_000_00
    # advances: the whole budget (rate 1), 12 instalments; year end: nothing more (no overspend)
    assert a["big", "advance_total"] == 500_000_00 and a["big", "year_end_payment"] == 0
    # savings 500 000 − 400 000 = 100 000 → 4:4:2 = 40 000 / 40 000 / 20 000
    assert a["big", "savings"] == 100_000_00
    assert (a["big", "savings_county"], a["big", "savings_township"], a["big", "savings_village"]) == (
        40_000_00,
        40_000_00,
        20_000_00,
    )
    assert ("big", "overspend") not in a


def test_u2_overspends_and_the_insurer_carries_30_percent(cs):
    st_ = unit_statement(cs, "U2")
    a = amounts(st_)
    # overspend 560 000 − 500 000 = 60 000: insurer 0.3 × 60 000 = 18 000, community 42 000
    assert a["big", "overspend"] == 60_000_00
    assert a["big", "overspend_insurer"] == 18_000_00 and a["big", "overspend_community"] == 42_000_00
    # year end = budget 500 000 + 18 000 − advances 500 000 = 18 000; insurer pays 518 000
    assert a["big", "year_end_payment"] == 18_000_00 and a["big", "insurer_paid"] == 518_000_00
    note = {line.key: line.note_zh for line in st_.sections[0].lines}
    assert "0.3" in note["overspend_insurer"]


def test_public_health_lines_of_every_unit(cs):
    # process: 8 two-card projects × 200 credits × coefficient 1 × 2 yuan = 3 200; 7 others × 100 = 700
    # → earned 3 900 < 70% share 7 000: paid 3 900, deduction 3 100
    # objective: 20% = 2 000 over 16 indicators = 125 each; health-education credits 1.0 < 100 misses
    # → 15 × 125 = 1 875 paid, deduction 125
    # effect pool: 3 × 1 000 + 3 × 3 100 + 3 × 125 = 12 675; 3 ranked units, bracket edges (half up)
    # 0.375→0, 0.75→1, 1.125→1, 1.5→2: rank 1 in bracket 2 (30%), rank 2 in bracket 4 (10%);
    # the empty brackets' shares are redistributed 3:1 → 9 506.25 and 3 168.75; rank 3 gets nothing
    effect = {"U1": 9_506_25, "U2": 3_168_75, "U3": 0}
    for u in ("U1", "U2", "U3"):
        a = amounts(unit_statement(cs, u))
        assert a["public_health", "ph_lump_sum"] == 10_000_00
        assert a["public_health", "ph_process_share"] == 7_000_00
        assert a["public_health", "ph_process"] == 3_900_00 and a["public_health", "ph_process_deduction"] == 3_100_00
        assert a["public_health", "ph_objective"] == 1_875_00 and a["public_health", "ph_objective_deduction"] == 125_00
        assert a["public_health", "ph_effect"] == effect[u]
        assert a["public_health", "ph_final"] == 3_900_00 + 1_875_00 + effect[u]


def test_u3_is_told_why_it_gets_no_effect_money(cs):
    st_ = unit_statement(cs, "U3")
    line = next(x for x in st_.sections[2].lines if x.key == "ph_effect")
    assert line.amount_fen == 0
    assert "第3/3位" in line.note_zh and "后50%" in line.note_zh
    change = next(x for x in st_.sections[2].lines if x.key == "ph_effect_change")
    assert "1,000.00 → 1,050.00" in change.value_zh and "5.00%" in change.value_zh


def test_totals_add_up_to_the_amount_paid(cs):
    # U1: 500 000 + 0 (big) + 50 000 (chronic, spends its budget) + 3 900 + 1 875 + 9 506.25 = 565 281.25
    # U2: 518 000 + 50 000 + 3 900 + 1 875 + 3 168.75 = 576 943.75; U3: 500 000 + 50 000 + 5 775 = 555 775
    expected = {"U1": 565_281_25, "U2": 576_943_75, "U3": 555_775_00}
    for st_ in county_statements(cs):
        assert st_.total_fen == expected[st_.unit_id]
        assert sum(line.amount_fen for line in st_.paid_lines()) == st_.total_fen
        total = st_.sections[-1].lines[-1]
        assert total.key == "total" and total.amount_fen == st_.total_fen
        assert "最大余数法" in st_.rounding_zh


def test_names_and_parameters_in_words(cs):
    st_ = unit_statement(cs, "U1")
    assert st_.unit_name == "单元1"
    p = st_.parameters.set_index("key")
    assert p.loc["savings_split", "value_zh"] == "县级 0.4；乡镇 0.4；村级 0.2"
    assert "濉溪县卫健委" in p.loc["baseline_years", "source_zh"] and "第3.1节" in p.loc["baseline_years", "source_zh"]
    assert p.loc["yuan_per_credit", "source_zh"].startswith("本县自定（文件未规定数值）")
    assert p.loc["yuan_per_credit", "source_full_zh"].startswith("文件未规定具体数值，由本县自定")
    for column in ("source_zh", "source_full_zh", "value_zh", "label_zh"):
        assert not p[column].str.contains("seed|local decision|_").any(), column
    assert any(d.startswith("濉溪县卫健委2024年文件：濉溪县卫健委《完善基层网格治理") for d in st_.documents_zh)
    assert st_.gate_zh.startswith("结余考核分配方式：不设考核门槛")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_units=st.integers(1, 8), share=st.sampled_from([0.0, 0.3, 1.0]))
def test_statement_totals_equal_the_settlement_for_random_counties(seed, n_units, share):
    res = settle_county(random_tables(seed, n_units), "C99", 2023, snap_with(overspend_share=share))
    u = res.units.set_index("unit_id")
    for st_ in county_statements(res):
        row = u.loc[st_.unit_id]
        paid = yuan_to_fen(pd.Series([row["insurer_paid"], row["chronic_insurer_paid"], row["ph_final"]])).sum()
        assert st_.total_fen == paid == sum(line.amount_fen for line in st_.paid_lines())
