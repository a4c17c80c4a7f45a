"""The generator is built for the default parameters (params/province.yaml); keep the two in step.

The synthetic data deliberately does not read params/ (a parameter edit must not silently change
the sample's bytes), so this test is what notices when the defaults move away from it.
"""

import pytest

from toolkit.data import synth_ph
from toolkit.data.synth_model import PH_SUBSIDY_PER_RESIDENT
from toolkit.params.snapshot import snapshot


@pytest.fixture(scope="module")
def snap():
    return snapshot("C01", 2020)


def test_projects_and_credits_match_defaults(snap):
    assert synth_ph.YUAN_PER_CREDIT == snap["yuan_per_credit"]
    assert synth_ph.TWO_CARD_PROJECTS == list(snap["two_card_projects"])
    assert synth_ph.PROJECTS == list(snap["ph_projects"])


def test_indicators_match_defaults(snap):
    benchmarks = snap["objective_benchmarks"]
    assert {k: b for k, (b, _) in synth_ph.INDICATORS.items()} == pytest.approx(dict(benchmarks))
    assert sorted(k for k, (_, v) in synth_ph.INDICATORS.items() if v) == sorted(snap["objective_vetoes"])


def test_subsidy_standard_covers_the_years():
    assert sorted(PH_SUBSIDY_PER_RESIDENT) == list(range(2012, 2025))
    assert all(
        a < b for a, b in zip(list(PH_SUBSIDY_PER_RESIDENT.values()), list(PH_SUBSIDY_PER_RESIDENT.values())[1:])
    )
