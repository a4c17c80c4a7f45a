"""Borusyak, Jaravel & Spiess (2024, REStud 91(6)) imputation estimator.

Fit y_it = α_i + λ_t on untreated observations only (never treated, and treated units before
their reform), impute Y(0) for the treated observations, and average τ_it = y_it − Ŷ_it(0) by
event time and overall (equal weights per treated observation, or the sampling weights given
as ``weights=``, which also weight the least-squares fit). The comparison is therefore every
untreated observation — never-treated units and the not-yet-treated periods of later cohorts
(``control="notyet"``, the only one the estimator defines; ``"never"`` is refused, not ignored).
Standard errors: BJS's conservative analytic variance (Theorem 3, as Stata ``did_imputation``),
clustered by unit, or on request a cluster (unit) bootstrap, ``biters`` draws, fixed seed (the
bootstrap re-estimates the fixed effects in every draw). Sun & Abraham's estimator is in
:mod:`toolkit.did.sun_abraham`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit.did.inference import wald_inference
from toolkit.did.panel import Panel, prepare_panel
from toolkit.did.result import DidResult
from toolkit.did.twfe import weight_values
from toolkit.errors import ToolkitError


# ----------------------------------------------------------------------------- BJS imputation
def _fe_fit_untreated(
    Y: np.ndarray,
    untreated: np.ndarray,
    tol: float = 1e-12,
    max_iter: int = 10_000,
    omega: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Unit and period effects fitted on the untreated cells only (alternating projections;
    with ``omega``, the sampling weights per cell, weighted least squares by weighted means)."""
    n, T = Y.shape
    W = untreated.astype(float) if omega is None else np.where(untreated, omega, 0.0)
    Yz = W * np.where(untreated, Y, 0.0)
    a = np.zeros(n)
    lam = np.zeros(T)
    n_t = W.sum(axis=0)
    n_i = W.sum(axis=1)
    for _ in range(max_iter):
        a_new = (Yz - W * lam[None, :]).sum(axis=1) / np.maximum(n_i, 1)
        lam_new = (Yz - W * a_new[:, None]).sum(axis=0) / np.maximum(n_t, 1)
        delta = max(np.max(np.abs(a_new - a)), np.max(np.abs(lam_new - lam)))
        a, lam = a_new, lam_new
        if delta < tol:
            break
    return a, lam


def _covariate_slopes(
    Y: np.ndarray, X: np.ndarray, untreated: np.ndarray, omega: np.ndarray | None = None
) -> np.ndarray:
    """β of y = α_i + λ_t + x'β on the untreated cells (FWL: both sides within-transformed on them;
    with ``omega``, the weighted projection and rows scaled by √ω: weighted least squares)."""
    from toolkit.did.twfe import within_transform

    n, T = Y.shape
    i, t = np.nonzero(untreated)
    codes = np.unique(i, return_inverse=True)[1], np.unique(t, return_inverse=True)[1]  # no empty groups
    w = None if omega is None else omega[i, t]
    both = within_transform(np.column_stack([Y[i, t], X[i, t, :]]), *codes, weights=w)
    if w is not None:
        both = both * np.sqrt(w)[:, None]
    beta, *_ = np.linalg.lstsq(both[:, 1:], both[:, 0], rcond=None)
    return beta


def _bjs_point(
    Y: np.ndarray,
    G: np.ndarray,
    times: np.ndarray,
    X: np.ndarray | None = None,
    seen: np.ndarray | None = None,
    omega: np.ndarray | None = None,
) -> tuple[float, dict[int, float], np.ndarray]:
    """Point estimates; ``seen`` marks the observed cells of an unbalanced panel (``Y`` NaN elsewhere);
    ``omega``: sampling weights per cell (WLS imputation model, weight-averaged effects)."""
    if seen is None:
        seen = np.ones(Y.shape, dtype=bool)
    after = (G[:, None] > 0) & (times[None, :] >= G[:, None])
    treated, untreated = after & seen, ~after & seen
    if X is not None and X.shape[2]:
        Y = Y - X @ _covariate_slopes(Y, X, untreated, omega)  # then the two-way model on what is left
    a, lam = _fe_fit_untreated(Y, untreated, omega=omega)
    tau = Y - a[:, None] - lam[None, :]
    e = times[None, :] - G[:, None]
    om = np.ones(Y.shape) if omega is None else omega

    def avg(mask: np.ndarray) -> float:
        return float(np.average(tau[mask], weights=om[mask]))

    by_e = {int(k): avg(treated & (e == k)) for k in np.unique(e[treated])}
    return avg(treated), by_e, tau


def bjs_analytic_variance(
    Y: np.ndarray,
    G: np.ndarray,
    times: np.ndarray,
    seen: np.ndarray,
    tau: np.ndarray,
    weights: np.ndarray,
    X: np.ndarray | None = None,
    omega: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """BJS (2024) Theorem 3's conservative variance of the estimands ``Σ_it w_it τ_it``.

    ``weights``: treated cells × estimands (columns sum to one; rows in the order of
    ``np.nonzero(treated)``). Returns (Σ_it v_it Y_it per estimand — equal to the point estimate, a
    check —, the estimands' covariance). The estimator is linear in Y with implied weights v_it:
    ``w_it`` on treated observations and ``−Z0 (Z0'Z0)⁻ Z1' w`` on untreated ones (BJS eq. 6; Z = unit
    and period dummies and covariates, 0 = untreated, 1 = treated rows). Residuals ε̃: the imputation
    model's on untreated observations; on treated ones τ̂_it − τ̄, τ̄ the v²-weighted mean of τ̂ in the
    observation's cohort × period (Stata ``did_imputation``'s default ``avgeffectsby``, BJS §4.3).
    Var = Σ_units (Σ_t v_it ε̃_it)² (clusters = units), covariances alike.
    ``omega`` (sampling weights per cell, Stata ``aweight``): the imputation model is weighted least
    squares, so the untreated implied weights become ``−Ω0 Z0 (Z0'Ω0 Z0)⁻ Z1' w`` (``weights`` then
    carry the sampling weights too: ω_it over the estimand's Σ ω).
    """
    n, T = Y.shape
    after = (G[:, None] > 0) & (times[None, :] >= G[:, None])
    i1, t1 = np.nonzero(after & seen)
    i0, t0 = np.nonzero(~after & seen)
    k = 0 if X is None else X.shape[2]
    # untreated design without the unit dummies: period dummies and covariates
    W0 = np.zeros((len(i0), T + k))
    W0[np.arange(len(i0)), t0] = 1.0
    W1 = np.zeros((len(i1), T + k))
    W1[np.arange(len(i1)), t1] = 1.0
    if k:
        W0[:, T:] = X[i0, t0, :]
        W1[:, T:] = X[i1, t1, :]
    om0 = np.ones(len(i0)) if omega is None else omega[i0, t0]
    D = np.bincount(i0, weights=om0, minlength=n)  # untreated observations (their weights) per unit
    A = np.zeros((n, T + k))
    np.add.at(A, i0, W0 * om0[:, None])  # Σ over a unit's untreated rows of ω W0
    Dinv = np.where(D > 0, 1.0 / np.where(D > 0, D, 1.0), 0.0)
    S = W0.T @ (W0 * om0[:, None]) - A.T @ (A * Dinv[:, None])  # Schur complement of the unit block of Z0'ΩZ0
    b_a = np.zeros((n, weights.shape[1]))
    np.add.at(b_a, i1, weights)  # Z1'w: unit block
    b_c = W1.T @ weights  # Z1'w: period and covariate block
    c = np.linalg.lstsq(S, b_c - A.T @ (b_a * Dinv[:, None]), rcond=None)[0]
    a = (b_a - A @ c) * Dinv[:, None]
    v0 = -(a[i0] + W0 @ c) * om0[:, None]  # implied weights of the untreated observations
    check = weights.T @ Y[i1, t1] + v0.T @ Y[i0, t0]
    # residuals: untreated — the fitted imputation model; treated — τ̂ less its cohort × period mean
    resid0 = tau[i0, t0]
    tau1 = tau[i1, t1]
    cell = np.unique(np.column_stack([G[i1], t1]), axis=0, return_inverse=True)[1].ravel()
    v2 = weights**2
    num = np.zeros((int(cell.max()) + 1, weights.shape[1]))
    den = np.zeros_like(num)
    np.add.at(num, cell, v2 * tau1[:, None])
    np.add.at(den, cell, v2)
    tau_bar = np.divide(num, den, out=np.zeros_like(num), where=den > 0)[cell]
    scores = np.zeros((n, weights.shape[1]))
    np.add.at(scores, i0, v0 * resid0[:, None])
    np.add.at(scores, i1, weights * (tau1[:, None] - tau_bar))
    return check, scores.T @ scores


def bjs_imputation(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    control: str = "notyet",
    covariates: Sequence[str] | str = (),
    weights: str | None = None,
    alpha: float = 0.05,
    se: str = "analytic",
    biters: int = 199,
    seed: int = 20240901,
    panel: Panel | None = None,
) -> DidResult:
    """Borusyak–Jaravel–Spiess imputation ATT (equal weight per treated observation) and event study.

    ``control`` must be ``"notyet"``: the imputation model is fitted on every untreated
    observation (module doc); a never-treated-only comparison is not this estimator.
    ``covariates``: time-varying columns entering the imputation model, y = α_i + λ_t + x'β fitted
    on the untreated observations (BJS 2024 eq. 3; β by Frisch–Waugh on the within-transformed
    untreated cells), re-estimated in every bootstrap draw.
    ``weights``: a column of sampling (population) weights, > 0, as Stata ``did_imputation`` with
    ``aweight``: the imputation model is weighted least squares on the untreated observations, the
    ATT and event-time effects average the imputed effects with these weights, and the analytic
    variance uses the implied weights of that weighted estimator (:func:`bjs_analytic_variance`).
    ``se``: ``"analytic"`` (default) — BJS's conservative variance (:func:`bjs_analytic_variance`),
    clustered by unit, normal reference; ``"bootstrap"`` — unit cluster bootstrap with ``biters``
    draws and ``seed`` (these two apply only to it).
    An unbalanced panel is estimated on the rows present, with a warning; a treated unit never
    observed before its reform has no unit effect to impute from and is left out, with a warning
    naming how many (Stata ``did_imputation``'s autosample).
    """
    if control != "notyet":
        raise ToolkitError(
            f"BJS imputation fits its model on every untreated observation (never-treated units and the "
            f"pre-reform years of later cohorts, control='notyet'); control={control!r} (e.g. 'never') is not "
            "part of the estimator — use cs or sa for a never-treated comparison"
        )
    if se not in ("analytic", "bootstrap"):
        raise ToolkitError(f"se must be 'analytic' (BJS 2024 Theorem 3) or 'bootstrap', got {se!r}")
    if panel is None:
        panel = prepare_panel(
            data, yname, idname, tname, gname, covariates=covariates, extra_columns=[weights] if weights else ()
        )
    Y, G = panel.wide()
    omega = None
    wt = weight_values(panel, weights)
    if wt is not None:
        omega = np.ones((panel.n_units, panel.n_times))
        omega[panel.data["unit_code"].to_numpy(), panel.data["time_code"].to_numpy()] = wt
    seen = ~np.isnan(Y)
    X = None
    if panel.covariates:
        d = panel.data
        X = np.zeros((panel.n_units, panel.n_times, len(panel.covariates)))
        X[d["unit_code"].to_numpy(), d["time_code"].to_numpy(), :] = d[list(panel.covariates)].to_numpy(float)
    times = panel.times
    n, T = Y.shape
    warnings = list(panel.warnings)
    after = (G[:, None] > 0) & (times[None, :] >= G[:, None])
    treated = after & seen
    if not treated.any():
        raise ToolkitError(f"no treated observation in column '{gname}'")
    untreated_per_t = (~after & seen).sum(axis=0)
    if (untreated_per_t == 0).any():
        bad = [int(t) for t in times[untreated_per_t == 0]]
        raise ToolkitError(
            f"BJS imputation needs an untreated unit in every period; none in {bad} (add never-treated units or drop those periods)"
        )
    no_pre = (G > 0) & ~(~after & seen).any(axis=1)
    if no_pre.any():  # Stata did_imputation's autosample: these cannot be imputed
        k = int(no_pre.sum())
        warnings.append(
            f"{k} treated unit{'s' if k > 1 else ''} observed only after {'their' if k > 1 else 'its'} reform "
            f"({int(treated[no_pre].sum())} observations): no untreated year to estimate the unit effect from, so "
            "they cannot be imputed and are left out (as Stata did_imputation's autosample)"
        )
        seen = seen & ~no_pre[:, None]
        treated = after & seen
        if not treated.any():
            raise ToolkitError("BJS imputation: no treated observation can be imputed (none has an untreated year)")
    if not panel.balanced:
        warnings.append(
            f"unbalanced panel ({n * T - panel.n_obs} of {n * T} unit-periods missing): the imputation model is "
            "fitted on the untreated rows present and every treated row present is imputed"
        )
    est, by_e, tau = _bjs_point(Y, G, times, X, seen, omega)
    keys = sorted(by_e)
    if se == "analytic":
        i1, t1 = np.nonzero(treated)
        e1 = times[t1] - G[i1]
        Wt = np.column_stack([np.ones(len(i1))] + [(e1 == k).astype(float) for k in keys])
        if omega is not None:
            Wt *= omega[i1, t1][:, None]
        Wt /= Wt.sum(axis=0)
        _, V = bjs_analytic_variance(np.nan_to_num(Y), G, times, seen, tau, Wt, X, omega)
        sds = np.sqrt(np.clip(np.diag(V), 0.0, None))
        se_all, se_e = float(sds[0]), sds[1:]
        inference = (
            "BJS imputation; conservative analytic variance of Borusyak, Jaravel & Spiess (2024, Theorem 3; "
            "residuals of treated observations centred on their cohort × period mean), clustered by unit, normal reference"
        )
    else:
        rng = np.random.default_rng(seed)
        boot_all = np.empty(biters)
        boot_e = np.full((biters, len(keys)), np.nan)
        for b in range(biters):
            idx = rng.integers(0, n, n)
            Gb, seen_b = G[idx], seen[idx]
            after_b = (Gb[:, None] > 0) & (times[None, :] >= Gb[:, None])
            if (~after_b & seen_b).sum(axis=0).min() == 0 or not (after_b & seen_b).any():
                boot_all[b] = np.nan
                continue
            eb, by_eb, _ = _bjs_point(
                Y[idx], Gb, times, None if X is None else X[idx], seen_b, None if omega is None else omega[idx]
            )
            boot_all[b] = eb
            boot_e[b] = [by_eb.get(k, np.nan) for k in keys]
        se_all = float(np.nanstd(boot_all, ddof=1))
        se_e = np.array([float(np.nanstd(boot_e[:, j], ddof=1)) for j in range(len(keys))])
        inference = f"BJS imputation; SE from a unit cluster bootstrap ({biters} draws, seed {seed})"
    if weights:
        inference += f"; weighted least squares imputation, effects averaged with weights '{weights}'"
    es = []
    for j, k in enumerate(keys):
        lo, hi, _ = wald_inference(by_e[k], float(se_e[j]), alpha)
        es.append({"event_time": k, "estimate": by_e[k], "se": float(se_e[j]), "ci_low": lo, "ci_high": hi})
    return DidResult.normal_approximation(
        estimate=est,
        se=se_all,
        alpha=alpha,
        p_from_infinite_se=True,
        estimator="bjs",
        outcome=yname,
        n_units=n,
        n_obs=panel.n_obs,
        inference=inference,
        event_study=pd.DataFrame(es),
        diagnostics={"n_treated_obs": int(treated.sum()), "n_units_not_imputable": int(no_pre.sum())},
        warnings=warnings,
        options={
            "alpha": alpha,
            "control": "notyet",
            "covariates": list(panel.covariates),
            "se": se,
            "biters": biters if se == "bootstrap" else None,
            "seed": seed if se == "bootstrap" else None,
            "cluster": idname,
            "weights": weights,
        },
    )
