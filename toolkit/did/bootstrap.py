"""Multiplier bootstrap for influence-function based estimators, with simultaneous bands.

Callaway & Sant'Anna (2021, §4.1 and Remark 10): perturb each unit's (or cluster's) influence
function by an i.i.d. multiplier ``V`` with mean 0 and variance 1, and read the sampling
distribution off ``sqrt(n) · mean(V · IF)`` without re-estimating anything. As in R ``did``
2.5.1 (``mboot.R``, multipliers from ``BMisc::multiplier_bootstrap``, BMisc 1.4.8 src/BMisc.cpp):

* Rademacher weights ±1 with probability ½ each (BMisc's C++ ``fill_rademacher``; older R ``did``
  used Mammen's two-point weights, available here as ``weights="mammen"``). With small cohorts
  the draws are lumpy and the IQR scale sits a few percent above the analytic SE — as in R;
* the standard error is the robust scale ``(q.75 − q.25)/(Φ⁻¹(.75) − Φ⁻¹(.25))`` of the draws
  divided by ``sqrt(n)`` (with clusters: the cluster sums are perturbed, ``se = scale·√C / n``);
* the simultaneous critical value is the ``1 − alpha`` quantile (R's type 1, an order statistic)
  of ``max_k |draw_k / scale_k|`` over non-degenerate columns (sup-t band).

Same ``seed`` → same draws → same numbers (the draws cannot match R's random stream; tests
compare the bootstrap SE with R's published values within sampling error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

_SQRT5 = math.sqrt(5.0)
MAMMEN_LOW = (1 - _SQRT5) / 2
MAMMEN_HIGH = (1 + _SQRT5) / 2
MAMMEN_P_LOW = (_SQRT5 + 1) / (2 * _SQRT5)
_IQR_NORMAL = stats.norm.ppf(0.75) - stats.norm.ppf(0.25)


@dataclass
class BootstrapResult:
    se: np.ndarray  # per column; NaN for degenerate columns
    crit_val: float  # sup-t critical value for a simultaneous (1 - alpha) band
    draws: np.ndarray  # biters × k, sqrt(n)·mean(V·IF) (degenerate columns kept, as zeros)


def mammen_weights(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
    """Mammen (1993) two-point multipliers: mean 0, variance 1, third moment 1."""
    return np.where(rng.random(size) < MAMMEN_P_LOW, MAMMEN_LOW, MAMMEN_HIGH)


def rademacher_weights(rng: np.random.Generator, size: tuple[int, ...]) -> np.ndarray:
    """±1 with probability ½ from random bits (one random byte gives eight multipliers)."""
    count = int(np.prod(size))
    bits = np.unpackbits(np.frombuffer(rng.bytes((count + 7) // 8), dtype=np.uint8))[:count]
    return (bits.astype(np.float64) * 2.0 - 1.0).reshape(size)


def _type1_quantile(x: np.ndarray, p: float) -> float:
    """R ``quantile(type=1)``: the order statistic x_(ceil(n·p))."""
    x = np.sort(x)
    k = max(int(math.ceil(len(x) * p)), 1)
    return float(x[k - 1])


def multiplier_bootstrap(
    inffunc: np.ndarray,
    *,
    biters: int = 999,
    seed: int = 20240901,
    alpha: float = 0.05,
    cluster: np.ndarray | None = None,
    weights: str = "rademacher",
    chunk: int = 250,
) -> BootstrapResult:
    """Bootstrap SEs and the sup-t critical value for the columns of an n × k influence matrix."""
    IF = np.asarray(inffunc, dtype=float)
    if IF.ndim == 1:
        IF = IF[:, None]
    n, k = IF.shape
    if biters < 2:
        raise ValueError("biters must be at least 2")
    if cluster is not None:
        n_cl = int(cluster.max()) + 1
        S = np.zeros((n_cl, k))
        np.add.at(S, cluster, IF)
    else:
        n_cl, S = n, IF
    rng = np.random.default_rng(seed)
    if weights not in ("rademacher", "mammen"):
        raise ValueError("weights must be 'rademacher' or 'mammen'")
    draw = mammen_weights if weights == "mammen" else rademacher_weights
    bres = np.empty((biters, k))
    # draws in chunks: memory stays O(chunk × units) for large panels
    for start in range(0, biters, chunk):
        stop = min(start + chunk, biters)
        V = draw(rng, (stop - start, n_cl))
        bres[start:stop] = (V @ S) / math.sqrt(n_cl)  # = sqrt(C) · mean_c(V_c S_c)
    ok = np.isfinite(bres).all(axis=0) & (np.sum(bres**2, axis=0) > math.sqrt(np.finfo(float).eps) * 10)
    se = np.full(k, np.nan)
    crit = float("nan")
    if ok.any():
        b = bres[:, ok]
        bs = np.sort(b, axis=0)  # R type-1 quantiles are order statistics
        q75 = bs[max(math.ceil(0.75 * biters), 1) - 1]
        q25 = bs[max(math.ceil(0.25 * biters), 1) - 1]
        scale = (q75 - q25) / _IQR_NORMAL
        se[ok] = scale * math.sqrt(n_cl) / n
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.abs(b / scale)
        t[~np.isfinite(t)] = -np.inf
        bT = t.max(axis=1)
        bT = bT[np.isfinite(bT)]
        if len(bT):
            crit = _type1_quantile(bT, 1 - alpha)
    return BootstrapResult(se=se, crit_val=crit, draws=bres)
