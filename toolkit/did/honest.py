"""Rambachan & Roth (2023, REStud 90(5), 2555–2591) confidence sets that HonestDiD computes.

Inputs are those of R ``HonestDiD``: the event-study coefficients ``betahat`` ordered
``(β_pre (numPrePeriods, oldest first, reference period e = −1 left out), β_post)``, their
covariance ``sigma`` and the target weights ``l_vec`` on the post-period coefficients
(θ = l_vec'τ_post).

**FLCI for smoothness Δ^SD(M)** (:func:`flci_smoothness`; R ``findOptimalFLCI``, the method of
``createSensitivityResults`` for Δ^SD): among affine estimators θ̂ = a'β_pre + l_vec'β_post
that are unbiased when the pre-trend is linear, choose ``a`` to minimise the length of the
fixed-length interval θ̂ ± cv_α(b̄/σ̂)·σ̂ (Armstrong & Kolesár 2018), where b̄ = M·B(a) is the
worst-case bias over Δ^SD(M), σ̂ the estimator's SD and cv_α(t) the 1−α quantile of |N(t, 1)|.
With ``w`` the cumulative sums of ``a`` (HonestDiD's parametrisation) B(a) = c(l_vec) +
Σ_k |Σ_{j≤k} w_j|, Σ_k w_k = Σ_s s·l_s. HonestDiD solves, for each σ̂ bound h on a bisection
grid, a second-order cone programme (CVXR/ECOS), then minimises over h; we minimise the interval
length over ``(U, w)`` directly (SLSQP with the same linear and abs-value constraints): the same
optimum without a grid. HonestDiD takes cv_α from 10⁶ simulated normal draws (``.qfoldednormal``);
we solve Φ(c − t) − Φ(−c − t) = 1 − α exactly (differences of ~1e−5 relative).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from toolkit.errors import ToolkitError


def folded_normal_quantile(p: float, mu: float) -> float:
    """The p-quantile of |N(mu, 1)|: c with Φ(c − mu) − Φ(−c − mu) = p."""
    mu = abs(float(mu))

    def f(c: float) -> float:
        return float(special.ndtr(c - mu) - special.ndtr(-c - mu) - p)

    hi = mu + float(special.ndtri(p)) + 1.0
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps))


def _folded_quantile_slope(c: float, mu: float) -> float:
    """d c / d mu of :func:`folded_normal_quantile` (implicit function theorem), mu ≥ 0."""
    a, b = math.exp(-0.5 * (c - mu) ** 2), math.exp(-0.5 * (c + mu) ** 2)
    return (a - b) / (a + b)


@dataclass
class Flci:
    """Centre ± half-length; ``weights`` = (a on β_pre, l_vec on β_post); ``sd``, ``max_bias``."""

    low: float
    high: float
    centre: float
    half_length: float
    sd: float
    max_bias: float
    weights: np.ndarray


def check_inputs(betahat: np.ndarray, sigma: np.ndarray, n_pre: int, l_vec: np.ndarray) -> None:
    n_post = len(betahat) - n_pre
    if n_pre < 1 or n_post < 1:
        raise ToolkitError("HonestDiD intervals need at least one pre-period and one post-period coefficient")
    if sigma.shape != (len(betahat), len(betahat)):
        raise ToolkitError(f"sigma must be {len(betahat)} × {len(betahat)}, got {sigma.shape}")
    if len(l_vec) != n_post:
        raise ToolkitError(f"l_vec must have one weight per post-period coefficient ({n_post}), got {len(l_vec)}")


def flci_smoothness(
    betahat: Sequence[float], sigma: np.ndarray, n_pre: int, M: float, l_vec: Sequence[float], alpha: float = 0.05
) -> Flci:
    """Optimal fixed-length confidence interval for θ = l_vec'τ_post under Δ^SD(M) (module doc)."""
    b = np.asarray(betahat, dtype=float)
    S = np.asarray(sigma, dtype=float)
    lv = np.asarray(l_vec, dtype=float)
    check_inputs(b, S, n_pre, lv)
    K, P = n_pre, len(lv)
    s_idx = np.arange(1, P + 1)
    target = float(s_idx @ lv)
    constant = sum(abs(float(np.arange(1, s + 1) @ lv[P - s :])) for s in range(1, P + 1)) - target
    Spre, Spp, Spost = S[:K, :K], S[:K, K:], float(lv @ S[K:, K:] @ lv)
    D = np.eye(K) - np.eye(K, k=-1)  # a = D w (a_1 = w_1, a_k = w_k − w_{k−1})
    Q = D.T @ Spre @ D
    lin = 2 * D.T @ Spp @ lv
    L = np.tril(np.ones((K, K)))

    def var(w: np.ndarray) -> float:
        return float(w @ Q @ w + lin @ w + Spost)

    def half(x: np.ndarray) -> float:
        U, w = x[:K], x[K:]
        sd = math.sqrt(max(var(w), 1e-300))
        bias = M * (constant + float(U.sum()))
        return folded_normal_quantile(1 - alpha, bias / sd) * sd

    def half_grad(x: np.ndarray) -> np.ndarray:
        # f = cv(t)·sd with t = bias/sd: ∂f/∂U = M·cv'(t); ∂f/∂w = (cv − t·cv')·∂sd/∂w
        U, w = x[:K], x[K:]
        sd = math.sqrt(max(var(w), 1e-300))
        t = M * (constant + float(U.sum())) / sd
        cv = folded_normal_quantile(1 - alpha, t)
        slope = _folded_quantile_slope(cv, t)
        dsd = (2 * Q @ w + lin) / (2 * sd)
        return np.r_[np.full(K, M * slope), (cv - t * slope) * dsd]

    cons = [
        {"type": "ineq", "fun": lambda x: x[:K] - L @ x[K:], "jac": lambda x: np.hstack([np.eye(K), -L])},
        {"type": "ineq", "fun": lambda x: x[:K] + L @ x[K:], "jac": lambda x: np.hstack([np.eye(K), L])},
        {"type": "eq", "fun": lambda x: x[K:].sum() - target, "jac": lambda x: np.r_[np.zeros(K), np.ones(K)]},
    ]
    # starts: the minimum-bias estimator (all weight on the last pre-period change) and the
    # minimum-variance one (no bias constraint)
    w_bias = np.r_[np.zeros(K - 1), target]
    # minimum variance subject to Σw = target: w = Q⁻¹(λ1 − lin/2)
    Qi = np.linalg.pinv(Q)
    one = np.ones(K)
    lam = (target + 0.5 * one @ Qi @ lin) / (one @ Qi @ one)
    w_var = Qi @ (lam * one - 0.5 * lin)
    best = None
    for w0 in (w_bias, w_var):
        x0 = np.r_[np.abs(L @ w0), w0]
        res = optimize.minimize(
            half, x0, jac=half_grad, method="SLSQP", constraints=cons, options={"ftol": 1e-15, "maxiter": 1000}
        )
        x = res.x
        x[:K] = np.abs(L @ x[K:])  # U at its smallest feasible value (the optimum has it there)
        value = half(x)
        if best is None or value < best[0]:
            best = (value, x)
    hl, x = best
    w = x[K:]
    a = D @ w
    weights = np.r_[a, lv]
    centre = float(weights @ b)
    sd = math.sqrt(var(w))
    return Flci(
        low=centre - hl,
        high=centre + hl,
        centre=centre,
        half_length=hl,
        sd=sd,
        max_bias=M * (constant + float(np.abs(L @ w).sum())),
        weights=weights,
    )
