"""Public-health capitation 7:2:1, hand-worked (seed 000 §3.2; rules.md §5)."""

import shutil

import pandas as pd
import pytest

from tests.settlement.builders import TWO_CARD, make_tables
from toolkit.errors import ToolkitError, ValidationError
from toolkit.params.snapshot import snapshot
from toolkit.paths import PARAMS_DIR
from toolkit.settlement.public_health import bracket_cuts, settle_public_health, village_share_check
from toolkit.settlement.statement import settle_county

SNAP = snapshot("C99", 2023)


def _params(tmp_path, text):
    root = tmp_path / "params"
    (root / "counties").mkdir(parents=True)
    shutil.copy(PARAMS_DIR / "province.yaml", root / "province.yaml")
    (root / "counties" / "C99.yaml").write_text(text, encoding="utf-8")
    return root


def _set(frame, mask, **values):
    frame = frame.copy()
    for k, v in values.items():
        frame.loc[mask, k] = v
    return frame


def _one_unit_tables():
    """One unit, lump 10 000 yuan → 7 000 process / 2 000 objective / 1 000 effect."""
    t = make_tables(n_units=1, credits=50.0, planned=100.0, score=100.0)
    p = t["ph_process"]
    # ehr: scores 80, 90, 100, 70; credits 100, 200, 100, 100
    for q, (s, c) in enumerate([(80, 100), (90, 200), (100, 100), (70, 100)], start=1):
        p = _set(p, (p["project"] == "ehr") & (p["quarter"] == q), score=float(s), credits=float(c))
    # health_education (not two-card): planned 200, scores 50, 50, 50, 100
    for q, s in enumerate([50, 50, 50, 100], start=1):
        p = _set(p, (p["project"] == "health_education") & (p["quarter"] == q), score=float(s), planned_amount=200.0)
    t["ph_process"] = p
    g = t["ph_targets"]
    bench = SNAP.objective_benchmarks
    g["value"] = g["indicator"].map(bench).astype(float)  # every indicator exactly at its benchmark
    g = _set(g, g["indicator"] == "vaccination_rate", value=0.89)  # below 0.90 → nothing
    g = _set(g, g["indicator"] == "newborn_visit_rate", value=0.95, veto=True)  # met but vetoed (a child death)
    g = _set(g, g["indicator"] == "ehr_coverage", veto=True)  # no veto rule for e-records → still paid
    t["ph_targets"] = g
    return t


def _settle(t, snap=SNAP):
    return settle_public_health(t["unit_year"], t["units"], t["ph_process"], t["ph_targets"], "C99", 2023, snap)


def test_process_objective_effect_hand_worked():
    res = _settle(_one_unit_tables())
    u = res.units.iloc[0]
    assert (u["ph_process_share_fen"], u["ph_objective_share_fen"], u["ph_effect_share_fen"]) == (
        700_000,
        200_000,
        100_000,
    )
    d = res.process_detail.set_index("project")
    # ehr coefficient = 20%·80 + 20%·90 + 20%·100 + 40%·70 = 16 + 18 + 20 + 28 = 82 → 0.82
    assert d.loc["ehr", "quality_coefficient"] == pytest.approx(0.82)
    # annual calibration: (100 + 200 + 100 + 100) credits × 0.82 = 410 calibrated credits × 2 yuan = 820 yuan
    assert d.loc["ehr", "calibrated_credits"] == pytest.approx(410) and d.loc["ehr", "amount_fen"] == 82_000
    # the other 7 two-card projects: 4 × 50 credits × 1.0 × 2 yuan = 400 yuan each → 2 800
    assert all(d.loc[p, "amount_fen"] == 40_000 for p in TWO_CARD[1:])
    # health education: coefficient 20%·50·3 + 40%·100 = 70 → 200 × 0.70 = 140 yuan; others 100 × 1.0
    assert d.loc["health_education", "amount_fen"] == 14_000 and d.loc["vaccination", "amount_fen"] == 10_000
    # process earned = 820 + 2 800 + 140 + 6 × 100 = 4 360 yuan; deduction = 7 000 − 4 360 = 2 640
    assert u["ph_process_earned_fen"] == 436_000 and u["ph_process_fen"] == 436_000
    assert u["ph_process_deduction_fen"] == 264_000
    # objective: 2 000 / 16 = 125 per indicator; vaccination missed, newborn visits vetoed → 14 × 125 = 1 750
    o = res.objective_detail.set_index("indicator")
    assert o.loc["vaccination_rate", "amount_fen"] == 0 and not o.loc["vaccination_rate", "met"]
    assert o.loc["newborn_visit_rate", "amount_fen"] == 0 and o.loc["newborn_visit_rate", "vetoed"]
    assert o.loc["ehr_coverage", "amount_fen"] == 12_500 and not o.loc["ehr_coverage", "vetoed"]
    assert o.loc["health_education_credits", "amount_fen"] == 12_500  # 100 credits = benchmark: at or above → paid
    assert u["ph_objective_fen"] == 175_000 and u["ph_objective_deduction_fen"] == 25_000
    # effect pool = 1 000 + 2 640 + 250 = 3 890; the only unit takes it (the empty brackets' money is
    # redistributed to the one bracket that has a unit)
    assert res.effect_pool["effect_pool_fen"] == 389_000 and u["ph_effect_fen"] == 389_000
    # final = (7 000 − 2 640) + (2 000 − 250) + 3 890 = 10 000
    assert u["ph_final_fen"] == 1_000_000


def test_quarterly_calibration(tmp_path):
    snap = snapshot(
        "C99",
        2023,
        _params(tmp_path, "credit_calibration:\n  source: local decision\n  values:\n    2023: quarterly\n"),
    )
    d = _settle(_one_unit_tables(), snap).process_detail.set_index("project")
    # quarter by quarter: 100·0.8 + 200·0.9 + 100·1.0 + 100·0.7 = 80 + 180 + 100 + 70 = 430 credits × 2 = 860 yuan
    assert d.loc["ehr", "calibrated_credits"] == pytest.approx(430) and d.loc["ehr", "amount_fen"] == 86_000


def test_process_is_capped_at_its_share():
    t = make_tables(n_units=1, credits=100.0, planned=200.0)
    u = _settle(t).units.iloc[0]
    # 8 × 400 credits × 2 = 6 400 + 7 × 200 = 1 400 → 7 800 earned > 7 000 share → paid 7 000, no deduction
    assert (
        u["ph_process_earned_fen"] == 780_000 and u["ph_process_fen"] == 700_000 and u["ph_process_deduction_fen"] == 0
    )


def _eight_units(spending):
    # credits 87.5 × 4 × 8 projects × 2 yuan = 5 600 + 7 × 200 = 7 000: process earns exactly its share
    t = make_tables(n_units=8, credits=87.5, planned=200.0, spending=spending)
    g = t["ph_targets"]
    t["ph_targets"] = _set(g, g["indicator"] == "health_education_credits", value=100.0)
    return t


def test_effect_brackets_hand_worked():
    # U_i's per-capita total spending falls by i% → U8 declines most and ranks first
    t = _eight_units(lambda u, y: 1e6 * (1 - 0.01 * int(u[1:])) if y == 2023 else 1e6)
    res = _settle(t)
    u = res.units.set_index("unit_id")
    assert (u["ph_process_deduction_fen"] == 0).all() and (u["ph_objective_deduction_fen"] == 0).all()
    # pool = 8 × 1 000 = 8 000; 8 units: cuts 1, 2, 3, 4 → one unit per bracket: 40/30/20/10%
    assert res.effect_pool["effect_pool_fen"] == 800_000
    assert [u.loc[f"U{i}", "ph_effect_fen"] for i in (8, 7, 6, 5)] == [320_000, 240_000, 160_000, 80_000]
    assert [u.loc[f"U{i}", "ph_effect_fen"] for i in (4, 3, 2, 1)] == [0, 0, 0, 0]
    assert u.loc["U8", "ph_effect_rank"] == 1 and u.loc["U8", "ph_effect_bracket"] == 1
    assert pd.isna(u.loc["U1", "ph_effect_bracket"]) and u.loc["U1", "ph_effect_rank"] == 8
    assert u["ph_final_fen"].sum() == 8 * 1_000_000


def test_ties_share_the_money_of_their_positions():
    # U7 and U8 fall by the same 8% → they occupy positions 1 and 2: (3 200 + 2 400) / 2 = 2 800 each
    t = _eight_units(
        lambda u, y: 1e6 * (1 - 0.01 * min(int(u[1:]), 7) - (0.01 if u in ("U7", "U8") else 0)) if y == 2023 else 1e6
    )
    u = _settle(t).units.set_index("unit_id")
    assert u.loc["U7", "ph_effect_fen"] == u.loc["U8", "ph_effect_fen"] == 280_000
    assert u.loc["U7", "ph_effect_rank"] == u.loc["U8", "ph_effect_rank"] == 1
    assert u.loc["U6", "ph_effect_fen"] == 160_000


def test_bracket_edges():
    # 10 units: 10 × 12.5% = 1.25, × 25% = 2.5, × 37.5% = 3.75, × 50% = 5
    edges = [0.125, 0.25, 0.375, 0.5]
    assert bracket_cuts(10, edges, "round") == [1, 3, 4, 5]  # 2.5 rounds half up to 3
    assert bracket_cuts(10, edges, "floor") == [1, 2, 3, 5]
    assert bracket_cuts(10, edges, "ceil") == [2, 3, 4, 5]
    assert bracket_cuts(232, edges, "round") == [29, 58, 87, 116]  # Suixi's 232 units divide evenly
    assert bracket_cuts(3, edges, "round") == [0, 1, 1, 2]  # 0.375 → 0, 0.75 → 1, 1.125 → 1, 1.5 → 2


def test_units_without_a_previous_year_are_not_ranked():
    t = _eight_units(lambda u, y: 1e6 * (1 - 0.01 * int(u[1:])) if y == 2023 else 1e6)
    uy = t["unit_year"]
    uy = uy.loc[~((uy["unit_id"] == "U8") & (uy["year"] == 2022))]
    res = settle_public_health(uy, t["units"], t["ph_process"], t["ph_targets"], "C99", 2023, SNAP)
    u = res.units.set_index("unit_id")
    assert u.loc["U8", "ph_effect_fen"] == 0 and "2022" in u.loc["U8", "ph_effect_not_ranked"]
    # 7 ranked: cuts round(0.875)=1, round(1.75)=2, round(2.625)=3, round(3.5)=4 → U7, U6, U5, U4
    assert [u.loc[f"U{i}", "ph_effect_fen"] for i in (7, 6, 5, 4)] == [320_000, 240_000, 160_000, 80_000]


def test_no_ranked_unit_shares_the_pool_equally():
    t = _eight_units(lambda u, y: 1e6)
    uy = t["unit_year"]
    uy = uy.loc[uy["year"] != 2022]
    u = settle_public_health(uy, t["units"], t["ph_process"], t["ph_targets"], "C99", 2023, SNAP).units
    # nobody can be ranked: the 8 000-yuan pool is shared equally (effect_no_ranked_units = equal_all_units)
    assert (u["ph_effect_fen"] == 100_000).all() and u["ph_final_fen"].sum() == 8_000_000


def test_no_ranked_unit_retain(tmp_path):
    snap = snapshot(
        "C99",
        2023,
        _params(tmp_path, "effect_no_ranked_units:\n  source: local decision\n  values:\n    2023: retain\n"),
    )
    t = _eight_units(lambda u, y: 1e6)
    uy = t["unit_year"].loc[lambda f: f["year"] != 2022]
    res = settle_public_health(uy, t["units"], t["ph_process"], t["ph_targets"], "C99", 2023, snap)
    assert (res.units["ph_effect_fen"] == 0).all() and res.effect_pool["effect_retained_fen"] == 800_000


def test_lump_sum_sharing_within_a_bracket(tmp_path):
    snap = snapshot(
        "C99",
        2023,
        _params(tmp_path, "effect_bracket_sharing:\n  source: local decision\n  values:\n    2023: lump_sum\n"),
    )
    t = _eight_units(
        lambda u, y: 1e6 * (1 - 0.01 * min(int(u[1:]), 7) - (0.01 if u in ("U7", "U8") else 0)) if y == 2023 else 1e6
    )
    uy = t["unit_year"]
    uy.loc[uy["unit_id"] == "U8", "ph_lump_sum"] = 30_000.0  # U8's lump is 3 × U7's
    t["unit_year"] = uy
    pp = t["ph_process"]
    pp.loc[(pp["unit_id"] == "U8") & pp["project"].isin(TWO_CARD), "credits"] = 87.5 * 3
    pp.loc[(pp["unit_id"] == "U8") & ~pp["project"].isin(TWO_CARD), "planned_amount"] = 600.0
    res = settle_public_health(uy, t["units"], pp, t["ph_targets"], "C99", 2023, snap)
    u = res.units.set_index("unit_id")
    # pool = 7 × 1 000 + 3 000 = 10 000 → positions 1, 2 hold 4 000 + 3 000 = 7 000, shared 3 : 1 by lump sums
    assert res.effect_pool["effect_pool_fen"] == 1_000_000
    assert u.loc["U8", "ph_effect_fen"] == 525_000 and u.loc["U7", "ph_effect_fen"] == 175_000


def test_village_share_check():
    # lump sums 4 × 10 000 = 40 000 of an approved 80 000 → 50% ≥ 48%
    r = village_share_check(
        pd.DataFrame({"county_id": ["C99"], "year": [2023], "ph_subsidy_total": [80_000.0]}),
        4_000_000,
        "C99",
        2023,
        SNAP,
    )
    assert r["village_share"] == 0.5 and r["meets_minimum"] is True
    r = village_share_check(
        pd.DataFrame({"county_id": ["C99"], "year": [2023], "ph_subsidy_total": [100_000.0]}),
        4_000_000,
        "C99",
        2023,
        SNAP,
    )
    assert r["village_share"] == 0.4 and r["meets_minimum"] is False and "below the minimum 48%" in r["note"]
    assert village_share_check(None, 4_000_000, "C99", 2023, SNAP)["meets_minimum"] is None


def test_statement_reports_the_village_share():
    res = settle_county(make_tables(subsidy=100_000.0), "C99", 2023, SNAP)
    row = res.checks.set_index("check").loc["village share of the public-health subsidy ≥ minimum"]
    assert row["found"] == 0.4 and row["ok"] is False or row["ok"] == False  # noqa: E712


# ── inconsistent data gives clear errors ──────────────────────────────────────────────────────


def test_unit_in_ph_targets_but_not_in_units():
    t = make_tables()
    extra = t["ph_targets"].iloc[:1].assign(unit_id="GHOST")
    with pytest.raises(
        ValidationError, match=r"ph_targets column 'unit_id': value 'GHOST' — expected a unit_id listed in units"
    ):
        settle_public_health(
            t["unit_year"], t["units"], t["ph_process"], pd.concat([t["ph_targets"], extra]), "C99", 2023, SNAP
        )


def test_missing_quarter():
    t = make_tables()
    p = t["ph_process"]
    p = p.loc[~((p["unit_id"] == "U2") & (p["project"] == "tb") & (p["quarter"] == 3))]
    with pytest.raises(ValidationError, match=r"(?s)missing 1 quarter rows.*\(U2, tb\): no quarter 3"):
        settle_public_health(t["unit_year"], t["units"], p, t["ph_targets"], "C99", 2023, SNAP)


def test_unknown_project_and_duplicate_rows():
    t = make_tables()
    p = pd.concat([t["ph_process"], t["ph_process"].iloc[:1].assign(project="dental")])
    with pytest.raises(ValidationError, match="dental"):
        settle_public_health(t["unit_year"], t["units"], p, t["ph_targets"], "C99", 2023, SNAP)
    p = pd.concat([t["ph_process"], t["ph_process"].iloc[:1]])
    # 4 units × 15 projects × 4 quarters = 240 rows: the repeated first row is row 241
    with pytest.raises(ValidationError, match=r"rows 1, 241 column 'unit_id, year, project, quarter'.*duplicated key"):
        settle_public_health(t["unit_year"], t["units"], p, t["ph_targets"], "C99", 2023, SNAP)


def test_missing_indicator_and_planned_amount_differs():
    t = make_tables()
    g = t["ph_targets"].loc[lambda f: ~((f["unit_id"] == "U1") & (f["indicator"] == "tb_management_rate"))]
    with pytest.raises(ValidationError, match=r"\(U1\): no indicator tb_management_rate"):
        settle_public_health(t["unit_year"], t["units"], t["ph_process"], g, "C99", 2023, SNAP)
    p = t["ph_process"].copy()
    p.loc[(p["unit_id"] == "U1") & (p["project"] == "vaccination") & (p["quarter"] == 2), "planned_amount"] = 999.0
    with pytest.raises(ValidationError, match=r"U1, 2023, vaccination: 100 vs 999"):
        settle_public_health(t["unit_year"], t["units"], p, t["ph_targets"], "C99", 2023, SNAP)


def test_settle_county_needs_its_tables():
    t = make_tables()
    del t["ph_targets"]
    with pytest.raises(ToolkitError, match="ph_targets"):
        settle_county(t, "C99", 2023, SNAP)
