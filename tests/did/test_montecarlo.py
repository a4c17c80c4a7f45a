"""A small Monte Carlo (the full one is benchmarks/montecarlo_did.py, ≥ 300 draws).

Staggered adoption with effects that grow with time since reform and are larger for early
cohorts: TWFE's coefficient is visibly biased (already-treated counties act as controls,
Goodman-Bacon 2021), Callaway–Sant'Anna is not, and its 95% intervals cover the truth at a
sensible rate. 25 draws: coverage is only checked to be "not absurd" (≥ 80%; the benchmark
checks 93–97% with its Monte Carlo error).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "montecarlo_did.py"


@pytest.fixture(scope="module")
def mc():
    spec = importlib.util.spec_from_file_location("montecarlo_did", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_true_att_by_hand(mc):
    # cohorts 2013/2015/2017 observed to 2019: e = 0..6, 0..4, 0..2 with τ = s(1 + 0.5e):
    # 2013: 2·(7 + 0.5·21) = 35; 2015: 1·(5 + 0.5·10) = 10; 2017: 0.5·(3 + 0.5·3) = 2.25.
    # Equal shares → mean over 7 + 5 + 3 = 15 treated years: (35 + 10 + 2.25) / 15 = 3.15
    assert mc.true_att() == pytest.approx(3.15)


def test_twfe_biased_cs_not(mc):
    res = mc.run(draws=25, n_units=150, seed=7, with_sa=False)
    cs, twfe = res["estimators"]["cs"], res["estimators"]["twfe"]
    # CS is unbiased up to Monte Carlo error (sd / sqrt(25))
    assert abs(cs["bias"]) < 3 * cs["sd_of_estimates"] / np.sqrt(25)
    # TWFE's bias is large (about −50% in this design) and many times CS's
    assert twfe["relative_bias"] < -0.25
    assert abs(twfe["bias"]) > 10 * abs(cs["bias"])
    assert twfe["coverage_95"] < 0.2
    # CS coverage and SE calibration are not absurd with 25 draws
    assert cs["coverage_95"] >= 0.8
    assert 0.6 < cs["mean_se"] / cs["sd_of_estimates"] < 1.6
