"""Savings split "after assessment" (seed 000 §3.1 结余…进行考核分配; rules.md §12): the gate is a
parameter (none | pass_mark | scale_by_score), printed on every statement."""

import pytest

from tests.statements.params_helper import snap_with
from tests.statements.test_unit_statement import amounts, three_units
from toolkit.settlement.reconciliation import differences, reconcile
from toolkit.settlement.statement import settle_county
from toolkit.settlement.unit_statement import county_statements, unit_statement


def _tables():
    t = three_units()
    p = t["ph_process"]
    p.loc[p["unit_id"] == "U1", "score"] = 50.0  # U1 (saves 100 000) scores 50 of 100
    return t


def test_default_gate_splits_every_saving():
    cs = settle_county(_tables(), "C99", 2023, snap_with())
    a = amounts(unit_statement(cs, "U1"))
    assert a["big", "savings_county"] == 40_000_00 and ("big", "savings_withheld") not in a
    assert cs.units.set_index("unit_id").loc["U1", "savings_gate_score"] == pytest.approx(50.0)
    assert unit_statement(cs, "U1").gate_zh == "结余考核分配方式：不设考核门槛：结余全部按县镇村比例分配"


def test_pass_mark_withholds_the_savings_of_a_unit_below_it():
    cs = settle_county(_tables(), "C99", 2023, snap_with(savings_gate="pass_mark", savings_gate_pass_mark=60))
    st = unit_statement(cs, "U1")
    a = amounts(st)
    # score 50 < 60: the 100 000 saved is not split and returns to the fund at year end
    assert a["big", "savings_withheld"] == 100_000_00
    assert a["big", "savings_county"] == a["big", "savings_township"] == a["big", "savings_village"] == 0
    # the insurer pays the budget 500 000 less the 100 000 returned: year end −100 000
    assert a["big", "year_end_payment"] == -100_000_00 and a["big", "insurer_paid"] == 400_000_00
    assert st.gate_zh == "结余考核分配方式：考核达到合格分才分配（合格分60）"
    assert all(v == 0 for v in differences(reconcile(cs)).values())
    for s in county_statements(cs):  # still adds up to the amount paid
        assert sum(x.amount_fen for x in s.paid_lines()) == s.total_fen


def test_scale_by_score_splits_in_proportion():
    cs = settle_county(_tables(), "C99", 2023, snap_with(savings_gate="scale_by_score"))
    a = amounts(unit_statement(cs, "U1"))
    # 100 000 × 50 / 100 = 50 000 split 4:4:2 = 20 000 / 20 000 / 10 000; 50 000 returned
    assert (a["big", "savings_county"], a["big", "savings_township"], a["big", "savings_village"]) == (
        20_000_00,
        20_000_00,
        10_000_00,
    )
    assert a["big", "savings_withheld"] == 50_000_00
    rec = reconcile(cs)
    big = rec.loc[rec["package"] == "big"].set_index("line")["amount"]
    assert big["savings_withheld"] == 50_000.00 and big["difference"] == 0.0
    checks = cs.checks.set_index("check_id")
    assert bool(checks.loc["savings_split", "ok"]) and "退回医保基金" in checks.loc["savings_split", "note_zh"]
