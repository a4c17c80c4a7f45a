"""The assessment engine (seed 004 Sichuan "一个总额付费", rules.md §11): a scheme is data; scoring
by yoy, rank (with ties) and threshold hand-worked; a scheme whose points do not add up is an error."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.errors import ToolkitError
from toolkit.indicators.assessment import cutoff_share, load_scheme, parse_scheme, rank_shares, score

SCHEME = {
    "id": "t",
    "name_zh": "测试",
    "name_en": "Test",
    "source": "test",
    "level": "county",
    "total_points": 100,
    "dimensions": [
        {
            "id": "a",
            "points": 60,
            "indicators": [
                {
                    "indicator": "in_county_inpatient_share",
                    "points": 30,
                    "method": "threshold",
                    "cutoffs": [[0.9, 1.0], [0.8, 0.5]],
                },
                {
                    "indicator": "hospitalisation_rate",
                    "points": 30,
                    "method": "yoy",
                    "cutoffs": [[0.0, 1.0], [0.05, 0.5]],
                    "missing": "exclude",
                },
            ],
        },
        {"id": "b", "points": 40, "indicators": [{"indicator": "primary_visit_share", "points": 40, "method": "rank"}]},
    ],
}


def county_year() -> pd.DataFrame:
    # 2023: admissions / in-county / primary visits per county; 2022: 1,000 admissions (rate 10 per 100)
    rows = []
    for c, adm, inside, primary in (
        ("A", 950, 912, 600),
        ("B", 1040, 884, 500),
        ("C", 1100, 770, 500),
        ("D", 1000, 900, 400),
    ):
        rows.append(dict(county_id=c, year=2022, insured_pop=10_000, admissions=1000, admissions_in_county=800,
                         visits_in_county=1000, visits_primary=500))  # fmt: skip
        rows.append(dict(county_id=c, year=2023, insured_pop=10_000, admissions=adm, admissions_in_county=inside,
                         visits_in_county=1000, visits_primary=primary))  # fmt: skip
    return pd.DataFrame(rows)


def _points(points, county, indicator):
    return points.loc[(points["entity_id"] == county) & (points["indicator"] == indicator)].iloc[0]


def test_hand_worked_threshold_yoy_and_rank_with_ties():
    points, totals = score({"county_year": county_year()}, parse_scheme(SCHEME), 2023)
    # threshold on the in-county share: A 912/950 = 0.96 ≥ 0.90 → 30; B 884/1040 = 0.85 → 0.5 × 30 = 15;
    # C 770/1100 = 0.70 → 0; D 900/1000 = 0.90 exactly meets ≥ 0.90 → 30
    got = [_points(points, c, "in_county_inpatient_share")["points"] for c in "ABCD"]
    assert got == pytest.approx([30, 15, 0, 30])
    # yoy of the hospitalisation rate (lower is better), 10 per 100 in 2022: A 9.5 (−5%) ≤ 0 → 30;
    # B 10.4 (+4%) ≤ 5% → 15; C 11 (+10%) → 0; D 10 (0%) ≤ 0 → 30
    got = [_points(points, c, "hospitalisation_rate")["points"] for c in "ABCD"]
    assert got == pytest.approx([30, 15, 0, 30])
    assert _points(points, "B", "hospitalisation_rate")["basis"].startswith("change +4.0000% against 2022")
    # rank of the primary visit share (higher is better): A 0.6, B 0.5, C 0.5, D 0.4 → ranks 1, 2, 2, 4;
    # share (4 − rank) / 3 → 1, 2/3, 2/3, 0 → 40, 26.67, 26.67, 0 (ties share the better rank)
    got = [_points(points, c, "primary_visit_share")["points"] for c in "ABCD"]
    assert got == pytest.approx([40, 80 / 3, 80 / 3, 0])
    assert _points(points, "C", "primary_visit_share")["basis"] == "rank 2 of 4"
    t = totals.set_index("entity_id")
    assert t["total"].tolist() == pytest.approx([100, 15 + 15 + 80 / 3, 80 / 3, 60])
    assert t.loc["B", "a"] == pytest.approx(30) and t.loc["B", "b"] == pytest.approx(80 / 3)


def test_missing_data_rules_exclude_and_zero():
    cy = county_year()
    cy = cy.loc[~((cy["county_id"] == "D") & (cy["year"] == 2022))]  # D has no 2022: its yoy is missing
    points, totals = score({"county_year": cy}, parse_scheme(SCHEME), 2023)
    d = _points(points, "D", "hospitalisation_rate")
    assert d["points"] == 0 and d["missing_rule"] == "exclude" and "2022" in d["note"]
    # exclude: D earned 30 (threshold) + 0 (rank 4 of 4) of the 70 points it has data for → 30 / 70 × 100
    assert totals.set_index("entity_id").loc["D", "total"] == pytest.approx(30 / 70 * 100)
    zero = copy.deepcopy(SCHEME)
    zero["dimensions"][0]["indicators"][1]["missing"] = "zero"
    _, totals = score({"county_year": cy}, parse_scheme(zero), 2023)
    assert totals.set_index("entity_id").loc["D", "total"] == pytest.approx(30)  # out of 100
    fail = copy.deepcopy(SCHEME)
    fail["dimensions"][0]["indicators"][1]["missing"] = "error"
    with pytest.raises(ToolkitError, match="hospitalisation_rate is missing for county D in 2023"):
        score({"county_year": cy}, parse_scheme(fail), 2023)


def test_a_scheme_whose_points_do_not_add_up_is_an_error():
    bad = copy.deepcopy(SCHEME)
    bad["dimensions"][1]["points"] = 30  # 60 + 30 = 90, not 100; and b's indicator has 40 of its 30
    with pytest.raises(ToolkitError) as err:
        parse_scheme(bad, "params/schemes/bad.yaml")
    text = err.value.render()
    assert "params/schemes/bad.yaml" in text and "60 + 30 = 90" in text and "total_points 100" in text
    assert "dimensions.b" in text and "indicators add up to 40" in text
    unknown = copy.deepcopy(SCHEME)
    unknown["dimensions"][1]["indicators"][0]["indicator"] = "happiness"
    with pytest.raises(ToolkitError, match="happiness"):
        parse_scheme(unknown)


def test_scoring_helpers():
    assert cutoff_share(0.95, [(0.9, 1.0), (0.8, 0.5)], "higher_is_better") == 1.0
    assert cutoff_share(0.03, [(0.0, 1.0), (0.05, 0.5)], "lower_is_better") == 0.5
    assert cutoff_share(0.79, [(0.9, 1.0), (0.8, 0.5)], "higher_is_better") == 0.0
    rank, share = rank_shares(pd.Series([3.0, 1.0, 1.0]), "lower_is_better")  # 1.0 ties for best
    assert rank.tolist() == [3, 1, 1] and share.tolist() == pytest.approx([0, 1, 1])
    rank, share = rank_shares(pd.Series([5.0]), "higher_is_better")
    assert share.tolist() == [1.0]  # a single unit gets the full points


def test_default_scheme_is_sichuans_100_points():
    s = load_scheme()
    assert s.level == "community" and s.total_points == 100
    # seed 004: medical cost 20, insurance spending 20, tiered care 20, quality 15, supervision 15, burden 10
    assert [d.points for d in s.dimensions] == [20, 20, 20, 15, 15, 10]
    assert [d.name_zh for d in s.dimensions][:2] == ["医疗费用指标", "医保支出指标"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from toolkit.data.synth import generate_province

    out = tmp_path_factory.mktemp("assess") / "province"
    generate_province(out, n_counties=3)
    return out


def test_assess_command_scores_every_community(sample, tmp_path, capsys):
    out = tmp_path / "a"
    assert main(["assess", str(sample), "--year", "2023", "--out", str(out)]) == 0
    totals = pd.read_csv(out / "assessment_totals.csv")
    units = pd.read_csv(sample / "units.csv")
    assert sorted(totals["entity_id"]) == sorted(units["community_id"].unique())  # C01 has two communities
    assert totals["total"].between(0, 100).all()
    points = pd.read_csv(out / "assessment_points.csv")
    assert len(points) == len(totals) * len(load_scheme().items)  # every indicator shows its points per unit
    assert (points["points"] <= points["points_possible"] + 1e-9).all()
    assert {"provenance.json", "assessment.xlsx"} <= {p.name for p in out.iterdir()}
    # a scheme that does not add to 100: exit 2, nothing written
    bad = tmp_path / "bad.yaml"
    import yaml

    from toolkit.indicators.assessment import SCHEMES_DIR

    raw = yaml.safe_load((SCHEMES_DIR / "sichuan_one_total.yaml").read_text(encoding="utf-8"))
    raw["dimensions"][0]["points"] = 25
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert main(["assess", str(sample), "--scheme", str(bad), "--year", "2023", "--out", str(tmp_path / "b")]) == 2
    assert not (tmp_path / "b").exists()
    assert "add up to total_points 100" in capsys.readouterr().err
