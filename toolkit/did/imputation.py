"""Heterogeneity-robust event studies beside Callaway–Sant'Anna: Sun–Abraham and BJS imputation.

**Sun & Abraham (2021, J. Econometrics 225(2), 175–199), interaction-weighted (IW) estimator.**
One regression with unit and year fixed effects and a full set of cohort × relative-time
indicators (reference period e = −1, never-treated units — or, if there are none, the last
treated cohort — as the control cohort):

    y_it = α_i + λ_t + Σ_g Σ_{e ≠ −1} δ_{g,e} 1{G_i = g} 1{t − g = e} + ε_it

Each δ_{g,e} is a clean cohort-vs-control comparison (CATT); the event-study coefficient at e is
the average of δ_{g,e} weighted by cohort size among the cohorts observed at e (SA eq. 13, as
fixest's ``sunab``). In a balanced panel δ_{g,e} equals Callaway–Sant'Anna's ATT(g, g+e) with a
universal base period and never-treated controls — the tests check this identity. Standard
errors: cluster-robust (CR1, clusters = units, G/(G−1)·(n−1)/(n−K)) sandwich, delta method with
the cohort shares held fixed (fixest's default). Pre-trend test (``diagnostics``): Wald W of all
pre-treatment cells δ_{g,e}, e < −1, against χ²(q) (``pretest_*``) and, in ``pretrend``, with the
Hotelling reference W·(G−q)/(q·(G−1)) ~ F(q, G−q) of :mod:`toolkit.did.pretest` (G = units).

**Borusyak, Jaravel & Spiess (2024, REStud) imputation.** Fit y_it = α_i + λ_t on untreated
observations only (never treated, and treated units before their reform), impute Y(0) for the
treated observations, and average τ_it = y_it − Ŷ_it(0) by event time and overall (equal weights
per treated observation). Standard errors: cluster (unit) bootstrap, ``biters`` draws, fixed seed
(BJS's analytic conservative variance is not implemented; the bootstrap re-estimates the
fixed effects in every draw).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.did.inference import wald_inference
from toolkit.did.panel import COHORT, Panel, prepare_panel
from toolkit.did.pretest import hotelling_reference
from toolkit.did.result import DidResult
from toolkit.errors import ToolkitError


def _two_way_demean(M: np.ndarray) -> np.ndarray:
    """Balanced panel, M is n × T (× k): remove unit and period means (exact two-way within)."""
    return M - M.mean(axis=1, keepdims=True) - M.mean(axis=0, keepdims=True) + M.mean(axis=(0, 1), keepdims=True)


def _wide(panel: Panel) -> tuple[np.ndarray, np.ndarray]:
    d = panel.data
    Y = np.full((panel.n_units, panel.n_times), np.nan)
    Y[d["unit_code"].to_numpy(), d["time_code"].to_numpy()] = d["y"].to_numpy(dtype=float)
    G = np.zeros(panel.n_units, dtype=np.int64)
    G[d["unit_code"].to_numpy()] = d[COHORT].to_numpy()
    G[G > panel.times[-1]] = 0  # treated after the data end: never treated within the data
    return Y, G


def sun_abraham(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    alpha: float = 0.05,
    panel: Panel | None = None,
) -> DidResult:
    """Sun–Abraham interaction-weighted event study and overall ATT (balanced panel).

    Returns ``event_study`` (IW estimates, e ≠ −1), ``groups`` (per cohort: mean of its
    post-period CATTs) and ``group_time`` (every δ_{g,e} as cohort/time); headline = post-period
    CATTs averaged with cohort-size weights (the same weights as CS's simple aggregation).
    """
    if panel is None:
        panel = prepare_panel(data, yname, idname, tname, gname, require_balanced=True)
    else:
        panel.require_balanced("Sun–Abraham")
    Y, G = _wide(panel)
    times = panel.times
    n, T = Y.shape
    warnings = list(panel.warnings)
    cohorts = sorted(int(g) for g in np.unique(G) if g > 0)
    if not cohorts:
        raise ToolkitError(f"no treated cohort in column '{gname}'")
    keep_t = np.ones(T, dtype=bool)
    control_cohort = "never treated"
    if not (G == 0).any():
        last = cohorts[-1]
        if len(cohorts) < 2:
            raise ToolkitError(
                "Sun–Abraham needs never-treated units or at least two cohorts (the last one serves as control)"
            )
        cohorts = cohorts[:-1]
        keep_t = times < last  # once the control cohort is treated it can no longer serve
        warnings.append(f"no never-treated units: cohort {last} is the control cohort; periods from {last} on dropped")
        G = np.where(G == last, 0, G)
        control_cohort = f"last treated ({last})"
    Y = Y[:, keep_t]
    times = times[keep_t]
    T = len(times)
    cells = [(g, int(t) - g) for g in cohorts for t in times if int(t) - g != -1]
    if not cells:
        raise ToolkitError("no cohort × relative-time cell to estimate")
    X = np.zeros((n, T, len(cells)))
    for k, (g, e) in enumerate(cells):
        ti = np.flatnonzero(times == g + e)
        X[G == g, ti, k] = 1.0
    Yd = _two_way_demean(Y).reshape(-1)
    Xd = _two_way_demean(X).reshape(n * T, len(cells))
    XtX = Xd.T @ Xd
    XtX_inv = np.linalg.pinv(XtX)
    beta = XtX_inv @ (Xd.T @ Yd)
    resid = (Yd - Xd @ beta).reshape(n, T)
    # cluster-robust (units) sandwich; K counts δ's and time effects (unit effects are nested in clusters)
    scores = np.einsum("itk,it->ik", Xd.reshape(n, T, len(cells)), resid)
    K = len(cells) + T
    N = n * T
    adj = n / (n - 1) * (N - 1) / (N - K)
    V = adj * XtX_inv @ (scores.T @ scores) @ XtX_inv

    cell_g = np.array([g for g, _ in cells])
    cell_e = np.array([e for _, e in cells])
    size = {g: int(np.sum(G == g)) for g in cohorts}

    def combo(mask: np.ndarray, by_size: bool = True) -> tuple[float, float]:
        w = np.where(mask, np.array([size[g] for g in cell_g], dtype=float) if by_size else 1.0, 0.0)
        w = w / w.sum()
        return float(w @ beta), float(math.sqrt(max(w @ V @ w, 0.0)))

    es = []
    Wes = []
    for e in sorted(set(cell_e.tolist())):
        est, se = combo(cell_e == e)
        lo, hi, _ = wald_inference(est, se, alpha)
        es.append({"event_time": int(e), "estimate": est, "se": se, "ci_low": lo, "ci_high": hi})
        we = np.where(cell_e == e, np.array([size[g] for g in cell_g], dtype=float), 0.0)
        Wes.append(we / we.sum())
    Wes = np.array(Wes)
    groups = []
    for g in cohorts:
        m = (cell_g == g) & (cell_e >= 0)
        if m.any():
            est, se = combo(m, by_size=False)
            lo, hi, _ = wald_inference(est, se, alpha)
            groups.append({"cohort": g, "estimate": est, "se": se, "ci_low": lo, "ci_high": hi})
    post = cell_e >= 0
    est, se = combo(post)
    cell_se = np.sqrt(np.clip(np.diag(V), 0, None))
    cell_low, cell_high, _ = wald_inference(beta, cell_se, alpha)
    group_time = pd.DataFrame(
        {
            "cohort": cell_g,
            "time": cell_g + cell_e,
            "event_time": cell_e,
            "estimate": beta,
            "se": cell_se,
            "ci_low": cell_low,
            "ci_high": cell_high,
        }
    )
    pre = np.flatnonzero(cell_e < -1)
    diagnostics: dict = {
        "reference_event_time": -1,
        "control_cohort": control_cohort,
        "event_study_vcov": (Wes @ V @ Wes.T).tolist(),
    }
    if len(pre):
        Vp = V[np.ix_(pre, pre)]
        try:
            W = float(beta[pre] @ np.linalg.solve(Vp, beta[pre]))
            diagnostics.update(
                {"pretest_wald": W, "pretest_df": len(pre), "pretest_p_value": float(stats.chi2.sf(W, len(pre)))}
            )
            if n > len(pre):
                # χ² over-rejects with small cohorts (20 cells, 60 counties: 44% at 5%,
                # benchmarks/montecarlo_pretest.py); the Hotelling reference of toolkit.did.pretest
                diagnostics["pretrend"] = {
                    "test": "Wald test of all pre-treatment SA cells (e < -1), CR1 by unit, "
                    "Hotelling T2 reference W(G-q)/(q(G-1)) vs F(q, G-q); F(q, G-1) and chi2(q) p alongside",
                    "df1": len(pre),
                    "df2": float(n - len(pre)),
                    "n_clusters": n,
                    **hotelling_reference(W, len(pre), n),
                }
        except np.linalg.LinAlgError:
            pass
    return DidResult.normal_approximation(
        estimate=est,
        se=se,
        alpha=alpha,
        p_from_infinite_se=True,
        estimator="sa",
        outcome=yname,
        n_units=n,
        n_obs=n * T,
        inference="Sun–Abraham interaction-weighted; cluster-robust CR1 by unit, delta method with cohort shares fixed",
        event_study=pd.DataFrame(es),
        groups=pd.DataFrame(groups),
        group_time=group_time,
        diagnostics=diagnostics,
        warnings=warnings,
        options={"alpha": alpha, "reference_period": -1, "base_period": "universal"},
    )


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


def _bjs_point(Y: np.ndarray, G: np.ndarray, times: np.ndarray) -> tuple[float, dict[int, float], np.ndarray]:
    treated = (G[:, None] > 0) & (times[None, :] >= G[:, None])
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
    alpha: float = 0.05,
    biters: int = 199,
    seed: int = 20240901,
    panel: Panel | None = None,
) -> DidResult:
    """Borusyak–Jaravel–Spiess imputation ATT (equal weight per treated observation) and event study."""
    if panel is None:
        panel = prepare_panel(data, yname, idname, tname, gname, require_balanced=True)
    else:
        panel.require_balanced("BJS imputation")
    Y, G = _wide(panel)
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
    est, by_e, _ = _bjs_point(Y, G, times)
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
        eb, by_eb, _ = _bjs_point(Y[idx], Gb, times)
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
        options={"alpha": alpha, "biters": biters, "seed": seed},
    )
