"""HonestDiD's conditional and least-favourable hybrid (ARP) confidence sets against R HonestDiD's own
results and the Python port's, frozen in JSON:

* tests/did/reference/honest_r_readme.json — R's results at full precision from the knitr cache of
  HonestDiD's README (tests/did/reference/make_honest_r_readme.py regenerates it);
* tests/did/reference/honest_port.json — the Python port (PyPI ``honestdid``) for the sets that
  involve no simulation (tests/did/reference/make_honest_reference.py).

The set ends are grid points, so "equal" means the same grid point of the same grid: GRID_POINT,
while one different test decision would move an end by a whole grid step (3.7e-4 here)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from tests.did.test_honest_parity import _medicaid_result
from tests.did.tolerances import GRID_POINT, HONEST, printed_half_unit
from toolkit.did.honest_arp import (
    arp_accept_nuisance,
    conditional_cs_rm,
    conditional_cs_sd,
    identified_set_rm,
    r_rmvnorm,
    r_rnorm,
    r_runif_raw,
    rm_constraints,
    truncnorm_quantile,
)
from toolkit.did.sensitivity import honest_bounds
from toolkit.errors import ToolkitError

REF = Path(__file__).parent / "reference"
INPUTS = json.loads((REF / "honest_inputs.json").read_text(encoding="utf-8"))
R = json.loads((REF / "honest_r_readme.json").read_text(encoding="utf-8"))
PORT = json.loads((REF / "honest_port.json").read_text(encoding="utf-8"))["medicaid"]
MED = INPUTS["medicaid"]
B, S = np.array(MED["betahat"]), np.array(MED["sigma"])


def test_r_random_numbers_are_rs_own():
    # R (any version since 1.7, default Mersenne-Twister / Inversion):
    # set.seed(0); runif(3) → 0.8966972 0.2655087 0.3721239
    # set.seed(0); rnorm(5) → 1.2629543 -0.3262334 1.3297993 1.2724293 0.4146414
    # set.seed(42); rnorm(3) → 1.3709584 -0.5646982 0.3631284
    assert r_runif_raw(3, 0) == pytest.approx([0.8966972, 0.2655087, 0.3721239], abs=5e-8)
    assert r_rnorm(5, 0) == pytest.approx([1.2629543, -0.3262334, 1.3297993, 1.2724293, 0.4146414], abs=5e-8)
    assert r_rnorm(3, 42) == pytest.approx([1.3709584, -0.5646982, 0.3631284], abs=5e-8)


def test_rmvnorm_fills_by_row_and_uses_the_symmetric_root():
    # Σ = diag(4, 9): root diag(2, 3); mvtnorm fills the n × p normals by row
    z = r_rnorm(6, 0).reshape(3, 2)
    assert r_rmvnorm(3, np.diag([4.0, 9.0]), 0) == pytest.approx(z * [2.0, 3.0], abs=1e-14)
    # a rotated Σ: the symmetric root, so the draws are z @ Σ^{1/2}, whatever eigenvector signs
    Q = np.array([[0.6, -0.8], [0.8, 0.6]])
    root = Q @ np.diag([2.0, 3.0]) @ Q.T
    assert r_rmvnorm(3, root @ root, 0) == pytest.approx(z @ root, abs=1e-12)


def test_truncated_normal_quantile():
    assert truncnorm_quantile(0.975, -np.inf, np.inf) == pytest.approx(1.959963984540054, abs=1e-12)
    assert truncnorm_quantile(0.5, -1.0, 1.0) == pytest.approx(0.0, abs=1e-15)
    # far in a tail Φ underflows; the excess over l is ≈ exponential with rate l: median l + ln 2 / l
    assert truncnorm_quantile(0.5, 40.0, np.inf) == pytest.approx(40 + math.log(2) / 40, abs=1e-4)
    assert truncnorm_quantile(0.5, -np.inf, -40.0) == pytest.approx(-(40 + math.log(2) / 40), abs=1e-4)
    # the 0.95 quantile of N(0,1) on [0, ∞) is the 0.975 quantile of N(0,1)
    assert truncnorm_quantile(0.95, 0.0, np.inf) == pytest.approx(1.959963984540054, abs=1e-12)


def test_rm_constraints_hand_worked():
    # 2 pre, 1 post, s = 0, "+": |δ_t − δ_{t−1}| ≤ (δ_0 − δ_{−1}) for t ≤ 0 and ≤ M̄(δ_0 − δ_{−1}) for t = 1
    A = rm_constraints(2, 1, 2.0, 0, True)  # columns δ_{−2}, δ_{−1}, δ_1 (δ_0 = 0 dropped)
    expected = [
        [-1, 2, 0],  # (δ_{−1} − δ_{−2}) − (−δ_{−1}) ≤ 0
        [0, 2, 1],  # δ_1 − 2·(−δ_{−1}) ≤ 0
        [1, 0, 0],  # −(δ_{−1} − δ_{−2}) − (−δ_{−1}) ≤ 0
        [0, 2, 0],  # −(0 − δ_{−1}) − (−δ_{−1}) ≤ 0
        [0, 2, -1],  # −δ_1 − 2·(−δ_{−1}) ≤ 0
    ]
    assert A.tolist() == expected  # the zero row (the s row itself) is gone


def _r_case(key: str):
    case = R[key]
    values = case.get("Mbar", case.get("M"))
    return case, values


@pytest.mark.parametrize("key", ["medicaid_rm_r_grid", "medicaid_rm_avg_r_grid"])
def test_medicaid_hybrid_equals_r_on_rs_default_grid(key):
    case, values = _r_case(key)
    for Mbar, lb, ub in zip(values, case["lb"], case["ub"]):
        cs = conditional_cs_rm(B, S, 5, Mbar, case["l_vec"])
        assert cs.low == pytest.approx(lb, abs=GRID_POINT) and cs.high == pytest.approx(ub, abs=GRID_POINT), Mbar
        assert not cs.open_end


@pytest.mark.parametrize("key", ["medicaid_rm_centred_grid", "medicaid_rm_avg_centred_grid"])
def test_medicaid_hybrid_equals_rs_current_readme(key):
    case, values = _r_case(key)
    for Mbar, lb, ub in zip(values, case["lb"], case["ub"]):
        cs = conditional_cs_rm(B, S, 5, Mbar, case["l_vec"], grid="centred")
        assert cs.low == pytest.approx(lb, abs=GRID_POINT) and cs.high == pytest.approx(ub, abs=GRID_POINT), Mbar


def test_medicaid_hybrid_equals_the_printed_readme_table():
    pub = MED["published_deltaRM_conditional_lf"]
    for Mbar, lb, ub in zip(pub["Mbar"], pub["lb"], pub["ub"]):
        cs = conditional_cs_rm(B, S, 5, Mbar, [1, 0], grid="centred")
        assert abs(cs.low - lb) <= HONEST + printed_half_unit(lb), (Mbar, cs.low, lb)
        assert abs(cs.high - ub) <= HONEST + printed_half_unit(ub), (Mbar, cs.high, ub)


def test_sun_abraham_hybrid_equals_r():
    # 10 pre-periods, 6 post-periods (5 nuisance directions), 100 grid points
    case = R["sunab_rm_centred_grid"]
    b, V = np.array(case["betahat"]), np.array(case["sigma"])
    for Mbar, lb, ub in zip(case["Mbar"], case["lb"], case["ub"]):
        cs = conditional_cs_rm(b, V, case["numPrePeriods"], Mbar, case["l_vec"], grid="centred", grid_points=100)
        assert cs.low == pytest.approx(lb, abs=GRID_POINT) and cs.high == pytest.approx(ub, abs=GRID_POINT), Mbar


def test_every_branch_of_the_test_decides_some_grid_point():
    # the equalities above cover the LF first stage, the primal and the dual (bisection) approach
    paths = set()
    theta = np.linspace(-0.2, 0.2, 400)
    for s in range(-4, 1):
        for positive in (True, False):
            A = rm_constraints(5, 2, 1.0, s, positive)
            rows = np.flatnonzero((A[:, 5:] != 0).any(axis=1))
            trace: dict = {}
            arp_accept_nuisance(
                B, S, 5, A, np.zeros(len(A)), np.array([1.0, 0.0]), theta, 0.05, "LF", 0.005, rows, 0, trace
            )
            paths |= set(trace["path"])
    assert {"first stage", "primal", "dual"} <= paths


def test_conditional_equals_python_port():
    for key, l_vec in (("deltaRM_conditional", [1.0, 0.0]), ("deltaRM_conditional_avg", [0.5, 0.5])):
        port = PORT[key]
        for Mbar, lb, ub in zip(port["Mbar"], port["lb"], port["ub"]):
            cs = conditional_cs_rm(B, S, 5, Mbar, l_vec, hybrid="ARP")
            assert cs.low == pytest.approx(lb, abs=GRID_POINT) and cs.high == pytest.approx(ub, abs=GRID_POINT), (
                key,
                Mbar,
            )


def test_one_post_period_conditional_equals_python_port():
    port = PORT["deltaRM_conditional_first_post"]
    for Mbar, lb, ub in zip(port["Mbar"], port["lb"], port["ub"]):
        cs = conditional_cs_rm(B[:6], S[:6, :6], 5, Mbar, [1.0], hybrid="ARP")
        assert cs.low == pytest.approx(lb, abs=GRID_POINT) and cs.high == pytest.approx(ub, abs=GRID_POINT), Mbar


def test_smoothness_conditional_equals_python_port():
    port = PORT["deltaSD_conditional"]
    for M, lb, ub in zip(port["M"], port["lb"], port["ub"]):
        cs = conditional_cs_sd(B, S, 5, M, [1.0, 0.0], hybrid="ARP")
        assert cs.low == pytest.approx(lb, abs=GRID_POINT) and cs.high == pytest.approx(ub, abs=GRID_POINT), M


def test_hybrid_and_conditional_differ_and_contain_the_identified_set():
    for Mbar in (0.5, 2.0):
        lf = conditional_cs_rm(B, S, 5, Mbar, [1, 0])
        arp = conditional_cs_rm(B, S, 5, Mbar, [1, 0], hybrid="ARP")
        id_low, id_high = identified_set_rm(B, 5, Mbar, [1, 0])
        for cs in (lf, arp):
            assert cs.low < id_low < id_high < cs.high
    # the least-favourable first stage matters: the sets are not the same
    assert (lf.low, lf.high) != (arp.low, arp.high)


def test_honest_bounds_conditional_and_hybrid_on_an_event_result():
    res = _medicaid_result()
    r_grid = R["medicaid_rm_r_grid"]
    table = honest_bounds(res, [0.5, 1.5, 2.0], method="hybrid", l_vec=[1, 0])
    assert table["ci_low"].tolist() == pytest.approx([r_grid["lb"][i] for i in (1, 3, 4)], abs=GRID_POINT)
    assert table["ci_high"].tolist() == pytest.approx([r_grid["ub"][i] for i in (1, 3, 4)], abs=GRID_POINT)
    # identified set at the estimates: θ̂ = β_2014 ± M̄ · max pre-period change (hand-worked)
    theta = MED["betahat"][5]
    pre = MED["betahat"][:5] + [0.0]
    max_change = max(abs(b - a) for a, b in zip(pre[:-1], pre[1:]))
    assert table["id_low"].tolist() == pytest.approx([theta - m * max_change for m in (0.5, 1.5, 2.0)], abs=1e-12)
    assert table["id_high"].tolist() == pytest.approx([theta + m * max_change for m in (0.5, 1.5, 2.0)], abs=1e-12)
    # R's README: significant up to M̄ = 1.5 on R's default grid, not at 2 (lb −0.000916)
    assert table.attrs["breakdown"] == 1.5 and table["rejects_zero"].tolist() == [True, True, False]
    sd_theta = math.sqrt(MED["sigma"][5][5])
    assert table.attrs["grid_step"] == pytest.approx(40 * sd_theta / 999, rel=1e-12)
    assert table.attrs["open_end"] == []
    port = PORT["deltaRM_conditional"]
    cond = honest_bounds(res, port["Mbar"], method="conditional", l_vec=[1, 0])
    assert cond["ci_low"].tolist() == pytest.approx(port["lb"], abs=GRID_POINT)
    smooth = honest_bounds(res, [0.0, 0.01], restriction="smoothness", method="conditional", l_vec=[1, 0])
    sd_port = PORT["deltaSD_conditional"]
    assert smooth["ci_high"].tolist() == pytest.approx(sd_port["ub"][:2], abs=GRID_POINT)


def test_honest_bounds_arp_refuses_bad_options():
    res = _medicaid_result()
    with pytest.raises(ToolkitError, match="restriction"):
        honest_bounds(res, [1.0], restriction="monotone", method="hybrid")
    with pytest.raises(ToolkitError, match="grid"):
        honest_bounds(res, [1.0], method="hybrid", grid="wide")
    with pytest.raises(ToolkitError, match="l_vec"):
        honest_bounds(res, [1.0], method="conditional", l_vec=[1, 0, 0])
    with pytest.raises(ToolkitError, match="Mbar"):
        honest_bounds(res, [-1.0], method="conditional")


def test_smoothness_sets_contain_the_identified_set_on_rs_grid():
    theta_linear = MED["betahat"][5] + MED["betahat"][4]  # M = 0: δ_1 = −δ_{−1} (linear through δ_0 = 0)
    sd_theta = math.sqrt(MED["sigma"][5][5])
    for hybrid in ("ARP", "LF"):
        cs = conditional_cs_sd(B, S, 5, 0.0, [1.0, 0.0], hybrid=hybrid)
        # R's grid for Δ^SD: the identified set under β = 0 ({0} at M = 0) ± 20·sd
        assert cs.grid[0] == pytest.approx(-20 * sd_theta, abs=1e-15) and cs.grid[-1] == pytest.approx(20 * sd_theta)
        assert cs.low < theta_linear < cs.high and not cs.open_end
