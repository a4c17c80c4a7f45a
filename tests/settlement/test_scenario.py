"""Policy scenarios: a reform file settled next to the baseline (rules.md §2, seed 000 §3.1).

Hand-worked: four units, each saving 100,000 yuan of the big package (budget 500 yuan × 1,000
insured = 500,000; spent 400,000), U1 saving 100,000.01. Under 4:4:2 a 100,000-yuan saving splits
40,000 / 40,000 / 20,000; under 5:3:2 it splits 50,000 / 30,000 / 20,000. U1's 10,000,001 fen:
4:4:2 → 4,000,000.4 / 4,000,000.4 / 2,000,000.2 fen, the one fen left over goes to the county
(largest remainder, ties to the first) → 4,000,001 / 4,000,000 / 2,000,000; 5:3:2 → 5,000,000.5 /
3,000,000.3 / 2,000,000.2 → 5,000,001 / 3,000,000 / 2,000,000. So each unit moves exactly 10,000
yuan from the township tier to the county tier, and the village tier keeps its 20,000.
"""

from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.settlement.builders import make_tables
from toolkit import cli
from toolkit.errors import ValidationError
from toolkit.params.reform import apply_reform, load_reform
from toolkit.params.snapshot import snapshot
from toolkit.settlement.scenario import MEASURES, run_scenario

YEAR = 2023


def _tables():
    t = make_tables()
    uy = t["unit_year"]
    now = uy["year"] == YEAR
    uy.loc[now, "fund_general"] = 400_000.0
    uy.loc[now & (uy["unit_id"] == "U1"), "fund_general"] = 399_999.99
    return t


def _reform(tmp_path, name, split, year=2020):
    c, t, v = split
    path = tmp_path / f"{name}.yaml"
    path.write_text(
        f"savings_split:\n  source: commission proposal\n  values:\n    {year}: {{county: {c}, township: {t}, village: {v}}}\n",
        encoding="utf-8",
    )
    return path


def _scenario(tmp_path, *reforms):
    base = {"C99": snapshot("C99", YEAR)}
    return run_scenario(_tables(), YEAR, base, [load_reform(p) for p in reforms])


def test_532_moves_exactly_10000_yuan_per_unit_from_township_to_county(tmp_path):
    res = _scenario(tmp_path, _reform(tmp_path, "split_532", (0.5, 0.3, 0.2)))
    units = res.units.set_index("unit_id")
    assert units.loc["U1", "savings_county_baseline"] == 40_000.01
    assert units.loc["U1", "savings_county_reform"] == 50_000.01
    assert units.loc["U2", "savings_township_reform"] == 30_000.00
    assert (units["savings_county_difference"] == 10_000.0).all()
    assert (units["savings_township_difference"] == -10_000.0).all()
    assert (units["savings_village_difference"] == 0.0).all()
    # the split moves money between tiers; what each unit keeps in total does not change
    assert (units["retained_difference"] == 0.0).all() and (units["outcome"] == "unchanged").all()
    tiers = res.tiers.set_index("tier")["difference"]
    assert tiers.to_dict() == {"county": 40_000.0, "township": -40_000.0, "village": 0.0}
    row = res.comparison.iloc[0]
    assert (row["moved_to_county"], row["moved_to_township"], row["moved_to_village"]) == (40_000.0, -40_000.0, 0.0)
    assert row["changed_parameters"] == "savings_split"
    # two townships T1 (U1, U2) and T2 (U3, U4): 20,000 yuan each to the county tier
    assert res.townships.set_index("township_id")["savings_county_difference"].to_dict() == {
        "T1": 20_000.0,
        "T2": 20_000.0,
    }
    assert res.counties["savings_county_difference"].tolist() == [40_000.0]
    change = res.changes.iloc[0]
    assert change["baseline_value"] == "county 0.4 · township 0.4 · village 0.2"
    assert change["reform_value"] == "county 0.5 · township 0.3 · village 0.2"


def test_overspend_reform_makes_winners_and_losers(tmp_path):
    """U4 overspends 50,000 yuan; with the insurer carrying half (overspend_share 0.5) the
    community carries 25,000 instead of 50,000: U4 wins exactly 25,000, nobody loses."""
    t = _tables()
    uy = t["unit_year"]
    uy.loc[(uy["year"] == YEAR) & (uy["unit_id"] == "U4"), "fund_general"] = 550_000.0
    path = tmp_path / "share.yaml"
    path.write_text("overspend_share:\n  source: proposal\n  values:\n    2023: 0.5\n", encoding="utf-8")
    res = run_scenario(t, YEAR, {"C99": snapshot("C99", YEAR)}, [load_reform(path)])
    units = res.units.set_index("unit_id")
    assert units.loc["U4", "retained_baseline"] == 10_000.0 - 50_000.0  # public health 10,000 − overspend
    assert units.loc["U4", "retained_difference"] == 25_000.0
    assert units.loc["U4", "insurer_paid_difference"] == 25_000.0
    assert units.loc["U4", "outcome"] == "winner"
    assert (units.loc[["U1", "U2", "U3"], "outcome"] == "unchanged").all()
    row = res.comparison.iloc[0]
    assert (row["winners"], row["losers"], row["unchanged"], row["max_gain"]) == (1, 0, 3, 25_000.0)
    assert res.communities.set_index("community_id")["winners"].to_dict() == {"M1": 0, "M2": 1}


def test_reform_that_changes_nothing_gives_zero_differences_everywhere(tmp_path):
    res = _scenario(tmp_path, _reform(tmp_path, "same", (0.4, 0.4, 0.2)))
    for frame in (res.units, res.townships, res.communities, res.counties):
        for m in MEASURES:
            assert (frame[f"{m}_difference"] == 0).all(), m
    assert (res.tiers["difference"] == 0).all()
    assert res.changes.empty and res.comparison.iloc[0]["changed_parameters"] == ""
    assert res.digests[("same", "C99")] == res.digests[("baseline", "C99")]


#: a valid value other than the baseline's, for an entry dated after the settled year
OTHER_VALUE = {
    "savings_split": {"county": 0.5, "township": 0.3, "village": 0.2},
    "chronic_savings_split": {"county": 0.6, "township": 0.2, "village": 0.2},
    "overspend_share": 0.25,
    "advance_rate": 0.5,
}


def _assert_zero_everywhere(res):
    for frame in (res.units, res.townships, res.communities, res.counties):
        for m in MEASURES:
            assert (frame[f"{m}_difference"] == 0).all(), m
    assert (res.tiers["difference"] == 0).all()
    row = res.comparison.iloc[0]
    assert row["retained_difference"] == 0 and row["insurer_paid_difference"] == 0 and row["budget_difference"] == 0
    assert (row["winners"], row["losers"], row["unchanged"]) == (0, 0, len(res.units))


def _spending(spent: list[int]):
    t = make_tables()
    uy = t["unit_year"]
    for i, fen in enumerate(spent, start=1):
        uy.loc[(uy["year"] == YEAR) & (uy["unit_id"] == f"U{i}"), "fund_general"] = fen / 100.0
    return t


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    spent=st.lists(st.integers(30_000_000, 70_000_000), min_size=4, max_size=4),  # fen; budget 50,000,000
    keys=st.sets(st.sampled_from(sorted(OTHER_VALUE)), min_size=1),
    since=st.integers(2017, YEAR),
    with_later_entry=st.booleans(),
)
def test_any_reform_restating_the_baseline_gives_zero_differences(tmp_path, spent, keys, since, with_later_entry):
    """Any data (units saving or overspending), any parameters restated at their baseline values from
    any start year up to the settled year, with or without a different value dated after it: zero
    differences at every level, no parameter reported as changed."""
    import yaml

    base = snapshot("C99", YEAR)
    body = {}
    for key in sorted(keys):
        values = {since: {"value": base[key], "reference": {"document": "restated baseline"}}}
        if with_later_entry:
            values[YEAR + 1] = {"value": OTHER_VALUE[key], "reference": {"document": "not yet in force"}}
        body[key] = {"values": values}
    path = tmp_path / "restated.yaml"
    path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    res = run_scenario(_spending(spent), YEAR, {"C99": base}, [load_reform(path)])
    _assert_zero_everywhere(res)
    assert res.changes.empty


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    spent=st.lists(st.integers(30_000_000, 50_000_000), min_size=4, max_size=4),  # every unit within budget
    share=st.integers(0, 100),
)
def test_a_rule_that_applies_to_no_unit_moves_no_money(tmp_path, spent, share):
    """The overspend share changed while no unit overspends: the reform is settled again (its
    parameters differ) and every difference is still zero, to the fen."""
    path = tmp_path / "overspend.yaml"
    path.write_text(
        f"overspend_share:\n  values:\n    2020:\n      value: {share / 100}\n"
        "      reference: {document: commission proposal}\n",
        encoding="utf-8",
    )
    base = snapshot("C99", YEAR)
    res = run_scenario(_spending(spent), YEAR, {"C99": base}, [load_reform(path)])
    _assert_zero_everywhere(res)
    if share / 100 != base["overspend_share"]:  # any other share than the province's is a change, settled again
        assert res.changes["key"].tolist() == ["overspend_share"]
        assert res.digests[("overspend", "C99")] != res.digests[("baseline", "C99")]


def test_public_health_is_settled_again_only_when_its_parameters_change(tmp_path, monkeypatch):
    """A savings-split reform reuses the baseline's public-health settlement (it reads none of the
    split keys); a reform of a public-health parameter settles it again. yuan_per_credit 2 → 3: each
    unit earns 5,500 instead of 3,900 yuan of its 7,000-yuan process share (70% of 10,000), so the
    effect pool = 10% shares 4 × 1,000 + process deductions 4 × (7,000 − 5,500) + objective
    deductions 4 × 125 = 10,500 yuan instead of 4,000 + 4 × 3,100 + 500 = 16,900 (a reused
    baseline would still show 16,900); the units' final amounts equal a full settlement's."""
    from toolkit.settlement import statement

    calls = []
    real = statement.settle_public_health
    monkeypatch.setattr(statement, "settle_public_health", lambda *a, **k: calls.append(a[4]) or real(*a, **k))
    _scenario(tmp_path, _reform(tmp_path, "split_532", (0.5, 0.3, 0.2)))
    assert calls == ["C99"]  # the baseline only
    calls.clear()
    path = tmp_path / "credit.yaml"
    path.write_text(
        "yuan_per_credit:\n  values:\n    2020:\n      value: 3\n      reference: {document: commission proposal}\n",
        encoding="utf-8",
    )
    base = snapshot("C99", YEAR)
    res = run_scenario(_tables(), YEAR, {"C99": base}, [load_reform(path)])
    assert calls == ["C99", "C99"]  # baseline and reform
    full = statement.settle_county(_tables(), "C99", YEAR, apply_reform(base, load_reform(path)))
    reform_ph = res.units.set_index("unit_id")["ph_final_reform"]
    assert reform_ph.to_dict() == full.units.set_index("unit_id")["ph_final"].to_dict()
    pool = res.checks[res.checks["check_id"] == "ph_effect_pool"].set_index("variant")["expected"]
    assert pool.to_dict() == {"baseline": 16_900.0, "credit": 10_500.0}


def test_reform_starting_after_the_year_is_not_in_force(tmp_path):
    res = _scenario(tmp_path, _reform(tmp_path, "later", (0.5, 0.3, 0.2), year=2030))
    assert (res.units["savings_county_difference"] == 0).all()


def test_several_reforms_one_comparison_row_each(tmp_path):
    res = _scenario(
        tmp_path, _reform(tmp_path, "split_532", (0.5, 0.3, 0.2)), _reform(tmp_path, "split_622", (0.6, 0.2, 0.2))
    )
    assert res.comparison["reform"].tolist() == ["split_532", "split_622"]
    assert res.comparison["moved_to_county"].tolist() == [40_000.0, 80_000.0]
    assert len(res.units) == 8 and set(res.units["reform"]) == {"split_532", "split_622"}


def test_shares_not_summing_to_one_name_the_file_and_key(tmp_path):
    path = _reform(tmp_path, "bad", (0.5, 0.3, 0.3))
    with pytest.raises(ValidationError) as err:
        load_reform(path)
    text = err.value.render()
    assert "bad.yaml" in text and "savings_split" in text and "adding up to 1" in text


def test_reform_breaking_a_cross_check_names_the_file(tmp_path):
    path = tmp_path / "vetoes.yaml"
    path.write_text("objective_vetoes:\n  source: x\n  values:\n    2020: [no_such_indicator]\n", encoding="utf-8")
    with pytest.raises(ValidationError) as err:
        apply_reform(snapshot("C99", YEAR), load_reform(path))
    assert "vetoes.yaml" in err.value.render() and "objective_vetoes" in err.value.render()


def _largest_remainder(total: int, weights: list[Fraction]) -> list[int]:
    """Independent of toolkit.settlement.money: floor parts, leftover fen to the largest remainders."""
    exact = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    spent=st.lists(st.integers(30_000_000, 60_000_000), min_size=4, max_size=4),
    county=st.integers(0, 10),
    township=st.integers(0, 10),
)
def test_any_split_reform_moves_money_only_between_tiers(tmp_path, spent, county, township):
    if county + township > 10:
        county, township = township, 10 - township
    village = 10 - county - township
    t = make_tables()
    uy = t["unit_year"]
    for i, fen in enumerate(spent, start=1):
        uy.loc[(uy["year"] == YEAR) & (uy["unit_id"] == f"U{i}"), "fund_general"] = fen / 100.0
    path = tmp_path / "split.yaml"
    path.write_text(
        f"savings_split:\n  source: p\n  values:\n    2020: {{county: {county / 10}, township: {township / 10}, village: {village / 10}}}\n",
        encoding="utf-8",
    )
    res = run_scenario(t, YEAR, {"C99": snapshot("C99", YEAR)}, [load_reform(path)])
    units = res.units.set_index("unit_id")
    assert (units["retained_difference"] == 0).all()
    expected = {"county": 0, "township": 0, "village": 0}
    for i, fen in enumerate(spent, start=1):
        saving = max(50_000_000 - fen, 0)  # budget 500,000.00 yuan
        new = _largest_remainder(saving, [Fraction(county), Fraction(township), Fraction(village)])
        old = _largest_remainder(saving, [Fraction(2), Fraction(2), Fraction(1)])
        for k, tier in enumerate(expected):
            expected[tier] += new[k] - old[k]
            assert round(units.loc[f"U{i}", f"savings_{tier}_reform"] * 100) == new[k]
    moved = res.tiers.set_index("tier")["difference"]
    assert {k: round(v * 100) for k, v in moved.items()} == expected
    assert sum(expected.values()) == 0


def test_cli_writes_csv_excel_html_and_same_bytes(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "946684800")
    root = tmp_path / "ds"
    root.mkdir()
    for name, frame in _tables().items():
        frame.to_csv(root / f"{name}.csv", index=False)
    reform = _reform(tmp_path, "split_532", (0.5, 0.3, 0.2))
    out = tmp_path / "out"
    argv = ["scenario", str(root), "--reform", str(reform), "--year", str(YEAR), "--out", str(out)]
    assert cli.main(argv) == 0
    names = sorted(p.name for p in out.iterdir())
    for stem in ("comparison", "tiers", "counties", "communities", "townships", "units", "changes", "checks"):
        assert f"scenario_{stem}.csv" in names
    assert {"scenario.xlsx", "scenario.html", "provenance.json"} <= set(names)
    raw = (out / "scenario_units.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel and WPS open it as UTF-8
    assert not raw[3:].startswith(b"\xef\xbb\xbf")  # one mark only: a second one garbles the first header
    units = pd.read_csv(out / "scenario_units.csv", encoding="utf-8-sig")
    assert units["savings_county_difference"].tolist() == [10_000.0] * 4
    html = (out / "scenario.html").read_text(encoding="utf-8")
    assert "<svg" in html and "split_532" in html and "政策情景" in html
    assert "townships" not in html  # Chinese first: no English table names in the zh page
    printed = capsys.readouterr().out
    assert "split_532" in printed and "40,000.00" in printed
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    assert cli.main(argv) == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first


def test_cli_bad_reform_exits_2_and_writes_nothing(tmp_path, capsys):
    root = tmp_path / "ds"
    root.mkdir()
    for name, frame in _tables().items():
        frame.to_csv(root / f"{name}.csv", index=False)
    bad = _reform(tmp_path, "bad", (0.5, 0.3, 0.3))
    out = tmp_path / "out"
    assert cli.main(["scenario", str(root), "--reform", str(bad), "--year", str(YEAR), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "savings_split" in err and "Traceback" not in err
    assert not out.exists()


def test_townships_and_communities_are_shown_by_name_where_the_units_table_gives_one(tmp_path):
    base = {"C99": snapshot("C99", YEAR)}
    t = _tables()
    names = {"T1": "东风镇", "T2": ""}  # T2 left unnamed: shown by its code, as on the statements
    t["units"]["township_name"] = t["units"]["township_id"].map(names)
    t["units"]["community_name"] = "甲子县人民医院医共体"
    res = run_scenario(t, YEAR, base, [load_reform(_reform(tmp_path, "split_532", (0.5, 0.3, 0.2)))])
    assert res.townships.set_index("township_id")["township_name"].to_dict() == {"T1": "东风镇", "T2": "T2"}
    assert res.communities["community_name"].tolist() == ["甲子县人民医院医共体"] * len(res.communities)
    assert res.units.set_index("unit_id").loc["U1", "township_name"] == "东风镇"
