"""Sun & Abraham (2021, J. Econometrics 225(2), 175–199), interaction-weighted (IW) event study.

One regression with unit and year fixed effects and a full set of cohort × relative-time
indicators, leaving out one reference event time ``ref`` (default e = −1) for every cohort, with
never-treated units — or, if there are none, the last treated cohort — as the control cohort:

    y_it = α_i + λ_t + Σ_g Σ_{e ≠ ref} δ_{g,e} 1{G_i = g} 1{t − g = e} + ε_it

Each δ_{g,e} is a clean cohort-vs-control comparison (CATT) relative to e = ``ref``; the
event-study coefficient at e is the average of δ_{g,e} weighted by cohort size among the cohorts
observed at e (SA eq. 13, as fixest's ``sunab``: each cell weighted by its number of
observations, which is the cohort's size in a balanced panel). An unbalanced panel is estimated on
the rows present (fixed effects by alternating projections), with a warning. In a balanced panel δ_{g,e} equals
Callaway–Sant'Anna's ATT(g, g+e) with a universal base period and never-treated controls — the
tests check this identity.

**Reference period.** Every cohort must be observed at ``g + ref``: a cohort without its
reference period gets a dummy in every period, collinear with its unit effects, and the
regression is not identified (fixest drops such a cohort's dummies silently; here it is an error
naming the relative periods observed, like :func:`toolkit.did.event_study.event_study`). With
5-yearly data choose ``ref=-5``.

**Standard errors**: cluster-robust (CR1, clusters = units, G/(G−1)·(n−1)/(n−K)) sandwich, delta
method with the cohort shares held fixed (fixest's default). The design is checked for full rank
first; a rank-deficient design is an error, never a pseudo-inverse answer.

**Pre-trend test** (``diagnostics``): Wald W of all pre-treatment cells δ_{g,e}, e < ref, against
χ²(q) (``pretest_*``) and, in ``pretrend``, with the Hotelling reference W·(G−q)/(q·(G−1)) ~
F(q, G−q) of :mod:`toolkit.did.pretest` (G = units). When the cells' covariance is singular
(cohorts of one unit fit their own pre-periods exactly) W uses the Moore–Penrose inverse and q is
the covariance's rank (the number of independent restrictions actually tested), with a warning.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from toolkit.did.inference import wald_inference
from toolkit.did.panel import Panel, prepare_panel
from toolkit.did.pretest import hotelling_reference
from toolkit.did.result import DidResult
from toolkit.did.twfe import weight_values, within_transform
from toolkit.errors import ToolkitError

#: relative tolerance for the rank of the design and of the pre-test covariance (numpy's default
#: for matrix_rank is S.max()·max(M, N)·eps; this is looser so near-collinear cells count as collinear)
RANK_RTOL = 1e-10


def _rank(A: np.ndarray) -> int:
    if A.size == 0:
        return 0
    s = np.linalg.svd(A, compute_uv=False)
    return int(np.sum(s > RANK_RTOL * s.max())) if s.max() > 0 else 0


def sun_abraham(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    control: str = "never",
    ref: int = -1,
    covariates: Sequence[str] | str = (),
    weights: str | None = None,
    alpha: float = 0.05,
    panel: Panel | None = None,
) -> DidResult:
    """Sun–Abraham interaction-weighted event study and overall ATT.

    ``covariates``: time-varying columns added to the saturated regression (as in fixest/pyfixest
    ``y ~ sunab(...) + x | unit + year``); their coefficients are in ``diagnostics``. A covariate
    constant within units is absorbed by the unit effects and is an error (collinear).

    ``weights``: a column of sampling (population) weights, > 0 — weighted least squares with CR1
    standard errors, as fixest/pyfixest ``feols(..., weights=)`` on the same saturated design; the
    event study and the ATT then weight each cell by the sum of its rows' weights (fixest
    ``sunab``'s aggregation with weights, as HonestDiD's ``sunab_beta_vcv`` reproduces it).

    ``control`` must be ``"never"``: SA's comparison is the never-treated cohort (or the last
    treated cohort when there is none, said in a warning); a not-yet-treated comparison is not
    part of the estimator and is refused rather than ignored. ``ref``: the reference event time
    (module doc). Returns ``event_study`` (IW estimates, e ≠ ref), ``groups`` (per cohort: mean
    of its post-period CATTs) and ``group_time`` (every δ_{g,e} as cohort/time); headline =
    post-period CATTs averaged with their observation counts as weights (cohort sizes in a balanced
    panel: the same weights as CS's simple aggregation).
    """
    if control != "never":
        raise ToolkitError(
            f"Sun–Abraham compares with never-treated units (or the last-treated cohort when there are none); "
            f"control={control!r} (e.g. 'notyet') is not part of the estimator — use cs or bjs for a not-yet-treated comparison"
        )
    if int(ref) != ref or ref >= 0:
        raise ToolkitError(f"ref (the reference event time) must be a negative whole number, got {ref!r}")
    ref = int(ref)
    if panel is None:
        panel = prepare_panel(
            data, yname, idname, tname, gname, covariates=covariates, extra_columns=[weights] if weights else ()
        )
    covariates = panel.covariates
    d = panel.data
    t_last = int(panel.times[-1])
    G = np.where(d["cohort"].to_numpy() > t_last, 0, d["cohort"].to_numpy())  # treated after the data: never
    time = d["time"].to_numpy()
    y = d["y"].to_numpy(dtype=float)
    unit = d["unit_code"].to_numpy()
    Xc = d[list(covariates)].to_numpy(dtype=float) if covariates else np.zeros((len(d), 0))
    wt = weight_values(panel, weights)
    warnings = list(panel.warnings)
    cohorts = sorted(int(g) for g in np.unique(G) if g > 0)
    if not cohorts:
        raise ToolkitError(f"no treated cohort in column '{gname}'")
    control_cohort = "never treated"
    if not (G == 0).any():
        last = cohorts[-1]
        if len(cohorts) < 2:
            raise ToolkitError(
                "Sun–Abraham needs never-treated units or at least two cohorts (the last one serves as control)"
            )
        cohorts = cohorts[:-1]
        keep = time < last  # once the control cohort is treated it can no longer serve
        warnings.append(f"no never-treated units: cohort {last} is the control cohort; periods from {last} on dropped")
        G, time, y, unit = np.where(G[keep] == last, 0, G[keep]), time[keep], y[keep], unit[keep]
        Xc = Xc[keep]
        wt = wt[keep] if wt is not None else None
        control_cohort = f"last treated ({last})"
    unit = np.unique(unit, return_inverse=True)[1]
    times, tcode = np.unique(time, return_inverse=True)
    n, T, N = int(unit.max()) + 1, len(times), len(y)
    if not panel.balanced:
        warnings.append(
            f"unbalanced panel ({panel.n_units * panel.n_times - panel.n_obs} of {panel.n_units * panel.n_times} "
            "unit-periods missing): the regression uses the rows present; cells are weighted by their observations"
        )
    rel = time - G
    observed = sorted({int(e) for e in rel[G > 0]})
    lacking = [g for g in cohorts if not np.any((G == g) & (rel == ref))]
    if lacking:
        raise ToolkitError(
            f"Sun–Abraham: reference period {ref} is not observed for cohort{'s' if len(lacking) > 1 else ''} "
            f"{lacking} (relative periods observed: {', '.join(map(str, observed))}); without it a cohort's dummies "
            f"are collinear with its unit effects — choose ref= one of the negative relative periods every cohort has"
        )
    cells = sorted({(int(g), int(e)) for g, e in zip(G, rel) if g > 0 and e != ref})
    if not cells:
        raise ToolkitError("no cohort × relative-time cell to estimate")
    cell_index = {c: k for k, c in enumerate(cells)}
    X = np.zeros((N, len(cells)))
    rows = np.flatnonzero((G > 0) & (rel != ref))
    X[rows, [cell_index[(int(G[r]), int(rel[r]))] for r in rows]] = 1.0
    # observations per cell (sum of weights with sampling weights): fixest sunab's aggregation weights
    size = X.sum(axis=0) if wt is None else wt @ X
    nc = len(cells)
    both = within_transform(np.column_stack([y, X, Xc]), unit, tcode, weights=wt)
    if wt is not None:  # WLS: rows scaled by sqrt(w) after the weighted projection (twfe.fit_within)
        both = both * np.sqrt(wt)[:, None]
    Yd, Xd = both[:, 0], both[:, 1:]
    XtX = Xd.T @ Xd
    rank = _rank(XtX[:nc, :nc])
    if rank < nc:
        raise ToolkitError(
            f"Sun–Abraham: the cohort × relative-time design has rank {rank} of {nc} cells "
            "(some cells are collinear with the unit and period effects); not identified"
        )
    if covariates and _rank(XtX) < nc + len(covariates):
        raise ToolkitError(
            f"Sun–Abraham: covariate{'s' if len(covariates) > 1 else ''} {list(covariates)} collinear with the unit and "
            "period effects or the cohort × relative-time cells (a covariate constant within units is absorbed by the "
            "unit effects); not identified"
        )
    XtX_inv = np.linalg.inv(XtX)
    beta = XtX_inv @ (Xd.T @ Yd)
    resid = Yd - Xd @ beta
    # cluster-robust (units) sandwich; K counts δ's and time effects (unit effects are nested in clusters)
    scores = np.zeros((n, Xd.shape[1]))
    np.add.at(scores, unit, Xd * resid[:, None])
    K = Xd.shape[1] + T
    adj = n / (n - 1) * (N - 1) / (N - K)
    V_all = adj * XtX_inv @ (scores.T @ scores) @ XtX_inv
    cov_coef = {
        c: {"estimate": float(beta[nc + j]), "se": float(np.sqrt(V_all[nc + j, nc + j]))}
        for j, c in enumerate(covariates)
    }
    beta, V = beta[:nc], V_all[:nc, :nc]

    cell_g = np.array([g for g, _ in cells])
    cell_e = np.array([e for _, e in cells])
    unit_g = np.zeros(n, dtype=np.int64)
    unit_g[unit] = G
    cohort_size = {g: int(np.sum(unit_g == g)) for g in cohorts}

    def combo(mask: np.ndarray, by_size: bool = True) -> tuple[float, float]:
        w = np.where(mask, size if by_size else 1.0, 0.0)
        w = w / w.sum()
        return float(w @ beta), float(math.sqrt(max(w @ V @ w, 0.0)))

    es = []
    Wes = []
    for e in sorted(set(cell_e.tolist())):
        est, se = combo(cell_e == e)
        lo, hi, _ = wald_inference(est, se, alpha)
        es.append({"event_time": int(e), "estimate": est, "se": se, "ci_low": lo, "ci_high": hi})
        we = np.where(cell_e == e, size, 0.0)
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
    diagnostics: dict = {
        "covariate_coefficients": cov_coef,
        "reference_event_time": ref,
        "control_cohort": control_cohort,
        "cohort_sizes": cohort_size,
        "event_study_vcov": (Wes @ V @ Wes.T).tolist(),
    }
    diagnostics.update(_pretest(beta, V, cell_e, ref, n, warnings))
    return DidResult.normal_approximation(
        estimate=est,
        se=se,
        alpha=alpha,
        p_from_infinite_se=True,
        estimator="sa",
        outcome=yname,
        n_units=n,
        n_obs=N,
        inference="Sun–Abraham interaction-weighted; cluster-robust CR1 by unit, delta method with cohort shares fixed"
        + (f"; weighted least squares (weights '{weights}')" if weights else ""),
        event_study=pd.DataFrame(es),
        groups=pd.DataFrame(groups),
        group_time=group_time,
        diagnostics=diagnostics,
        warnings=warnings,
        options={
            "alpha": alpha,
            "control": "never" if control_cohort == "never treated" else "last_treated",
            "reference_period": ref,
            "base_period": "universal",
            "cluster": idname,
            "covariates": list(covariates),
            "weights": weights,
        },
    )


def _pretest(beta: np.ndarray, V: np.ndarray, cell_e: np.ndarray, ref: int, n: int, warnings: list[str]) -> dict:
    """Wald test of the pre-treatment cells (e < ref), rank-aware (module doc)."""
    pre = np.flatnonzero(cell_e < ref)
    if not len(pre):
        return {}
    Vp = V[np.ix_(pre, pre)]
    q = _rank(Vp)
    out: dict = {"pretest_cells": int(len(pre)), "pretest_rank": q}
    if q == 0:
        warnings.append("Sun–Abraham pre-trend test not possible: the pre-treatment cells have zero variance")
        return out
    if q < len(pre):
        warnings.append(
            f"Sun–Abraham pre-trend test: the covariance of the {len(pre)} pre-treatment cells has rank {q} "
            f"(cohorts of one unit fit their pre-periods exactly); tested with its pseudo-inverse on {q} df"
        )
        W = float(beta[pre] @ np.linalg.pinv(Vp, rcond=RANK_RTOL, hermitian=True) @ beta[pre])
    else:
        W = float(beta[pre] @ np.linalg.solve(Vp, beta[pre]))
    out.update({"pretest_wald": W, "pretest_df": q, "pretest_p_value": float(stats.chi2.sf(W, q))})
    if n > q:
        # χ² over-rejects with small cohorts (20 cells, 60 counties: 44% at 5%,
        # benchmarks/montecarlo_pretest.py); the Hotelling reference of toolkit.did.pretest
        out["pretrend"] = {
            "test": "Wald test of all pre-treatment SA cells (e < ref), CR1 by unit, "
            "Hotelling T2 reference W(G-q)/(q(G-1)) vs F(q, G-q); F(q, G-1) and chi2(q) p alongside",
            "df1": q,
            "df2": float(n - q),
            "n_clusters": n,
            **hotelling_reference(W, q, n),
        }
    return out
