"""BJS imputation with time-varying covariates: y = α_i + λ_t + x'β fitted on the untreated
observations (BJS 2024 eq. 3), against the same imputation done with pyfixest (frozen reference)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.did.tolerances import EXACT
from toolkit.did import estimate
from toolkit.paths import MPDTA_CSV

REF = json.loads((Path(__file__).parent / "reference" / "mpdta_bjs_covariate_pyfixest.json").read_text())


def test_bjs_with_a_covariate_equals_pyfixest_imputation():
    d = pd.read_csv(MPDTA_CSV)
    d["x"] = d["lpop"] * (d["year"] - 2003)
    res = estimate(
        d,
        yname="lemp",
        idname="countyreal",
        tname="year",
        gname="first.treat",
        estimator="bjs",
        covariates="x",
        biters=20,
    )
    assert res.estimate == pytest.approx(REF["x"]["att"], abs=EXACT)
    es = res.event_study.set_index("event_time")["estimate"]
    for k, v in REF["x"]["by_event_time"].items():
        assert es[int(k)] == pytest.approx(v, abs=EXACT)
    assert res.options["covariates"] == ["x"] and 0 < res.se < 1
    plain = estimate(
        d, yname="lemp", idname="countyreal", tname="year", gname="first.treat", estimator="bjs", biters=20
    )
    assert abs(plain.estimate - res.estimate) > 1e-4  # the covariate matters here
