"""Property tests of the settlement (hypothesis): conservation to the fen, row order,
monotonicity in scores, vetoes (rules.md §5 "money is conserved")."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.settlement.builders import TWO_CARD, make_tables
from toolkit.params.snapshot import snapshot
from toolkit.settlement.money import yuan_to_fen
from toolkit.settlement.statement import settle_county

SNAP = snapshot("C99", 2023)
VETOES = list(SNAP.objective_vetoes)
SETTINGS = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def random_tables(seed: int, n_units: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    t = make_tables(n_units=n_units)
    uy = t["unit_year"].copy()
    n = len(uy)
    uy["insured_pop"] = rng.integers(0 if seed % 7 == 0 else 1, 3000, n)
    uy["chronic_pop"] = (uy["insured_pop"] * rng.uniform(0, 0.3, n)).astype("int64")
    uy["fund_general"] = np.round(uy["insured_pop"] * rng.uniform(300, 700, n), 2)
    uy["fund_chronic_outpatient"] = np.round(uy["chronic_pop"] * rng.uniform(100, 900, n), 2)
    uy["total_medical_spending"] = np.round(
        uy["insured_pop"] * rng.choice([900.0, 1000.0, 1100.0, rng.uniform(800, 1200)], n), 2
    )
    uy["ph_lump_sum"] = np.round(rng.uniform(0, 50_000, n), 2)
    t["unit_year"] = uy
    p = t["ph_process"].copy()
    m = len(p)
    p["score"] = np.round(rng.uniform(40, 100, m), 1)
    two = p["project"].isin(TWO_CARD)
    p.loc[two, "credits"] = np.round(rng.uniform(0, 400, int(two.sum())), 1)
    planned = (
        pd.Series(np.round(rng.uniform(0, 800, len(p)), 2))
        .groupby([p["unit_id"].to_numpy(), p["project"].to_numpy()])
        .transform("first")
    )
    p.loc[~two, "planned_amount"] = planned.to_numpy()[~two.to_numpy()]
    t["ph_process"] = p
    g = t["ph_targets"].copy()
    bench = g["indicator"].map(SNAP.objective_benchmarks).astype(float)
    g["value"] = np.where(rng.random(len(g)) < 0.6, bench, bench * rng.uniform(0.5, 0.99, len(g)))
    g["veto"] = rng.random(len(g)) < 0.1
    t["ph_targets"] = g
    return t


def _fen(frame, col):
    return yuan_to_fen(frame[col].to_numpy())


@SETTINGS
@given(seed=st.integers(0, 10_000), n_units=st.integers(1, 8))
def test_money_is_conserved_to_the_fen(seed, n_units):
    res = settle_county(random_tables(seed, n_units), "C99", 2023, SNAP)
    u = res.units
    # public health: final amounts add up to the lump sums (no money retained under the defaults)
    assert _fen(u, "ph_final").sum() == _fen(u, "ph_lump_sum").sum()
    # every unit: final = process + objective + effect, and process + deduction = 70% share
    assert (_fen(u, "ph_final") == _fen(u, "ph_process") + _fen(u, "ph_objective") + _fen(u, "ph_effect")).all()
    assert (_fen(u, "ph_process") + _fen(u, "ph_process_deduction") == _fen(u, "ph_process_share")).all()
    assert (
        _fen(u, "ph_process_share") + _fen(u, "ph_objective_share") + _fen(u, "ph_effect_share")
        == _fen(u, "ph_lump_sum")
    ).all()
    for p in ("", "chronic_"):
        saved = np.maximum(_fen(u, f"{p}savings"), 0)
        parts = sum(_fen(u, f"{p}savings_{tier}") for tier in ("county", "township", "village"))
        assert (saved == parts).all()
        assert (_fen(u, f"{p}budget") - _fen(u, f"{p}actual") == _fen(u, f"{p}savings")).all()
        months = sum(_fen(u, f"{p}advance_m{m:02d}") for m in range(1, 13))
        assert (months == _fen(u, f"{p}advance_total")).all()
        over = _fen(u, f"{p}overspend")
        assert (over == _fen(u, f"{p}overspend_insurer") + _fen(u, f"{p}overspend_community")).all()
    # roll-ups add up to the units
    assert yuan_to_fen(res.by_township["ph_final"].to_numpy()).sum() == _fen(u, "ph_final").sum()
    assert yuan_to_fen(res.by_county["budget"].to_numpy())[0] == _fen(u, "budget").sum()
    assert res.checks["ok"].iloc[:4].all()


@SETTINGS
@given(seed=st.integers(0, 10_000), n_units=st.integers(2, 6), shuffle=st.integers(0, 2**31))
def test_row_order_does_not_matter(seed, n_units, shuffle):
    tables = random_tables(seed, n_units)
    shuffled = {k: v.sample(frac=1.0, random_state=shuffle % (2**31)).reset_index(drop=True) for k, v in tables.items()}
    a = settle_county(tables, "C99", 2023, SNAP)
    b = settle_county(shuffled, "C99", 2023, SNAP)
    pd.testing.assert_frame_equal(a.units, b.units)
    pd.testing.assert_frame_equal(a.ph_process, b.ph_process)
    pd.testing.assert_frame_equal(a.ph_objective, b.ph_objective)
    pd.testing.assert_frame_equal(a.by_township, b.by_township)


@SETTINGS
@given(seed=st.integers(0, 10_000), n_units=st.integers(1, 6), pick=st.integers(0, 10_000), bump=st.floats(1, 60))
def test_a_unit_that_scores_higher_never_receives_less(seed, n_units, pick, bump):
    tables = random_tables(seed, n_units)
    unit = f"U{pick % n_units + 1}"
    p = tables["ph_process"].copy()
    rows = (p["unit_id"] == unit) & (p["project"] == p["project"].iloc[pick % len(p)])
    higher = dict(tables, ph_process=p.assign(score=np.where(rows, np.minimum(p["score"] + bump, 100.0), p["score"])))
    before = settle_county(tables, "C99", 2023, SNAP).units.set_index("unit_id")
    after = settle_county(higher, "C99", 2023, SNAP).units.set_index("unit_id")
    # its process amount never falls, and its final amount never falls: what it gains in process it
    # loses from the shared effect pool at most in part. One fen of slack: the smaller pool is
    # re-split to the fen, and a largest-remainder split can move a single fen.
    assert after.loc[unit, "ph_process"] >= before.loc[unit, "ph_process"]
    assert yuan_to_fen([after.loc[unit, "ph_final"]])[0] >= yuan_to_fen([before.loc[unit, "ph_final"]])[0] - 1


@SETTINGS
@given(seed=st.integers(0, 10_000), n_units=st.integers(1, 8), pick=st.integers(0, 10_000))
def test_meeting_a_benchmark_never_lowers_the_objective_amount(seed, n_units, pick):
    tables = random_tables(seed, n_units)
    g = tables["ph_targets"].copy()
    i = pick % len(g)
    g.loc[i, "value"] = max(g.loc[i, "value"], SNAP.objective_benchmarks[g.loc[i, "indicator"]])
    unit = g.loc[i, "unit_id"]
    before = settle_county(tables, "C99", 2023, SNAP).units.set_index("unit_id")
    after = settle_county(dict(tables, ph_targets=g), "C99", 2023, SNAP).units.set_index("unit_id")
    assert after.loc[unit, "ph_objective"] >= before.loc[unit, "ph_objective"]


@SETTINGS
@given(seed=st.integers(0, 10_000), n_units=st.integers(1, 8), pick=st.integers(0, 10_000))
def test_a_veto_always_zeroes_its_sub_project(seed, n_units, pick):
    tables = random_tables(seed, n_units)
    g = tables["ph_targets"].copy()
    unit = f"U{pick % n_units + 1}"
    indicator = VETOES[pick % len(VETOES)]
    mask = (g["unit_id"] == unit) & (g["indicator"] == indicator)
    g.loc[mask, "value"] = 1.0  # met, yet vetoed
    g.loc[mask, "veto"] = True
    res = settle_county(dict(tables, ph_targets=g), "C99", 2023, SNAP)
    row = res.ph_objective.set_index(["unit_id", "indicator"]).loc[(unit, indicator)]
    assert row["met"] and row["vetoed"] and row["amount"] == 0
    # and every vetoed row anywhere pays nothing
    assert (res.ph_objective.loc[res.ph_objective["vetoed"], "amount"] == 0).all()
