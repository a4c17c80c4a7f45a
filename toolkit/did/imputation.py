"""Borusyak, Jaravel & Spiess (2024, REStud 91(6)) imputation estimator.

Fit y_it = α_i + λ_t on untreated observations only (never treated, and treated units before
their reform), impute Y(0) for the treated observations, and average τ_it = y_it − Ŷ_it(0) by
event time and overall (equal weights per treated observation). The comparison is therefore every
untreated observation — never-treated units and the not-yet-treated periods of later cohorts
(``control="notyet"``, the only one the estimator defines; ``"never"`` is refused, not ignored).
Standard errors: cluster (unit) bootstrap, ``biters`` draws, fixed seed (the bootstrap
re-estimates the fixed effects in every draw). Sun & Abraham's estimator is in
:mod:`toolkit.did.sun_abraham`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from toolkit.did.inference import wald_inference
from toolkit.did.panel import Panel, prepare_panel
from toolkit.did.result import DidResult
from toolkit.errors import ToolkitError


# ----------------------------------------------------------------------------- BJS imputation
def _fe_fit_untreated(
    Y: np.ndarray, untreated: np.ndarray, tol: float = 1e-12, max_iter: int = 10_000
) -> tuple[np.ndarray, np.ndarray]:
    """Unit and period effects fitted on the untreated cells only (alternating projections)."""
    n, T = Y.shape
    W = untreated.astype(float)
    Yz = np.where(untreated, Y, 0.0)
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


def _covariate_slopes(Y: np.ndarray, X: np.ndarray, untreated: np.ndarray) -> np.ndarray:
    """β of y = α_i + λ_t + x'β on the untreated cells (FWL: both sides within-transformed on them)."""
    from toolkit.did.twfe import within_transform

    n, T = Y.shape
    i, t = np.nonzero(untreated)
    both = within_transform(np.column_stack([Y[i, t], X[i, t, :]]), i, t)
    beta, *_ = np.linalg.lstsq(both[:, 1:], both[:, 0], rcond=None)
    return beta


def _bjs_point(
    Y: np.ndarray, G: np.ndarray, times: np.ndarray, X: np.ndarray | None = None
) -> tuple[float, dict[int, float], np.ndarray]:
    treated = (G[:, None] > 0) & (times[None, :] >= G[:, None])
    if X is not None and X.shape[2]:
        Y = Y - X @ _covariate_slopes(Y, X, ~treated)  # then the two-way model on what is left
    a, lam = _fe_fit_untreated(Y, ~treated)
    tau = Y - a[:, None] - lam[None, :]
    e = times[None, :] - G[:, None]
    by_e = {int(k): float(tau[treated & (e == k)].mean()) for k in np.unique(e[treated])}
    return float(tau[treated].mean()), by_e, tau


def bjs_imputation(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    control: str = "notyet",
    covariates: Sequence[str] | str = (),
    alpha: float = 0.05,
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
    """
    if control != "notyet":
        raise ToolkitError(
            f"BJS imputation fits its model on every untreated observation (never-treated units and the "
            f"pre-reform years of later cohorts, control='notyet'); control={control!r} (e.g. 'never') is not "
            "part of the estimator — use cs or sa for a never-treated comparison"
        )
    if panel is None:
        panel = prepare_panel(data, yname, idname, tname, gname, covariates=covariates, require_balanced=True)
    else:
        panel.require_balanced("BJS imputation")
    Y, G = panel.wide()
    X = None
    if panel.covariates:
        d = panel.data
        X = np.zeros((panel.n_units, panel.n_times, len(panel.covariates)))
        X[d["unit_code"].to_numpy(), d["time_code"].to_numpy(), :] = d[list(panel.covariates)].to_numpy(float)
    times = panel.times
    n, T = Y.shape
    treated = (G[:, None] > 0) & (times[None, :] >= G[:, None])
    if not treated.any():
        raise ToolkitError(f"no treated observation in column '{gname}'")
    untreated_per_t = (~treated).sum(axis=0)
    if (untreated_per_t == 0).any():
        bad = [int(t) for t in times[untreated_per_t == 0]]
        raise ToolkitError(
            f"BJS imputation needs an untreated unit in every period; none in {bad} (add never-treated units or drop those periods)"
        )
    est, by_e, _ = _bjs_point(Y, G, times, X)
    rng = np.random.default_rng(seed)
    boot_all = np.empty(biters)
    keys = sorted(by_e)
    boot_e = np.full((biters, len(keys)), np.nan)
    for b in range(biters):
        idx = rng.integers(0, n, n)
        Gb = G[idx]
        tr_b = (Gb[:, None] > 0) & (times[None, :] >= Gb[:, None])
        if (~tr_b).sum(axis=0).min() == 0 or not tr_b.any():
            boot_all[b] = np.nan
            continue
        eb, by_eb, _ = _bjs_point(Y[idx], Gb, times, None if X is None else X[idx])
        boot_all[b] = eb
        boot_e[b] = [by_eb.get(k, np.nan) for k in keys]
    se = float(np.nanstd(boot_all, ddof=1))
    es = []
    for j, k in enumerate(keys):
        s = float(np.nanstd(boot_e[:, j], ddof=1))
        lo, hi, _ = wald_inference(by_e[k], s, alpha)
        es.append({"event_time": k, "estimate": by_e[k], "se": s, "ci_low": lo, "ci_high": hi})
    return DidResult.normal_approximation(
        estimate=est,
        se=se,
        alpha=alpha,
        p_from_infinite_se=True,
        estimator="bjs",
        outcome=yname,
        n_units=n,
        n_obs=n * T,
        inference=f"BJS imputation; SE from a unit cluster bootstrap ({biters} draws, seed {seed})",
        event_study=pd.DataFrame(es),
        diagnostics={"n_treated_obs": int(treated.sum())},
        warnings=list(panel.warnings),
        options={
            "alpha": alpha,
            "control": "notyet",
            "covariates": list(panel.covariates),
            "biters": biters,
            "seed": seed,
            "cluster": idname,
        },
    )
