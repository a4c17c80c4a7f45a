"""Consortium award, seed 002 Zhenghe §4: close 200,000 / loose 100,000 yuan a year when the
assessment passes; in the community roll-up of the settlement.

County C99 of tests/settlement/builders.py has communities M1 and M2. M1 is close and passed:
200,000.00. M2 is loose and passed: 100,000.00; the same M2 failing its assessment gets 0.
"""

from tests.settlement.builders import make_tables
from tests.settlement.test_capitation import _params
from toolkit.params.snapshot import snapshot
from toolkit.settlement.statement import settle_county

TYPES = "community_types:\n  source: county plan\n  values:\n    2020: {M1: close, M2: loose}\n"


def _by_community(tmp_path, passed):
    root = _params(
        tmp_path, TYPES + f"consortium_assessment_passed:\n  source: 2023 assessment\n  values:\n    2023: {passed}\n"
    )
    cs = settle_county(make_tables(), "C99", 2023, snapshot("C99", 2023, root))
    return cs.by_community.set_index("community_id")


def test_close_200000_and_loose_100000_when_the_assessment_passes(tmp_path):
    b = _by_community(tmp_path, "{M1: true, M2: true}")
    assert b["community_type"].to_dict() == {"M1": "close", "M2": "loose"}
    assert b["consortium_award"].to_dict() == {"M1": 200_000.0, "M2": 100_000.0}
    assert set(b["consortium_award_status"]) == {"awarded"}


def test_no_award_without_a_pass(tmp_path):
    b = _by_community(tmp_path, "{M1: true, M2: false}")
    assert b["consortium_award"].to_dict() == {"M1": 200_000.0, "M2": 0.0}
    assert b.loc["M2", "consortium_award_status"] == "assessment_failed"


def test_no_type_or_no_assessment_pays_nothing_and_says_why():
    cs = settle_county(make_tables(), "C99", 2023, snapshot("C99", 2023))
    b = cs.by_community.set_index("community_id")
    assert (b["consortium_award"] == 0).all() and set(b["consortium_award_status"]) == {"no_type"}
