"""Synthetic difference-in-differences for one reformed county (or a block of counties).

The seeds' usual case is a single county that adopted the medical-community reform (seed 000):
with one treated cluster, cluster-robust DiD standard errors are meaningless. Synthetic DiD
(Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021, AER 111(12), 4088–4118) re-weights the
comparison counties (unit weights ω) and the pre-reform years (time weights λ) so that the
weighted comparison tracks the reformed county in parallel before the reform, then takes the
weighted 2×2 difference:

    τ = [ȳ_tr,post − ω'Y_co,post] − [λ'ȳ_tr,pre − ω'Y_co,pre λ]

Definitions as in the paper (Algorithm 1) and the R package ``synthdid`` (our own code):

* noise σ = sd of first differences of the comparison units' pre-period outcomes;
* ω: ridge-penalised simplex regression of the treated pre-period mean path on the comparison
  paths, with an intercept, penalty ζ_ω = (N_tr · T_post)^{1/4} · σ;
* λ: simplex regression of the comparison units' post-period mean on their pre-period outcomes,
  with an intercept, ζ_λ = 1e-6 · σ;
* both solved by Frank–Wolfe (stop when the objective falls by less than (1e-5 σ)², at most
  10,000 steps), first 100 steps, then weights ≤ max/4 set to 0 and re-solved (sparsify);
* standard error: placebo method (paper Algorithm 4; R ``vcov(method="placebo")``) — each of
  ``placebo_reps`` draws assigns the treatment to ``N_tr`` randomly chosen comparison units,
  re-estimates (same ζ), and the SE is the (population) sd of the placebo estimates. Needs more
  comparison than treated units. Also reported: the permutation p-value, the share of placebo
  estimates at least as large in absolute value as the actual one.

``method="sc"`` gives synthetic control (no intercept for ω, λ = 0, tiny ζ_ω) and ``"did"``
uniform weights (plain DiD), both with the same placebo inference, for comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from toolkit.did.inference import wald_inference
from toolkit.did.panel import COHORT, prepare_panel
from toolkit.did.result import DidResult
from toolkit.errors import ToolkitError

METHODS = ("sdid", "sc", "did")


def _fw_simplex(
    Y: np.ndarray, zeta: float, intercept: bool, init: np.ndarray | None, min_decrease: float, max_iter: int
) -> np.ndarray:
    """Frank–Wolfe for min_w ζ²‖w‖² + ‖A w − b‖²/m over the simplex, for a batch of problems.

    ``Y`` is B × m × (k+1) = [A | b]; ``init`` B × k (uniform if None). Each problem stops when
    its objective falls by at most ``min_decrease²`` in a step (after at least two steps), as
    synthdid's ``sc.weight.fw``; the batch runs until all have stopped (vectorised placebos).
    """
    if intercept:
        Y = Y - Y.mean(axis=1, keepdims=True)
    B, m, k1 = Y.shape
    A, b = Y[:, :, :-1], Y[:, :, -1]
    k = k1 - 1
    x = np.full((B, k), 1.0 / k) if init is None else np.array(init, dtype=float, copy=True)
    eta = m * zeta**2
    # work in the k-dimensional Gram space: every quantity of a step is O(k), not O(m·k)
    Gm = np.einsum("bmi,bmj->bij", A, A)
    Gdiag = np.einsum("bii->bi", Gm)
    Atb = np.einsum("bmk,bm->bk", A, b)
    btb = np.einsum("bm,bm->b", b, b)
    Gx = np.einsum("bij,bj->bi", Gm, x)
    x_out = x.copy()
    idx = np.arange(B)  # problems still iterating (compacted as they stop)
    prev = np.full(B, np.inf)
    for it in range(max_iter):
        rows = np.arange(len(idx))
        half_grad = Gx - Atb + eta * x
        i = np.argmin(half_grad, axis=1)
        xGx = np.sum(x * Gx, axis=1)
        xx = np.sum(x * x, axis=1)
        # d_x = e_i − x;  ‖A d_x‖² = G_ii − 2(Gx)_i + x'Gx;  ‖d_x‖² = 1 − 2x_i + x'x
        dGd = Gdiag[rows, i] - 2 * Gx[rows, i] + xGx
        dd = 1 - 2 * x[rows, i] + xx
        denom = dGd + eta * dd
        num = half_grad[rows, i] - np.sum(half_grad * x, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(denom > 0, -num / denom, 0.0)
        step = np.clip(step, 0.0, 1.0)[:, None]
        x = x * (1 - step)
        x[rows, i] += step[:, 0]
        Gx = Gx + step * (Gm[rows, :, i] - Gx)
        val = zeta**2 * np.sum(x * x, axis=1) + (np.sum(x * Gx, axis=1) - 2 * np.sum(x * Atb, axis=1) + btb) / m
        if it >= 1:
            go = (prev - val) > min_decrease**2
            if not go.all():
                x_out[idx[~go]] = x[~go]
                keep = go
                idx, x, Gx, Gm, Gdiag, Atb, btb, val = (
                    idx[keep],
                    x[keep],
                    Gx[keep],
                    Gm[keep],
                    Gdiag[keep],
                    Atb[keep],
                    btb[keep],
                    val[keep],
                )
                if len(idx) == 0:
                    break
        prev = val
    x_out[idx] = x
    return x_out


def _sparsify(v: np.ndarray) -> np.ndarray:
    v = np.where(v <= v.max(axis=1, keepdims=True) / 4, 0.0, v)
    return v / v.sum(axis=1, keepdims=True)


@dataclass
class _Fit:
    tau: np.ndarray  # B
    omega: np.ndarray  # B × N0
    lam: np.ndarray  # B × T0
    curve: np.ndarray  # B × T_post: effect per post period


def _fit(
    Y: np.ndarray,
    N0: int,
    T0: int,
    method: str,
    zeta_omega: float,
    zeta_lambda: float,
    min_decrease: float,
    omega0: np.ndarray | None = None,
    lambda0: np.ndarray | None = None,
    max_iter: int = 10_000,
) -> _Fit:
    """SDID/SC/DiD on a batch of panels ``Y`` (B × N × T), comparison units first."""
    B, N, T = Y.shape
    # collapsed form: comparison rows + treated mean; pre columns + post mean
    rows = np.concatenate([Y[:, :N0], Y[:, N0:].mean(axis=1, keepdims=True)], axis=1)
    Yc = np.concatenate([rows[:, :, :T0], rows[:, :, T0:].mean(axis=2, keepdims=True)], axis=2)
    if method == "did":
        omega = np.full((B, N0), 1.0 / N0)
        lam = np.full((B, T0), 1.0 / T0)
    else:
        if method == "sdid":
            lam = _fw_simplex(Yc[:, :N0, :], zeta_lambda, True, lambda0, min_decrease, 100)
            lam = _fw_simplex(Yc[:, :N0, :], zeta_lambda, True, _sparsify(lam), min_decrease, max_iter)
        else:
            lam = np.zeros((B, T0))
        intercept = method == "sdid"
        At = np.transpose(Yc[:, :, :T0], (0, 2, 1))  # B × T0 × (N0 + 1)
        omega = _fw_simplex(At, zeta_omega, intercept, omega0, min_decrease, 100)
        omega = _fw_simplex(At, zeta_omega, intercept, _sparsify(omega), min_decrease, max_iter)
    gap = Y[:, N0:].mean(axis=1) - np.einsum("bn,bnt->bt", omega, Y[:, :N0])  # treated − synthetic
    curve = gap[:, T0:] - np.einsum("bs,bs->b", lam, gap[:, :T0])[:, None]
    return _Fit(curve.mean(axis=1), omega, lam, curve)


def _zetas(Y: np.ndarray, N0: int, T0: int, method: str) -> tuple[float, float, float]:
    N1, T1 = Y.shape[0] - N0, Y.shape[1] - T0
    diffs = np.diff(Y[:N0, :T0], axis=1)
    noise = float(np.std(diffs, ddof=1)) if diffs.size > 1 else 0.0
    eta_omega = (N1 * T1) ** 0.25 if method == "sdid" else 1e-6
    return eta_omega * noise, 1e-6 * noise, 1e-5 * noise


def synthetic_did(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str | None = None,
    *,
    treated_unit: Any | Sequence[Any] | None = None,
    treat_year: int | None = None,
    method: str = "sdid",
    alpha: float = 0.05,
    placebo_reps: int = 200,
    seed: int = 20240901,
) -> DidResult:
    """Synthetic DiD (or ``method="sc"``/``"did"``) with placebo standard errors.

    Treated units and the reform year come from ``gname`` (all treated units must share one
    first-treated year) or from ``treated_unit`` (one id or a list) plus ``treat_year``.
    ``event_study`` holds the per-year effects after the reform (event time 0, 1, …) with
    placebo SEs; ``diagnostics`` the unit and time weights and the placebo distribution summary.
    """
    if method not in METHODS:
        raise ToolkitError(f"method must be one of {METHODS}, got {method!r}")
    if gname is None and (treated_unit is None or treat_year is None):
        raise ToolkitError(
            "synthetic DiD needs either gname (first treated year per unit) or treated_unit together with treat_year"
        )
    if gname is None:
        frame = data.copy()
        ids = [treated_unit] if isinstance(treated_unit, (str, int, np.integer)) else list(treated_unit)
        missing = [u for u in ids if not (frame[idname] == u).any()] if idname in frame.columns else ids
        if missing:
            raise ToolkitError(f"treated_unit {missing!r} not found in column '{idname}'")
        frame["_g"] = np.where(frame[idname].isin(ids), int(treat_year), 0)
        gname_used = "_g"
    else:
        frame, gname_used = data, gname
    panel = prepare_panel(frame, yname, idname, tname, gname_used, require_balanced=True)
    d = panel.data
    n, T = panel.n_units, panel.n_times
    Yw = np.full((n, T), np.nan)
    Yw[d["unit_code"].to_numpy(), d["time_code"].to_numpy()] = d["y"].to_numpy(dtype=float)
    G = np.zeros(n, dtype=np.int64)
    G[d["unit_code"].to_numpy()] = d[COHORT].to_numpy()
    times = panel.times
    G[G > times[-1]] = 0
    cohorts = sorted(set(int(g) for g in G if g > 0))
    if not cohorts:
        raise ToolkitError("no treated unit: synthetic DiD needs at least one reformed unit")
    if len(cohorts) > 1:
        raise ToolkitError(
            f"synthetic DiD needs one reform year for all treated units, found cohorts {cohorts}; "
            "estimate each cohort separately or use Callaway–Sant'Anna"
        )
    g = cohorts[0]
    treated = G == g
    N1, N0 = int(treated.sum()), int((~treated).sum())
    T0 = int(np.sum(times < g))
    if T0 < 2:
        raise ToolkitError(f"synthetic DiD needs at least two pre-reform periods before {g}; found {T0}")
    if N0 < 2:
        raise ToolkitError("synthetic DiD needs at least two comparison units")
    order = np.concatenate([np.flatnonzero(~treated), np.flatnonzero(treated)])
    Y = Yw[order]
    zo, zl, md = _zetas(Y, N0, T0, method)
    fit = _fit(Y[None], N0, T0, method, zo, zl, md)
    tau = float(fit.tau[0])

    warnings = list(panel.warnings)
    se = float("nan")
    curve_se = np.full(T - T0, np.nan)
    perm_p = None
    placebo = np.array([])
    if placebo_reps <= 0:
        warnings.append("no placebo replications requested: standard error not computed")
    elif N0 <= N1:
        warnings.append("placebo standard errors need more comparison units than treated units; SE not available")
    else:
        rng = np.random.default_rng(seed)
        n0 = N0 - N1
        perms = np.array([rng.permutation(N0) for _ in range(placebo_reps)])
        w0 = fit.omega[0][perms[:, :n0]]
        sums = w0.sum(axis=1, keepdims=True)
        # warm start from the actual weights (synthdid's placebo_se), uniform if they vanish
        w0 = np.where(sums > 0, w0 / np.where(sums > 0, sums, 1.0), 1.0 / n0)
        lam0 = np.repeat(fit.lam, placebo_reps, axis=0) if method == "sdid" else None
        pf = _fit(Y[perms], n0, T0, method, zo, zl, md, omega0=w0 if method != "did" else None, lambda0=lam0)
        placebo = pf.tau
        se = float(np.std(placebo, ddof=0))  # = sqrt((r−1)/r)·sd, as synthdid
        curve_se = np.std(pf.curve, axis=0, ddof=0)
        perm_p = float((1 + np.sum(np.abs(placebo) >= abs(tau))) / (1 + len(placebo)))
    if N1 == 1:
        warnings.append(
            "one treated unit: inference rests on placebo re-assignments among the comparison units (homoskedasticity across units assumed)"
        )

    units = panel.units[order]
    post_times = times[T0:]
    curve_low, curve_high, _ = wald_inference(fit.curve[0], curve_se, alpha)
    es = pd.DataFrame(
        {
            "event_time": (post_times - g).astype(int),
            "estimate": fit.curve[0],
            "se": curve_se,
            "ci_low": curve_low,
            "ci_high": curve_high,
        }
    )
    omega = {str(u): float(w) for u, w in zip(units[:N0], fit.omega[0]) if w > 0}
    lam = {int(t): float(w) for t, w in zip(times[:T0], fit.lam[0]) if w > 0}
    label = {"sdid": "synthetic DiD", "sc": "synthetic control", "did": "DiD"}[method]
    return DidResult.normal_approximation(
        estimate=tau,
        se=se,
        alpha=alpha,
        estimator=method,
        outcome=yname,
        n_units=n,
        n_obs=n * T,
        inference=f"{label}; placebo SE ({placebo_reps} re-assignments of the treatment among comparison units, seed {seed})",
        event_study=es,
        diagnostics={
            "reform_year": g,
            "treated_units": [str(u) for u in units[N0:]],
            "n_treated": N1,
            "n_control": N0,
            "pre_periods": T0,
            "unit_weights": dict(sorted(omega.items(), key=lambda kv: (-kv[1], kv[0]))),
            "time_weights": lam,
            "zeta_omega": zo,
            "noise_level": zo / ((N1 * (T - T0)) ** 0.25) if method == "sdid" else None,
            "permutation_p_value": perm_p,
            "placebo_sd": se,
        },
        warnings=warnings,
        options={"method": method, "alpha": alpha, "placebo_reps": placebo_reps, "seed": seed},
    )
