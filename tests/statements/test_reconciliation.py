"""The county reconciliation (结算汇总与平衡表) balances to the fen (rules.md §2–5)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.settlement.builders import make_tables
from tests.settlement.test_properties import random_tables
from tests.statements.params_helper import snap_with
from toolkit.params.snapshot import snapshot
from toolkit.settlement.money import yuan_to_fen
from toolkit.settlement.reconciliation import COLUMNS, differences, reconcile
from toolkit.settlement.statement import settle_county

MONEY_PACKAGES = ["big", "chronic", "public_health", "effect_pool"]


def _balance_by_summing_lines(rec: pd.DataFrame) -> dict[str, int]:
    """pool − Σ accounted − difference, per package, in fen, from the lines alone."""
    fen = pd.Series(yuan_to_fen(rec["amount"].fillna(0).to_numpy()), index=rec.index)
    sign = rec["role"].map({"pool": 1, "accounted": -1, "difference": -1, "memo": 0})
    return (fen * sign).groupby(rec["package"]).sum().to_dict()


def test_hand_worked_county_with_a_saving_and_an_overspend():
    # U1, U2 spend 500 000 yuan in each baseline year and 400 000 (U1) / 560 000 (U2) this year;
    # baseline per head 500, budget 500 × 1000 = 500 000 each
    t = make_tables(n_units=2)
    uy = t["unit_year"]
    uy.loc[(uy["unit_id"] == "U1") & (uy["year"] == 2023), "fund_general"] = 400_000.0
    uy.loc[(uy["unit_id"] == "U2") & (uy["year"] == 2023), "fund_general"] = 560_000.0
    snap = snap_with(overspend_share=0.3)
    rec = reconcile(settle_county(t, "C99", 2023, snap))
    assert list(rec.columns) == COLUMNS
    big = rec.loc[rec["package"] == "big"].set_index("line")["amount"]
    assert big["budget"] == 1_000_000.00
    assert big["actual"] == 960_000.00
    # U1 saves 100 000, split 4:4:2
    assert (big["savings_county"], big["savings_township"], big["savings_village"]) == (40_000.0, 40_000.0, 20_000.0)
    # U2 overspends 60 000: insurer 30% = 18 000, community 42 000 (entered with a minus sign)
    assert big["overspend_insurer"] == -18_000.00 and big["overspend_community"] == -42_000.00
    # 1 000 000 − (960 000 + 100 000 − 18 000 − 42 000) = 0
    assert big["difference"] == 0.0
    assert big["insurer_paid"] == 1_018_000.00
    assert set(differences(rec)) == set(MONEY_PACKAGES) and all(v == 0.0 for v in differences(rec).values())


def test_village_share_inputs_are_lines():
    t = make_tables(n_units=4, lump=12_000.0, subsidy=100_000.0)
    rec = reconcile(settle_county(t, "C99", 2023, snapshot("C99", 2023)))
    v = rec.loc[rec["package"] == "village_share"].set_index("line")
    # 4 × 12 000 = 48 000 of 100 000 = 48%
    assert v.loc["ph_lump_sum_total", "amount"] == 48_000.0
    assert v.loc["ph_subsidy_total", "amount"] == 100_000.0
    assert v.loc["village_share", "amount"] == pytest.approx(0.48)
    assert v.loc["village_share", "unit"] == "比例"


def test_checks_are_chinese_sentences_and_name_who_bears_an_overspend():
    t = make_tables(n_units=2)
    uy = t["unit_year"]
    uy.loc[uy["year"] == 2023, "fund_general"] = 530_000.0  # both overspend 30 000
    cs = settle_county(t, "C99", 2023, snapshot("C99", 2023))
    checks = cs.checks.set_index("check_id")
    assert (
        checks.loc["savings_overspend", "note_zh"]
        == "2个单元超支，合计60,000.00元：医保基金分担0.00元（分担比例0%），医共体承担60,000.00元。"
    )
    assert checks.loc["savings_split", "note_zh"].startswith("0个单元有结余")
    v = checks.loc["village_share", "note_zh"]
    assert "无法核对" in v and "ph_subsidy" not in v
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in s) for s in cs.checks["check_zh"])


@pytest.mark.slow
def test_every_county_of_the_sample_province_balances(tmp_path):
    from toolkit.data.load import load_dataset
    from toolkit.data.synth import generate_province
    from toolkit.params.load import load_params
    from toolkit.params.snapshot import resolve
    from toolkit.settlement.statement import settle_province

    generate_province(tmp_path / "p")
    ds = load_dataset(tmp_path / "p", tables=["units", "unit_year", "ph_process", "ph_targets", "county_year"])
    paramset = load_params(None)
    counties = sorted(ds.tables["units"]["county_id"].unique())
    results = settle_province(ds.tables, 2023, {c: resolve(paramset, c, 2023) for c in counties})
    saw_savings = saw_overspend = False
    for county, cs in results.items():
        rec = reconcile(cs)
        out = tmp_path / f"{county}.csv"
        rec.to_csv(out, index=False)
        back = pd.read_csv(out)
        assert all(v == 0 for v in _balance_by_summing_lines(back).values()), county
        assert (back.loc[back["line"] == "difference", "amount"] == 0.0).all(), county
        big = back.loc[back["package"] == "big"].set_index("line")["amount"]
        saw_savings |= big["savings_county"] > 0
        saw_overspend |= big["overspend_community"] < 0
        # the county's units add up to the pool paid: Σ ph_final + retained = Σ lump sums
        ph = back.loc[back["package"] == "public_health"].set_index("line")["amount"]
        assert yuan_to_fen([ph["ph_lump_sum"]])[0] == yuan_to_fen(cs.units["ph_lump_sum"].to_numpy()).sum()
    assert saw_savings and saw_overspend  # both kinds of county are in the sample


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n_units=st.integers(1, 8), share=st.sampled_from([0.0, 0.3, 0.5, 1.0]))
def test_random_provinces_balance(seed, n_units, share):
    t = random_tables(seed, n_units)
    rec = reconcile(settle_county(t, "C99", 2023, snap_with(overspend_share=share)))
    assert all(v == 0 for v in _balance_by_summing_lines(rec).values())
    assert np.all(rec.loc[rec["line"] == "difference", "amount"].to_numpy() == 0.0)


def test_settle_writes_reconciliation_csv(tmp_path):
    from toolkit import cli

    root = tmp_path / "ds"
    root.mkdir()
    for name, frame in make_tables(spending=lambda u, y: 1e6 * (1 + 0.01 * int(u[1:]) * (y - 2020))).items():
        frame.to_csv(root / f"{name}.csv", index=False)
    assert cli.main(["settle", str(root), "--year", "2023", "--out", str(tmp_path / "out")]) == 0
    rec = pd.read_csv(tmp_path / "out" / "C99" / "2023" / "reconciliation.csv")
    assert list(rec.columns[:3]) == ["package", "line", "amount"]
    assert set(rec.loc[rec["line"] == "difference", "package"]) == set(MONEY_PACKAGES)
    assert (rec.loc[rec["line"] == "difference", "amount"] == 0.0).all()
