"""Conditional and hybrid confidence sets of Rambachan & Roth (2023) as R ``HonestDiD`` computes them.

The confidence set for θ = l_vec'τ_post under Δ = {δ : Aδ ≤ d} collects the θ on a grid that
Andrews, Roth & Pakes' (ARP 2023, *Econometrica* 91(6)) moment-inequality test does not reject.
Written with R HonestDiD's code (``R/arp-nuisance.R``, ``R/arp-nonuisance.R``, ``R/deltarm.R``,
``R/deltasd.R``, version 0.2.8) as the specification; each step says which R function it is.

* **Test with nuisance parameters** (``.lp_conditional_test_fn``, ≥ 2 post periods). With
  Γ invertible with first row l_vec', Y = Aβ̂ − d, Σ_Y = AΣA', ã = (A_post Γ⁻¹)₁, X̃ the other
  columns: H₀: θ is consistent with Δ ⇔ E[Y − ãθ − X̃δ̃] ≤ 0 for some δ̃. The statistic is the
  linear programme η̂ = min_{η,δ̃} η s.t. Y − ãθ − X̃δ̃ ≤ η·sd(Y). Conditioning on the optimal
  vertex of its dual (the binding moments B) the statistic η̂/σ_B is a truncated normal on
  [v_lo, v_up]/σ_B ("primal approach"); if the vertex is degenerate, v_lo, v_up come from the
  bisection of ARP's Appendix D on the dual ("dual approach", ``.vlo_vup_dual_fn``, done here
  with the same starting points, shortcut iterations and tolerances). Reject when η̂/σ_B exceeds
  max(0, the 1 − α quantile of that truncated normal).
* **Least-favourable hybrid** (``hybrid="LF"``, R's ``C-LF``, the default for Δ^RM): reject at
  once if η̂ exceeds the 1 − κ quantile (κ = α/10) of η̂ under the least-favourable null
  (Y ~ N(0, Σ_Y), 1000 draws), otherwise run the conditional test at size (α − κ)/(1 − κ) with
  v_up capped at that critical value. The draws are R's own: ``set.seed(seed)`` (Mersenne
  Twister, inversion normals) and ``mvtnorm::rmvnorm`` (eigen square root), reproduced
  number for number by :func:`r_rnorm` / :func:`r_rmvnorm`, so the set equals R's, not just
  one like it.
* **Test without nuisance parameters** (one post period, ``.testInIdentifiedSet`` and its LF
  variant): the maximum of the standardised moments, conditioned on where it sits.
* **Δ^RM(M̄)** (``computeConditionalCS_DeltaRM``): the union over the location s of the largest
  pre-period change and its sign of the sets for the polyhedra Δ^RM_{s,±}; only the moments that
  involve a post-period coefficient enter the test (``postPeriodMomentsOnly``).
* **Δ^SD(M)** (``computeConditionalCS_DeltaSD`` with ``hybrid_flag`` "ARP" or "LF").

The grid (``gridPoints`` = 1000 points, ``seq(grid.lb, grid.ub)``): R HonestDiD's default bounds
(Δ^RM: ±20·sd(l_vec'β̂_post); Δ^SD: the identified set under parallel trends ± 20·sd) or, with
``grid="centred"``, the bounds of HonestDiD's development branch and Stata package (θ̂ ±
(M̄·Σ_t t|l_t|·max pre-period change + 20·sd)) that HonestDiD's README tables since 2024 were
made with. The set's ends are grid points: with the same grid they equal R's exactly (both
decide the same test at the same θ); between different grids they differ by up to one step.

The η̂ programme is solved by enumerating the vertices of its dual feasible set {λ ≥ 0 :
sd'λ = 1, X̃'λ = 0} once (they do not depend on θ or on the draws): η̂ = max over vertices of
λ'y, for the whole grid and all draws at once. Where that enumeration would be large (more than
:data:`MAX_BASES` candidate bases) each programme is solved with HiGHS instead.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from toolkit.errors import ToolkitError

#: enumerate the dual vertices of the η programme when there are at most this many candidate bases
MAX_BASES = 20000
#: R HonestDiD's tolerance for a positive Lagrange multiplier (``tol_lambda``)
TOL_LAMBDA = 1e-6
_M32 = 0xFFFFFFFF
_BIG = 134217728  # 2^27, R's inversion normal uses two uniforms
_I2_32M1 = 2.328306437080797e-10


# --------------------------------------------------------------------------- R's random numbers
def r_runif_raw(n: int, seed: int = 0) -> np.ndarray:
    """R's ``set.seed(seed); runif(n)`` with the default Mersenne-Twister generator."""
    s = int(seed) & _M32
    for _ in range(50):  # R's initial scrambling (RNG.c, RNG_Init)
        s = (69069 * s + 1) & _M32
    key = np.empty(625, dtype=np.uint32)
    for j in range(625):
        s = (69069 * s + 1) & _M32
        key[j] = s
    bits = np.random.MT19937()
    # key[0] is R's position slot (set to 624 by FixupSeeds): the state is the other 624 words
    bits.state = {"bit_generator": "MT19937", "state": {"key": key[1:], "pos": 624}}
    u = bits.random_raw(n).astype(np.float64) * 2.3283064365386963e-10
    u[u <= 0.0] = 0.5 * _I2_32M1  # R's fixup into (0, 1)
    return u


def r_rnorm(n: int, seed: int = 0) -> np.ndarray:
    """R's ``set.seed(seed); rnorm(n)`` (normal.kind "Inversion": u = (⌊2²⁷u₁⌋ + u₂)/2²⁷, Φ⁻¹(u))."""
    u = r_runif_raw(2 * n, seed)
    v = (np.floor(_BIG * u[0::2]) + u[1::2]) / _BIG
    return special.ndtri(v)


def r_rmvnorm(n: int, sigma: np.ndarray, seed: int = 0) -> np.ndarray:
    """R's ``set.seed(seed); mvtnorm::rmvnorm(n, sigma = sigma)``: standard normals filled by row
    times the symmetric square root V·diag(√max(λ, 0))·V' of sigma."""
    S = np.asarray(sigma, dtype=float)
    w, V = np.linalg.eigh(S)
    root = (V * np.sqrt(np.clip(w, 0.0, None))) @ V.T
    z = r_rnorm(n * S.shape[0], seed).reshape(n, S.shape[0])
    return z @ root


# --------------------------------------------------------------------------- truncated normal
def truncnorm_quantile(p: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """p-quantile of N(0, 1) truncated to [lo, hi] (``TruncatedNormal::norminvp``), accurate in the
    tails (log-space where both ends are on one side of 0)."""
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    lo, hi = np.broadcast_arrays(lo, hi)
    out = np.empty(lo.shape)

    def lower(p_: float, a: np.ndarray, b: np.ndarray) -> np.ndarray:  # b ≤ 0: Φ small, work in logs
        la, lb = special.log_ndtr(a), special.log_ndtr(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            target = lb + np.log(p_ + (1 - p_) * np.exp(la - lb))
        return special.ndtri_exp(target)

    up = lo >= 0
    down = (hi <= 0) & ~up
    mid = ~up & ~down
    if up.any():  # mirror: X ~ TN[lo, hi] ⇔ −X ~ TN[−hi, −lo], quantile 1 − p
        out[up] = -lower(1 - p, -hi[up], -lo[up])
    if down.any():
        out[down] = lower(p, lo[down], hi[down])
    if mid.any():
        a, b = special.ndtr(lo[mid]), special.ndtr(hi[mid])
        out[mid] = special.ndtri(a + p * (b - a))
    same = lo == hi
    out[same] = lo[same]
    return out


# --------------------------------------------------------------------------- the η programme
class EtaProgram:
    """η̂(y) = min_{η,δ} η s.t. y − Xδ ≤ η·sd, for many y with the same X and sd.

    ``solve(Y)`` (Y: m × n) gives η̂ (n,), the optimal dual multipliers λ (n × m) and whether the
    programme was bounded. The dual's vertices are enumerated once when that is small; otherwise
    every column is an LP for HiGHS.
    """

    def __init__(self, X: np.ndarray, sd: np.ndarray):
        self.X = np.asarray(X, dtype=float).reshape(len(sd), -1)
        self.sd = np.asarray(sd, dtype=float)
        m, k = self.X.shape
        self.m, self.k = m, k
        W = np.column_stack([self.sd, self.X])
        self.W = W
        self.vertices = None
        # bases exist only when W has full column rank; otherwise leave it to HiGHS
        if math.comb(m, k + 1) <= MAX_BASES and np.linalg.matrix_rank(W) == k + 1:
            self.vertices = self._enumerate(W)

    @staticmethod
    def _enumerate(W: np.ndarray) -> np.ndarray:
        m, q = W.shape
        combos = np.array(list(itertools.combinations(range(m), q)), dtype=int)
        WB = W[combos]  # (C, q, q): rows of W in each basis
        sv = np.linalg.svd(WB, compute_uv=False)
        ok = sv[:, -1] > 1e-12 * np.maximum(sv[:, 0], 1e-300)
        combos, WB = combos[ok], WB[ok]
        e1 = np.zeros(q)
        e1[0] = 1.0
        lam_b = np.linalg.solve(np.transpose(WB, (0, 2, 1)), np.broadcast_to(e1, (len(WB), q))[..., None])[..., 0]
        feas = (lam_b >= -1e-12 * np.abs(lam_b).max(axis=1, keepdims=True)).all(axis=1)
        lam = np.zeros((int(feas.sum()), m))
        rows = np.repeat(np.arange(len(lam)), q)
        lam[rows, combos[feas].ravel()] = np.clip(lam_b[feas], 0.0, None).ravel()
        if len(lam):
            lam = np.unique(np.round(lam, 14), axis=0)
        return lam

    def solve(self, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        Y = np.asarray(Y, dtype=float).reshape(self.m, -1)
        n = Y.shape[1]
        if self.vertices is not None:
            if len(self.vertices) == 0:  # dual infeasible: the programme is unbounded
                return np.full(n, -np.inf), np.zeros((n, self.m)), np.zeros(n, dtype=bool)
            vals = self.vertices @ Y  # (V, n)
            best = np.argmax(vals, axis=0)
            return vals[best, np.arange(n)], self.vertices[best], np.ones(n, dtype=bool)
        eta, lam, ok = np.full(n, np.nan), np.zeros((n, self.m)), np.zeros(n, dtype=bool)
        c = np.r_[1.0, np.zeros(self.k)]
        A_ub = -self.W
        for j in range(n):
            res = optimize.linprog(c, A_ub=A_ub, b_ub=-Y[:, j], bounds=[(None, None)] * (self.k + 1), method="highs")
            if res.status == 0:
                eta[j], lam[j], ok[j] = res.fun, -res.ineqlin.marginals, True
            elif res.status == 3:
                eta[j] = -np.inf
        return eta, lam, ok


def least_favorable_cv(X: np.ndarray | None, sigma: np.ndarray, kappa: float, sims: int = 1000, seed: int = 0) -> float:
    """R's ``.compute_least_favorable_cv``: the 1 − κ quantile (R type 7) of η̂(ξ), ξ ~ N(0, Σ)
    drawn as R draws them (R solves C x ≤ −ξ with C = −[sd, X], i.e. ξ − Xδ ≤ η·sd); without
    nuisance parameters, of max_j ξ_j/sd_j."""
    S = np.asarray(sigma, dtype=float)
    sd = np.sqrt(np.diag(S))
    xi = r_rmvnorm(sims, S, seed)
    if X is None:
        eta = (xi / sd).max(axis=1)
    else:
        eta, _, ok = EtaProgram(X, sd).solve(xi.T)
        eta = eta[ok & np.isfinite(eta)]
    return float(np.quantile(eta, 1 - kappa))


# --------------------------------------------------------------------------- dual approach (bisection)
def _max_program(s_T, gamma, sigma, W_T, c):
    """max f'x s.t. W_T'x = e₁, x ≥ 0 with f = s_T + Σγ·c/(γ'Σγ) (R ``.max_program``), by HiGHS. Its
    feasible set is the (bounded: sd > 0) dual polytope of the η programme: with that polytope's
    vertices at hand :func:`_vlo_vup_dual` takes the largest f'λ_v instead."""
    Sg = sigma @ gamma
    f = s_T + Sg / float(gamma @ Sg) * c
    beq = np.zeros(W_T.shape[1])
    beq[0] = 1.0
    res = optimize.linprog(-f, A_eq=W_T.T, b_eq=beq, bounds=(0, None), method="highs")
    if res.status != 0:
        return None, np.zeros(len(f))
    return -res.fun, res.x


def _roundeps(x: float, eps: float = np.finfo(float).eps ** 0.75) -> float:
    return 0.0 if abs(x) < eps else x


def _vlo_vup_dual(eta, s_T, gamma, sigma, W_T, vertices=None):
    """R's ``.vlo_vup_dual_fn`` (ARP Appendix D, Algorithm 1) with its tolerances and iterations.

    ``check(c)``: is γ still optimal for max f(c)'x, |c − max| ≤ 10⁻⁶? With the vertices at hand
    f(c)'λ_v = λ_v's_T + (λ_v'b)·c is two dot products computed once, and the maximiser's x's_T and
    x'b that R's shortcut iteration needs are those two numbers."""
    tol_c, tol_eq = 1e-6, 1e-6
    Sg = sigma @ gamma
    g2 = float(gamma @ Sg)
    sigma_B = math.sqrt(g2)
    low_initial = min(-100.0, eta - 20 * sigma_B)
    high_initial = max(100.0, eta + 20 * sigma_B)
    maxiters, switchiters = 10000, 10
    b = Sg / g2
    if vertices is not None and len(vertices):
        P, Q = vertices @ s_T, vertices @ b

        def check(c):
            vals = P + Q * c
            best = int(np.argmax(vals))
            return abs(c - float(vals[best])) <= tol_eq, float(P[best]), float(Q[best])

    else:

        def check(c):
            value, x = _max_program(s_T, gamma, sigma, W_T, c)
            return (value is not None and abs(c - value) <= tol_eq), float(x @ s_T), float(x @ b)

    if not check(eta)[0]:
        return eta, math.inf

    def bound(start, upper):
        ok, xs, xb = check(start)
        if ok:
            return math.inf if upper else -math.inf
        dif, iters = 0.0, 1
        mid = _roundeps(xs) / (1 - xb)
        while True:
            ok, xs, xb = check(mid)
            if ok or iters >= maxiters:
                break
            iters += 1
            if iters >= switchiters:
                dif = tol_c + 1
                break
            mid = _roundeps(xs) / (1 - xb)
        low, high = (eta, mid) if upper else (mid, eta)
        while dif > tol_c and iters < maxiters:
            iters += 1
            mid = (high + low) / 2
            if check(mid)[0]:
                if upper:
                    low = mid
                else:
                    high = mid
            else:
                if upper:
                    high = mid
                else:
                    low = mid
            dif = high - low
        return mid

    vup = bound(high_initial, True)
    vlo = bound(low_initial, False)
    return vlo, vup


# --------------------------------------------------------------------------- the ARP test over a θ grid
def _construct_gamma(l_vec: np.ndarray) -> np.ndarray:
    """R's ``.construct_Gamma``: rows l', then the unit vectors that the reduced row echelon form of
    [l, I] picks as pivots (greedy: a unit vector enters when it is not in the span so far)."""
    lv = np.asarray(l_vec, dtype=float)
    rows = [lv]
    for j in range(len(lv)):
        e = np.zeros(len(lv))
        e[j] = 1.0
        if np.linalg.matrix_rank(np.vstack(rows + [e])) > len(rows):
            rows.append(e)
        if len(rows) == len(lv):
            break
    G = np.vstack(rows)
    if abs(np.linalg.det(G)) < 1e-14:
        raise ToolkitError("l_vec must have a non-zero weight")
    return G


def arp_accept_nuisance(
    betahat: np.ndarray,
    sigma: np.ndarray,
    n_pre: int,
    A: np.ndarray,
    d: np.ndarray,
    l_vec: np.ndarray,
    theta: np.ndarray,
    alpha: float,
    hybrid: str,
    kappa: float,
    rows: np.ndarray,
    seed: int = 0,
    trace: dict | None = None,
) -> np.ndarray:
    """Acceptance (1/0) of each θ in ``theta``: R's ``.ARP_computeCI`` / ``.lp_conditional_test_fn``.

    ``trace``, if a dict, receives per θ the path taken (``"path"``: first stage, primal, dual,
    unbounded) and the statistic and critical value compared, and the LF critical value."""
    n_post = len(l_vec)
    AGi = A[:, n_pre : n_pre + n_post] @ np.linalg.inv(_construct_gamma(l_vec))
    a_one, X_all = AGi[:, 0], AGi[:, 1:]
    Y = A @ betahat - d
    SY = A @ sigma @ A.T
    r = np.asarray(rows, dtype=int)
    y_r, a_r, X = Y[r], a_one[r], X_all[r]
    S = SY[np.ix_(r, r)]
    sd = np.sqrt(np.diag(S))
    m, k = X.shape
    lf_cv = least_favorable_cv(X, S, kappa, seed=seed) if hybrid == "LF" else math.inf
    mod_size = (alpha - kappa) / (1 - kappa) if hybrid == "LF" else alpha
    program = EtaProgram(X, sd)
    Ymat = y_r[:, None] - np.outer(a_r, theta)  # m × n
    eta, lam, ok = program.solve(Ymat)
    n = len(theta)
    reject = np.zeros(n, dtype=bool)
    path = np.where(ok, "", "unbounded").astype(object)
    stat_all, cval_all = np.full(n, np.nan), np.full(n, np.nan)
    todo = ok.copy()  # an unbounded or failed programme does not reject (R: "not rejecting")
    if hybrid == "LF":
        first = todo & (eta > lf_cv)
        reject |= first
        path[first] = "first stage"
        todo &= ~first
    binding = lam > TOL_LAMBDA
    n_bind = binding.sum(axis=1)
    # primal approach: non-degenerate vertex (k + 1 binding moments of full rank)
    primal = todo & (n_bind == k + 1)
    if primal.any():
        keys = np.packbits(binding[primal], axis=1)
        idx_primal = np.flatnonzero(primal)
        _, groups = np.unique(keys, axis=0, return_inverse=True)
        for g in np.unique(groups):
            members = idx_primal[groups.ravel() == g]
            B = binding[members[0]]
            XB = X[B]
            if np.linalg.matrix_rank(XB) != min(XB.shape):
                continue  # left to the dual approach below
            WB = np.column_stack([sd[B], XB])
            WBinv = np.linalg.inv(WB)
            SB = np.eye(m)[B]
            Bc = ~B
            Gamma_B = np.column_stack([sd[Bc], X[Bc]]) @ WBinv @ SB - np.eye(m)[Bc]
            v_B = (WBinv[0] @ SB).ravel()
            sigma2_B = float(v_B @ S @ v_B)
            sigma_B = math.sqrt(sigma2_B)
            rho = Gamma_B @ S @ v_B / sigma2_B
            Ym = Ymat[:, members]
            with np.errstate(divide="ignore", invalid="ignore"):
                maxi = (-(Gamma_B @ Ym)) / rho[:, None] + (v_B @ Ym)[None, :]
            vlo = maxi[rho > 0].max(axis=0) if (rho > 0).any() else np.full(len(members), -np.inf)
            vup = maxi[rho < 0].min(axis=0) if (rho < 0).any() else np.full(len(members), np.inf)
            zlo = vlo / sigma_B
            zup = np.minimum(vup, lf_cv) / sigma_B
            stat = eta[members] / sigma_B
            inside = (zlo <= stat) & (stat <= zup)
            cval = np.zeros(len(members))
            if inside.any():
                cval[inside] = np.maximum(0.0, truncnorm_quantile(1 - mod_size, zlo[inside], zup[inside]))
            reject[members] = inside & (stat > cval)
            todo[members] = False
            path[members] = "primal"
            stat_all[members], cval_all[members] = stat, np.where(inside, cval, np.nan)
    # dual approach for what is left (degenerate vertices): v_lo, v_up one θ at a time as in R,
    # the truncated-normal critical values for all of them at once
    W_T = np.column_stack([sd, X])
    dual_j, dual_stat, dual_lo, dual_up = [], [], [], []
    for j in np.flatnonzero(todo):
        gamma = lam[j]
        y = Ymat[:, j]
        sig2 = float(gamma @ S @ gamma)
        if abs(sig2) < np.finfo(float).eps:
            reject[j] = eta[j] > 0
            path[j] = "dual, zero variance"
            continue
        Sg = S @ gamma
        s_T = y - Sg * float(gamma @ y) / sig2
        vlo, vup = _vlo_vup_dual(eta[j], s_T, gamma, S, W_T, program.vertices)
        sigma_B = math.sqrt(sig2)
        path[j] = "dual"
        dual_j.append(j)
        dual_stat.append(eta[j] / sigma_B)
        dual_lo.append(vlo / sigma_B)
        dual_up.append(min(vup, lf_cv) / sigma_B)
    if dual_j:
        jj, st, zlo, zup = np.array(dual_j), np.array(dual_stat), np.array(dual_lo), np.array(dual_up)
        stat_all[jj] = st
        inside = (zlo <= st) & (st <= zup)
        if inside.any():
            cval = np.maximum(0.0, truncnorm_quantile(1 - mod_size, zlo[inside], zup[inside]))
            reject[jj[inside]] = st[inside] > cval
            cval_all[jj[inside]] = cval
    if trace is not None:
        trace.update(path=path, stat=stat_all, cval=cval_all, lf_cv=lf_cv, eta=eta)
    return (~reject).astype(int)


def arp_accept_no_nuisance(
    betahat: np.ndarray,
    sigma: np.ndarray,
    n_pre: int,
    A: np.ndarray,
    d: np.ndarray,
    theta: np.ndarray,
    alpha: float,
    hybrid: str,
    kappa: float,
    seed: int = 0,
) -> np.ndarray:
    """One post period: R's ``.testInIdentifiedSet`` (ARP) / ``.testInIdentifiedSet_LF_Hybrid``."""
    SA = A @ sigma @ A.T
    lf_cv = least_favorable_cv(None, SA, kappa, seed=seed) if hybrid == "LF" else math.inf
    size = (alpha - kappa) / (1 - kappa) if hybrid == "LF" else alpha
    st = np.sqrt(np.diag(SA))
    At, dt = A / st[:, None], d / st
    e = np.zeros(len(betahat))
    e[n_pre] = 1.0
    Yg = betahat[:, None] - np.outer(e, theta)  # T × n
    moments = At @ Yg - dt[:, None]
    loc = np.argmax(moments, axis=0)
    top = moments[loc, np.arange(len(theta))]
    reject = np.zeros(len(theta), dtype=bool)
    for j in np.unique(loc):
        members = np.flatnonzero(loc == j)
        first = top[members] > lf_cv
        reject[members[first]] = True
        members = members[~first]
        if not len(members):
            continue
        gamma = At[j]
        Abar = At - At[j]
        dbar = dt - dt[j]
        g2 = float(gamma @ sigma @ gamma)
        c = sigma @ gamma / g2
        z = Yg[:, members] - np.outer(c, gamma @ Yg[:, members])
        Ac = Abar @ c
        with np.errstate(divide="ignore", invalid="ignore"):
            obj = (dbar[:, None] - Abar @ z) / Ac[:, None]
        vlo = obj[Ac < 0].max(axis=0) if (Ac < 0).any() else np.full(len(members), -np.inf)
        vup = obj[Ac > 0].min(axis=0) if (Ac > 0).any() else np.full(len(members), np.inf)
        mu, sdb = dt[j], math.sqrt(g2)
        q = mu + sdb * truncnorm_quantile(1 - size, (vlo - mu) / sdb, (vup - mu) / sdb)
        cval = np.maximum(0.0, q)
        reject[members] = top[members] + dt[j] > cval
    return (~reject).astype(int)


# --------------------------------------------------------------------------- Δ^RM and Δ^SD
def rm_constraints(n_pre: int, n_post: int, Mbar: float, s: int, max_positive: bool) -> np.ndarray:
    """R's ``.create_A_RM``: A with Δ^RM_{s,±}(M̄) = {δ : Aδ ≤ 0} (δ without the reference period)."""
    T = n_pre + n_post
    At = np.zeros((T, T + 1))
    for r in range(T):
        At[r, r], At[r, r + 1] = -1.0, 1.0
    v = np.zeros(T + 1)
    v[n_pre + s - 1], v[n_pre + s] = -1.0, 1.0
    if not max_positive:
        v = -v
    A_UB = np.vstack([np.tile(v, (n_pre, 1)), np.tile(Mbar * v, (n_post, 1))])
    A = np.vstack([At - A_UB, -At - A_UB])
    A = A[(A * A).sum(axis=1) > 1e-10]
    return np.delete(A, n_pre, axis=1)


def sd_constraints(n_pre: int, n_post: int) -> np.ndarray:
    """R's ``.create_A_SD`` (all moments): |second difference of δ| ≤ M, δ₀ = 0 dropped."""
    T = n_pre + n_post
    At = np.zeros((T - 1, T + 1))
    for r in range(T - 1):
        At[r, r : r + 3] = (1.0, -2.0, 1.0)
    At = np.delete(At, n_pre, axis=1)
    return np.vstack([At, -At])


def _post_rows(A: np.ndarray, n_pre: int) -> np.ndarray:
    return np.flatnonzero((A[:, n_pre:] != 0).sum(axis=1) > 0)


@dataclass
class ArpSet:
    """A grid-inverted confidence set: ``grid``, ``accept`` (1/0), its ends ``low``/``high`` (NaN if
    empty) and whether an end of the grid was accepted (``open_end``: the set may extend beyond)."""

    low: float
    high: float
    grid: np.ndarray
    accept: np.ndarray
    open_end: bool


def _finish(grid: np.ndarray, accept: np.ndarray) -> ArpSet:
    inside = grid[accept == 1]
    low = float(inside.min()) if len(inside) else math.nan
    high = float(inside.max()) if len(inside) else math.nan
    return ArpSet(low, high, grid, accept, bool(accept[0] == 1 or accept[-1] == 1))


def _grid(lb: float, ub: float, n: int) -> np.ndarray:
    return np.linspace(lb, ub, n)  # R seq(lb, ub, length.out = n): from + i·(to − from)/(n − 1)


def _validate(b, S, n_pre, lv, hybrid, grid_points):
    from toolkit.did.honest import check_inputs

    check_inputs(b, S, n_pre, lv)
    if hybrid not in ("LF", "ARP"):
        raise ToolkitError(f"hybrid must be 'LF' (least-favourable hybrid) or 'ARP' (conditional), got {hybrid!r}")
    if grid_points < 2:
        raise ToolkitError("grid_points must be at least 2")


def _setup(betahat, sigma, n_pre, l_vec, hybrid, grid_points, alpha, kappa, bound, bound_name):
    """The checked inputs of a conditional set, the hybrid's κ (R: α/10) and the standard error of
    θ̂ = l'β̂_post, which scales R's default grid."""
    b = np.asarray(betahat, dtype=float)
    S = np.asarray(sigma, dtype=float)
    lv = np.asarray(l_vec, dtype=float)
    _validate(b, S, n_pre, lv, hybrid, grid_points)
    if bound < 0:
        raise ToolkitError(f"{bound_name} must be ≥ 0")
    kappa = alpha / 10 if kappa is None else float(kappa)
    post = slice(n_pre, n_pre + len(lv))
    sd_theta = math.sqrt(float(lv @ S[post, post] @ lv))
    return b, S, lv, kappa, sd_theta


def conditional_cs_rm(
    betahat: Sequence[float],
    sigma: np.ndarray,
    n_pre: int,
    Mbar: float,
    l_vec: Sequence[float],
    *,
    alpha: float = 0.05,
    hybrid: str = "LF",
    kappa: float | None = None,
    grid_points: int = 1000,
    grid: str | tuple[float, float] = "r",
    seed: int = 0,
) -> ArpSet:
    """Confidence set for θ under Δ^RM(M̄): R ``computeConditionalCS_DeltaRM`` (module doc).

    ``hybrid="LF"`` is R's ``C-LF`` (its default), ``"ARP"`` the conditional test. ``grid``:
    ``"r"`` (R's default bounds ±20·sd), ``"centred"`` (the Stata package's bounds), or
    ``(lb, ub)``.
    """
    b, S, lv, kappa, sd_theta = _setup(betahat, sigma, n_pre, l_vec, hybrid, grid_points, alpha, kappa, Mbar, "Mbar")
    n_post = len(lv)
    post = slice(n_pre, n_pre + n_post)
    if isinstance(grid, tuple):
        lb, ub = float(grid[0]), float(grid[1])
    elif grid == "r":
        lb, ub = -20 * sd_theta, 20 * sd_theta
    elif grid == "centred":
        maxpre = float(np.abs(np.diff(np.r_[b[:n_pre], 0.0])).max()) if n_pre > 1 else abs(float(b[0]))
        half = Mbar * float(np.arange(1, n_post + 1) @ np.abs(lv)) * maxpre + 20 * sd_theta
        lb, ub = float(b[post] @ lv) - half, float(b[post] @ lv) + half
    else:
        raise ToolkitError(f"grid must be 'r', 'centred' or (low, high), got {grid!r}")
    theta = _grid(lb, ub, grid_points)
    accept = np.zeros(grid_points, dtype=int)
    for s in range(-(n_pre - 1), 1):
        for positive in (True, False):
            A = rm_constraints(n_pre, n_post, Mbar, s, positive)
            if n_post == 1:
                keep = np.flatnonzero(A[:, -1] != 0)
                A = A[keep]
                acc = arp_accept_no_nuisance(b, S, n_pre, A, np.zeros(len(A)), theta, alpha, hybrid, kappa, seed)
            else:
                d = np.zeros(len(A))
                rows = _post_rows(A, n_pre)
                acc = arp_accept_nuisance(b, S, n_pre, A, d, lv, theta, alpha, hybrid, kappa, rows, seed)
            accept = np.maximum(accept, acc)
    return _finish(theta, accept)


def _idset(A: np.ndarray, d: np.ndarray, beta: np.ndarray, n_pre: int, lv: np.ndarray) -> tuple[float, float] | None:
    """{l'(β_post − δ_post) : Aδ ≤ d, δ_pre = β_pre} as (low, high) (R ``.compute_IDset_*_fixedS``),
    None if the polyhedron is empty."""
    n_post = len(lv)
    T = n_pre + n_post
    c = np.r_[np.zeros(n_pre), lv]
    A_eq = np.hstack([np.eye(n_pre), np.zeros((n_pre, n_post))])
    out = []
    for sign in (1.0, -1.0):
        res = optimize.linprog(sign * c, A_ub=A, b_ub=d, A_eq=A_eq, b_eq=beta[:n_pre], bounds=[(None, None)] * T)
        if res.status != 0:
            return None
        out.append(sign * res.fun)
    lo_delta, hi_delta = out
    theta = float(lv @ beta[n_pre:])
    return theta - hi_delta, theta - lo_delta


def identified_set_sd(betahat: Sequence[float], n_pre: int, M: float, l_vec: Sequence[float]) -> tuple[float, float]:
    """Identified set of θ under Δ^SD(M) at β = ``betahat`` (R ``.compute_IDset_DeltaSD``), from the
    moments that involve a post-period coefficient: with δ_pre = β̂_pre fixed the others restrict
    nothing, and kept they make the set empty whenever β̂_pre is not within M of linear (R then
    returns θ̂ alone, with a warning)."""
    b, lv = np.asarray(betahat, dtype=float), np.asarray(l_vec, dtype=float)
    A = sd_constraints(n_pre, len(lv))
    A = A[_post_rows(A, n_pre)]
    out = _idset(A, np.full(len(A), float(M)), b, n_pre, lv)
    if out is None:
        raise ToolkitError("the identified set under smoothness could not be computed")
    return out


def identified_set_rm(betahat: Sequence[float], n_pre: int, Mbar: float, l_vec: Sequence[float]) -> tuple[float, float]:
    """Identified set of θ under Δ^RM(M̄) at β = ``betahat``: the union over (s, ±) of the sets for
    Δ^RM_{s,±} (R ``.compute_IDset_DeltaRM``; an empty Δ^RM_{s,±} contributes θ̂ as in R, which
    the union contains anyway: δ_post = 0 is always allowed)."""
    b, lv = np.asarray(betahat, dtype=float), np.asarray(l_vec, dtype=float)
    n_post = len(lv)
    theta = float(lv @ b[n_pre:])
    lows, highs = [theta], [theta]
    for s in range(-(n_pre - 1), 1):
        for positive in (True, False):
            A = rm_constraints(n_pre, n_post, Mbar, s, positive)
            out = _idset(A, np.zeros(len(A)), b, n_pre, lv)
            if out is not None:
                lows.append(out[0])
                highs.append(out[1])
    return min(lows), max(highs)


def _idset_sd_zero(M: float, lv: np.ndarray, n_pre: int) -> tuple[float, float]:
    """Identified set of θ under Δ^SD(M) when β = 0 (R ``.compute_IDset_DeltaSD``, trueBeta = 0)."""
    return identified_set_sd(np.zeros(n_pre + len(lv)), n_pre, M, lv)


def conditional_cs_sd(
    betahat: Sequence[float],
    sigma: np.ndarray,
    n_pre: int,
    M: float,
    l_vec: Sequence[float],
    *,
    alpha: float = 0.05,
    hybrid: str = "LF",
    kappa: float | None = None,
    grid_points: int = 1000,
    grid: str | tuple[float, float] = "r",
    seed: int = 0,
) -> ArpSet:
    """Confidence set for θ under Δ^SD(M): R ``computeConditionalCS_DeltaSD`` with ``hybrid_flag``
    "LF" (``C-LF``) or "ARP" (``Conditional``). R's default for Δ^SD, the FLCI hybrid ``C-F``,
    is not this function (:func:`toolkit.did.honest.flci_smoothness` is the FLCI itself)."""
    b, S, lv, kappa, sd_theta = _setup(betahat, sigma, n_pre, l_vec, hybrid, grid_points, alpha, kappa, M, "M")
    n_post = len(lv)
    if isinstance(grid, tuple):
        lb, ub = float(grid[0]), float(grid[1])
    elif grid == "r":
        id_lb, id_ub = _idset_sd_zero(M, lv, n_pre)
        lb, ub = id_lb - 20 * sd_theta, id_ub + 20 * sd_theta
    else:
        raise ToolkitError(f"grid must be 'r' or (low, high) for smoothness, got {grid!r}")
    theta = _grid(lb, ub, grid_points)
    A = sd_constraints(n_pre, n_post)
    d = np.full(len(A), float(M))
    if n_post == 1:
        accept = arp_accept_no_nuisance(b, S, n_pre, A, d, theta, alpha, hybrid, kappa, seed)
    else:
        rows = _post_rows(A, n_pre)
        accept = arp_accept_nuisance(b, S, n_pre, A, d, lv, theta, alpha, hybrid, kappa, rows, seed)
    return _finish(theta, accept)
