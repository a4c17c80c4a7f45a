"""``scenario`` on the 60-county synthetic province: a 5:3:2 split of both packages' savings.

The expected money moved per tier is computed here from the baseline savings of every unit with
an independent largest-remainder split (4:4:2 → 2:2:1 and 5:3:2, leftover fen to the largest
remainder, ties to the earlier tier), summed over units, to the fen.
"""

from fractions import Fraction

import pandas as pd
import pytest

from tests.settlement.test_scenario import _largest_remainder
from toolkit import cli
from toolkit.data.load import load_dataset
from toolkit.params.load import load_params
from toolkit.params.snapshot import resolve
from toolkit.paths import PARAMS_DIR
from toolkit.settlement.statement import settle_province

pytestmark = pytest.mark.slow
YEAR = 2024
#: the shipped example: both packages' savings split 5:3:2 from 2024 on (4:4:2 in the baseline)
REFORM = PARAMS_DIR / "reforms" / "savings_split_532.yaml"


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    from toolkit.data.synth import generate_province

    root = tmp_path_factory.mktemp("scenario_province")
    generate_province(root / "province", n_counties=60)
    out = root / "out"
    argv = ["scenario", str(root / "province"), "--reform", str(REFORM), "--year", str(YEAR)]
    assert cli.main(argv + ["--out", str(out)]) == 0
    return root, out


def test_532_moves_the_exact_money_between_tiers(province):
    root, out = province
    tables = load_dataset(root / "province", tables=["units", "unit_year", "ph_process", "ph_targets"]).tables
    paramset = load_params()
    counties = sorted(tables["units"]["county_id"].unique())
    base = settle_province(tables, YEAR, {c: resolve(paramset, c, YEAR) for c in counties})
    expected = {"county": 0, "township": 0, "village": 0}
    for res in base.values():
        for col in ("savings", "chronic_savings"):
            for yuan in res.units[col]:
                fen = max(round(yuan * 100), 0)
                new = _largest_remainder(fen, [Fraction(5), Fraction(3), Fraction(2)])
                old = _largest_remainder(fen, [Fraction(2), Fraction(2), Fraction(1)])
                for k, tier in enumerate(expected):
                    expected[tier] += new[k] - old[k]
    assert expected["county"] > 0 and expected["township"] < 0 and sum(expected.values()) == 0
    comparison = pd.read_csv(out / "scenario_comparison.csv", encoding="utf-8-sig")
    row = comparison.iloc[0]
    assert {t: round(row[f"moved_to_{t}"] * 100) for t in expected} == expected
    tiers = pd.read_csv(out / "scenario_tiers.csv", encoding="utf-8-sig")
    per_tier = tiers.groupby("tier")["difference"].sum()
    assert {t: round(per_tier[t] * 100) for t in expected} == expected
    # the split moves money between tiers only: no unit keeps more or less in total
    units = pd.read_csv(out / "scenario_units.csv", encoding="utf-8-sig")
    assert len(units) == len(tables["units"]) and (units["retained_difference"] == 0).all()


def test_conservation_holds_in_baseline_and_reform(province):
    _, out = province
    checks = pd.read_csv(out / "scenario_checks.csv", encoding="utf-8-sig")
    money = checks[checks["unit"] == "元"]  # the settlement's money checks: parts add up to the fen
    per_variant = money.groupby("variant").size()
    assert per_variant.to_dict().keys() == {"baseline", "savings_split_532"}
    assert per_variant["baseline"] == per_variant["savings_split_532"] >= 60 * 4
    assert money["ok"].astype(bool).all()
