"""Sun–Abraham with a time-varying covariate in the saturated regression, against pyfixest
``feols('lemp ~ i(cell) + x | countyreal + year')`` on mpdta, balanced and unbalanced (frozen in
tests/did/reference/mpdta_unbalanced.json by tests/did/reference/make_unbalanced_reference.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.did.tolerances import EXACT
from toolkit.did import estimate
from toolkit.errors import ToolkitError
from toolkit.paths import MPDTA_CSV

REF = json.loads((Path(__file__).parent / "reference" / "mpdta_unbalanced.json").read_text(encoding="utf-8"))
COLS = dict(yname="lemp", idname="countyreal", tname="year", gname="first.treat")


def _panel(which: str) -> pd.DataFrame:
    df = pd.read_csv(MPDTA_CSV)
    if which == "unbalanced":
        gone = pd.MultiIndex.from_tuples([tuple(p) for p in REF["data"]["removed_pairs"]])
        df = df[~pd.MultiIndex.from_frame(df[["countyreal", "year"]]).isin(gone)].reset_index(drop=True)
    return df.assign(x=df["lpop"] * (df["year"] - 2003))


@pytest.mark.parametrize("which", ["balanced", "unbalanced"])
def test_sa_with_covariate_equals_pyfixest(which):
    ref = REF["sa"][f"covariate_{which}"]
    res = estimate(_panel(which), estimator="sa", covariates="x", **COLS)
    gt = res.group_time
    got = {f"{g}:{e}": (b, s) for g, e, b, s in zip(gt["cohort"], gt["event_time"], gt["estimate"], gt["se"])}
    assert set(got) == set(ref["cells"])
    for k, (b, s) in ref["cells"].items():
        assert got[k] == pytest.approx((b, s), abs=EXACT), k
    es = res.event_study.set_index("event_time")
    for e, (b, s) in ref["event_study"].items():
        assert (es.loc[int(e), "estimate"], es.loc[int(e), "se"]) == pytest.approx((b, s), abs=EXACT), e
    assert (res.estimate, res.se) == pytest.approx(tuple(ref["att"]), abs=EXACT)
    assert res.diagnostics["covariate_coefficients"]["x"]["estimate"] == pytest.approx(
        ref["covariates"]["x"], abs=EXACT
    )
    assert res.options["covariates"] == ["x"]
    plain = estimate(_panel(which), estimator="sa", **COLS)
    assert abs(plain.estimate - res.estimate) > 1e-4  # the covariate matters here


def test_sa_covariate_constant_within_units_is_refused():
    # lpop is each county's 2000 population: absorbed by the county effects, so not identified
    with pytest.raises(ToolkitError, match=r"covariate \['lpop'\] collinear"):
        estimate(_panel("balanced"), estimator="sa", covariates="lpop", **COLS)
