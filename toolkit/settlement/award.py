"""Consortium award (医联体补助), seed 002 Zhenghe §4 (rules.md §8, §12).

"完成既定考核指标 … 紧密型医联体每年20万元, 松散型医联体每年10万元": a medical community whose
assessment passes receives a yearly award by its type. Parameters (dated, per county):

* ``consortium_award`` — yuan per type (province default close 200,000 / loose 100,000);
* ``community_types`` — community id → ``close`` | ``loose`` (the county's own file);
* ``consortium_assessment_passed`` — community id → true / false: the year's assessment result as
  the commission decided it (the award is paid only on ``true``).

The award is a separate payment from the capitation packages: it is added to the community roll-up
as its own columns and never mixed into the savings or the conservation checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.params.snapshot import ParamSnapshot

STATUS = ("awarded", "assessment_failed", "no_assessment", "no_type")


def consortium_awards(community_ids, snap: ParamSnapshot) -> pd.DataFrame:
    """One row per community: type, assessment result, the award in yuan and why."""
    rates = snap["consortium_award"] if "consortium_award" in snap else {}
    types = snap["community_types"] if "community_types" in snap else {}
    passed = snap["consortium_assessment_passed"] if "consortium_assessment_passed" in snap else {}
    rows = []
    for c in community_ids:
        kind, result = types.get(c), passed.get(c)
        if kind is None:
            status, award = "no_type", 0.0
        elif result is None:
            status, award = "no_assessment", 0.0
        elif result:
            status, award = "awarded", float(rates.get(kind, 0.0))
        else:
            status, award = "assessment_failed", 0.0
        rows.append(
            {
                "community_id": c,
                "community_type": kind,
                "assessment_passed": result,
                "consortium_award": award,
                "consortium_award_status": status,
            }
        )
    return pd.DataFrame(
        rows,
        columns=["community_id", "community_type", "assessment_passed", "consortium_award", "consortium_award_status"],
    )


def with_awards(by_community: pd.DataFrame, snap: ParamSnapshot) -> pd.DataFrame:
    """The community roll-up with the award columns appended (same row order)."""
    awards = consortium_awards(by_community["community_id"].tolist(), snap).set_index("community_id")
    out = by_community.copy()
    for col in awards.columns:
        out[col] = (
            awards[col].reindex(out["community_id"]).to_numpy(dtype=object if col != "consortium_award" else np.float64)
        )
    return out
