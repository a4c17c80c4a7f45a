"""HonestDiD's fixed-length confidence intervals for smoothness restrictions (Δ^SD, FLCI) against
R HonestDiD's published Medicaid example and the Python port, frozen in JSON
(tests/did/reference/make_honest_reference.py regenerates the port's numbers)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.did.tolerances import HONEST, HONEST_FLAT_CENTRE, HONEST_SIMULATED_REL, printed_half_unit
from toolkit.did.honest import flci_smoothness, folded_normal_quantile
from toolkit.did.result import DidResult
from toolkit.did.sensitivity import honest_bounds
from toolkit.errors import ToolkitError

REF = Path(__file__).parent / "reference"
INPUTS = json.loads((REF / "honest_inputs.json").read_text(encoding="utf-8"))
PORT = json.loads((REF / "honest_port.json").read_text(encoding="utf-8"))


def _flci(example: dict, M: float):
    return flci_smoothness(
        example["betahat"], np.array(example["sigma"]), example["numPrePeriods"], M, example["l_vec"]
    )


def test_folded_normal_quantile():
    # mu = 0: |N(0,1)| at 0.95 is the two-sided 5% normal critical value
    assert folded_normal_quantile(0.95, 0.0) == pytest.approx(1.959963984540054, abs=1e-12)
    # large mu: the lower tail vanishes, c − mu → z_{0.95} = 1.6449
    assert folded_normal_quantile(0.95, 20.0) - 20.0 == pytest.approx(1.6448536269514722, abs=1e-9)


def test_medicaid_flci_equals_published_readme():
    ex, pub = INPUTS["medicaid"], INPUTS["medicaid"]["published_deltaSD_flci"]
    for M, lb, ub in zip(pub["M"], pub["lb"], pub["ub"]):
        f = _flci(ex, M)
        # README prints 3 significant digits: within 1e-4 of the printed value, plus its rounding
        assert abs(f.low - lb) <= HONEST + printed_half_unit(lb), (M, f.low, lb)
        assert abs(f.high - ub) <= HONEST + printed_half_unit(ub), (M, f.high, ub)


def test_medicaid_flci_equals_r_at_full_precision():
    # R's own doubles from the README's knitr cache (tests/did/reference/honest_r_readme.json): R
    # simulates the critical value, so the lengths agree to its Monte Carlo error, the ends to 3e-5
    r = json.loads((REF / "honest_r_readme.json").read_text(encoding="utf-8"))["medicaid_sd_flci"]
    ex = INPUTS["medicaid"]
    for M, lb, ub in zip(r["M"], r["lb"], r["ub"]):
        f = _flci(ex, M)
        assert f.low == pytest.approx(lb, abs=HONEST) and f.high == pytest.approx(ub, abs=HONEST), M
        assert 2 * f.half_length == pytest.approx(ub - lb, rel=HONEST_SIMULATED_REL), M


def test_medicaid_flci_equals_python_port():
    ex, port = INPUTS["medicaid"], PORT["medicaid"]["deltaSD_flci"]
    for M, lb, ub in zip(port["M"], port["lb"], port["ub"]):
        f = _flci(ex, M)
        assert f.low == pytest.approx(lb, abs=HONEST) and f.high == pytest.approx(ub, abs=HONEST)


def test_bcdata_flci_equals_r_and_port():
    # R's own results at full precision (wider intervals than Medicaid's, so R's simulated critical
    # value matters more): the length agrees within its Monte Carlo error; the ends within
    # HONEST_FLAT_CENTRE (tolerances module). Same against the Python port, which simulates too.
    ex, r = INPUTS["bcdata"], INPUTS["bcdata"]["r_deltaSD_flci"]
    port = PORT["bcdata"]["deltaSD_flci"]
    for M, lb, ub, plb, pub in zip(r["M"], r["lb"], r["ub"], port["lb"], port["ub"]):
        f = _flci(ex, M)
        for low, high in ((lb, ub), (plb, pub)):
            assert 2 * f.half_length == pytest.approx(high - low, rel=HONEST_SIMULATED_REL), M
            assert f.low == pytest.approx(low, abs=HONEST_FLAT_CENTRE) and f.high == pytest.approx(
                high, abs=HONEST_FLAT_CENTRE
            )
    f0 = _flci(ex, 0.0)  # M = 0: the minimum-variance estimator, unique; R's centre to 1e-4
    r_low, r_high = INPUTS["bcdata"]["r_flci_M0"]["FLCI"]
    assert f0.centre == pytest.approx((r_low + r_high) / 2, abs=HONEST)


def _medicaid_result() -> DidResult:
    """The Medicaid event study as a TWFE event result (reference 2013 = e −1, zero row)."""
    ex = INPUTS["medicaid"]
    e = [-6, -5, -4, -3, -2, -1, 0, 1]
    b = ex["betahat"][:5] + [0.0] + ex["betahat"][5:]
    S = np.zeros((8, 8))
    idx = [0, 1, 2, 3, 4, 6, 7]
    S[np.ix_(idx, idx)] = np.array(ex["sigma"])
    es = pd.DataFrame({"event_time": e, "estimate": b, "se": np.sqrt(np.diag(S))})
    return DidResult(
        "event",
        "dins",
        0.0,
        0.0,
        0.0,
        0.0,
        40,
        320,
        event_study=es,
        diagnostics={"event_study_vcov": S.tolist()},
        options={"base_period": "universal", "reference_period": -1},
    )


def test_honest_bounds_flci_on_an_event_result():
    res = _medicaid_result()
    table = honest_bounds(res, [0.0, 0.02], restriction="smoothness", method="flci", l_vec=[1, 0])
    port = PORT["medicaid"]["deltaSD_flci"]
    assert table["ci_low"].tolist() == pytest.approx([port["lb"][0], port["lb"][2]], abs=HONEST)
    assert table["ci_high"].tolist() == pytest.approx([port["ub"][0], port["ub"][2]], abs=HONEST)
    assert table.attrs["breakdown"] == 0.02 and table["id_low"].isna().all()
    with pytest.raises(ToolkitError, match="method must be one of"):
        honest_bounds(res, [1.0], method="bootstrap")
    with pytest.raises(ToolkitError, match="smoothness"):
        honest_bounds(res, [1.0], restriction="relative_magnitudes", method="flci")
    varying = _medicaid_result()
    varying.options["base_period"] = "varying"
    with pytest.raises(ToolkitError, match="universal"):
        honest_bounds(varying, [0.0], restriction="smoothness", method="flci")
