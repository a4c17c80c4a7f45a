"""Options checked against peers: Sun–Abraham's reference period (pyfixest) and units treated in the
first period dropped through ``estimate(..., always_treated="drop")`` (csdid, which like R did drops
them). Frozen in tests/did/reference/mpdta_unbalanced.json by make_unbalanced_reference.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.did.tolerances import EXACT
from toolkit.did import estimate
from toolkit.did.aggregate import aggte
from toolkit.did.staggered import att_gt
from toolkit.errors import ToolkitError, ValidationError
from toolkit.paths import MPDTA_CSV

REF = json.loads((Path(__file__).parent / "reference" / "mpdta_unbalanced.json").read_text(encoding="utf-8"))
COLS = dict(yname="lemp", idname="countyreal", tname="year", gname="first.treat")


def test_sa_reference_period_minus_two_equals_pyfixest():
    """ref=-2 on mpdta's cohorts 2006 and 2007 (and the never treated): every cell relative to e = −2."""
    ref = REF["sa"]["ref_minus_2"]
    d = pd.read_csv(MPDTA_CSV)
    res = estimate(d[d["first.treat"] != 2004], estimator="sa", ref=-2, **COLS)
    gt = res.group_time
    got = {f"{g}:{e}": (b, s) for g, e, b, s in zip(gt["cohort"], gt["event_time"], gt["estimate"], gt["se"])}
    assert set(got) == set(ref["cells"]) and "2006:-2" not in got
    for k, v in ref["cells"].items():
        assert got[k] == pytest.approx(tuple(v), abs=EXACT), k
    assert (res.estimate, res.se) == pytest.approx(tuple(ref["att"]), abs=EXACT)
    assert res.options["reference_period"] == -2


def test_sa_reference_period_a_cohort_lacks_is_refused():
    # cohort 2004 has no e = −2 (2002 is before the data): pyfixest drops one of its cells as collinear
    # and reports the rest; here it is an error naming the cohort
    with pytest.raises(ToolkitError, match=r"reference period -2 is not observed for cohort \[2004\]"):
        estimate(pd.read_csv(MPDTA_CSV), estimator="sa", ref=-2, **COLS)


def test_always_treated_dropped_equals_csdid():
    """mpdta's first 7 counties made treated from 2003: csdid (as R did) drops them with a warning;
    ``always_treated="drop"`` gives the same ATT(g,t), SEs and aggregations; the default refuses."""
    d = pd.read_csv(MPDTA_CSV)
    early = d["countyreal"].isin(d["countyreal"].unique()[:7])
    d = d.assign(**{"first.treat": np.where(early, 2003, d["first.treat"])})
    with pytest.raises(ValidationError, match="no pre-treatment period"):
        estimate(d, estimator="cs", **COLS)
    res = estimate(d, estimator="cs", always_treated="drop", cband=False, **COLS)
    assert res.n_units == 493 and "dropped 7 units" in res.warnings[0]
    ref = REF["cs"]["always_treated_dropped"]
    cells = att_gt(d[~early], *COLS.values(), cband=False)
    got = {
        (int(g), int(t)): (e, s) for g, t, e, s in zip(*(cells.cells[c] for c in ("cohort", "time", "estimate", "se")))
    }
    for c in ref["cells"]:
        assert got[(c["cohort"], c["time"])] == pytest.approx((c["estimate"], c["se"]), abs=EXACT), c
    assert (res.estimate, res.se) == pytest.approx(
        (ref["aggte"]["simple"]["estimate"], ref["aggte"]["simple"]["se"]), abs=EXACT
    )
    dyn = aggte(cells, "dynamic", cband=False)
    assert (dyn.estimate, dyn.se) == pytest.approx(
        (ref["aggte"]["dynamic"]["estimate"], ref["aggte"]["dynamic"]["se"]), abs=EXACT
    )
